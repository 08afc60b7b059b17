// An import's errors as a CSV file built in the browser, safe to open in a spreadsheet: a value
// starting with =, +, -, @, a tab or a carriage return would be read as a formula (CSV injection,
// OWASP), so it gets a leading single quote; every field is quoted as RFC 4180 needs.

export interface ImportErrorLine {
  row_number: number;
  column_name: string;
  value: string | null;
  reason: string;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** The value, with a leading ' when a spreadsheet would take it for a formula. */
export function escapeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** One CSV field: formula-safe, and quoted when it holds a quote, a comma, a newline or edge spaces. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  const safe = escapeFormula(value);
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const ERRORS_CSV_HEADER = ["row", "column", "value", "reason"] as const;

/** The CSV text (CRLF line ends, a BOM so that spreadsheets read it as UTF-8). */
export function errorsCsv(errors: readonly ImportErrorLine[]): string {
  const lines = [ERRORS_CSV_HEADER.join(",")];
  for (const e of errors) lines.push([e.row_number, e.column_name, e.value, e.reason].map(csvField).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

/** The download's file name: "<file>-errors.csv". */
export function errorsFileName(fileName: string): string {
  const base = fileName.replace(/\.(csv|tsv|txt)$/i, "").replace(/[^\w.-]+/g, "_").slice(0, 100) || "import";
  return `${base}-errors.csv`;
}
