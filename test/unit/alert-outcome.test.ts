import { describe, expect, it } from 'vitest';
import { isNetworkFailure, networkLost, outcomeOf, type LatestOutcome } from '../../src/features/monitoring/alerts/outcome.js';
import { authRejected, botNodeOffline, dnsFailure, healthy, resultOf, tcpFailure } from '../support/monitoring-reports.js';

describe('what a result tells the alert policy', () => {
  it.each([
    ['healthy', healthy(), { failed: false, network: false }],
    ['refused: a host answered, the gateway is the problem', tcpFailure('refused'), { failed: true, verdict: 'refused', network: false }],
    ['token rejected', authRejected(), { failed: true, verdict: 'auth-rejected', network: false }],
    ['TCP timeout: could be us', tcpFailure('timeout'), { failed: true, verdict: 'timeout', network: true }],
    ['host unreachable: could be us', tcpFailure('unreachable'), { failed: true, network: true }],
    ['DNS failure: could be us', dnsFailure(), { failed: true, verdict: 'dns-fail', network: true }],
    ['this node offline: it is us', botNodeOffline(), { failed: true, verdict: 'bot-node-offline', network: true }],
  ])('%s', (_label, report, expected) => {
    const result = resultOf(report);
    expect(outcomeOf(result, 42)).toMatchObject({ at: 42, ...expected });
    expect(isNetworkFailure(result)).toBe(expected.network);
  });
});

describe('the connectivity self-check', () => {
  const fresh = (network: boolean): LatestOutcome => ({ at: 100, network, freshUntil: 1_000 });
  it.each([
    ['every gateway failing below the gateway', { a: fresh(true), b: fresh(true) }, ['a', 'b'], true],
    ['one gateway still answering', { a: fresh(true), b: fresh(false) }, ['a', 'b'], false],
    ['a gateway not yet checked', { a: fresh(true) }, ['a', 'b'], false],
    ['a stale result does not speak for its gateway', { a: fresh(true), b: { at: 0, network: true, freshUntil: 10 } }, ['a', 'b'], false],
    ['one gateway alone cannot tell', { a: fresh(true) }, ['a'], false],
  ])('%s', (_label, latest, watched, lost) => {
    expect(networkLost({ botNodeOffline: false, latest: new Map(Object.entries(latest)), watched, now: 500 }).lost).toBe(lost);
  });

  it('this node offline is a lost network whatever the fleet', () => {
    expect(networkLost({ botNodeOffline: true, latest: new Map(), watched: ['a'], now: 0 })).toEqual({ lost: true, verdict: 'bot-node-offline' });
  });
});
