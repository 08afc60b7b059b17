// A CSV file's records as they stream in, each with the byte offset it ends at (the checkpoint a
// resumed import starts from: a Range request from that byte). Parsed by csv-parse (maintained,
// streaming): quoted fields with separators and newlines, a UTF-8 BOM, empty lines skipped, ragged
// rows kept as they are. Bytes that are not UTF-8 stop it with a clear error.
import { parse } from "csv-parse";

export interface CsvRecord {
  fields: string[];
  /** The byte offset in the whole file right after this record. */
  endByte: number;
}

export class CsvEncodingError extends Error {
  constructor() {
    super("The file is not UTF-8 text: save it as CSV UTF-8 and upload it again");
    this.name = "CsvEncodingError";
  }
}

/** The largest record accepted (a field of a million characters fits). */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

export async function* csvRecords(
  body: ReadableStream<Uint8Array>,
  options: { separator: string; startByte: number },
): AsyncGenerator<CsvRecord> {
  const parser = parse({
    delimiter: options.separator,
    bom: options.startByte === 0,
    relax_column_count: true,
    relax_quotes: false,
    skip_empty_lines: true,
    info: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const reader = body.getReader();
  let stopped = false;
  let feedError: unknown = null;
  // Feeds the parser as it asks for more (drain); stops when the reader below stops early.
  const feed = (async () => {
    try {
      while (!stopped) {
        const { value, done } = await reader.read();
        if (done) break;
        try {
          utf8.decode(value, { stream: true });
        } catch {
          throw new CsvEncodingError();
        }
        if (!parser.write(value)) {
          await new Promise<void>((resolve) => {
            const go = () => {
              parser.off("drain", go);
              parser.off("close", go);
              resolve();
            };
            parser.once("drain", go);
            parser.once("close", go);
          });
        }
      }
      if (!stopped) parser.end();
    } catch (error) {
      feedError = error;
      parser.destroy(error as Error);
    }
  })();
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
      yield { fields: record, endByte: options.startByte + info.bytes };
    }
  } catch (error) {
    throw feedError ?? error;
  } finally {
    // a caller that stops early (a run's share done) leaves the rest of the download unread
    stopped = true;
    await reader.cancel().catch(() => {});
    parser.destroy();
    await feed;
  }
  if (feedError) throw feedError;
}
