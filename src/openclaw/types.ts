import type { CloseEvidence, GatewayErrorEvidence, HandshakeEvidence, UpgradeEvidence } from '../report/report.js';
import type { LookupFunction } from 'node:net';
import type { z } from 'zod';

/**
 * The contract between the OpenClaw Gateway client (src/openclaw/client.ts) and its users (the probe
 * ladder, the host agent, the conformance suite). The client never throws because a Gateway is
 * broken: every failure is a value.
 */

/** `client.id` values the Gateway accepts (a closed list in its ConnectParamsSchema). */
export type ClientId = 'cli' | 'gateway-client' | 'openclaw-probe' | 'node-host' | 'test';
/** `client.mode` values the Gateway accepts. */
export type ClientMode = 'webchat' | 'cli' | 'ui' | 'backend' | 'node' | 'worker' | 'probe' | 'test';

export interface ClientInfo {
  id: ClientId;
  mode: ClientMode;
  version: string;
  platform: string;
  deviceFamily?: string;
}

/** A device identity as the client needs it; persistence lives in device-identity.ts. */
export interface DeviceIdentity {
  /** sha256 hex of the raw 32-byte Ed25519 public key. */
  deviceId: string;
  /** Raw 32-byte public key, base64url. */
  publicKey: string;
  /** Ed25519 signature of `payload` (UTF-8), base64url. */
  sign(payload: string): string;
  /** The device token this Gateway issued on approval, if any (presented as `auth.deviceToken`). */
  deviceTokenFor(gatewayKey: string): string | undefined;
  /** Keeps a newly issued device token (0600 on disk). */
  saveDeviceToken(gatewayKey: string, token: string): Promise<void>;
}

export interface ConnectOptions {
  url: string;
  token?: string;
  identity?: DeviceIdentity;
  role?: 'operator';
  scopes?: string[];
  client?: Partial<ClientInfo>;
  /** Protocol range offered; defaults to 4..4. The conformance suite offers ranges without 4. */
  protocol?: { min: number; max: number };
  /** TCP connect + HTTP upgrade until 101. */
  upgradeTimeoutMs: number;
  /** From 101 until hello-ok (challenge + connect). */
  handshakeTimeoutMs: number;
  /** Largest frame accepted from the Gateway; a hostile Gateway cannot make us buffer more. */
  maxPayloadBytes?: number;
  signal?: AbortSignal;
  /** TLS options for wss:// (tests use a self-signed CA). */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** Name resolution for the URL's host (default: the system's); the TLS server name stays the host. */
  lookup?: LookupFunction;
  /**
   * Key under which the identity's device token for this Gateway is looked up and saved.
   * Defaults to `gatewayKeyOf(url)` (`ws://host:port`, `wss://host`).
   */
  gatewayKey?: string;
  /**
   * Present the identity's saved device token (default true). The real Gateway accepts a valid
   * device token even when `auth.token` is wrong, so checking the shared token itself needs `false`.
   */
  useDeviceToken?: boolean;
}

export interface ConnectTiming {
  /** ms from start until the TCP connection was established (absent if it never was). */
  tcpMs?: number;
  /** ms from start until 101 (or the refusal). */
  upgradeMs: number;
  /** ms from start until hello-ok / the failure. Absent when the upgrade failed. */
  handshakeMs?: number;
}

export type ConnectResult =
  | {
      ok: true;
      session: GatewaySession;
      upgrade: z.infer<typeof UpgradeEvidence>;
      handshake: z.infer<typeof HandshakeEvidence>;
      timing: ConnectTiming;
    }
  | {
      ok: false;
      stage: 'upgrade';
      upgrade: z.infer<typeof UpgradeEvidence>;
      timing: ConnectTiming;
    }
  | {
      ok: false;
      stage: 'handshake';
      upgrade: z.infer<typeof UpgradeEvidence>;
      handshake: z.infer<typeof HandshakeEvidence>;
      timing: ConnectTiming;
    };

export type RpcOutcome =
  | { ok: true; payload: unknown; durationMs: number }
  | {
      ok: false;
      durationMs: number;
      error?: z.infer<typeof GatewayErrorEvidence>;
      close?: z.infer<typeof CloseEvidence>;
      timedOut?: boolean;
      /** The caller's AbortSignal fired before the answer. */
      aborted?: boolean;
      /** The Gateway sent something that is not protocol (the session was dropped). */
      protocolViolation?: string;
      /** …and it was a payload refused unread (too large or too deeply nested). */
      refused?: string;
    };

export interface GatewaySession {
  /** The parsed hello-ok payload. */
  readonly hello: HelloOk;
  call(method: string, params: Record<string, unknown>, options: { timeoutMs: number; signal?: AbortSignal }): Promise<RpcOutcome>;
  /** Resolves once the socket is closed; idempotent. */
  close(): Promise<void>;
  /** How the socket closed, once it has (`undefined` while open). */
  readonly closeEvidence?: z.infer<typeof CloseEvidence> | undefined;
  /** The `shutdown` event, if the Gateway announced one while connected. */
  readonly shutdown?: { reason?: string; restartExpectedMs?: number } | undefined;
}

export interface HelloOk {
  protocol: number;
  server: { version: string; connId?: string; buildId?: string };
  methods: string[];
  auth: { method?: string; role?: string; scopes: string[]; deviceToken?: string };
  tickIntervalMs?: number;
  maxPayload?: number;
  /** `snapshot.uptimeMs`: how long the Gateway has run. */
  uptimeMs?: number;
}
