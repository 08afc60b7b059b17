// Follows one job live: its row (UPDATE/INSERT/DELETE on jobs, id=eq.<id>) and its log lines
// (INSERT on job_logs, job_id=eq.<id>), written straight into the query cache. Every time the
// channel is (re)subscribed the job and its logs are refetched, so nothing is missed.
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef } from "react";
import type { JobLogRow, JobRow } from "../lib/database.types";
import { usePostgresChanges, type ChangePayload } from "../lib/realtime";
import { accountKeys } from "../accounts/queries";
import { applyJobChange, mergeLogs } from "./live";
import { jobKeys } from "./queries";

export function useJobLive(jobId: string, enabled = true, onJobEvent?: (job: JobRow) => void) {
  const queryClient = useQueryClient();
  const onJobEventRef = useRef(onJobEvent);
  onJobEventRef.current = onJobEvent;

  const onChange = useCallback(
    (payload: ChangePayload) => {
      if (payload.table === "job_logs") {
        if (payload.eventType !== "INSERT") return;
        const line = payload.new as unknown as JobLogRow;
        if (line.job_id !== jobId) return;
        queryClient.setQueryData<JobLogRow[]>(jobKeys.logs(jobId), (old) => mergeLogs(old, [line]));
        return;
      }
      if (payload.table === "jobs") {
        if (payload.eventType === "DELETE") {
          void queryClient.invalidateQueries({ queryKey: jobKeys.detail(jobId), exact: true });
          return;
        }
        const before = queryClient.getQueryData<JobRow>(jobKeys.detail(jobId));
        const after = applyJobChange(before, payload as never);
        if (after && after !== before) {
          onJobEventRef.current?.(after);
          queryClient.setQueryData(jobKeys.detail(jobId), after);
          if (before?.status !== after.status) {
            // Lists and the record's page show this job's status too.
            void queryClient.invalidateQueries({ queryKey: jobKeys.lists() });
            if (after.subject_id) void queryClient.invalidateQueries({ queryKey: accountKeys.all });
          }
        }
      }
    },
    [jobId, queryClient],
  );
  const onSubscribed = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: jobKeys.detail(jobId) });
  }, [jobId, queryClient]);

  return usePostgresChanges({
    name: `job-${jobId}`,
    enabled,
    subscriptions: [
      { table: "jobs", event: "*", filter: `id=eq.${jobId}` },
      { table: "job_logs", event: "INSERT", filter: `job_id=eq.${jobId}` },
    ],
    onChange,
    onSubscribed,
  });
}
