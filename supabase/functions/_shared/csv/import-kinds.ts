// What each kind of import is, once for the SPA (the mapping form, the preview) and the worker: the
// fields a file's columns can fill, how a record becomes a row (and its problems), the key that makes
// two rows the same record (a domain, an email), the job that runs it and the function that writes
// its batches (supabase/migrations/*_csv_import.sql, *_contacts_import.sql).
import { ACCOUNT_IMPORT_FIELDS, type AccountImportField, type AccountImportRow, accountRow } from "./account-rows.ts";
import { CONTACT_IMPORT_FIELDS, type ContactImportField, type ContactImportRow, contactRow } from "./contact-rows.ts";
import type { ImportField } from "./dialect.ts";
import type { ColumnIndexes, ImportRowBase } from "./row-reader.ts";
import type { CHECKED } from "../database.types.ts";

export type { ImportRowBase };

/** imports.kind, as the database's CHECK allows it. */
export type ImportKind = (typeof CHECKED.imports.kind)[number];

export interface ImportKindSpec<F extends string, R extends ImportRowBase> {
  kind: ImportKind;
  jobType: `import_${ImportKind}`;
  /** The function that writes a batch of rows (fenced by the job's lease). */
  rowsFunction: "import_account_rows" | "import_contact_rows";
  /** "account" / "contact", for messages. */
  noun: string;
  fields: readonly ImportField<F>[];
  /** The field a mapping cannot do without. */
  requiredField: F;
  /** The problem shown when the required field has no column. */
  requiredMessage: string;
  toRow(
    record: readonly string[],
    row: number,
    indexes: ColumnIndexes<F>,
    headers: readonly string[],
  ): R;
  /** What makes two good rows the same record (null: the row cannot be matched). */
  identity(row: R): string | null;
  /** "the same domain" / "the same email", for the preview. */
  identityLabel: string;
}

export const ACCOUNTS_IMPORT: ImportKindSpec<
  AccountImportField,
  AccountImportRow
> = {
  kind: "accounts",
  jobType: "import_accounts",
  rowsFunction: "import_account_rows",
  noun: "account",
  fields: ACCOUNT_IMPORT_FIELDS,
  requiredField: "name",
  requiredMessage: "Choose the column that holds the account's name.",
  toRow: accountRow,
  identity: (row) => row.domain,
  identityLabel: "domain",
};

export const CONTACTS_IMPORT: ImportKindSpec<
  ContactImportField,
  ContactImportRow
> = {
  kind: "contacts",
  jobType: "import_contacts",
  rowsFunction: "import_contact_rows",
  noun: "contact",
  fields: CONTACT_IMPORT_FIELDS,
  requiredField: "email",
  requiredMessage: "Choose the column that holds the contact's email (contacts are matched by it).",
  toRow: contactRow,
  identity: (row) => row.email,
  identityLabel: "email",
};

/** Any kind (its methods' parameters are checked both ways, so both specs fit). */
export type AnyImportKindSpec = ImportKindSpec<string, ImportRowBase>;

export const IMPORT_KINDS: Record<ImportKind, AnyImportKindSpec> = {
  accounts: ACCOUNTS_IMPORT,
  contacts: CONTACTS_IMPORT,
};
