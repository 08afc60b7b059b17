// Accounts: queryOptions factories and their hierarchical keys. Lists are invalidated by the
// ['accounts', 'list'] prefix, one account and what hangs off it by ['accounts', 'detail', id].
import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import type { AccountWithEnrichmentRow, ContactRow, JobRow } from "../lib/database.types";
import { unwrap } from "../lib/errors";
import { recordQuery } from "../lib/record-query";
import { rowsQuery } from "../lib/rows-query";
import { getSupabase } from "../lib/supabase";
import { ACCOUNTS_PAGE_SIZE, pageRange, searchFilter, type AccountsListParams } from "./list-params";

export const accountKeys = {
  all: ["accounts"] as const,
  lists: () => ["accounts", "list"] as const,
  list: (workspaceId: string, params: AccountsListParams) => ["accounts", "list", workspaceId, params] as const,
  details: () => ["accounts", "detail"] as const,
  detail: (id: string) => ["accounts", "detail", id] as const,
  contacts: (id: string) => ["accounts", "detail", id, "contacts"] as const,
  jobs: (id: string) => ["accounts", "detail", id, "jobs"] as const,
};

export interface AccountsPage {
  rows: AccountWithEnrichmentRow[];
  total: number;
}

export const accountsListQuery = (workspaceId: string, params: AccountsListParams) =>
  queryOptions({
    queryKey: accountKeys.list(workspaceId, params),
    queryFn: async (): Promise<AccountsPage> => {
      const [from, to] = pageRange(params.page, ACCOUNTS_PAGE_SIZE);
      let query = getSupabase()
        .from("accounts_with_enrichment")
        .select("*", { count: "exact" })
        .eq("workspace_id", workspaceId);
      const filter = searchFilter(params.search);
      if (filter) query = query.or(filter);
      const result = await query.order("name", { ascending: true }).order("id", { ascending: true }).range(from, to);
      // Asking for a page past the end answers 416 (PGRST103): treat it as an empty page.
      if (result.error && (result.error as { code?: string }).code === "PGRST103") {
        return { rows: [], total: result.count ?? 0 };
      }
      const rows = unwrap(result);
      return { rows: rows ?? [], total: result.count ?? rows?.length ?? 0 };
    },
    placeholderData: keepPreviousData,
  });

export const accountDetailQuery = (id: string) =>
  recordQuery<AccountWithEnrichmentRow>(
    accountKeys.detail(id),
    () => getSupabase().from("accounts_with_enrichment").select("*").eq("id", id).maybeSingle(),
    { message: "Account not found.", hint: "It may have been deleted, or it belongs to a workspace you are not a member of." },
  );

export const accountContactsQuery = (accountId: string) =>
  rowsQuery<ContactRow>(accountKeys.contacts(accountId), () =>
    getSupabase().from("contacts").select("*").eq("account_id", accountId)
      .order("last_name", { ascending: true }).order("first_name", { ascending: true }).limit(200),
  );

export const ACCOUNT_JOB_HISTORY_LIMIT = 20;

export const accountJobsQuery = (accountId: string) =>
  rowsQuery<JobRow>(accountKeys.jobs(accountId), () =>
    getSupabase().from("jobs").select("*").eq("subject_id", accountId).eq("job_type", "enrich_account")
      .order("created_at", { ascending: false }).limit(ACCOUNT_JOB_HISTORY_LIMIT),
  );
