/**
 * What a WebSocket close from an OpenClaw Gateway means. A close code alone misleads (1000 is
 * both "bye" and "your handshake never finished in time"; 1008 is auth, pairing and malformed
 * connects alike), so decoding looks at the code, the error frame that came before it, and how
 * long after the upgrade it came. Pure and data-driven: a table of codes and an ordered rule list.
 * The one place that says what 1000/1002/1008/1012/1013/4001 mean: the diagnosis rules
 * (diagnosis/rules.ts, `closeKindOf`) decide by the kind decoded here, never by a bare code.
 */

export interface CloseCodeInfo {
  name: string;
  meaning: string;
}

/** The codes the Gateway (or the path to it) produces, in the Gateway's usage. */
export const CLOSE_CODES: Readonly<Record<number, CloseCodeInfo>> = {
  1000: {
    name: 'normal',
    meaning: 'Normal close. Before hello-ok this is the Gateway’s pre-auth handshake timer (or a non-JSON first frame), not a goodbye.',
  },
  1002: { name: 'protocol-error', meaning: 'Protocol error; from the Gateway, a protocol version mismatch (it speaks 4).' },
  1005: { name: 'no-status', meaning: 'Closed without a status code.' },
  1006: { name: 'abnormal', meaning: 'The connection dropped without a close frame: crash, proxy cut, network loss.' },
  1008: { name: 'policy-violation', meaning: 'Refused by policy: bad token, device identity or pairing required, invalid connect.' },
  1009: { name: 'message-too-big', meaning: 'A frame exceeded the size limit (64 KiB before auth, ~25 MiB after).' },
  1011: { name: 'internal-error', meaning: 'The Gateway hit an internal error.' },
  1012: { name: 'service-restart', meaning: 'The Gateway is stopping or restarting.' },
  1013: { name: 'try-again-later', meaning: 'The Gateway is still starting (or overloaded); retry shortly.' },
  4001: { name: 'auth-changed', meaning: 'The Gateway invalidated this client: the token was rotated or access was revoked.' },
};

export function closeCodeName(code: number): string {
  return CLOSE_CODES[code]?.name ?? (code >= 4000 && code <= 4999 ? 'application' : 'unknown');
}

/** What a close means for a check. */
export type CloseKind =
  | 'normal'
  | 'handshake-timeout'
  | 'closed-immediately'
  | 'closed-before-hello'
  | 'protocol-mismatch'
  | 'protocol-error'
  | 'auth-token-mismatch'
  | 'auth-rejected'
  | 'device-required'
  | 'pairing-required'
  | 'device-auth-invalid'
  | 'policy-violation'
  | 'message-too-big'
  | 'internal-error'
  | 'restarting'
  | 'starting'
  | 'auth-changed'
  | 'abnormal'
  | 'unknown';

export interface CloseContext {
  code: number;
  reason?: string;
  /** Whether the close came before hello-ok. */
  beforeHello: boolean;
  /** `error.code` of the error frame before the close (`INVALID_REQUEST`, `NOT_PAIRED`, …). */
  errorCode?: string;
  /** `error.details.code` (`AUTH_TOKEN_MISMATCH`, `PAIRING_REQUIRED`, …). */
  detailsCode?: string;
  /** Whether a `shutdown` event came before the close. */
  shutdown?: boolean;
  /** ms from the upgrade (101) to the close. */
  closedAfterMs?: number;
}

export interface CloseDecoding {
  kind: CloseKind;
  name: string;
  meaning: string;
}

interface CloseRule {
  kind: CloseKind;
  code?: number | readonly number[];
  beforeHello?: boolean;
  errorFrame?: boolean;
  errorCode?: readonly string[];
  detailsCode?: readonly string[];
  /** Matches when the detailsCode starts with one of these. */
  detailsPrefix?: readonly string[];
  shutdown?: boolean;
  minClosedAfterMs?: number;
  maxClosedAfterMs?: number;
  meaning: string;
}

/**
 * The Gateway's own pre-auth timer defaults to 15 s (3 s in some 2026.3 builds, configurable);
 * a silent close at or beyond this is that timer. Faster silent 1000s are something else (a
 * non-JSON frame, a different server on the port).
 */
export const HANDSHAKE_TIMER_FLOOR_MS = 2_500;

/** First match wins: specific (code + error frame) before generic (code only). */
export const CLOSE_RULES: readonly CloseRule[] = [
  {
    kind: 'protocol-mismatch',
    code: 1002,
    detailsCode: ['PROTOCOL_MISMATCH'],
    meaning: 'Version skew: the client’s protocol range does not include the Gateway’s.',
  },
  { kind: 'protocol-error', code: 1002, meaning: 'WebSocket protocol error without a Gateway error frame.' },
  {
    kind: 'auth-token-mismatch',
    code: 1008,
    detailsCode: ['AUTH_TOKEN_MISMATCH'],
    meaning: 'The Gateway token is wrong (rotated, or a stale token in a service unit).',
  },
  {
    kind: 'device-required',
    code: 1008,
    detailsCode: ['DEVICE_IDENTITY_REQUIRED', 'CONTROL_UI_DEVICE_IDENTITY_REQUIRED'],
    meaning: 'No token and no device identity: the Gateway requires one.',
  },
  {
    kind: 'pairing-required',
    code: 1008,
    detailsCode: ['PAIRING_REQUIRED'],
    meaning: 'The device is not approved yet: approve the pending request on the Gateway host.',
  },
  {
    kind: 'pairing-required',
    code: 1008,
    errorCode: ['NOT_PAIRED'],
    meaning: 'The device is not approved yet: approve the pending request on the Gateway host.',
  },
  {
    kind: 'device-auth-invalid',
    code: 1008,
    detailsPrefix: ['DEVICE_AUTH_'],
    meaning: 'The device proof was rejected (signature, nonce, clock skew or id mismatch).',
  },
  { kind: 'auth-rejected', code: 1008, detailsPrefix: ['AUTH_'], meaning: 'Authentication failed.' },
  { kind: 'policy-violation', code: 1008, meaning: 'Refused by policy (invalid connect, origin, role).' },
  { kind: 'starting', code: 1013, meaning: 'The Gateway is still starting; retry after the advertised delay.' },
  { kind: 'restarting', code: 1012, meaning: 'The Gateway is stopping or restarting.' },
  { kind: 'auth-changed', code: 4001, meaning: 'The Gateway auth changed while connected (token rotated or client invalidated).' },
  { kind: 'message-too-big', code: 1009, meaning: 'A frame exceeded the size limit.' },
  { kind: 'internal-error', code: 1011, meaning: 'The Gateway hit an internal error.' },
  { kind: 'abnormal', code: [1006, 1005], beforeHello: true, meaning: 'The connection dropped during the handshake without a close frame.' },
  { kind: 'abnormal', code: 1006, meaning: 'The connection dropped without a close frame (crash, proxy cut, network loss).' },
  {
    kind: 'handshake-timeout',
    code: 1000,
    beforeHello: true,
    errorFrame: false,
    minClosedAfterMs: HANDSHAKE_TIMER_FLOOR_MS,
    meaning:
      'The Gateway’s pre-auth handshake timer fired: the connect never completed in time (overloaded or stale Gateway, often an old process after an upgrade).',
  },
  {
    kind: 'closed-immediately',
    code: 1000,
    beforeHello: true,
    errorFrame: false,
    maxClosedAfterMs: HANDSHAKE_TIMER_FLOOR_MS,
    meaning: 'Closed right after the upgrade without an answer: the server did not accept our first frame (or is not an OpenClaw Gateway).',
  },
  { kind: 'closed-before-hello', code: 1000, beforeHello: true, meaning: 'Closed before hello-ok without an error frame.' },
  { kind: 'normal', code: [1000, 1005], meaning: 'Normal close.' },
];

function matches(rule: CloseRule, context: CloseContext): boolean {
  if (rule.code !== undefined) {
    const codes = typeof rule.code === 'number' ? [rule.code] : rule.code;
    if (!codes.includes(context.code)) return false;
  }
  if (rule.beforeHello !== undefined && rule.beforeHello !== context.beforeHello) return false;
  const hasErrorFrame = context.errorCode !== undefined;
  if (rule.errorFrame !== undefined && rule.errorFrame !== hasErrorFrame) return false;
  if (rule.errorCode && (context.errorCode === undefined || !rule.errorCode.includes(context.errorCode))) return false;
  if (rule.detailsCode && (context.detailsCode === undefined || !rule.detailsCode.includes(context.detailsCode))) return false;
  if (rule.detailsPrefix && !rule.detailsPrefix.some((prefix) => context.detailsCode?.startsWith(prefix))) return false;
  if (rule.shutdown !== undefined && rule.shutdown !== Boolean(context.shutdown)) return false;
  // A timing rule needs a timing: without it, it does not claim the close.
  if (rule.minClosedAfterMs !== undefined && (context.closedAfterMs === undefined || context.closedAfterMs < rule.minClosedAfterMs)) return false;
  if (rule.maxClosedAfterMs !== undefined && (context.closedAfterMs === undefined || context.closedAfterMs > rule.maxClosedAfterMs)) return false;
  return true;
}

/** Decodes a close by code, error frame and timing. */
export function decodeClose(context: CloseContext, rules: readonly CloseRule[] = CLOSE_RULES): CloseDecoding {
  const rule = rules.find((candidate) => matches(candidate, context));
  return {
    kind: rule?.kind ?? 'unknown',
    name: closeCodeName(context.code),
    meaning: rule?.meaning ?? CLOSE_CODES[context.code]?.meaning ?? `Close code ${context.code}.`,
  };
}
