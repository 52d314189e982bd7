/** Declared bodies up to this size are read whole (see below); larger ones always stream. */
const smallBodyBytes = 1024 * 1024;

/**
 * Reads a request body chunk by chunk (binary safe, chunked or not), handing each chunk on, and
 * stops with `tooLarge()` as soon as it grows past `maxBytes` — a declared Content-Length is
 * checked before anything is read. Returns the number of bytes read.
 */
export async function readBoundedBody(request: Request, maxBytes: number, tooLarge: () => Error, onChunk: (chunk: Uint8Array) => void | Promise<void>): Promise<number> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (Number.isFinite(declared) && declared <= smallBodyBytes && !request.headers.has("transfer-encoding")) {
    // A small declared body (a job submission, a result, a JSON query) is read in one go: on
    // @hono/node-server that reads the socket directly instead of through a web stream, which
    // costs a full web Request and a ReadableStream per call. Node's parser never delivers more
    // than the declared length.
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > maxBytes) throw tooLarge();
    if (bytes.byteLength > 0) await onChunk(bytes);
    return bytes.byteLength;
  }
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
