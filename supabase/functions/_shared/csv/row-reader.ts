// Reading one CSV record through a mapping, for every kind of import: the mapped columns' indexes,
// each value trimmed, and every problem named with the file's own column header. The row number
// counts the file's records, the header being row 1.

export interface RowProblem {
  column_name: string;
  value: string;
  reason: string;
}

/** What every kind's row has: its row number in the file and its problems (none: it is written). */
export interface ImportRowBase {
  row: number;
  errors?: RowProblem[];
}

/** Our field -> the file's column header, e.g. {"name": "Company"}. */
export type Mapping<F extends string = string> = Partial<Record<F, string>>;
export type ColumnIndexes<F extends string = string> = Partial<
  Record<F, number>
>;

/** Values longer than this are refused (the value shown in the report is cut to half of it). */
export const MAX_TEXT = 200;

/** Column indexes of the mapped fields in this file's header; the headers the file does not have. */
export function columnIndexes<F extends string>(
  headers: readonly string[],
  mapping: Mapping<F>,
) {
  const indexes: ColumnIndexes<F> = {};
  const missing: string[] = [];
  for (
    const [field, header] of Object.entries(mapping) as Array<
      [F, string | undefined]
    >
  ) {
    if (!header) continue;
    const index = headers.indexOf(header);
    if (index < 0) missing.push(header);
    else indexes[field] = index;
  }
  return { indexes, missing };
}

/** One record's values by field, and the problems found while reading them. */
export function rowReader<F extends string>(
  record: readonly string[],
  indexes: ColumnIndexes<F>,
  headers: readonly string[],
) {
  const errors: RowProblem[] = [];
  const raw = (field: F) => {
    const index = indexes[field];
    return index === undefined ? "" : (record[index] ?? "").trim();
  };
  const column = (field: F) => headers[indexes[field] ?? -1] ?? field;
  const problem = (field: F, value: string, reason: string) => {
    errors.push({
      column_name: column(field),
      value: value.slice(0, MAX_TEXT),
      reason,
    });
  };
  const hasProblem = (field: F) => errors.some((e) => e.column_name === column(field));
  /** The value, or null when empty; a value over MAX_TEXT is a problem. */
  const text = (field: F) => {
    const value = raw(field);
    if (value.length > MAX_TEXT) {
      problem(
        field,
        value.slice(0, MAX_TEXT / 2),
        `longer than ${MAX_TEXT} characters`,
      );
      return null;
    }
    return value || null;
  };
  return { errors, raw, text, problem, hasProblem };
}
