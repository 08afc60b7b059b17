// Where an account's or contact's values came from, as the database records it: field_sources
// (kept by a trigger: a person, or Apollo) and metadata.last_enrichment (what the last enrichment
// changed, and which typed values it kept). Records made up by the mock client or the local fake
// Apollo are marked (supabase/functions/_shared/apollo/sample-data.ts).
import { isSampleData } from "../../../supabase/functions/_shared/apollo/sample-data.ts";
import type { FieldSource, FieldSources, Json } from "./database.types";

type Metadata = { [key: string]: Json | undefined } | null | undefined;

export function fieldSource(sources: FieldSources | null | undefined, column: string): FieldSource | null {
  const entry = sources?.[column];
  return entry && (entry.source === "user" || entry.source === "apollo") ? entry : null;
}

export function apolloEnrichedAt(metadata: Metadata): string | null {
  const at = metadata?.apollo_enriched_at;
  return typeof at === "string" ? at : null;
}

/** True when the last record "from Apollo" was made up by the mock client or the local fake. */
export function isSampleEnrichment(metadata: Metadata): boolean {
  return isSampleData(metadata?.apollo);
}

export interface FieldChange {
  column: string;
  old: Json | null;
  new: Json | null;
}

export interface KeptValue {
  column: string;
  value: Json | null;
  apollo: Json | null;
}

export interface LastEnrichment {
  at: string | null;
  jobId: string | null;
  changed: FieldChange[];
  kept: KeptValue[];
}

function objectOf(value: Json | undefined): { [key: string]: Json | undefined } {
  return value && typeof value === "object" && !Array.isArray(value) ? value : {};
}

/** metadata.last_enrichment, read defensively (older records do not have it). */
export function lastEnrichment(metadata: Metadata): LastEnrichment | null {
  const raw = metadata?.last_enrichment;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return null;
  const changed = Object.entries(objectOf(raw.changed)).map(([column, change]) => {
    const c = objectOf(change);
    return { column, old: c.old ?? null, new: c.new ?? null };
  });
  const kept = Object.entries(objectOf(raw.kept)).map(([column, value]) => {
    const k = objectOf(value);
    return { column, value: k.value ?? null, apollo: k.apollo ?? null };
  });
  return {
    at: typeof raw.at === "string" ? raw.at : null,
    jobId: typeof raw.job_id === "string" ? raw.job_id : null,
    changed,
    kept,
  };
}
