// One CSV record -> one contact row for import_contact_rows, with every problem named: the
// product's one email rule (_shared/email.ts; contacts are matched by it, so every row needs one),
// the one domain rule for the company's website, lengths the database accepts.
import { isValidEmail } from "../email.ts";
import { domainOf } from "./account-rows.ts";
import { COMPANY_NAME_HEADERS, type ImportField, LOCATION_FIELDS } from "./dialect.ts";
import { type ColumnIndexes, type ImportRowBase, rowReader } from "./row-reader.ts";

/** The fields a contacts import can fill, and the headers that usually hold them. */
export const CONTACT_IMPORT_FIELDS = [
  {
    field: "email",
    label: "Email",
    headers: [
      "email",
      "e-mail",
      "email address",
      "e-mail address",
      "work email",
      "mail",
    ],
  },
  { field: "first_name", label: "First name", headers: ["first name", "firstname", "first", "given name"] },
  { field: "last_name", label: "Last name", headers: ["last name", "lastname", "last", "surname", "family name"] },
  { field: "title", label: "Title", headers: ["title", "job title", "position", "role"] },
  { field: "phone", label: "Phone", headers: ["phone", "phone number", "mobile", "telephone", "tel"] },
  {
    field: "linkedin_url",
    label: "LinkedIn URL",
    headers: ["linkedin", "linkedin url", "linkedin profile", "linkedin_url"],
  },
  ...LOCATION_FIELDS,
  {
    field: "account_domain",
    label: "Company domain / website",
    headers: [
      "company domain",
      "company website",
      "account domain",
      "domain",
      "website",
      "url",
    ],
  },
  { field: "account_name", label: "Company name (for new accounts)", headers: COMPANY_NAME_HEADERS },
] as const satisfies readonly ImportField[];

export type ContactImportField = (typeof CONTACT_IMPORT_FIELDS)[number]["field"];

/** A contact row as import_contact_rows takes it: each field's value, null when empty. */
export type ContactImportRow = ImportRowBase & Record<ContactImportField, string | null>;

export function contactRow(
  record: readonly string[],
  row: number,
  indexes: ColumnIndexes<ContactImportField>,
  headers: readonly string[],
): ContactImportRow {
  const read = rowReader(record, indexes, headers);
  let email = read.text("email")?.toLowerCase() ?? null;
  if (email && !isValidEmail(email)) {
    read.problem(
      "email",
      read.raw("email"),
      "not an email address (like ana@acme.com)",
    );
    email = null;
  } else if (!email && !read.hasProblem("email")) {
    read.problem(
      "email",
      "",
      "an email is required (contacts are matched by it)",
    );
  }
  const contact: ContactImportRow = {
    row,
    email,
    first_name: read.text("first_name"),
    last_name: read.text("last_name"),
    title: read.text("title"),
    phone: read.text("phone"),
    linkedin_url: read.text("linkedin_url"),
    city: read.text("city"),
    state: read.text("state"),
    country: read.text("country"),
    account_domain: domainOf(read, "account_domain"),
    account_name: read.text("account_name"),
  };
  if (read.errors.length > 0) contact.errors = read.errors;
  return contact;
}
