import { describe, expect, it } from 'vitest';
import {
  ConnectChallengePayloadSchema,
  ConnectParamsSchema,
  HelloOkPayloadSchema,
  errorEvidenceOf,
  parseFrame,
  readErrorDetails,
  type ErrorShape,
} from '../../src/openclaw/frames.js';

// Frames as the real Gateway 2026.9.6 sent them (trimmed where long).
const REAL_CHALLENGE =
  '{"type":"event","event":"connect.challenge","payload":{"nonce":"288d0ab8-b96c-46dd-b48e-07fa5e086b9c","ts":1795490306755,"capabilities":["model-catalog-snapshot"]}}';
const REAL_HELLO = JSON.stringify({
  type: 'res',
  id: 'c1',
  ok: true,
  payload: {
    type: 'hello-ok',
    protocol: 4,
    server: { version: '2026.9.6', buildId: '2026.9.6-release', bootId: 'b', controlUiBuildSource: 'bundled', connId: 'eb761ba6' },
    features: { methods: ['health', 'status', 'channels.status'], events: ['tick', 'shutdown'] },
    snapshot: { presence: [], health: {}, stateVersion: { presence: 0, health: 0 }, uptimeMs: 1 },
    controlUiWidgetKinds: [],
    auth: { method: 'token', role: 'operator', scopes: ['operator.read'], recoveryScope: 'opaque' },
    policy: { maxPayload: 26214400, maxBufferedBytes: 52428800, tickIntervalMs: 30000, attachments: { maxBytes: 1, maxImageBytes: 1 } },
  },
});
const WRONG_TOKEN: ErrorShape = {
  code: 'INVALID_REQUEST',
  message: "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)",
  details: { code: 'AUTH_TOKEN_MISMATCH', authReason: 'token_mismatch', canRetryWithDeviceToken: false, recommendedNextStep: 'update_auth_credentials' },
};

describe('parseFrame', () => {
  it('reads the real connect.challenge, keeping unknown payload fields', () => {
    const result = parseFrame(REAL_CHALLENGE);
    expect(result.ok).toBe(true);
    if (!result.ok || result.frame.type !== 'event') throw new Error('expected an event');
    expect(result.frame.event).toBe('connect.challenge');
    const challenge = ConnectChallengePayloadSchema.parse(result.frame.payload);
    expect(challenge).toMatchObject({ nonce: '288d0ab8-b96c-46dd-b48e-07fa5e086b9c', ts: 1795490306755, capabilities: ['model-catalog-snapshot'] });
  });

  it('reads a hello-ok response with fields this client does not know', () => {
    const result = parseFrame(REAL_HELLO);
    if (!result.ok || result.frame.type !== 'res') throw new Error('expected a response');
    expect(result.frame.ok).toBe(true);
    const hello = HelloOkPayloadSchema.parse(result.frame.payload);
    expect(hello.server.version).toBe('2026.9.6');
    expect(hello.auth.scopes).toEqual(['operator.read']);
    expect(hello.features?.methods).toContain('channels.status');
    expect(hello.policy?.tickIntervalMs).toBe(30000);
  });

  it('reads an error response', () => {
    const result = parseFrame(JSON.stringify({ type: 'res', id: 'c1', ok: false, error: WRONG_TOKEN }));
    if (!result.ok || result.frame.type !== 'res') throw new Error('expected a response');
    expect(result.frame.error?.code).toBe('INVALID_REQUEST');
  });

  it.each([
    ['', 'not JSON'],
    ['<!doctype html>', 'not JSON'],
    ['null', 'not a JSON object'],
    ['[1,2]', 'not a JSON object'],
    ['42', 'not a JSON object'],
    ['{"type":"hello"}', 'not a gateway frame'],
    ['{"type":"res","ok":true}', 'not a gateway frame'],
    ['{"type":"res","id":"","ok":true}', 'not a gateway frame'],
    ['{"type":"event"}', 'not a gateway frame'],
    ['{"type":"res","id":"x","ok":false,"error":{"message":"no code"}}', 'not a gateway frame'],
  ])('rejects %j without throwing (%s)', (text, reason) => {
    const result = parseFrame(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('describes schema failures without echoing values', () => {
    const result = parseFrame('{"type":"res","id":"x","ok":"secret-value"}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).not.toContain('secret-value');
  });
});

describe('ConnectParamsSchema (what we send: closed, like the Gateway)', () => {
  const valid = {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: 'cli', version: '0.1.0', platform: 'linux', mode: 'cli' },
    role: 'operator',
    scopes: ['operator.read'],
    auth: { token: 't' },
  };
  it('accepts the documented connect', () => {
    expect(ConnectParamsSchema.safeParse(valid).success).toBe(true);
  });
  it('rejects unknown fields and unknown client ids/modes', () => {
    expect(ConnectParamsSchema.safeParse({ ...valid, extra: 1 }).success).toBe(false);
    expect(ConnectParamsSchema.safeParse({ ...valid, client: { ...valid.client, id: 'clawops' } }).success).toBe(false);
    expect(ConnectParamsSchema.safeParse({ ...valid, client: { ...valid.client, mode: 'robot' } }).success).toBe(false);
    expect(ConnectParamsSchema.safeParse({ ...valid, auth: { token: 't', bearer: 'x' } }).success).toBe(false);
  });
});

describe('errorEvidenceOf', () => {
  it('maps a wrong-token rejection', () => {
    expect(errorEvidenceOf(WRONG_TOKEN)).toEqual({ code: 'INVALID_REQUEST', message: WRONG_TOKEN.message, detailsCode: 'AUTH_TOKEN_MISMATCH' });
  });
  it('maps a missing scope', () => {
    const evidence = errorEvidenceOf({
      code: 'FORBIDDEN',
      message: 'missing scope: operator.read',
      details: { code: 'MISSING_SCOPE', missingScope: 'operator.read', requiredScopes: ['operator.read'] },
    });
    expect(evidence).toEqual({ code: 'FORBIDDEN', message: 'missing scope: operator.read', detailsCode: 'MISSING_SCOPE', missingScope: 'operator.read' });
  });
  it('maps a protocol mismatch, a pairing request and a retryable startup error', () => {
    expect(
      errorEvidenceOf({
        code: 'INVALID_REQUEST',
        message: 'protocol mismatch',
        details: { code: 'PROTOCOL_MISMATCH', clientMinProtocol: 2, clientMaxProtocol: 3, expectedProtocol: 4 },
      }),
    ).toMatchObject({ detailsCode: 'PROTOCOL_MISMATCH', expectedProtocol: 4 });
    expect(errorEvidenceOf({ code: 'NOT_PAIRED', message: 'pairing required', details: { code: 'PAIRING_REQUIRED', requestId: 'req-1' } })).toMatchObject({
      code: 'NOT_PAIRED',
      requestId: 'req-1',
    });
    expect(
      errorEvidenceOf({
        code: 'UNAVAILABLE',
        message: 'gateway starting; retry shortly',
        retryable: true,
        retryAfterMs: 500,
        details: { reason: 'startup-sidecars' },
      }),
    ).toEqual({ code: 'UNAVAILABLE', message: 'gateway starting; retry shortly', retryable: true, retryAfterMs: 500 });
  });
  it('runs every echoed string through the redactor', () => {
    const evidence = errorEvidenceOf({ code: 'X', message: 'your token s3cret is wrong', details: { code: 'A_s3cret' } }, (text) =>
      text.replaceAll('s3cret', '[redacted]'),
    );
    expect(JSON.stringify(evidence)).not.toContain('s3cret');
  });
  it('tolerates details that are not an object', () => {
    expect(readErrorDetails('text')).toEqual({});
    expect(readErrorDetails(null)).toEqual({});
    expect(errorEvidenceOf({ code: 'X', message: 'm', details: [1, 2] })).toEqual({ code: 'X', message: 'm' });
  });
});
