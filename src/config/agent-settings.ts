import type { Config } from './schema.js';
import { gatewayPortOf, resolveTarget } from './targets.js';

/**
 * A gateway's host agent, resolved from the config with its defaults: what the agent checks and how
 * long a check waits for it. Both sides read it from the same clawops.yaml, so the worker's deadline
 * and the agent's own budget agree without a job having to carry either.
 */
export interface AgentSettings {
  gateway: string;
  unit: string;
  bind: 'loopback' | 'tailnet';
  port: number;
  tailnetAddresses: string[];
  /** How long a check waits for the agent (≤ the gateway's budgetMs). */
  deadlineMs: number;
  /** What the agent may spend on its checks: the deadline minus the time the answer needs to travel back. */
  budgetMs: number;
  doctor: boolean;
  /** Read the packet filter for the Gateway's ports (needs CAP_NET_ADMIN on the host). */
  firewall: boolean;
  /** Ports a tailnet client connects to on this host: the URL's port (443 for Serve) and the Gateway's. */
  tailnetPorts: number[];
  openclawRoots: string[];
  /** The Gateway's openclaw.json (absent: the unit's OPENCLAW_CONFIG_PATH, else loopback config.get). */
  openclawConfig?: string;
  /** tailscaled's LocalAPI socket on the gateway host (absent: the default path). */
  tailscaledSocket?: string;
}

/** The agent of `name`, or undefined when it has none (or it is disabled). */
export function resolveAgentSettings(config: Config, name: string): AgentSettings | undefined {
  const gateway = config.gateways[name];
  const agent = gateway?.agent;
  if (!gateway || !agent || !agent.enabled) return undefined;
  const checkBudgetMs = resolveTarget(config, name, {}).timeouts.budgetMs;
  const deadlineMs = Math.min(agent.deadlineMs ?? checkBudgetMs, checkBudgetMs);
  return {
    gateway: name,
    unit: agent.unit,
    bind: agent.bind,
    port: gatewayPortOf(gateway),
    tailnetAddresses: agent.tailnetAddresses,
    deadlineMs,
    budgetMs: agentBudgetMs(deadlineMs),
    doctor: agent.doctor,
    firewall: agent.firewall,
    tailnetPorts: [...new Set([urlPort(gateway.url), gatewayPortOf(gateway)])],
    openclawRoots: agent.openclawRoots,
    ...(agent.openclawConfig ? { openclawConfig: agent.openclawConfig } : {}),
    tailscaledSocket: agent.tailscaledSocket,
  };
}

/** A quarter of the deadline, at most a second, is left for the queue round trip. */
export function agentBudgetMs(deadlineMs: number): number {
  return Math.max(250, deadlineMs - Math.min(1_000, Math.floor(deadlineMs / 4)));
}

function urlPort(url: string): number {
  const parsed = new URL(url);
  return parsed.port ? Number(parsed.port) : parsed.protocol === 'wss:' ? 443 : 80;
}
