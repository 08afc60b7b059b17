// The multipart/form-data body storage-js sends for a Blob or File (fields cacheControl, metadata,
// contentType, then the file), read as a stream: the fields before the first file are collected,
// and the file's bytes are handed on as they arrive, never gathered whole. As the Storage server
// (fastify-multipart's request.file()) does, only the first file counts; what follows it is not read.
import { storageErrors } from "./errors.ts";

export interface MultipartFile {
  fields: Record<string, string>;
  /** The file part's Content-Type (a Blob's type), application/octet-stream when it has none. */
  mimeType: string;
  stream: ReadableStream<Uint8Array>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX_HEADER_BYTES = 16 * 1024;
/** Storage refuses user metadata over 1 MiB; a field may be a little bigger than that. */
const MAX_FIELD_BYTES = 1024 * 1024 + 1024;

export function boundaryOf(contentType: string): string | null {
  const match = contentType.match(/boundary=(?:"([^"]+)"|([^;\s]+))/i);
  return match ? (match[1] ?? match[2]) : null;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  const last = haystack.length - needle.length;
  outer: for (let i = haystack.indexOf(first, from); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

class BufferedReader {
  buffer = new Uint8Array(0);
  ended = false;
  constructor(readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** Appends the next chunk; false at the end of the body. */
  async fill(): Promise<boolean> {
    if (this.ended) return false;
    const { done, value } = await this.reader.read();
    if (done) {
      this.ended = true;
      return false;
    }
    const joined = new Uint8Array(this.buffer.length + value.length);
    joined.set(this.buffer);
    joined.set(value, this.buffer.length);
    this.buffer = joined;
    return true;
  }

  /** The bytes before `pattern` (which is consumed too); refuses more than `max` bytes before it. */
  async until(pattern: Uint8Array, max: number): Promise<Uint8Array> {
    let searchFrom = 0;
    while (true) {
      const at = indexOf(this.buffer, pattern, searchFrom);
      if (at >= 0) {
        const before = this.buffer.slice(0, at);
        this.buffer = this.buffer.slice(at + pattern.length);
        return before;
      }
      if (this.buffer.length > max + pattern.length) throw storageErrors.invalidRequest("Malformed multipart body");
      searchFrom = Math.max(0, this.buffer.length - pattern.length + 1);
      if (!(await this.fill())) throw storageErrors.noContent("Unexpected end of form");
    }
  }

  async take(count: number): Promise<Uint8Array> {
    while (this.buffer.length < count) {
      if (!(await this.fill())) throw storageErrors.noContent("Unexpected end of form");
    }
    const taken = this.buffer.slice(0, count);
    this.buffer = this.buffer.slice(count);
    return taken;
  }
}

function partHeaders(raw: string): { name: string | null; filename: string | null; contentType: string | null } {
  let name: string | null = null;
  let filename: string | null = null;
  let contentType: string | null = null;
  for (const line of raw.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const header = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (header === "content-disposition") {
      name = value.match(/(?:^|;)\s*name="([^"]*)"/i)?.[1] ?? null;
      filename = value.match(/(?:^|;)\s*filename="([^"]*)"/i)?.[1] ?? null;
    } else if (header === "content-type") {
      contentType = value;
    }
  }
  return { name, filename, contentType };
}

/** The form's fields up to its first file, and that file's bytes as a stream; null when it has no file. */
export async function firstFile(body: ReadableStream<Uint8Array>, boundary: string): Promise<MultipartFile | null> {
  const input = new BufferedReader(body.getReader());
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  const fields: Record<string, string> = {};
  // The first boundary has no CRLF before it (a preamble, if any, is skipped).
  input.buffer = new Uint8Array([13, 10]);
  await input.until(delimiter, MAX_FIELD_BYTES);
  while (true) {
    const after = decoder.decode(await input.take(2));
    if (after === "--") {
      await input.reader.cancel().catch(() => {});
      return null;
    }
    if (after !== "\r\n") throw storageErrors.invalidRequest("Malformed multipart body");
    const headers = partHeaders(decoder.decode(await input.until(encoder.encode("\r\n\r\n"), MAX_HEADER_BYTES)));
    if (headers.filename === null) {
      const value = await input.until(delimiter, MAX_FIELD_BYTES);
      if (headers.name !== null) fields[headers.name] = decoder.decode(value);
      continue;
    }
    return {
      fields,
      mimeType: headers.contentType || "application/octet-stream",
      stream: fileStream(input, delimiter),
    };
  }
}

/** The file part's bytes up to the next delimiter, keeping back only what could be its start. */
function fileStream(input: BufferedReader, delimiter: Uint8Array): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (!finished) {
        const at = indexOf(input.buffer, delimiter);
        if (at >= 0) {
          if (at > 0) controller.enqueue(input.buffer.slice(0, at));
          input.buffer = new Uint8Array(0);
          finished = true;
          controller.close();
          await input.reader.cancel().catch(() => {});
          return;
        }
        const safe = input.buffer.length - (delimiter.length - 1);
        if (safe > 0) {
          controller.enqueue(input.buffer.slice(0, safe));
          input.buffer = input.buffer.slice(safe);
          return;
        }
        if (!(await input.fill())) {
          finished = true;
          controller.error(storageErrors.noContent("Unexpected end of form"));
          return;
        }
      }
    },
    async cancel(reason) {
      finished = true;
      await input.reader.cancel(reason).catch(() => {});
    },
  });
}
