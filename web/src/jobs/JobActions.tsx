import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Ban, RotateCcw } from "lucide-react";
import { useState } from "react";
import { ErrorAlert } from "../components/Alert";
import { ConfirmDialog } from "../components/ConfirmDialog";
import type { JobRow } from "../lib/database.types";
import { unwrap } from "../lib/errors";
import { getSupabase } from "../lib/supabase";
import { accountKeys } from "../accounts/queries";
import { canCancel, canRetry, newerJob } from "./live";
import { jobKeys } from "./queries";

/** Cancel (with confirmation) and Retry, each shown only when the job's status allows it. */
export function JobActions({ job }: { job: JobRow }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);

  const onJob = (updated: JobRow) => {
    queryClient.setQueryData<JobRow>(jobKeys.detail(job.id), (old) => newerJob(old, updated));
    void queryClient.invalidateQueries({ queryKey: jobKeys.detail(job.id) });
    void queryClient.invalidateQueries({ queryKey: jobKeys.lists() });
    void queryClient.invalidateQueries({ queryKey: accountKeys.all });
  };

  const cancel = useMutation({
    mutationFn: async () => unwrap(await getSupabase().rpc("cancel_job", { job_id: job.id })),
    onSuccess: (updated) => {
      setConfirming(false);
      onJob(updated);
    },
    onError: () => setConfirming(false),
  });
  const retry = useMutation({
    mutationFn: async () => unwrap(await getSupabase().rpc("retry_job", { job_id: job.id })),
    onSuccess: onJob,
  });

  const showCancel = canCancel(job.status);
  const showRetry = canRetry(job.status);
  if (!showCancel && !showRetry && !cancel.error && !retry.error) return null;

  return (
    <div className="job-actions">
      <div className="button-row">
        {showCancel ? (
          <button type="button" className="btn btn-secondary" onClick={() => setConfirming(true)} disabled={cancel.isPending}>
            <Ban aria-hidden="true" size={16} />
            {cancel.isPending ? "Cancelling…" : "Cancel job"}
          </button>
        ) : null}
        {showRetry ? (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              cancel.reset();
              retry.mutate();
            }}
            disabled={retry.isPending}
          >
            <RotateCcw aria-hidden="true" size={16} />
            {retry.isPending ? "Retrying…" : "Retry"}
          </button>
        ) : null}
      </div>
      {cancel.error ? <ErrorAlert error={cancel.error} title="The job could not be cancelled" /> : null}
      {retry.error ? <ErrorAlert error={retry.error} title="The job could not be retried" /> : null}
      <ConfirmDialog
        open={confirming}
        title="Cancel this job?"
        confirmLabel="Cancel job"
        cancelLabel="Keep running"
        destructive
        busy={cancel.isPending}
        onConfirm={() => {
          retry.reset();
          cancel.mutate();
        }}
        onCancel={() => setConfirming(false)}
      >
        <p>
          {job.status === "processing"
            ? "The worker stops at its next step. Whatever it already wrote stays."
            : "It will not run. You can retry it later."}
        </p>
      </ConfirmDialog>
    </div>
  );
}
