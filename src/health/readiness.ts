/**
 * Is this process ready to do its job? A small model the health endpoint (src/health/server.ts,
 * and the metrics endpoint later) serves as /readyz: each part of the process — Redis reachable,
 * the Slack socket connected, the workers running — reports itself, and the process is ready when
 * every part is. Liveness (/healthz) is only "the event loop answers".
 */
export interface ComponentState {
  ok: boolean;
  detail: string;
  /** When it last changed (ms since the epoch). */
  since: number;
}

export interface ReadinessSnapshot {
  ready: boolean;
  components: Record<string, ComponentState>;
}

export interface Readiness {
  /** Pushes a component's state (e.g. from an event). */
  set(component: string, ok: boolean, detail: string): void;
  /** A component read when asked (e.g. "are the workers running?"). */
  probe(component: string, read: () => { ok: boolean; detail: string }): void;
  /** Shutting down: not ready, whatever the parts say. */
  stopping(): void;
  snapshot(): ReadinessSnapshot;
}

export function createReadiness(now: () => number = Date.now): Readiness {
  const pushed = new Map<string, ComponentState>();
  const probes = new Map<string, () => { ok: boolean; detail: string }>();
  const probed = new Map<string, ComponentState>();
  let shuttingDown = false;
  return {
    set(component, ok, detail) {
      const previous = pushed.get(component);
      pushed.set(component, { ok, detail, since: previous && previous.ok === ok ? previous.since : now() });
    },
    probe(component, read) {
      probes.set(component, read);
    },
    stopping() {
      shuttingDown = true;
    },
    snapshot() {
      const components: Record<string, ComponentState> = Object.fromEntries(pushed);
      for (const [name, read] of probes) {
        let value: { ok: boolean; detail: string };
        try {
          value = read();
        } catch (error) {
          value = { ok: false, detail: error instanceof Error ? error.message : String(error) };
        }
        const previous = probed.get(name);
        const state = { ...value, since: previous && previous.ok === value.ok ? previous.since : now() };
        probed.set(name, state);
        components[name] = state;
      }
      if (shuttingDown) components.process = { ok: false, detail: 'shutting down', since: now() };
      const ready = Object.keys(components).length > 0 && Object.values(components).every((state) => state.ok);
      return { ready, components };
    },
  };
}
