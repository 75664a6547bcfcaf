// The floor for `clawops check` as a whole process: a bare Node process that does only what any
// client must to learn that a Gateway is healthy — WebSocket, `connect.challenge`, `connect` with
// the token, one `health` RPC, a clean close — with `ws` and nothing else. Plain JavaScript, run by
// plain `node`: no transpiler and no validation library, so it is as cheap as such a process gets.
//
// Usage: node bench/floor-client.mjs ws://127.0.0.1:PORT TOKEN_ENV_NAME   (exit 0 healthy, 1 not)
import WebSocket from 'ws';

const [url, tokenEnv] = process.argv.slice(2);
const token = process.env[tokenEnv ?? ''];
if (!url || !token) {
  process.stderr.write('usage: floor-client.mjs WS_URL TOKEN_ENV_NAME (with the token in that variable)\n');
  process.exit(2);
}

const ws = new WebSocket(url, { perMessageDeflate: false });
const fail = (why) => {
  process.stderr.write(`floor: ${why}\n`);
  process.exitCode = 1;
  ws.terminate();
};
// Bounded: a stuck Gateway must not hang the bench.
const deadline = setTimeout(() => fail('no health answer within 10 s'), 10_000);
deadline.unref();
ws.on('error', (error) => fail(error.message));
ws.on('message', (data) => {
  const frame = JSON.parse(String(data));
  if (frame.type === 'event' && frame.event === 'connect.challenge') {
    ws.send(
      JSON.stringify({
        type: 'req',
        id: 'connect',
        method: 'connect',
        params: {
          minProtocol: 4,
          maxProtocol: 4,
          client: { id: 'cli', version: 'bench-floor', platform: process.platform, mode: 'cli' },
          role: 'operator',
          scopes: ['operator.read'],
          auth: { token },
        },
      }),
    );
  } else if (frame.type === 'res' && frame.id === 'connect') {
    if (!frame.ok) return fail(`connect refused: ${JSON.stringify(frame.error)}`);
    ws.send(JSON.stringify({ type: 'req', id: 'health', method: 'health', params: {} }));
  } else if (frame.type === 'res' && frame.id === 'health') {
    if (!frame.ok || frame.payload?.ok !== true) return fail(`health: ${JSON.stringify(frame.error ?? frame.payload?.ok)}`);
    clearTimeout(deadline);
    ws.close(1000);
  }
});
