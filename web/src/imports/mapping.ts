// Which column of the file fills which field of an account or a contact: the guess from the
// headers (dialect.ts, shared with the worker), the user's changes, and what the worker will make
// of the previewed rows (the kind's rows file in _shared/csv: the validation the worker applies, so
// a row shown as failing here fails in the import too).
import { guessMapping as guessFromHeaders } from "../../../supabase/functions/_shared/csv/dialect.ts";
import { columnIndexes, type Mapping } from "../../../supabase/functions/_shared/csv/row-reader.ts";
import {
  IMPORT_KINDS,
  type AnyImportKindSpec,
  type ImportKind,
  type ImportRowBase,
} from "../../../supabase/functions/_shared/csv/import-kinds.ts";

export { IMPORT_KINDS };
export type { AnyImportKindSpec, ImportKind, Mapping };

/** Our field -> the file's header, guessed from the headers for this kind of import. */
export function guessMapping(headers: readonly string[], kind: ImportKind = "accounts"): Mapping {
  return guessFromHeaders(headers, IMPORT_KINDS[kind].fields);
}

/** The mapping with one field pointed at a header ("" leaves the field out). */
export function setField(mapping: Mapping, field: string, header: string): Mapping {
  const next: Mapping = { ...mapping };
  if (header === "") delete next[field];
  else next[field] = header;
  return next;
}

/** What stops an import with this mapping from starting; empty when it can start. */
export function mappingProblems(mapping: Mapping, headers: readonly string[], kind: ImportKind = "accounts"): string[] {
  const spec = IMPORT_KINDS[kind];
  const problems: string[] = [];
  if (!mapping[spec.requiredField]) problems.push(spec.requiredMessage);
  const { missing } = columnIndexes(headers, mapping);
  for (const header of missing) problems.push(`The file has no column named "${header}".`);
  const byHeader = new Map<string, string[]>();
  for (const { field, label } of spec.fields) {
    const header = mapping[field];
    if (header) byHeader.set(header, [...(byHeader.get(header) ?? []), label]);
  }
  for (const [header, labels] of byHeader) {
    if (labels.length > 1) problems.push(`The column "${header}" is chosen for ${labels.join(" and ")}: choose it once.`);
  }
  return problems;
}

/** The mapping as start_import takes it: only the fields given a column. */
export function mappingForImport(mapping: Mapping): Record<string, string> {
  return Object.fromEntries(Object.entries(mapping).filter(([, header]) => typeof header === "string" && header !== "")) as Record<string, string>;
}

export interface PreviewRow {
  /** The row number in the file, the header being row 1 (as import_errors counts). */
  row: number;
  record: string[];
  /** The row as the worker will write it (its errors: why it will fail). */
  parsed: ImportRowBase & Record<string, unknown>;
  /** What makes it the same record as another (a domain, an email); null when it has none or fails. */
  identity: string | null;
  /** The earlier previewed row with the same identity: this one is a duplicate the import skips (or fills from). */
  duplicateOf: number | null;
}

/** Each previewed record as the worker will see it with this mapping. */
export function previewRows(
  headers: readonly string[],
  records: readonly string[][],
  mapping: Mapping,
  kind: ImportKind = "accounts",
): PreviewRow[] {
  const spec = IMPORT_KINDS[kind];
  const { indexes } = columnIndexes(headers, mapping);
  const firstByIdentity = new Map<string, number>();
  return records.map((record, i) => {
    const row = i + 2;
    const parsed = spec.toRow(record, row, indexes, headers) as PreviewRow["parsed"];
    const identity = parsed.errors ? null : spec.identity(parsed);
    let duplicateOf: number | null = null;
    if (identity) {
      duplicateOf = firstByIdentity.get(identity) ?? null;
      if (duplicateOf === null) firstByIdentity.set(identity, row);
    }
    return { row, record: [...record], parsed, identity, duplicateOf };
  });
}

/** How the previewed rows will fare: good, failing, duplicates within them. */
export function previewSummary(rows: readonly PreviewRow[]) {
  const failing = rows.filter((r) => r.parsed.errors).length;
  const duplicates = rows.filter((r) => r.duplicateOf !== null).length;
  return { total: rows.length, failing, duplicates, good: rows.length - failing - duplicates };
}

/** The problems of one previewed row, in words ("Domain: not a website domain (like acme.com)"). */
export function rowProblems(row: PreviewRow): string[] {
  return (row.parsed.errors ?? []).map((e) => `${e.column_name}: ${e.reason}`);
}
