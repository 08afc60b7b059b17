// Request bodies between the gateway and a function process, when the function answers before it
// has read the whole body (an oversized upload refused with 413, a worker call whose body it never
// reads). On hosted Supabase the function's answer reaches the caller whatever is left of the
// upload. Between two local processes it may not: Deno 2.1's HTTP server (the functions' runtime)
// closes a connection whose request body is unread, and the gateway's fetch then fails with the
// answer lost. So the two cooperate: the gateway names, in a header, a URL that ends the forwarded
// upload; the function process, when the function has answered with the body unread, calls it,
// reads what is still in flight (the socket buffers, a few MB at most), and only then answers.
// No imports: the function process loads this with nothing but the function's import map.

/** The header that carries the URL ending a forwarded upload (never passed on to the function). */
export const UPLOAD_CONTROL_HEADER = "x-stack-upload-control";

/** Gateway side: the body to forward, and stop(), which ends it cleanly where it is. */
export function forwardedBody(body: ReadableStream<Uint8Array> | null) {
  if (!body) return { stream: undefined, stop() {} };
  const source = body.getReader();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    source.cancel().catch(() => {});
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = stopped ? { done: true, value: undefined } : await source.read().catch(() => ({
        done: true,
        value: undefined,
      }));
      if (done || stopped || !value) return controller.close();
      controller.enqueue(value);
    },
    cancel: stop,
  }, { highWaterMark: 0 });
  return { stream, stop };
}

type Handler = (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;

/** Function side: the function's handler, answering only once nothing of the upload is left unread. */
export function drainingUnreadBodies(handler: Handler): Handler {
  return async (req, info) => {
    const control = req.headers.get(UPLOAD_CONTROL_HEADER);
    if (!control || !req.body) return await handler(req, info);
    const source = req.body.getReader();
    let finished = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await source.read();
        try {
          if (done) {
            finished = true;
            controller.close();
          } else controller.enqueue(value);
        } catch { /* the function cancelled its body meanwhile: what was read is drained below */ }
      },
      // The function wants no more; the rest is read (and dropped) once it has answered.
      cancel() {},
    }, { highWaterMark: 0 });
    const headers = new Headers(req.headers);
    headers.delete(UPLOAD_CONTROL_HEADER);
    const init = { method: req.method, headers, body, signal: req.signal, duplex: "half" };
    const response = await handler(new Request(req.url, init as RequestInit), info);
    if (!finished) {
      await fetch(control, { method: "POST" }).then((r) => r.body?.cancel()).catch(() => {});
      try {
        while (!(await source.read()).done) { /* dropped */ }
      } catch { /* the connection is gone: nothing left to read */ }
    }
    return response;
  };
}
