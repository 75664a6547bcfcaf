/**
 * Ends a one-shot process as soon as its answer is out. A check leaves sockets behind on purpose —
 * the WebSocket's close handshake (a round trip, longer if the Gateway never echoes the close) —
 * and waiting for them costs the caller time and proves nothing more: the report is complete when
 * it is printed. Every stream is given an empty write first, whose callback runs once what was
 * written before it has been handed to the OS, so no output is cut off.
 */
export function exitWhenFlushed(
  code: number,
  streams: readonly NodeJS.WritableStream[] = [process.stdout, process.stderr],
  exit: (code: number) => void = (c) => process.exit(c),
): void {
  process.exitCode = code;
  let pending = streams.length;
  const done = () => {
    pending -= 1;
    if (pending === 0) exit(code);
  };
  if (pending === 0) return exit(code);
  for (const stream of streams) {
    try {
      // A closed reader (EPIPE) reports through the callback too: the answer can go no further.
      stream.write('', () => done());
    } catch {
      done();
    }
  }
}
