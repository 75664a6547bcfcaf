/**
 * A child process that hosts fake OpenClaw Gateways (test/support/fake-gateway.ts: real HTTP +
 * WebSocket servers on 127.0.0.1 speaking protocol 4) for the bench, so that serving them does not
 * share an event loop with the clawops process being measured.
 *
 * Input: argv[2] = how many; argv[3], optional, a comma-separated list of fake modes given to the
 * gateways in turn (`bomb-rpc,forged-accept`: hostile ones); the token in CLAWOPS_BENCH_GATEWAY_TOKEN. Output: one JSON line
 * `{"urls": [...]}` once all listen. Stops when stdin closes or on SIGTERM.
 */
import { HOSTILE_TEXT, startFakeGateway, type FakeGateway, type FakeGatewayMode } from '../../test/support/fake-gateway.js';

const count = Number(process.argv[2]);
const modes = (process.argv[3] ?? 'healthy').split(',') as FakeGatewayMode[];
const token = process.env.CLAWOPS_BENCH_GATEWAY_TOKEN;
if (!Number.isInteger(count) || count < 1 || count > 1_000 || !token) {
  process.stderr.write('usage: fake-gateways-child.ts COUNT (1…1000), token in CLAWOPS_BENCH_GATEWAY_TOKEN\n');
  process.exit(2);
}

const gateways: FakeGateway[] = [];
// The fake's default pre-auth timer (300 ms) suits fault tests; under a burst of hundreds of
// handshakes on a small machine it would fail healthy checks. The real Gateway allows seconds.
for (let i = 0; i < count; i += 1) {
  const mode = modes[i % modes.length]!;
  // Frame bombs as deep as fits in 1 MiB (the /healthz bomb keeps its own depth: a body is read up to 16 KiB).
  const bomb = mode === 'bomb-rpc' || mode === 'bomb-challenge' ? { bombDepth: 520_000 } : {};
  gateways.push(await startFakeGateway({ token, handshakeTimeoutMs: 10_000, mode, ...bomb, ...(mode === 'healthy' ? {} : { hostile: HOSTILE_TEXT }) }));
}
process.stdout.write(`${JSON.stringify({ urls: gateways.map((gateway) => gateway.url) })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled(gateways.map((gateway) => gateway.close()));
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
