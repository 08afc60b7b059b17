// One CSV record -> one account row for import_account_rows, with every problem named: the
// product's one domain rule (_shared/domain.ts), a name, a whole number of employees, lengths the
// database accepts. The row number counts the file's records, the header being row 1.
import { isValidDomain, normalizeDomain } from "../domain.ts";
import type { AccountImportField } from "./dialect.ts";

export interface RowProblem {
  column_name: string;
  value: string;
  reason: string;
}

export interface AccountImportRow {
  row: number;
  name: string | null;
  domain: string | null;
  industry: string | null;
  employee_count: number | null;
  city: string | null;
  state: string | null;
  country: string | null;
  errors?: RowProblem[];
}

export type Mapping = Partial<Record<AccountImportField, string>>;

const MAX_TEXT = 200;

/** Column indexes of the mapped fields in this file's header; the fields whose column is missing. */
export function columnIndexes(headers: readonly string[], mapping: Mapping) {
  const indexes: Partial<Record<AccountImportField, number>> = {};
  const missing: string[] = [];
  for (const [field, header] of Object.entries(mapping) as Array<[AccountImportField, string]>) {
    const index = headers.indexOf(header);
    if (index < 0) missing.push(header);
    else indexes[field] = index;
  }
  return { indexes, missing };
}

export function accountRow(record: readonly string[], row: number, indexes: Partial<Record<AccountImportField, number>>, headers: readonly string[]): AccountImportRow {
  const errors: RowProblem[] = [];
  const raw = (field: AccountImportField) => {
    const index = indexes[field];
    return index === undefined ? "" : (record[index] ?? "").trim();
  };
  const column = (field: AccountImportField) => headers[indexes[field] ?? -1] ?? field;
  const text = (field: AccountImportField) => {
    const value = raw(field);
    if (value.length > MAX_TEXT) {
      errors.push({ column_name: column(field), value: value.slice(0, 100), reason: `longer than ${MAX_TEXT} characters` });
      return null;
    }
    return value || null;
  };

  const name = text("name");
  if (!name && !errors.some((e) => e.column_name === column("name"))) {
    errors.push({ column_name: column("name"), value: "", reason: "a name is required" });
  }
  let domain: string | null = null;
  const typedDomain = raw("domain");
  if (typedDomain) {
    domain = normalizeDomain(typedDomain);
    if (!isValidDomain(domain)) {
      errors.push({ column_name: column("domain"), value: typedDomain.slice(0, 200), reason: "not a website domain (like acme.com)" });
      domain = null;
    }
  }
  let employees: number | null = null;
  const typedEmployees = raw("employee_count").replace(/[,_\s]/g, "");
  if (typedEmployees) {
    if (/^\d+$/.test(typedEmployees) && Number(typedEmployees) <= 2_147_483_647) employees = Number(typedEmployees);
    else errors.push({ column_name: column("employee_count"), value: raw("employee_count").slice(0, 100), reason: "not a whole number of employees" });
  }
  const row_: AccountImportRow = {
    row,
    name,
    domain,
    industry: text("industry"),
    employee_count: employees,
    city: text("city"),
    state: text("state"),
    country: text("country"),
  };
  if (errors.length > 0) row_.errors = errors;
  return row_;
}
