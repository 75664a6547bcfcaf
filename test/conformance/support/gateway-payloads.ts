import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { hostname, networkInterfaces, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

/**
 * The real Gateway's answers, as the fake Gateway must mirror them: `connect.challenge`, hello-ok,
 * `health`, `status`, `channels.status {probe:true}` and `config.get`, read with a bare `ws` client
 * (not the client under test) as a loopback CLI (`cli/cli`, token-only: operator.read kept).
 *
 * `scrubPayloads` replaces what is secret or specific to one run (tokens, nonces, ids, hashes, the
 * throwaway HOME, this machine's name, addresses and kernel) and keeps every key and type: the
 * fixtures in test/fixtures/openclaw-<version>/ are the scrubbed payloads, and the conformance
 * suite compares key sets and types recursively (`shapeDifferences`).
 *
 * Re-record after an OpenClaw upgrade: `npx tsx test/conformance/support/gateway-payloads.ts`.
 */

export const PAYLOAD_NAMES = ['connect.challenge', 'hello-ok', 'health', 'status', 'channels.status', 'config.get'] as const;
export type PayloadName = (typeof PAYLOAD_NAMES)[number];
export type Payloads = Record<PayloadName, unknown>;

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

export function fixtureDir(version: string): string {
  return join(FIXTURE_DIR, `openclaw-${version}`);
}

/** Connects to `url` as a loopback CLI and collects the payloads. Rejects with what went wrong. */
export function readPayloads(url: string, token: string, timeoutMs = 30_000): Promise<Payloads> {
  return new Promise((resolve, reject) => {
    const out: Partial<Payloads> = {};
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => fail(new Error(`payloads not complete within ${timeoutMs} ms (have ${Object.keys(out).join(', ')})`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      ws.terminate();
      reject(error);
    };
    const calls: Record<string, PayloadName> = { h: 'health', s: 'status', c: 'channels.status', g: 'config.get' };
    ws.on('error', fail);
    ws.on('close', (code) => fail(new Error(`closed ${code} before the payloads were complete`)));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; event?: string; id?: string; ok?: boolean; payload?: unknown; error?: unknown };
      if (frame.type === 'event' && frame.event === 'connect.challenge') {
        out['connect.challenge'] = frame.payload;
        ws.send(
          JSON.stringify({
            type: 'req',
            id: 'connect',
            method: 'connect',
            params: {
              minProtocol: 4,
              maxProtocol: 4,
              client: { id: 'cli', version: 'fixture-recorder', platform: 'linux', mode: 'cli' },
              role: 'operator',
              scopes: ['operator.read'],
              auth: { token },
            },
          }),
        );
        return;
      }
      if (frame.type !== 'res') return;
      if (!frame.ok) return fail(new Error(`${frame.id} failed: ${JSON.stringify(frame.error)}`));
      if (frame.id === 'connect') {
        out['hello-ok'] = frame.payload;
        ws.send(JSON.stringify({ type: 'req', id: 'h', method: 'health', params: {} }));
        ws.send(JSON.stringify({ type: 'req', id: 's', method: 'status', params: {} }));
        ws.send(JSON.stringify({ type: 'req', id: 'c', method: 'channels.status', params: { probe: true, timeoutMs: 4_000 } }));
        ws.send(JSON.stringify({ type: 'req', id: 'g', method: 'config.get', params: {} }));
        return;
      }
      const name = frame.id ? calls[frame.id] : undefined;
      if (name) out[name] = frame.payload;
      if (PAYLOAD_NAMES.every((key) => key in out)) {
        clearTimeout(timer);
        ws.removeAllListeners('close');
        ws.close();
        resolve(out as Payloads);
      }
    });
  });
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const SCRUBBED_KEYS = new Set([
  'token',
  'deviceToken',
  'recoveryScope',
  'nonce',
  'connId',
  'bootId',
  'instanceId',
  'hash',
  'configRevisionHash',
  'appliedConfigHash',
]);

/** Secrets and run-specific values out, keys and types kept. */
export function scrubPayloads(payloads: Payloads, run: { root: string; secrets: string[] }): Payloads {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .map((entry) => entry?.address)
    .filter((address): address is string => typeof address === 'string' && address !== '127.0.0.1' && address !== '::1');
  const replacements: Array<[string, string]> = [
    ...run.secrets.filter((secret) => secret.length >= 8).map((secret): [string, string] => [secret, 'SCRUBBED-SECRET']),
    [join(run.root, 'home'), '/home/openclaw'],
    [join(run.root, 'logs'), '/var/log/openclaw'],
    [join(run.root, 'tmp'), '/tmp/openclaw'],
    [run.root, '/srv/openclaw'],
    [release(), '6.1.0'],
    ...addresses.map((address): [string, string] => [address, '192.0.2.10']),
  ];
  const host = hostname();
  const scrubString = (value: string): string => {
    let out = value;
    for (const [from, to] of replacements) out = out.split(from).join(to);
    if (host.length >= 2) out = out.replace(new RegExp(`\\b${host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'g'), 'gateway-host');
    return out.replace(UUID, '00000000-0000-4000-8000-000000000000').replace(/hmac-sha256:v1:[A-Za-z0-9_-]+/g, 'hmac-sha256:v1:SCRUBBED');
  };
  const walk = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string') return key && SCRUBBED_KEYS.has(key) && value !== '__OPENCLAW_REDACTED__' ? 'SCRUBBED' : scrubString(value);
    if (typeof value === 'number' && key === 'pid') return 4242;
    if (Array.isArray(value)) return value.map((item) => walk(item));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    return value;
  };
  return Object.fromEntries(PAYLOAD_NAMES.map((name) => [name, walk(payloads[name])])) as Payloads;
}

export async function loadFixtures(version: string): Promise<Payloads> {
  const dir = fixtureDir(version);
  const entries = await Promise.all(
    PAYLOAD_NAMES.map(async (name) => [name, JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as unknown] as const),
  );
  return Object.fromEntries(entries) as Payloads;
}

export async function writeFixtures(version: string, payloads: Payloads): Promise<string> {
  const dir = fixtureDir(version);
  await mkdir(dir, { recursive: true });
  await Promise.all(PAYLOAD_NAMES.map((name) => writeFile(join(dir, `${name}.json`), `${JSON.stringify(payloads[name], null, 2)}\n`)));
  return dir;
}

type Shape = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';
const shapeOf = (value: unknown): Shape => (value === null ? 'null' : Array.isArray(value) ? 'array' : (typeof value as Shape));

/**
 * Keys the real Gateway adds during its life, so that one run has them and another not: the update
 * schedule once its first check ran, `connected` once a channel account tried its service, the
 * event loop's per-thread CPU shares. Their types are still compared where both sides have them.
 */
export const LIFETIME_KEYS: readonly RegExp[] = [
  /^hello-ok\.snapshot\.updateSchedule$/,
  /\.(channels|channelAccounts)\.[^.]+(\[\]|\.accounts\.[^.]+)?\.connected$/,
  // Per-thread CPU shares appear once a sampling window saw that thread.
  /\.eventLoop\.cpuBreakdown(\.[^.]+)?$/,
];

/**
 * Where two payloads differ in shape: keys present on one side only, and values of different types
 * (recursively; array items pairwise, extra items against the other side's last). `null` matches
 * any type: the Gateway reports "not yet" as null (`lastError`, `degradedSinceMs`). Paths are
 * `a.b[].c`; keys matching `optional` may be missing on either side.
 */
export function shapeDifferences(actual: unknown, expected: unknown, path = '$', out: string[] = [], optional: readonly RegExp[] = LIFETIME_KEYS): string[] {
  const a = shapeOf(actual);
  const e = shapeOf(expected);
  if (a === 'null' || e === 'null') return out;
  if (a !== e) {
    out.push(`${path}: ${a} vs ${e}`);
    return out;
  }
  if (a === 'array') {
    const left = actual as unknown[];
    const right = expected as unknown[];
    if (right.length > 0) left.forEach((item, index) => shapeDifferences(item, right[Math.min(index, right.length - 1)], `${path}[]`, out, optional));
    return out;
  }
  if (a === 'object') {
    const left = actual as Record<string, unknown>;
    const right = expected as Record<string, unknown>;
    const mayLack = (key: string) => optional.some((pattern) => pattern.test(`${path}.${key}`));
    for (const key of Object.keys(left)) if (!(key in right) && !mayLack(key)) out.push(`${path}.${key}: only in the first`);
    for (const key of Object.keys(right)) if (!(key in left) && !mayLack(key)) out.push(`${path}.${key}: only in the second`);
    for (const key of Object.keys(left)) if (key in right) shapeDifferences(left[key], right[key], `${path}.${key}`, out, optional);
  }
  return out;
}

// `npx tsx test/conformance/support/gateway-payloads.ts`: record the fixtures from a fresh real Gateway.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { OPENCLAW_VERSION, startRealGateway } = await import('./gateway-harness.js');
  const { TELEGRAM_BOT_TOKENS, TELEGRAM_CHANNELS } = await import('./telegram-gateway.js');
  const token = `fixture-${Math.random().toString(36).slice(2)}-token`;
  const gateway = await startRealGateway({ token, config: TELEGRAM_CHANNELS, stopGraceMs: 3_000 });
  try {
    const raw = await readPayloads(gateway.url, token);
    const dir = await writeFixtures(
      OPENCLAW_VERSION,
      scrubPayloads(raw, { root: dirname(gateway.home), secrets: [token, ...Object.values(TELEGRAM_BOT_TOKENS)] }),
    );
    process.stdout.write(`fixtures written to ${dir}\n`);
  } finally {
    await gateway.stop();
  }
}
