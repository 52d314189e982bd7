/**
 * Reads a request body chunk by chunk (binary safe, chunked or not), handing each chunk on, and
 * stops with `tooLarge()` as soon as it grows past `maxBytes` — a declared Content-Length is
 * checked before anything is read. Returns the number of bytes read.
 */
export async function readBoundedBody(
  request: Request,
  maxBytes: number,
  tooLarge: () => Error,
  onChunk: (chunk: Uint8Array) => void | Promise<void>,
): Promise<number> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!request.body) return 0;
  const reader = request.body.getReader();
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return total;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    await onChunk(value);
  }
}
