/**
 * A fetch body read up to a limit: a server that streams without end (or sends gigabytes) costs
 * at most `maxBytes` and is cancelled, instead of `res.text()` buffering all of it.
 */
export type BoundedBody = { ok: true; text: string } | { ok: false; bytesRead: number };

export async function readBoundedText(res: Response, maxBytes: number): Promise<BoundedBody> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    return { ok: false, bytesRead: 0 };
  }
  if (!res.body) return { ok: true, text: '' };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, bytesRead: size };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}
