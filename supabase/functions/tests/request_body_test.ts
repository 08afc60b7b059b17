// Request bodies are read with a streaming byte cap: a body larger than the cap, streamed without a
// Content-Length, is refused after at most the cap plus one chunk, however large it is.
import assert from "node:assert/strict";
import { HttpError, MAX_BODY_BYTES, readJsonBody } from "../_shared/http.ts";

const CHUNK = 64 * 1024;

/** A body of `totalBytes` generated only as it is pulled; `pulled()` says how much was. */
function lazyBody(totalBytes: number) {
  let pulled = 0;
  let cancelled = false;
  const chunk = new Uint8Array(CHUNK).fill("x".charCodeAt(0));
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= totalBytes) return controller.close();
      pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => pulled, cancelled: () => cancelled };
}

const jsonRequest = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://functions.local/apollo-settings", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });

Deno.test("a 512 MB body streamed without Content-Length is refused with 413 after the cap plus one chunk", async () => {
  const body = lazyBody(512 * 1024 * 1024);
  const req = jsonRequest(body.stream);
  assert.equal(req.headers.get("content-length"), null);
  await assert.rejects(readJsonBody(req), (error: unknown) => {
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 413);
    assert.equal(error.message, `The request body is too large (max ${MAX_BODY_BYTES} bytes).`);
    return true;
  });
  assert.ok(body.pulled() <= MAX_BODY_BYTES + CHUNK, `pulled ${body.pulled()} bytes`);
  assert.ok(body.cancelled(), "the rest of the stream is cancelled, not left hanging");
});

Deno.test("a Content-Length over the cap is refused before a byte is read", async () => {
  const body = lazyBody(10 * 1024 * 1024);
  const req = jsonRequest(body.stream, { "content-length": String(10 * 1024 * 1024) });
  await assert.rejects(readJsonBody(req), (error: unknown) => error instanceof HttpError && error.status === 413);
  assert.equal(body.pulled(), 0);
});

Deno.test("a Content-Length that lies low does not let a larger body through", async () => {
  const body = lazyBody(4 * 1024 * 1024);
  const req = jsonRequest(body.stream, { "content-length": "10" });
  await assert.rejects(readJsonBody(req), (error: unknown) => error instanceof HttpError && error.status === 413);
  assert.ok(body.pulled() <= MAX_BODY_BYTES + CHUNK, `pulled ${body.pulled()} bytes`);
});

Deno.test("a body of exactly the cap is read; JSON errors and content types keep their answers", async () => {
  const padding = "x".repeat(MAX_BODY_BYTES - JSON.stringify({ pad: "" }).length);
  assert.deepEqual(await readJsonBody(jsonRequest(JSON.stringify({ pad: padding }))), { pad: padding });
  await assert.rejects(readJsonBody(jsonRequest(JSON.stringify({ pad: padding + "x" }))), (e: unknown) => e instanceof HttpError && e.status === 413);
  await assert.rejects(readJsonBody(jsonRequest("{")), (e: unknown) => e instanceof HttpError && e.status === 400);
  await assert.rejects(readJsonBody(jsonRequest(null)), (e: unknown) => e instanceof HttpError && e.status === 400);
  await assert.rejects(
    readJsonBody(jsonRequest("{}", { "content-type": "text/plain" })),
    (e: unknown) => e instanceof HttpError && e.status === 415,
  );
  assert.deepEqual(await readJsonBody(jsonRequest('{"emoji":"🙂"}')), { emoji: "🙂" });
});
