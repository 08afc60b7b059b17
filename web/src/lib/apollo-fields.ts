// Which of an account's or contact's fields Apollo filled in: a field counts as "from Apollo"
// when metadata.apollo (Apollo's organization/person as last received) has a value for it by the
// rules the worker writes it with (one definition: supabase/functions/_shared/apollo/field-map.ts).
import { ACCOUNT_FIELDS, CONTACT_FIELDS, type FieldRule, fieldsFrom } from "../../../supabase/functions/_shared/apollo/field-map.ts";
import type { Json } from "./database.types";

type Apollo = { [key: string]: Json | undefined };

function apolloOf(metadata: { [key: string]: Json | undefined } | null | undefined): Apollo | null {
  const apollo = metadata?.apollo;
  return apollo && typeof apollo === "object" && !Array.isArray(apollo) ? (apollo as Apollo) : null;
}

function suppliedColumns(metadata: { [key: string]: Json | undefined } | null | undefined, rules: readonly FieldRule[]) {
  const apollo = apolloOf(metadata);
  return new Set<string>(apollo ? Object.keys(fieldsFrom(rules, apollo)) : []);
}

/** The account columns Apollo supplied. */
export function apolloAccountFields(metadata: { [key: string]: Json | undefined } | null | undefined): Set<string> {
  return suppliedColumns(metadata, ACCOUNT_FIELDS);
}

/** The contact columns Apollo supplied. */
export function apolloContactFields(metadata: { [key: string]: Json | undefined } | null | undefined): Set<string> {
  return suppliedColumns(metadata, CONTACT_FIELDS);
}

export function apolloEnrichedAt(metadata: { [key: string]: Json | undefined } | null | undefined): string | null {
  const at = metadata?.apollo_enriched_at;
  return typeof at === "string" ? at : null;
}
