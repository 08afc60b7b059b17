// Where the stand-in keeps object bytes: files under the stack instance's directory, outside the
// database, as hosted Storage keeps them in S3. Each upload is a new version (a uuid, as the
// Storage server's); a version is written to a temporary file while it streams in, counted against
// the size limit chunk by chunk (never held whole in memory), and only then moved into place.
// An object's folder is named by a hash of bucket and name, so no object name can reach outside it.
import { createHash } from "node:crypto";
import { storageErrors } from "./errors.ts";

export interface StoredVersion {
  size: number;
  /** The bytes' MD5 in quotes, as S3 (and so Storage's metadata.eTag) gives it. */
  eTag: string;
  lastModified: Date;
}

/** After the limit is passed, at most this much more is read (and dropped) so the client gets the answer. */
const DRAIN_CAP = 64 * 1024 * 1024;

export class FileStore {
  constructor(readonly root: string) {}

  #objectDir(bucketId: string, name: string): string {
    const key = createHash("sha256").update(`${bucketId}\u0000${name}`).digest("hex");
    return `${this.root}/${key.slice(0, 2)}/${key}`;
  }

  #versionPath(bucketId: string, name: string, version: string): string {
    if (!/^[0-9a-f-]{36}$/.test(version)) throw storageErrors.internal(`unexpected object version ${version}`);
    return `${this.#objectDir(bucketId, name)}/${version}`;
  }

  /**
   * Streams `body` into a new version of the object, refusing it with Storage's EntityTooLarge as
   * soon as more than `limit` bytes have come. Nothing is left on disk when it fails.
   */
  async write(
    bucketId: string,
    name: string,
    version: string,
    body: ReadableStream<Uint8Array>,
    limit: number,
  ): Promise<StoredVersion> {
    const final = this.#versionPath(bucketId, name, version);
    const partial = `${final}.part`;
    await Deno.mkdir(this.#objectDir(bucketId, name), { recursive: true });
    const file = await Deno.open(partial, { write: true, createNew: true });
    const md5 = createHash("md5");
    const reader = body.getReader();
    let size = 0;
    let tooLarge = false;
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limit) {
          tooLarge = true;
          break;
        }
        md5.update(value);
        let written = 0;
        while (written < value.byteLength) written += await file.write(value.subarray(written));
      }
      if (tooLarge) {
        await drain(reader, size);
        throw storageErrors.entityTooLarge();
      }
      file.close();
      await Deno.rename(partial, final);
      return { size, eTag: `"${md5.digest("hex")}"`, lastModified: new Date() };
    } catch (error) {
      try {
        file.close();
      } catch { /* already closed */ }
      await Deno.remove(partial).catch(() => {});
      throw error;
    } finally {
      reader.releaseLock();
    }
  }

  /** The version's bytes as a stream, or null when they are not on disk. */
  /** The stored version's bytes (from range.start to range.end inclusive, when given) and its whole size. */
  async open(
    bucketId: string,
    name: string,
    version: string,
    range?: { start: number; end: number },
  ): Promise<{ stream: ReadableStream<Uint8Array>; size: number } | null> {
    try {
      const file = await Deno.open(this.#versionPath(bucketId, name, version), { read: true });
      const { size } = await file.stat();
      if (!range) return { stream: file.readable, size };
      await file.seek(range.start, Deno.SeekMode.Start);
      return { stream: file.readable.pipeThrough(firstBytes(range.end - range.start + 1)), size };
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  async remove(bucketId: string, name: string, version: string | null): Promise<void> {
    if (!version) return;
    await Deno.remove(this.#versionPath(bucketId, name, version)).catch(() => {});
    await Deno.remove(this.#objectDir(bucketId, name)).catch(() => {}); // only when empty
  }
}

/** Passes the first `count` bytes on and ends the stream there. */
function firstBytes(count: number): TransformStream<Uint8Array, Uint8Array> {
  let left = count;
  return new TransformStream({
    transform(chunk, controller) {
      if (left <= 0) return;
      controller.enqueue(chunk.length <= left ? chunk : chunk.subarray(0, left));
      left -= chunk.length;
      if (left <= 0) controller.terminate();
    },
  });
}

/** Reads and drops the rest of a refused body (up to DRAIN_CAP), then cancels what is left. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRead: number) {
  let dropped = 0;
  try {
    while (dropped < DRAIN_CAP) {
      const { done, value } = await reader.read();
      if (done) return;
      dropped += value.byteLength;
    }
    await reader.cancel(`more than ${alreadyRead + dropped} bytes`);
  } catch { /* the client went away */ }
}
