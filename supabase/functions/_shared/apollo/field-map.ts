// Which of our columns Apollo fills, and from what: the one definition. The worker writes these
// columns from Apollo's organization or person (processors/enrich-*.ts through apply_*_enrichment,
// whose column lists enrichment_mapping_test checks against these), and the SPA marks the values
// that came from Apollo with the same rules (web/src/lib/apollo-fields.ts imports this file).
// Plain TypeScript with no imports, so Deno and Vite both read it.
//
// Adding an Apollo-filled column: one entry here, and one migration that adds the column, writes it
// in apply_account_enrichment (or apply_contact_enrichment) and lists it in
// private.apollo_field_groups (which keeps typed values from being overwritten).

/** How Apollo's value becomes ours; a value that does not qualify counts as absent. */
export type FieldKind =
  | "text" // a non-blank string, trimmed
  | "count" // a finite number >= 0, rounded
  | "year" // a whole year between 1000 and 2200
  | "email"; // a non-blank string, lower-cased; Apollo's placeholder for a locked email is absent

/**
 * Which settings group a column belongs to: a workspace can let Apollo's value win over a typed one
 * per group (workspace_settings.apollo_overwrite_groups); otherwise typed values are kept.
 */
export type FieldGroup = "company" | "location" | "contact_details" | "person" | "role";

export const FIELD_GROUP_LABELS: Readonly<Record<FieldGroup, string>> = {
  company: "Company facts (industry, size, revenue, founded, description)",
  location: "Location (city, state, country)",
  contact_details: "Contact details (phone, website, LinkedIn)",
  person: "Name and email of contacts",
  role: "Title and seniority of contacts",
};

export interface FieldRule {
  column: string;
  /** Apollo's fields, first present wins; "a.b" reads b inside the object a. */
  from: readonly string[];
  kind: FieldKind;
  group: FieldGroup;
}

/** Where a company or a person is: the same three columns, from the same Apollo fields, for both. */
const LOCATION_FIELDS: readonly FieldRule[] = [
  { column: "city", from: ["city"], kind: "text", group: "location" },
  { column: "state", from: ["state"], kind: "text", group: "location" },
  { column: "country", from: ["country"], kind: "text", group: "location" },
];

/** Apollo's organization -> our account columns. */
export const ACCOUNT_FIELDS: readonly FieldRule[] = [
  { column: "industry", from: ["industry"], kind: "text", group: "company" },
  { column: "employee_count", from: ["estimated_num_employees"], kind: "count", group: "company" },
  { column: "annual_revenue", from: ["annual_revenue"], kind: "count", group: "company" },
  ...LOCATION_FIELDS,
  { column: "phone", from: ["primary_phone.number", "phone", "sanitized_phone"], kind: "text", group: "contact_details" },
  { column: "linkedin_url", from: ["linkedin_url"], kind: "text", group: "contact_details" },
  { column: "website_url", from: ["website_url"], kind: "text", group: "contact_details" },
  { column: "description", from: ["short_description", "seo_description"], kind: "text", group: "company" },
  { column: "founded_year", from: ["founded_year"], kind: "year", group: "company" },
];

/** Apollo's person -> our contact columns. */
export const CONTACT_FIELDS: readonly FieldRule[] = [
  { column: "first_name", from: ["first_name"], kind: "text", group: "person" },
  { column: "last_name", from: ["last_name"], kind: "text", group: "person" },
  { column: "email", from: ["email"], kind: "email", group: "person" },
  { column: "title", from: ["title"], kind: "text", group: "role" },
  { column: "seniority", from: ["seniority"], kind: "text", group: "role" },
  { column: "linkedin_url", from: ["linkedin_url"], kind: "text", group: "contact_details" },
  ...LOCATION_FIELDS,
];

/** Apollo answers email_not_unlocked@domain.com when it does not reveal the email. */
const LOCKED_EMAIL_PREFIX = "email_not_unlocked@";

function read(record: Record<string, unknown>, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function convert(value: unknown, kind: FieldKind): string | number | undefined {
  if (kind === "count" || kind === "year") {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) return undefined;
    const whole = Math.round(value);
    return kind === "year" && (whole < 1000 || whole > 2200) ? undefined : whole;
  }
  const text = typeof value === "string" ? value.trim() : "";
  if (text === "") return undefined;
  if (kind === "email") return text.startsWith(LOCKED_EMAIL_PREFIX) ? undefined : text.toLowerCase();
  return text;
}

/** Our columns with the values Apollo has for them (absent ones left out, so nothing we know becomes null). */
export function fieldsFrom(rules: readonly FieldRule[], apollo: Record<string, unknown>): Record<string, string | number> {
  const fields: Record<string, string | number> = {};
  for (const rule of rules) {
    for (const path of rule.from) {
      const value = convert(read(apollo, path), rule.kind);
      if (value !== undefined) {
        fields[rule.column] = value;
        break;
      }
    }
  }
  return fields;
}
