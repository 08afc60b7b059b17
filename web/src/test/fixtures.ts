// Rows as the database returns them, for tests.
import { ACCOUNT_FIELDS } from "../../../supabase/functions/_shared/apollo/field-map.ts";
import type { AccountWithEnrichmentRow, ContactRow, JobLogRow, JobRow } from "../lib/database.types";

/** Every column Apollo fills, empty: a column added to the field map is in every fixture account. */
const NO_APOLLO_FIELDS = Object.fromEntries(ACCOUNT_FIELDS.map((rule) => [rule.column, null]));

/** What accounts and contacts hold beside their own columns: created by nobody, never enriched. */
const NEW_RECORD = {
  enriched_at: null,
  metadata: {},
  field_sources: {},
  created_by: null,
  created_at: "2026-11-29T09:00:00Z",
  updated_at: "2026-11-29T09:00:00Z",
};

/** An account as accounts_with_enrichment returns it: never enriched, nothing from Apollo, unless overridden. */
export function makeAccount(overrides: Partial<AccountWithEnrichmentRow> = {}): AccountWithEnrichmentRow {
  return {
    ...NO_APOLLO_FIELDS,
    id: "00000000-0000-4000-8000-000000000001",
    workspace_id: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    name: "Acme",
    domain: null,
    ...NEW_RECORD,
    latest_job_id: null,
    latest_job_status: null,
    latest_job_error: null,
    latest_job_created_at: null,
    enrichment_status: "never",
    stale: false,
    ...overrides,
  } as AccountWithEnrichmentRow;
}

/** A contact as the contacts table returns it: never enriched, only a name, unless overridden. */
export function makeContact(overrides: Partial<ContactRow> = {}): ContactRow {
  return {
    id: "c0000000-0000-4000-8000-000000000001",
    workspace_id: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    account_id: "00000000-0000-4000-8000-000000000001",
    first_name: "Maya",
    last_name: null,
    email: null,
    title: null,
    seniority: null,
    phone: null,
    linkedin_url: null,
    city: null,
    state: null,
    country: null,
    ...NEW_RECORD,
    ...overrides,
  };
}

export function makeJob(overrides: Partial<JobRow> = {}): JobRow {
  return {
    id: "11111111-2222-4333-8444-555555555555",
    workspace_id: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    job_type: "enrich_account",
    payload: { account_id: "acc-1", domain: "stripe.com" },
    status: "pending",
    priority: 0,
    progress: { percentage: 0 },
    attempts: 0,
    max_attempts: 5,
    scheduled_for: "2026-11-29T10:00:00Z",
    next_retry_at: null,
    started_at: null,
    completed_at: null,
    failed_at: null,
    cancelled_at: null,
    locked_by: null,
    locked_until: null,
    error_message: null,
    errors: [],
    result: null,
    credits_used: 0,
    credit_reserved: false,
    claimable: false,
    subject_id: "acc-1",
    created_by: null,
    created_at: "2026-11-29T10:00:00Z",
    updated_at: "2026-11-29T10:00:00Z",
    ...overrides,
  };
}

export function makeLog(id: number, message: string, overrides: Partial<JobLogRow> = {}): JobLogRow {
  return {
    id,
    job_id: "11111111-2222-4333-8444-555555555555",
    workspace_id: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    attempt: 1,
    log_level: "info",
    message,
    metadata: {},
    created_at: `2026-11-29T10:00:0${id % 10}Z`,
    ...overrides,
  };
}
