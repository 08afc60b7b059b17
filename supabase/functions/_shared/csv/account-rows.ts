// One CSV record -> one account row for import_account_rows, with every problem named: the
// product's one domain rule (_shared/domain.ts), a name, a whole number of employees, lengths the
// database accepts.
import { isValidDomain, normalizeDomain } from "../domain.ts";
import { COMPANY_NAME_HEADERS, type ImportField, LOCATION_FIELDS } from "./dialect.ts";
import { type ColumnIndexes, type ImportRowBase, rowReader } from "./row-reader.ts";

/** The fields an accounts import can fill, and the headers that usually hold them. */
export const ACCOUNT_IMPORT_FIELDS = [
  { field: "name", label: "Name", headers: ["name", ...COMPANY_NAME_HEADERS] },
  {
    field: "domain",
    label: "Domain / website",
    headers: [
      "domain",
      "website",
      "web site",
      "url",
      "company domain",
      "site",
      "homepage",
    ],
  },
  { field: "industry", label: "Industry", headers: ["industry", "sector", "vertical"] },
  {
    field: "employee_count",
    label: "Employees",
    headers: [
      "employees",
      "employee count",
      "headcount",
      "size",
      "company size",
      "# employees",
    ],
  },
  ...LOCATION_FIELDS,
] as const satisfies readonly ImportField[];

export type AccountImportField = (typeof ACCOUNT_IMPORT_FIELDS)[number]["field"];

/** An account row as import_account_rows takes it: each field's value (null when empty), employees a number. */
export type AccountImportRow =
  & ImportRowBase
  & Record<Exclude<AccountImportField, "employee_count">, string | null>
  & { employee_count: number | null };

/** A website as the one domain rule sees it; a value that is no domain is a problem of the row. */
export function domainOf<F extends string>(
  reader: ReturnType<typeof rowReader<F>>,
  field: F,
): string | null {
  const typed = reader.raw(field);
  if (!typed) return null;
  const domain = normalizeDomain(typed);
  if (isValidDomain(domain)) return domain;
  reader.problem(field, typed, "not a website domain (like acme.com)");
  return null;
}

export function accountRow(
  record: readonly string[],
  row: number,
  indexes: ColumnIndexes<AccountImportField>,
  headers: readonly string[],
): AccountImportRow {
  const read = rowReader(record, indexes, headers);
  const name = read.text("name");
  if (!name && !read.hasProblem("name")) {
    read.problem("name", "", "a name is required");
  }
  const domain = domainOf(read, "domain");
  let employees: number | null = null;
  const typedEmployees = read.raw("employee_count").replace(/[,_\s]/g, "");
  if (typedEmployees) {
    if (
      /^\d+$/.test(typedEmployees) && Number(typedEmployees) <= 2_147_483_647
    ) employees = Number(typedEmployees);
    else {read.problem(
        "employee_count",
        read.raw("employee_count").slice(0, 100),
        "not a whole number of employees",
      );}
  }
  const account: AccountImportRow = {
    row,
    name,
    domain,
    industry: read.text("industry"),
    employee_count: employees,
    city: read.text("city"),
    state: read.text("state"),
    country: read.text("country"),
  };
  if (read.errors.length > 0) account.errors = read.errors;
  return account;
}
