import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, HANDSHAKE_TIMER_FLOOR_MS, closeCodeName, decodeClose } from '../../src/openclaw/close-codes.js';

describe('close codes', () => {
  it('names every code the Gateway uses', () => {
    for (const code of [1000, 1002, 1006, 1008, 1009, 1011, 1012, 1013, 4001]) expect(CLOSE_CODES[code]?.name).toBeTruthy();
    expect(closeCodeName(4999)).toBe('application');
    expect(closeCodeName(1234)).toBe('unknown');
  });

  it('tells the handshake timer from an immediate close by timing, not by code', () => {
    expect(decodeClose({ code: 1000, beforeHello: true, closedAfterMs: 15_023 }).kind).toBe('handshake-timeout');
    expect(decodeClose({ code: 1000, beforeHello: true, closedAfterMs: HANDSHAKE_TIMER_FLOOR_MS }).kind).toBe('handshake-timeout');
    expect(decodeClose({ code: 1000, beforeHello: true, closedAfterMs: 17 }).kind).toBe('closed-immediately');
    expect(decodeClose({ code: 1000, beforeHello: true }).kind).toBe('closed-before-hello');
    expect(decodeClose({ code: 1000, beforeHello: false, closedAfterMs: 15_000 }).kind).toBe('normal');
  });

  it('splits 1008 by the error frame', () => {
    expect(decodeClose({ code: 1008, beforeHello: true, errorCode: 'INVALID_REQUEST', detailsCode: 'AUTH_TOKEN_MISMATCH' }).kind).toBe('auth-token-mismatch');
    expect(decodeClose({ code: 1008, beforeHello: true, errorCode: 'NOT_PAIRED', detailsCode: 'DEVICE_IDENTITY_REQUIRED' }).kind).toBe('device-required');
    expect(decodeClose({ code: 1008, beforeHello: true, errorCode: 'NOT_PAIRED', detailsCode: 'PAIRING_REQUIRED' }).kind).toBe('pairing-required');
    expect(decodeClose({ code: 1008, beforeHello: true, errorCode: 'NOT_PAIRED' }).kind).toBe('pairing-required');
    expect(decodeClose({ code: 1008, beforeHello: true, errorCode: 'INVALID_REQUEST', detailsCode: 'DEVICE_AUTH_SIGNATURE_INVALID' }).kind).toBe(
      'device-auth-invalid',
    );
    expect(decodeClose({ code: 1008, beforeHello: true, errorCode: 'INVALID_REQUEST', detailsCode: 'AUTH_DEVICE_TOKEN_MISMATCH' }).kind).toBe('auth-rejected');
    expect(decodeClose({ code: 1008, beforeHello: true, errorCode: 'INVALID_REQUEST' }).kind).toBe('policy-violation');
  });

  it('separates version skew (1002 + PROTOCOL_MISMATCH) from a bare protocol error', () => {
    expect(decodeClose({ code: 1002, beforeHello: true, errorCode: 'INVALID_REQUEST', detailsCode: 'PROTOCOL_MISMATCH' }).kind).toBe('protocol-mismatch');
    expect(decodeClose({ code: 1002, beforeHello: true }).kind).toBe('protocol-error');
  });

  it('decodes lifecycle closes', () => {
    expect(decodeClose({ code: 1013, beforeHello: true, errorCode: 'UNAVAILABLE' }).kind).toBe('starting');
    expect(decodeClose({ code: 1012, beforeHello: false, shutdown: true }).kind).toBe('restarting');
    expect(decodeClose({ code: 4001, beforeHello: false }).kind).toBe('auth-changed');
    expect(decodeClose({ code: 1006, beforeHello: false }).kind).toBe('abnormal');
    expect(decodeClose({ code: 1009, beforeHello: true }).kind).toBe('message-too-big');
    expect(decodeClose({ code: 1011, beforeHello: false }).kind).toBe('internal-error');
    expect(decodeClose({ code: 3999, beforeHello: false })).toMatchObject({ kind: 'unknown', name: 'unknown' });
  });
});
