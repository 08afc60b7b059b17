// Jobs: queryOptions factories and keys (['jobs','detail',id], its logs under
// ['jobs','detail',id,'logs'], lists under ['jobs','list',...]).
import { keepPreviousData, queryOptions, type QueryClient } from "@tanstack/react-query";
import { JOB_STATUS_LABELS } from "../components/StatusBadge";
import type { JobLogRow, JobRow, JobStatus } from "../lib/database.types";
import { retryUnlessNotFound, unwrap, unwrapFound, unwrapMaybe } from "../lib/errors";
import { getSupabase } from "../lib/supabase";
import { mergeLogs, newerJob } from "./live";

export const jobKeys = {
  all: ["jobs"] as const,
  lists: () => ["jobs", "list"] as const,
  list: (workspaceId: string, filter: JobsFilter, page: number) => ["jobs", "list", workspaceId, filter, page] as const,
  details: () => ["jobs", "detail"] as const,
  detail: (id: string) => ["jobs", "detail", id] as const,
  logs: (id: string) => ["jobs", "detail", id, "logs"] as const,
  subject: (id: string) => ["jobs", "detail", id, "subject"] as const,
  subjects: (workspaceId: string, ids: string[]) => ["jobs", "subjects", workspaceId, ids] as const,
};

export const MAX_LOG_LINES = 1000;

/**
 * One job. Realtime may have put a newer version in the cache while this request was in
 * flight, so the newer of the two (by updated_at) wins.
 */
export const jobDetailQuery = (id: string, queryClient: QueryClient) =>
  queryOptions({
    queryKey: jobKeys.detail(id),
    queryFn: async (): Promise<JobRow> => {
      const row = unwrapFound(
        await getSupabase().from("jobs").select("*").eq("id", id).maybeSingle(),
        "Job not found.",
        "It may have been removed after it finished, or it belongs to a workspace you are not a member of.",
      );
      return newerJob(queryClient.getQueryData<JobRow>(jobKeys.detail(id)), row);
    },
    retry: retryUnlessNotFound,
  });

/** A job's log lines; lines that arrived by Realtime during the request are kept (merge by id). */
export const jobLogsQuery = (id: string, queryClient: QueryClient) =>
  queryOptions({
    queryKey: jobKeys.logs(id),
    queryFn: async (): Promise<JobLogRow[]> => {
      const rows = unwrap(
        await getSupabase().from("job_logs").select("*").eq("job_id", id).order("id", { ascending: true }).limit(MAX_LOG_LINES),
      );
      return mergeLogs(queryClient.getQueryData<JobLogRow[]>(jobKeys.logs(id)), rows ?? []);
    },
  });

export interface JobSubject {
  kind: "account" | "contact";
  id: string;
  name: string;
  accountId: string | null;
}

/** What the job works on (an account, or a contact and its account), for links. */
export const jobSubjectQuery = (job: Pick<JobRow, "id" | "job_type" | "subject_id">) =>
  queryOptions({
    queryKey: jobKeys.subject(job.id),
    enabled: Boolean(job.subject_id),
    queryFn: async (): Promise<JobSubject | null> => {
      const supabase = getSupabase();
      const subjectId = job.subject_id!;
      if (job.job_type === "enrich_contact") {
        const contact = unwrapMaybe(
          await supabase.from("contacts").select("id, first_name, last_name, email, account_id").eq("id", subjectId).maybeSingle(),
        );
        if (!contact) return null;
        const name = [contact.first_name, contact.last_name].filter(Boolean).join(" ") || contact.email || "Contact";
        return { kind: "contact", id: contact.id, name, accountId: contact.account_id };
      }
      const account = unwrapMaybe(await supabase.from("accounts").select("id, name").eq("id", subjectId).maybeSingle());
      return account ? { kind: "account", id: account.id, name: account.name, accountId: account.id } : null;
    },
    staleTime: 60_000,
  });

// ---- the jobs list ----

export const JOBS_PAGE_SIZE = 20;

export type JobsFilter = "all" | "active" | JobStatus;

/** All jobs, the active ones (pending or processing), or one status, named as its badge names it. */
export const JOBS_FILTERS: Array<{ value: JobsFilter; label: string }> = [
  { value: "all", label: "All" },
  { value: "active", label: "Active" },
  ...Object.entries(JOB_STATUS_LABELS).map(([status, label]) => ({ value: status as JobStatus, label })),
];

export function parseJobsFilter(value: string | null): JobsFilter {
  return JOBS_FILTERS.some((f) => f.value === value) ? (value as JobsFilter) : "all";
}

export const jobsListQuery = (workspaceId: string, filter: JobsFilter, page: number) =>
  queryOptions({
    queryKey: jobKeys.list(workspaceId, filter, page),
    queryFn: async (): Promise<{ rows: JobRow[]; total: number }> => {
      const from = (page - 1) * JOBS_PAGE_SIZE;
      let query = getSupabase().from("jobs").select("*", { count: "exact" }).eq("workspace_id", workspaceId);
      if (filter === "active") query = query.in("status", ["pending", "processing"]);
      else if (filter !== "all") query = query.eq("status", filter);
      const result = await query
        .order("created_at", { ascending: false })
        .order("id", { ascending: false })
        .range(from, from + JOBS_PAGE_SIZE - 1);
      if (result.error && (result.error as { code?: string }).code === "PGRST103") return { rows: [], total: result.count ?? 0 };
      const rows = unwrap(result) ?? [];
      return { rows, total: result.count ?? rows.length };
    },
    placeholderData: keepPreviousData,
  });

/** Names of the accounts and contacts a page of jobs works on (two small queries, no embedding). */
export const jobSubjectsQuery = (workspaceId: string, jobs: JobRow[]) => {
  const accountIds = [...new Set(jobs.filter((j) => j.job_type === "enrich_account" && j.subject_id).map((j) => j.subject_id!))].sort();
  const contactIds = [...new Set(jobs.filter((j) => j.job_type === "enrich_contact" && j.subject_id).map((j) => j.subject_id!))].sort();
  return queryOptions({
    queryKey: jobKeys.subjects(workspaceId, [...accountIds, ...contactIds]),
    enabled: accountIds.length + contactIds.length > 0,
    queryFn: async (): Promise<Record<string, { name: string; href: string }>> => {
      const supabase = getSupabase();
      const out: Record<string, { name: string; href: string }> = {};
      if (accountIds.length) {
        const accounts = unwrap(await supabase.from("accounts").select("id, name").in("id", accountIds));
        for (const a of accounts ?? []) out[a.id] = { name: a.name, href: `/accounts/${a.id}` };
      }
      if (contactIds.length) {
        const contacts = unwrap(
          await supabase.from("contacts").select("id, first_name, last_name, email, account_id").in("id", contactIds),
        );
        for (const c of contacts ?? []) {
          const name = [c.first_name, c.last_name].filter(Boolean).join(" ") || c.email || "Contact";
          out[c.id] = { name, href: c.account_id ? `/accounts/${c.account_id}` : `/jobs` };
        }
      }
      return out;
    },
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
};
