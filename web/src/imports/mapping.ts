// Which column of the file fills which field of an account: the guess from the headers
// (dialect.ts, shared with the worker), the user's changes, and what the worker will make of the
// previewed rows (account-rows.ts: the validation the worker applies, so a row shown as failing here
// fails in the import too).
import {
  ACCOUNT_IMPORT_FIELDS,
  guessMapping,
  type AccountImportField,
} from "../../../supabase/functions/_shared/csv/dialect.ts";
import {
  accountRow,
  columnIndexes,
  type AccountImportRow,
  type Mapping,
} from "../../../supabase/functions/_shared/csv/account-rows.ts";

export { ACCOUNT_IMPORT_FIELDS, guessMapping };
export type { AccountImportField, AccountImportRow, Mapping };

/** The mapping with one field pointed at a header ("" leaves the field out). */
export function setField(mapping: Mapping, field: AccountImportField, header: string): Mapping {
  const next: Mapping = { ...mapping };
  if (header === "") delete next[field];
  else next[field] = header;
  return next;
}

/** What stops an import with this mapping from starting; empty when it can start. */
export function mappingProblems(mapping: Mapping, headers: readonly string[]): string[] {
  const problems: string[] = [];
  if (!mapping.name) problems.push("Choose the column that holds the account's name.");
  const { missing } = columnIndexes(headers, mapping);
  for (const header of missing) problems.push(`The file has no column named "${header}".`);
  const byHeader = new Map<string, string[]>();
  for (const { field, label } of ACCOUNT_IMPORT_FIELDS) {
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
  account: AccountImportRow;
  /** The earlier previewed row with the same domain: this one is a duplicate the import skips (or fills from). */
  duplicateOf: number | null;
}

/** Each previewed record as the worker will see it with this mapping. */
export function previewRows(headers: readonly string[], records: readonly string[][], mapping: Mapping): PreviewRow[] {
  const { indexes } = columnIndexes(headers, mapping);
  const firstByDomain = new Map<string, number>();
  return records.map((record, i) => {
    const row = i + 2;
    const account = accountRow(record, row, indexes, headers);
    let duplicateOf: number | null = null;
    if (!account.errors && account.domain) {
      duplicateOf = firstByDomain.get(account.domain) ?? null;
      if (duplicateOf === null) firstByDomain.set(account.domain, row);
    }
    return { row, record: [...record], account, duplicateOf };
  });
}

/** How the previewed rows will fare: good, failing, duplicates within them. */
export function previewSummary(rows: readonly PreviewRow[]) {
  const failing = rows.filter((r) => r.account.errors).length;
  const duplicates = rows.filter((r) => r.duplicateOf !== null).length;
  return { total: rows.length, failing, duplicates, good: rows.length - failing - duplicates };
}

/** The problems of one previewed row, in words ("Domain: not a website domain (like acme.com)"). */
export function rowProblems(row: PreviewRow): string[] {
  return (row.account.errors ?? []).map((e) => `${e.column_name}: ${e.reason}`);
}
