// The database's types for the SPA. Rows come from the generated types of schema public
// (supabase/functions/_shared/database.types.ts, scripts/db/database-types.ts: checked against the
// database by npm test), with the shapes Postgres cannot know written over them: what the JSON
// columns hold, and the CHECKed string unions (taken from CHECKED, so the database defines them).
// The Database type given to supabase-js says what a browser may write (the column grants).
import {
  CHECKED,
  type Database as GeneratedDatabase,
  type Json,
  type Tables,
  type TablesInsert,
} from "../../../supabase/functions/_shared/database.types.ts";
import type { FieldGroup } from "../../../supabase/functions/_shared/apollo/field-map.ts";
import type {
  ConnectionCheck as ApolloConnectionCheck,
  RateLimitInfo,
} from "../../../supabase/functions/_shared/apollo/types.ts";
import type { Separator } from "../../../supabase/functions/_shared/csv/dialect.ts";
import type { ImportKind } from "../../../supabase/functions/_shared/csv/import-kinds.ts";

export type { Json };

/** T with O's members in place of T's. */
type Overlay<T, O> = Omit<T, keyof O> & O;
/** true when A and B have the same keys; Checked<false> does not compile, so a type written here cannot drift from the database. */
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
/** true when A's keys are all B's. */
type KeysOf<A, B> = Exclude<keyof A, keyof B> extends never ? true : false;
type Checked<T extends true> = T;

export type WorkspaceRole = (typeof CHECKED.workspace_members.role)[number];
export type JobStatus = (typeof CHECKED.jobs.status)[number];
export type JobType = "enrich_account" | "enrich_contact";
export type LogLevel = (typeof CHECKED.job_logs.log_level)[number];
export type JobActionKind = (typeof CHECKED.job_actions.action)[number];
export type EnrichmentStatus = "never" | "enriching" | "enriched" | "failed";

/** jobs.progress: written by the worker as the job runs. */
export type JobProgress = { percentage: number; message?: string | null };
/** One element of jobs.errors: every failed attempt is kept. */
export type JobAttemptError = { attempt: number; at: string; message: string; retryable: boolean };
export type EnrichAccountPayload = { account_id: string; domain?: string | null };
export type EnrichContactPayload = { contact_id: string; email?: string | null };

type JsonObject = { [key: string]: Json | undefined };

export type WorkspaceRow = Tables<"workspaces">;

export type WorkspaceMemberRow = Overlay<Tables<"workspace_members">, { role: WorkspaceRole }>;

/** field_sources: who set each Apollo-fillable value, and when (a trigger keeps it; browsers only read it). */
export type FieldSource = { source: "user" | "apollo"; at: string };
export type FieldSources = { [column: string]: FieldSource | undefined };

/**
 * metadata.apollo: Apollo's organization; metadata.apollo_enriched_at: when it was written;
 * metadata.last_enrichment: what the last enrichment changed and which typed values it kept.
 */
export type AccountRow = Overlay<Tables<"accounts">, { metadata: JsonObject; field_sources: FieldSources }>;

/** The columns a browser may insert (column grants): the ones a user edits, and the workspace. */
export type AccountInsert = Pick<
  TablesInsert<"accounts">,
  | "workspace_id"
  | "name"
  | "domain"
  | "industry"
  | "employee_count"
  | "annual_revenue"
  | "city"
  | "state"
  | "country"
  | "phone"
  | "linkedin_url"
  | "website_url"
  | "description"
  | "founded_year"
>;

/** Members write only the fields a user edits; workspace_id is set once, on insert (column grants). */
export type AccountUpdate = Partial<Omit<AccountInsert, "workspace_id">>;

/** accounts_with_enrichment's columns are AccountWithEnrichmentRow's (checked when the types compile). */
export type AccountsWithEnrichmentChecked = Checked<SameKeys<AccountWithEnrichmentRow, Tables<"accounts_with_enrichment">>>;

export type AccountWithEnrichmentRow = AccountRow & {
  latest_job_id: string | null;
  latest_job_status: JobStatus | null;
  latest_job_error: string | null;
  latest_job_created_at: string | null;
  enrichment_status: EnrichmentStatus;
  /** Enriched longer ago than the workspace's stale_after_days (false when that is off). */
  stale: boolean;
};

export type ContactRow = Overlay<Tables<"contacts">, { metadata: JsonObject; field_sources: FieldSources }>;

/** id, attribution, timestamps and the enrichment state (enriched_at, metadata, field_sources) are the server's. */
type ContactServerColumns =
  | "id"
  | "workspace_id"
  | "enriched_at"
  | "metadata"
  | "field_sources"
  | "created_by"
  | "created_at"
  | "updated_at";

export type ContactInsert = Partial<Omit<ContactRow, ContactServerColumns>> & {
  workspace_id: string;
};

export type ContactUpdate = Partial<Omit<ContactRow, ContactServerColumns>>;

export type JobRow = Overlay<Tables<"jobs">, {
  job_type: JobType | (string & {});
  payload: JsonObject;
  status: JobStatus;
  progress: JobProgress;
  errors: JobAttemptError[];
}>;

export type JobLogRow = Overlay<Tables<"job_logs">, { log_level: LogLevel; metadata: JsonObject }>;

export type JobActionRow = Overlay<Tables<"job_actions">, { action: JobActionKind }>;

/** public.workspace_activity: a workspace's queue and usage numbers, for its owners and admins. */
export type WorkspaceActivityRow = {
  workspace_id: string;
  workspace_name: string;
  pending: number;
  due: number;
  processing: number;
  oldest_due_age_seconds: number | null;
  completed_24h: number;
  failed_24h: number;
  /** failed / (completed + failed) in the last 24 h, 0..1; null when nothing finished. */
  failure_rate_24h: number | null;
  credits_today: number;
  credits_7d: number;
  credits_total: number;
  last_job_at: string | null;
};

export type WorkspaceActivityChecked = Checked<SameKeys<WorkspaceActivityRow, Tables<"workspace_activity">>>;

/** The columns of workspace_settings a browser may select (the ciphertext column is not one). */
export type WorkspaceSettingsRow = {
  workspace_id: string;
  apollo_api_key_last4: string | null;
  apollo_key_updated_at: string | null;
  has_apollo_key: boolean;
  apollo_auto_enrich: boolean;
  enrichment_credits_used: number;
  /** No job of the workspace starts before this (its Apollo budget is spent); jobs_paused_reason says which. */
  jobs_paused_until: string | null;
  jobs_paused_reason: string | null;
  /** The field groups in which Apollo's value wins over a typed one (field-map.ts names them). */
  apollo_overwrite_groups: FieldGroup[];
  /** Credits the workspace may spend per UTC month; null: no budget. */
  monthly_credit_budget: number | null;
  /** Re-enrich accounts whose enrichment is older than this many days; null: off. */
  stale_after_days: number | null;
  created_at: string;
  updated_at: string;
};

export type WorkspaceSettingsChecked = Checked<KeysOf<WorkspaceSettingsRow, Tables<"workspace_settings">>>;

/** What a browser may write in workspace_settings (the column grants; owners and admins by RLS). */
export type WorkspaceSettingsUpdate = {
  apollo_auto_enrich?: boolean;
  apollo_overwrite_groups?: FieldGroup[];
  monthly_credit_budget?: number | null;
  stale_after_days?: number | null;
};

/** The selectable column list of workspace_settings, for `.select(...)`. */
export const WORKSPACE_SETTINGS_COLUMNS =
  "workspace_id, apollo_api_key_last4, apollo_key_updated_at, has_apollo_key, apollo_auto_enrich, enrichment_credits_used, jobs_paused_until, jobs_paused_reason, apollo_overwrite_groups, monthly_credit_budget, stale_after_days, created_at, updated_at" as const;

/** imports.kind: what the file holds (accounts or contacts). */
export type { ImportKind };
/** imports.on_duplicate: what a row whose domain is already an account's does. */
export type ImportOnDuplicate = (typeof CHECKED.imports.on_duplicate)[number];
/** imports.mapping: our field -> the file's column header ({"name": "Company", "domain": "Website"}). */
export type ImportMapping = { [field: string]: string | undefined };

/** public.imports: a CSV import, its checkpoint and counts (start_import and the worker write it; members read it). */
export type ImportRow = Overlay<Tables<"imports">, {
  kind: ImportKind;
  mapping: ImportMapping;
  on_duplicate: ImportOnDuplicate;
  /** The file's separator, as dialect.ts detects it (null until the worker has read the header). */
  separator: Separator | null;
}>;

/** public.import_errors: one bad value of an import's row (the header is row 1). */
export type ImportErrorRow = Tables<"import_errors">;

/** public.import_quotas: the one row of limits (rows per import, imports per workspace per 24 hours). */
export type ImportQuotasRow = Tables<"import_quotas">;

/** start_import's arguments (the RPC's defaults: skip duplicates, no enrichment). */
export type StartImportArgs = {
  object_path: string;
  file_name: string;
  mapping: ImportMapping;
  on_duplicate?: ImportOnDuplicate;
  enrich_after?: boolean;
  kind?: ImportKind;
};

/** start_import's arguments are the function's (checked when the types compile). */
export type StartImportArgsChecked = Checked<SameKeys<StartImportArgs, GeneratedFunctions["start_import"]["Args"]>>;

type GeneratedFunctions = GeneratedDatabase["public"]["Functions"];

export type Database = {
  public: {
    Tables: {
      workspaces: {
        Row: WorkspaceRow;
        Insert: { name: string };
        Update: { name?: string };
        Relationships: [];
      };
      workspace_members: {
        Row: WorkspaceMemberRow;
        Insert: never;
        Update: never;
        Relationships: [];
      };
      accounts: {
        Row: AccountRow;
        Insert: AccountInsert;
        Update: AccountUpdate;
        Relationships: [];
      };
      contacts: {
        Row: ContactRow;
        Insert: ContactInsert;
        Update: ContactUpdate;
        Relationships: [];
      };
      jobs: {
        Row: JobRow;
        // the columns a browser may insert (column grants); the rest are the queue's
        Insert: Pick<TablesInsert<"jobs">, "workspace_id" | "job_type" | "payload" | "priority" | "scheduled_for" | "max_attempts">;
        Update: never;
        Relationships: [];
      };
      job_logs: {
        Row: JobLogRow;
        Insert: never;
        Update: never;
        Relationships: [];
      };
      job_actions: {
        Row: JobActionRow;
        Insert: { job_id: string; workspace_id: string; action: JobActionKind };
        Update: never;
        Relationships: [];
      };
      imports: {
        Row: ImportRow;
        // browsers start imports through start_import
        Insert: never;
        Update: never;
        Relationships: [];
      };
      import_errors: {
        Row: ImportErrorRow;
        Insert: never;
        Update: never;
        Relationships: [];
      };
      import_quotas: {
        Row: ImportQuotasRow;
        Insert: never;
        Update: never;
        Relationships: [];
      };
      workspace_settings: {
        Row: WorkspaceSettingsRow;
        Insert: never;
        Update: WorkspaceSettingsUpdate;
        Relationships: [];
      };
    };
    Views: {
      accounts_with_enrichment: {
        Row: AccountWithEnrichmentRow;
        Relationships: [];
      };
      workspace_activity: {
        Row: WorkspaceActivityRow;
        Relationships: [];
      };
    };
    Functions: {
      enqueue_enrichment: {
        Args: { account_id: string; priority?: number };
        Returns: JobRow;
      };
      enqueue_account_enrichments: {
        Args: { account_ids: string[] };
        Returns: JobRow[];
      };
      enqueue_contact_enrichment: {
        Args: { contact_id: string; priority?: number };
        Returns: JobRow;
      };
      cancel_job: {
        Args: { job_id: string };
        Returns: JobRow;
      };
      retry_job: {
        Args: { job_id: string };
        Returns: JobRow;
      };
      start_import: {
        Args: StartImportArgs;
        Returns: ImportRow;
      };
      // read-only usage numbers: the generated types as they are
      workspace_credit_budget: GeneratedFunctions["workspace_credit_budget"];
      workspace_daily_usage: GeneratedFunctions["workspace_daily_usage"];
      workspace_top_errors: GeneratedFunctions["workspace_top_errors"];
    };
    Enums: { [_ in never]: never };
    CompositeTypes: { [_ in never]: never };
  };
};

// ---- Edge Function contracts (supabase/functions/apollo-settings, jobs) ----

/** GET apollo-settings, and `settings` in the POST/DELETE answers. */
export type ApolloSettingsView = {
  workspace_id: string;
  has_apollo_key: boolean;
  apollo_api_key_last4: string | null;
  apollo_auto_enrich: boolean;
  enrichment_credits_used: number;
  can_edit: boolean;
  apollo_key_updated_at?: string | null;
};

/** The Apollo client's rate-limit reading, as the functions send it. */
export type { RateLimitInfo };

/** POST apollo-settings/test: the Apollo client's check, and on a failure the error's kind. */
export type ConnectionCheck = ApolloConnectionCheck & { kind?: string };
