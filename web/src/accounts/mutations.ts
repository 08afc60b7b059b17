// Enqueueing enrichment (RPCs that check membership and dedupe active jobs), and creating, editing
// and deleting accounts and contacts (RLS keeps each to its workspace).
import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import type { AccountInsert, AccountRow, AccountUpdate, ContactInsert, ContactRow, JobRow } from "../lib/database.types";
import { UserFacingError, unwrap } from "../lib/errors";
import { getSupabase } from "../lib/supabase";
import { jobKeys } from "../jobs/queries";
import { accountKeys } from "./queries";

/**
 * Enqueues one record's enrichment: the job (new, or the record's already active one) goes into the
 * cache for its page, the job lists and the queries `alsoStale` names for the record refresh.
 */
function useEnqueueEnrichment(enqueue: (id: string) => Promise<JobRow>, alsoStale: (id: string) => QueryKey[] = () => []) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: enqueue,
    onSuccess: (job, id) => {
      queryClient.setQueryData(jobKeys.detail(job.id), job);
      for (const queryKey of [jobKeys.lists(), ...alsoStale(id)]) void queryClient.invalidateQueries({ queryKey });
    },
  });
}

/** enqueue_enrichment: the account's page and the accounts lists show its enrichment status. */
export const useEnrichAccount = () =>
  useEnqueueEnrichment(
    async (accountId) => unwrap(await getSupabase().rpc("enqueue_enrichment", { account_id: accountId })),
    (accountId) => [accountKeys.detail(accountId), accountKeys.lists()],
  );

export const useEnrichContact = () =>
  useEnqueueEnrichment(async (contactId) => unwrap(await getSupabase().rpc("enqueue_contact_enrichment", { contact_id: contactId })));

export interface SelectedAccount {
  id: string;
  name: string;
  domain: string | null;
}

export interface BulkEnrichOutcome {
  jobs: JobRow[];
  /** Selected accounts that got no job: they have no domain (or were deleted meanwhile). */
  skipped: SelectedAccount[];
}

/** Which of the selected accounts got a job, and which were skipped. */
export function bulkOutcome(selected: SelectedAccount[], jobs: JobRow[]): BulkEnrichOutcome {
  const queued = new Set(jobs.map((job) => job.subject_id ?? String(job.payload.account_id ?? "")));
  return { jobs, skipped: selected.filter((account) => !queued.has(account.id)) };
}

export function useEnrichAccounts() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (selected: SelectedAccount[]): Promise<BulkEnrichOutcome> => {
      const jobs = unwrap(
        await getSupabase().rpc("enqueue_account_enrichments", { account_ids: selected.map((a) => a.id) }),
      );
      return bulkOutcome(selected, jobs ?? []);
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: accountKeys.all });
      void queryClient.invalidateQueries({ queryKey: jobKeys.lists() });
    },
  });
}

export function useCreateAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (account: AccountInsert): Promise<AccountRow> =>
      unwrap(await getSupabase().from("accounts").insert(account).select("*").single()),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: accountKeys.lists() }),
  });
}

export function useUpdateAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, changes }: { id: string; changes: AccountUpdate }): Promise<AccountRow> =>
      unwrap(await getSupabase().from("accounts").update(changes).eq("id", id).select("*").single()),
    onSuccess: (_account, { id }) => {
      void queryClient.invalidateQueries({ queryKey: accountKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: accountKeys.lists() });
    },
  });
}

/** Deletes an account; the database cancels its pending or running enrichment first. */
export function useDeleteAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string): Promise<void> => {
      const deleted = unwrap(await getSupabase().from("accounts").delete().eq("id", id).select("id"));
      if (!deleted?.length) {
        throw new UserFacingError("The account could not be deleted.", "It was already deleted, or you are not a member of its workspace.", 404);
      }
    },
    onSuccess: (_none, id) => {
      queryClient.removeQueries({ queryKey: accountKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: accountKeys.lists() });
      void queryClient.invalidateQueries({ queryKey: jobKeys.lists() });
    },
  });
}

export function useAddContact(accountId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (contact: ContactInsert): Promise<ContactRow> =>
      unwrap(await getSupabase().from("contacts").insert(contact).select("*").single()),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: accountKeys.contacts(accountId) }),
  });
}

export function useDeleteContact(accountId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string): Promise<void> => {
      unwrap(await getSupabase().from("contacts").delete().eq("id", id).select("id"));
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: accountKeys.contacts(accountId) }),
  });
}
