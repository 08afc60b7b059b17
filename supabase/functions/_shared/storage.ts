// Reading an object from the project's Storage as the service role (the worker): streamed, from a
// byte offset when asked (a Range request; a server that ignores Range is answered by skipping the
// bytes here; one that starts at the end answers 416: an empty stream), never the whole file in memory.
import { projectKey } from "./project-keys.ts";

export class StorageReadError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = "StorageReadError";
  }
}

export interface ObjectStream {
  body: ReadableStream<Uint8Array>;
  /** The whole object's size, when the server says. */
  size: number | null;
}

function skipBytes(body: ReadableStream<Uint8Array>, count: number): ReadableStream<Uint8Array> {
  let left = count;
  return body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (left >= chunk.length) {
        left -= chunk.length;
        return;
      }
      controller.enqueue(left > 0 ? chunk.subarray(left) : chunk);
      left = 0;
    },
  }));
}

export async function readObject(bucket: string, path: string, fromByte = 0, env = Deno.env): Promise<ObjectStream> {
  const url = env.get("SUPABASE_URL");
  if (!url) throw new Error("SUPABASE_URL is not set");
  const key = projectKey("secret", env);
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  const response = await fetch(`${url}/storage/v1/object/authenticated/${bucket}/${encoded}`, {
    headers: { apikey: key, Authorization: `Bearer ${key}`, ...(fromByte > 0 ? { Range: `bytes=${fromByte}-` } : {}) },
  });
  // A checkpoint at the end of the object (every row written, the run cut short before it could
  // finish): Storage answers a Range that starts there 416. Nothing is left to read.
  if (response.status === 416 && fromByte > 0) {
    await response.body?.cancel();
    const size = Number(response.headers.get("content-range")?.split("/")[1] ?? NaN);
    return { body: new ReadableStream({ start: (controller) => controller.close() }), size: Number.isFinite(size) ? size : null };
  }
  if (!response.ok || !response.body) {
    const text = await response.text().catch(() => "");
    throw new StorageReadError(
      response.status === 404 ? "The uploaded file is no longer in Storage" : `Storage answered ${response.status}: ${text.slice(0, 200)}`,
      response.status,
    );
  }
  const ranged = response.status === 206;
  const total = ranged
    ? Number(response.headers.get("content-range")?.split("/")[1] ?? NaN)
    : Number(response.headers.get("content-length") ?? NaN);
  return {
    body: fromByte > 0 && !ranged ? skipBytes(response.body, fromByte) : response.body,
    size: Number.isFinite(total) ? total : null,
  };
}
