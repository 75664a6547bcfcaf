import * as z from '../zod-mini.js';
import type { GatewayErrorEvidence } from '../report/report.js';
import { summariseIssues } from '../zod-issues.js';
import { describeRefusal, parseBoundedJson, type JsonLimits, type JsonRefusal } from '../bounded-json.js';

/**
 * The OpenClaw Gateway's WebSocket frames (protocol 4), as zod schemas.
 *
 * Frames we *send* are strict: the Gateway's own schemas are closed and reject unknown fields, so a
 * typo here must fail in our tests, not as a 1008 in production. Frames we *receive* are loose
 * (unknown fields pass through): every Gateway release adds fields (`capabilities` on the
 * challenge, `bootId` in `server`, `recoveryScope` in `auth`, …) and a probe must not call a newer
 * Gateway broken for that. We only insist on the fields we read.
 *
 * zod's mini API: every check builds and parses these (src/zod-mini.ts says why). Schemas that a healthy check never parses are built on first use (`z.lazy`): the frames we send
 * (the fake Gateway in test/support checks them against these), and the shapes of refusals and
 * shutdowns. zod builds every schema node when its module loads, and a one-shot `clawops check`
 * pays for each node it loads, parsed or not.
 */

/** Protocol version this client speaks. */
export const PROTOCOL_VERSION = 4;

/** `client.id` values the Gateway accepts (its closed list, `GATEWAY_CLIENT_IDS`, 2026.9.6). */
export const GATEWAY_CLIENT_IDS = [
  'webchat-ui',
  'openclaw-control-ui',
  'openclaw-browser-copilot',
  'openclaw-tui',
  'webchat',
  'cli',
  'gateway-client',
  'openclaw-macos',
  'openclaw-linux',
  'openclaw-ios',
  'openclaw-watchos',
  'openclaw-android',
  'node-host',
  'openclaw-worker',
  'test',
  'fingerprint',
  'openclaw-probe',
] as const;
/** `client.mode` values the Gateway accepts (`GATEWAY_CLIENT_MODES`). */
export const GATEWAY_CLIENT_MODES = ['webchat', 'cli', 'ui', 'backend', 'node', 'worker', 'probe', 'test'] as const;

const nonEmpty = z.string().check(z.minLength(1));
const count = z.number().check(z.int(), z.nonnegative());

// ---------------------------------------------------------------------------------------------
// Frames we send (strict)
// ---------------------------------------------------------------------------------------------

export const RequestFrameSchema = z.lazy(() =>
  z.strictObject({
    type: z.literal('req'),
    id: nonEmpty,
    method: nonEmpty,
    params: z.optional(z.unknown()),
  }),
);
export type RequestFrame = z.infer<typeof RequestFrameSchema>;

export const DeviceProofSchema = z.lazy(() =>
  z.strictObject({
    id: nonEmpty,
    publicKey: nonEmpty,
    signature: nonEmpty,
    signedAt: count,
    nonce: nonEmpty,
  }),
);
export type DeviceProof = z.infer<typeof DeviceProofSchema>;

/** The subset of the Gateway's `ConnectParamsSchema` we use, closed like the original. */
export const ConnectParamsSchema = z.lazy(() =>
  z.strictObject({
    minProtocol: z.number().check(z.int(), z.minimum(1)),
    maxProtocol: z.number().check(z.int(), z.minimum(1)),
    client: z.strictObject({
      id: z.enum(GATEWAY_CLIENT_IDS),
      displayName: z.optional(nonEmpty),
      version: nonEmpty,
      platform: nonEmpty,
      deviceFamily: z.optional(nonEmpty),
      mode: z.enum(GATEWAY_CLIENT_MODES),
      instanceId: z.optional(nonEmpty),
    }),
    caps: z.optional(z.array(nonEmpty)),
    role: z.optional(nonEmpty),
    scopes: z.optional(z.array(nonEmpty)),
    device: z.optional(DeviceProofSchema),
    auth: z.optional(
      z.strictObject({
        token: z.optional(z.string()),
        deviceToken: z.optional(z.string()),
      }),
    ),
    locale: z.optional(z.string()),
    userAgent: z.optional(z.string()),
  }),
);
export type ConnectParams = z.infer<typeof ConnectParamsSchema>;

// ---------------------------------------------------------------------------------------------
// Frames we receive (loose)
// ---------------------------------------------------------------------------------------------

/** `details` of an error: a bag whose known keys we read; everything else passes through. */
export const ErrorDetailsSchema = z.lazy(() =>
  z.looseObject({
    code: z.optional(z.string()),
    missingScope: z.optional(z.string()),
    requestId: z.optional(z.string()),
    reason: z.optional(z.string()),
    clientMinProtocol: z.optional(z.number()),
    clientMaxProtocol: z.optional(z.number()),
    expectedProtocol: z.optional(z.number()),
    recommendedNextStep: z.optional(z.string()),
  }),
);
export type ErrorDetails = z.infer<typeof ErrorDetailsSchema>;

export const ErrorShapeSchema = z.looseObject({
  code: nonEmpty,
  message: z.string(),
  // Unknown on the wire (the Gateway types it `Unknown`); read through ErrorDetailsSchema.
  details: z.optional(z.unknown()),
  retryable: z.optional(z.boolean()),
  retryAfterMs: z.optional(z.number().check(z.nonnegative())),
});
export type ErrorShape = z.infer<typeof ErrorShapeSchema>;

export const ResponseFrameSchema = z.looseObject({
  type: z.literal('res'),
  id: nonEmpty,
  ok: z.boolean(),
  payload: z.optional(z.unknown()),
  error: z.optional(ErrorShapeSchema),
});
export type ResponseFrame = z.infer<typeof ResponseFrameSchema>;

export const EventFrameSchema = z.looseObject({
  type: z.literal('event'),
  event: nonEmpty,
  payload: z.optional(z.unknown()),
  seq: z.optional(count),
});
export type EventFrame = z.infer<typeof EventFrameSchema>;

/** Requests are accepted from the wire too (the Gateway's union has them); the client ignores them. */
const InboundRequestFrameSchema = z.looseObject({
  type: z.literal('req'),
  id: nonEmpty,
  method: nonEmpty,
  params: z.optional(z.unknown()),
});

export const GatewayFrameSchema = z.discriminatedUnion('type', [InboundRequestFrameSchema, ResponseFrameSchema, EventFrameSchema]);
export type GatewayFrame = z.infer<typeof GatewayFrameSchema>;

/** `connect.challenge`: the nonce and the timestamp the device signature must carry. */
export const ConnectChallengePayloadSchema = z.looseObject({
  nonce: nonEmpty,
  ts: count,
});
export type ConnectChallengePayload = z.infer<typeof ConnectChallengePayloadSchema>;

/** `shutdown` event: `{reason, restartExpectedMs?}`. Loose: a probe reports what it got. */
export const ShutdownPayloadSchema = z.lazy(() =>
  z.looseObject({
    reason: z.optional(z.string()),
    restartExpectedMs: z.optional(z.number().check(z.nonnegative())),
  }),
);
export type ShutdownPayload = z.infer<typeof ShutdownPayloadSchema>;

const names = z._default(z.array(z.string()), []);

export const HelloOkPayloadSchema = z.looseObject({
  type: z.literal('hello-ok'),
  protocol: z.number().check(z.int()),
  server: z.looseObject({
    version: nonEmpty,
    buildId: z.optional(z.string()),
    connId: z.optional(z.string()),
  }),
  features: z.optional(z.looseObject({ methods: names, events: names })),
  auth: z.looseObject({
    method: z.optional(z.string()),
    role: z.optional(z.string()),
    scopes: names,
    deviceToken: z.optional(z.string()),
  }),
  policy: z.optional(
    z.looseObject({
      maxPayload: z.optional(z.number()),
      maxBufferedBytes: z.optional(z.number()),
      tickIntervalMs: z.optional(z.number()),
    }),
  ),
  /** `uptimeMs`: how long the Gateway process has run (every client gets it, token-only ones too). */
  snapshot: z.catch(z.optional(z.looseObject({ uptimeMs: z.catch(z.optional(z.number().check(z.nonnegative())), undefined) })), undefined),
});
export type HelloOkPayload = z.infer<typeof HelloOkPayloadSchema>;

/**
 * The JSON error body an HTTP answer may carry instead of a 101 (the Gateway's own refusals:
 * `{"error":{"type":"proxy_attribution_required","message":…}}`, 401 `unauthorized`).
 */
export const HttpErrorBodySchema = z.lazy(() =>
  z.looseObject({
    error: z.looseObject({ type: z.catch(z.optional(z.string()), undefined), message: z.catch(z.optional(z.string()), undefined) }),
  }),
);

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

export type ParseFrameResult = { ok: true; frame: GatewayFrame } | { ok: false; reason: string; refused?: JsonRefusal };

/**
 * What one frame may cost us. The real Gateway 2026.9.6's largest frame in a check is hello-ok at
 * ≈16 KB, nested 8 deep (health ≈1.5 KB, status ≈1.9 KB, channels.status ≈0.6 KB, depth ≤ 6):
 * 1 MiB and 64 levels leave room for big installs and refuse what no health check needs (the
 * Gateway's own policy.maxPayload, 25 MiB, is for chat traffic).
 */
export const FRAME_LIMITS: JsonLimits = { maxBytes: 1024 * 1024, maxDepth: 64 };

/** Parses one text frame. Never throws: a hostile or broken Gateway yields `{ok:false, reason}`. */
export function parseFrame(text: string, limits: JsonLimits = FRAME_LIMITS): ParseFrameResult {
  const parsedJson = parseBoundedJson(text, limits);
  if (!parsedJson.ok) {
    if ('refused' in parsedJson) return { ok: false, reason: describeRefusal('a frame', parsedJson.refused), refused: parsedJson.refused };
    return { ok: false, reason: 'not JSON' };
  }
  const raw = parsedJson.value;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: 'not a JSON object' };
  const parsed = GatewayFrameSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `not a gateway frame: ${summariseIssues(parsed.error)}` };
  return { ok: true, frame: parsed.data };
}

export { summariseIssues };

/** Reads `details` of an error shape; anything that is not an object yields `{}`. */
export function readErrorDetails(details: unknown): ErrorDetails {
  const parsed = ErrorDetailsSchema.safeParse(details);
  return parsed.success ? parsed.data : {};
}

/**
 * The error shape as report evidence. `redact` scrubs text the Gateway echoes back (a hostile
 * Gateway could echo our token in a message).
 */
export function errorEvidenceOf(error: ErrorShape, redact: (text: string) => string = (text) => text): z.infer<typeof GatewayErrorEvidence> {
  const details = readErrorDetails(error.details);
  const evidence: z.infer<typeof GatewayErrorEvidence> = { code: redact(error.code), message: redact(error.message) };
  if (details.code !== undefined) evidence.detailsCode = redact(details.code);
  if (details.missingScope !== undefined) evidence.missingScope = redact(details.missingScope);
  if (details.requestId !== undefined) evidence.requestId = redact(details.requestId);
  if (error.retryable !== undefined) evidence.retryable = error.retryable;
  if (error.retryAfterMs !== undefined) evidence.retryAfterMs = error.retryAfterMs;
  if (details.expectedProtocol !== undefined) evidence.expectedProtocol = details.expectedProtocol;
  return evidence;
}
