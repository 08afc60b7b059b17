// Follows one job live: its row, broadcast by the database as a lean row to its workspace's jobs
// topic (workspace:<id>:jobs, one message per statement), and its log lines, broadcast to the job's
// own topic (job:<id>), written into the query cache a batch at a time. A new status refetches the
// whole row (the lean one has no result, errors or timestamps) and the log lines. The job and its logs are refetched
// on every (re)subscribe, after any Realtime trouble, and while the job runs but Realtime has gone
// quiet (Supabase skips changes over the project's limit without a word).
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useRef } from "react";
import type { JobLogRow, JobRow } from "../lib/database.types";
import { broadcastTransport } from "../lib/broadcast";
import type { ChangePayload } from "../lib/realtime";
import { jobTopic, workspaceJobsTopic } from "../lib/topics";
import { useLiveSubscription } from "../lib/live/useLiveSubscription";
import { accountKeys } from "../accounts/queries";
import { applyJobChange, expectsUpdates, mergeLogs, refetchFoundMore } from "./live";
import { jobKeys } from "./queries";

/** workspaceId: the job's (known once the job is loaded; nothing is followed before). */
export function useJobLive(jobId: string, workspaceId: string | undefined, enabled = true, onJobEvent?: (job: JobRow) => void) {
  const queryClient = useQueryClient();
  const onJobEventRef = useRef(onJobEvent);
  onJobEventRef.current = onJobEvent;

  const transport = useMemo(
    () => broadcastTransport(workspaceId ? [jobTopic(jobId), workspaceJobsTopic(workspaceId)] : []),
    [jobId, workspaceId],
  );

  const onBatch = useCallback(
    (events: ChangePayload[]) => {
      const before = queryClient.getQueryData<JobRow>(jobKeys.detail(jobId));
      let job = before;
      const lines: JobLogRow[] = [];
      let deleted = false;
      for (const payload of events) {
        if (payload.table === "job_logs") {
          const line = payload.new as unknown as JobLogRow;
          if (payload.eventType === "INSERT" && line.job_id === jobId) lines.push(line);
        } else if (payload.table === "jobs") {
          if ((payload.new as Partial<JobRow>)?.id !== jobId && (payload.old as Partial<JobRow>)?.id !== jobId) continue; // another job of the workspace
          if (payload.eventType === "DELETE") {
            deleted = true;
            continue;
          }
          // a lean row completes the cached job; with none cached yet, the refetch brings it
          if (!job) continue;
          const next = applyJobChange(job, payload as never);
          if (next && next !== job) {
            // Every version, in order: the progress bar plays each step back.
            onJobEventRef.current?.(next);
            job = next;
          }
        }
      }
      if (lines.length > 0) queryClient.setQueryData<JobLogRow[]>(jobKeys.logs(jobId), (old) => mergeLogs(old, lines));
      if (job && job !== before) {
        queryClient.setQueryData(jobKeys.detail(jobId), job);
        if (before?.status !== job.status || before?.attempts !== job.attempts) {
          // The rest of the row (result, error, timestamps) moved with it: read it again, and the log
          // lines with it (Realtime may have skipped some, and a finished job is no longer watched).
          void queryClient.invalidateQueries({ queryKey: jobKeys.detail(jobId) });
          // Lists and the record's page show this job's status too.
          void queryClient.invalidateQueries({ queryKey: jobKeys.lists() });
          if (job.subject_id) void queryClient.invalidateQueries({ queryKey: accountKeys.all });
        }
      }
      if (deleted) void queryClient.invalidateQueries({ queryKey: jobKeys.detail(jobId), exact: true });
    },
    [jobId, queryClient],
  );

  const refetch = useCallback(async () => {
    const snapshot = () => ({
      job: queryClient.getQueryData<JobRow>(jobKeys.detail(jobId)),
      logs: queryClient.getQueryData<JobLogRow[]>(jobKeys.logs(jobId)),
    });
    const before = snapshot();
    await queryClient.invalidateQueries({ queryKey: jobKeys.detail(jobId) });
    const after = snapshot();
    if (before.job && after.job && before.job.status !== after.job.status) {
      void queryClient.invalidateQueries({ queryKey: jobKeys.lists() });
    }
    return refetchFoundMore(before, after);
  }, [jobId, queryClient]);

  const expectChanges = useCallback(() => {
    const job = queryClient.getQueryData<JobRow>(jobKeys.detail(jobId));
    return job ? expectsUpdates(job, Date.now()) : false;
  }, [jobId, queryClient]);

  return useLiveSubscription({
    key: `${jobId}:${workspaceId}`,
    transport,
    enabled: enabled && Boolean(workspaceId),
    onBatch,
    refetch,
    expectChanges,
  });
}
