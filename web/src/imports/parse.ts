// The preview of a CSV file chosen for import: only its first PREVIEW_BYTES are read (file.slice),
// checked to be UTF-8 (TextDecoder, fatal; a BOM is dropped), cut after the last whole record and
// parsed by csv-parse's browser build with the worker's options (supabase/functions/_shared/csv/
// records.ts): the separator from the header line (dialect.ts, as the worker detects it), quoted
// fields with separators and newlines, empty lines skipped, ragged rows kept.
import { parse } from "csv-parse/browser/esm/sync";
import { detectSeparator, type Separator } from "../../../supabase/functions/_shared/csv/dialect.ts";

/** How much of the file the preview reads. */
export const PREVIEW_BYTES = 64 * 1024;
/** The bucket's limit (storage.buckets.file_size_limit of `imports`). */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

export interface CsvPreview {
  /** The header row, trimmed as the worker trims it. */
  headers: string[];
  /** The data records read (the header excluded); record i is row i + 2 of the file. */
  records: string[][];
  separator: Separator;
  /** True when the file is longer than what was read: the records are its first ones only. */
  partial: boolean;
}

export type CsvPreviewProblem = "too-large" | "empty" | "encoding" | "no-columns" | "invalid";

/** Why a file cannot be imported, in one sentence a user understands. */
export class CsvPreviewError extends Error {
  override name = "CsvPreviewError";
  constructor(readonly problem: CsvPreviewProblem, message: string) {
    super(message);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function tooLargeError(size: number): CsvPreviewError {
  return new CsvPreviewError(
    "too-large",
    `This file is ${formatBytes(size)}; an import takes files up to 50 MB. Split it into smaller files.`,
  );
}

export const SEPARATOR_NAMES: Record<Separator, string> = { ",": "commas", ";": "semicolons", "\t": "tabs" };

/** The text up to the end of the last record that ends inside it (a newline outside quotes). */
export function wholeRecords(text: string): string {
  let quoted = false;
  let lastEnd = -1;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') quoted = !quoted;
    else if (char === "\n" && !quoted) lastEnd = i;
  }
  return lastEnd < 0 ? "" : text.slice(0, lastEnd + 1);
}

/**
 * The preview of a file's first bytes. `complete` says whether `bytes` is the whole file; when it
 * is not, a character or a record cut at the end is left out.
 */
export function previewBytes(bytes: Uint8Array, complete: boolean): CsvPreview {
  let text: string;
  try {
    // fatal: bytes that are not UTF-8 throw; stream: a character cut at the end is no error.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: !complete });
  } catch {
    throw new CsvPreviewError("encoding", "This file is not UTF-8 text. Save it as \"CSV UTF-8\" and choose it again.");
  }
  text = text.replace(/^\uFEFF/, "");
  if (text.trim() === "") throw new CsvPreviewError("empty", "This file is empty: it has no header row.");
  let partial = false;
  if (!complete) {
    const whole = wholeRecords(text);
    // A header longer than what was read is still read as far as it goes.
    if (whole !== "") {
      partial = true;
      text = whole;
    }
  }
  const separator = detectSeparator(text.split(/\r?\n/, 1)[0] ?? "");
  let rows: string[][];
  try {
    rows = parse(text, {
      delimiter: separator,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^.*?:\s*/, "") : String(error);
    throw new CsvPreviewError("invalid", `This file is not valid CSV: ${detail}`);
  }
  const [header = [], ...records] = rows;
  const headers = header.map((h) => h.trim());
  if (!headers.some((h) => h !== "")) {
    throw new CsvPreviewError("no-columns", "This file has no usable column: its first row should name the columns (like Name, Domain, City).");
  }
  return { headers, records, separator, partial };
}

/** Reads the first PREVIEW_BYTES of a chosen file and previews them; a file over 50 MB is refused at once. */
export async function readPreview(file: Blob): Promise<CsvPreview> {
  if (file.size > MAX_FILE_BYTES) throw tooLargeError(file.size);
  const head = file.slice(0, PREVIEW_BYTES);
  const bytes = new Uint8Array(await readBlob(head));
  return previewBytes(bytes, file.size <= PREVIEW_BYTES);
}

function readBlob(blob: Blob): Promise<ArrayBuffer> {
  if (typeof blob.arrayBuffer === "function") return blob.arrayBuffer();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer);
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(blob);
  });
}
