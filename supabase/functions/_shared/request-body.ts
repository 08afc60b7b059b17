// The one way functions read a request body: bytes are counted as chunks arrive and reading stops
// as soon as the cap would be exceeded, so an oversized body (declared in Content-Length, or
// streamed without one) costs at most the cap plus one chunk of memory, never the whole body.

export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The request body is too large (max ${maxBytes} bytes).`);
    this.name = "BodyTooLargeError";
  }
}

/** The request's body bytes; BodyTooLargeError once more than maxBytes arrived (the rest is never read). */
export async function readBodyCapped(req: Request, maxBytes: number): Promise<Uint8Array> {
  // A declared length over the cap is refused before a single byte is read.
  if (Number(req.headers.get("content-length") ?? "0") > maxBytes) {
    await req.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(maxBytes);
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Stop the sender: cancelling tells the stream (and the connection behind it) that nothing more is wanted.
      await reader.cancel("request body over the size limit").catch(() => {});
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
