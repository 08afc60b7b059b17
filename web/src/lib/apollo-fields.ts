// Which of an account's or contact's fields Apollo filled in: a field counts as "from Apollo"
// when metadata.apollo (Apollo's organization/person as last received) has a value for it.
// Mirrors supabase/functions/job-worker/processors/{organization,person}-fields.ts.
import type { Json } from "./database.types";

type Apollo = { [key: string]: Json | undefined };

const present = (value: unknown): boolean =>
  (typeof value === "string" && value.trim() !== "") || (typeof value === "number" && Number.isFinite(value));

/** Our column -> the Apollo organization fields it is taken from (first present wins). */
export const ACCOUNT_FIELD_SOURCES: Record<string, Array<(org: Apollo) => unknown>> = {
  industry: [(o) => o.industry],
  employee_count: [(o) => o.estimated_num_employees],
  annual_revenue: [(o) => o.annual_revenue],
  city: [(o) => o.city],
  state: [(o) => o.state],
  country: [(o) => o.country],
  phone: [
    (o) => (o.primary_phone && typeof o.primary_phone === "object" && !Array.isArray(o.primary_phone) ? o.primary_phone.number : undefined),
    (o) => o.phone,
    (o) => o.sanitized_phone,
  ],
  linkedin_url: [(o) => o.linkedin_url],
  website_url: [(o) => o.website_url],
  description: [(o) => o.short_description, (o) => o.seo_description],
  founded_year: [(o) => o.founded_year],
};

export const CONTACT_FIELD_SOURCES: Record<string, Array<(person: Apollo) => unknown>> = {
  first_name: [(p) => p.first_name],
  last_name: [(p) => p.last_name],
  email: [(p) => (typeof p.email === "string" && !p.email.startsWith("email_not_unlocked@") ? p.email : undefined)],
  title: [(p) => p.title],
  seniority: [(p) => p.seniority],
  linkedin_url: [(p) => p.linkedin_url],
  city: [(p) => p.city],
  state: [(p) => p.state],
  country: [(p) => p.country],
};

function apolloOf(metadata: { [key: string]: Json | undefined } | null | undefined): Apollo | null {
  const apollo = metadata?.apollo;
  return apollo && typeof apollo === "object" && !Array.isArray(apollo) ? (apollo as Apollo) : null;
}

function fieldsFrom(metadata: { [key: string]: Json | undefined } | null | undefined, sources: typeof ACCOUNT_FIELD_SOURCES) {
  const apollo = apolloOf(metadata);
  const fields = new Set<string>();
  if (!apollo) return fields;
  for (const [column, getters] of Object.entries(sources)) {
    if (getters.some((get) => present(get(apollo)))) fields.add(column);
  }
  return fields;
}

/** The account columns Apollo supplied. */
export function apolloAccountFields(metadata: { [key: string]: Json | undefined } | null | undefined): Set<string> {
  return fieldsFrom(metadata, ACCOUNT_FIELD_SOURCES);
}

/** The contact columns Apollo supplied. */
export function apolloContactFields(metadata: { [key: string]: Json | undefined } | null | undefined): Set<string> {
  return fieldsFrom(metadata, CONTACT_FIELD_SOURCES);
}

export function apolloEnrichedAt(metadata: { [key: string]: Json | undefined } | null | undefined): string | null {
  const at = metadata?.apollo_enriched_at;
  return typeof at === "string" ? at : null;
}
