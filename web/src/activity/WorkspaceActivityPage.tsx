import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Activity } from "lucide-react";
import { useCallback, useRef } from "react";
import { Alert, ErrorAlert } from "../components/Alert";
import { LiveIndicator } from "../components/LiveIndicator";
import { RelativeTime } from "../components/RelativeTime";
import { Loading } from "../components/States";
import type { WorkspaceActivityRow } from "../lib/database.types";
import { formatNumber } from "../lib/format";
import { useWorkspace } from "../workspace/WorkspaceProvider";
import { useWorkspaceJobsLive } from "../jobs/JobsPage";
import { activityKeys, canSeeActivity, formatRate, formatWait, workspaceActivityQuery } from "./queries";
import { UsageDashboard } from "./UsageDashboard";

/** The numbers follow the workspace's jobs: refetched when they change (at most every 2 s), and while jobs run. */
function useActivityLive(workspaceId: string, row: WorkspaceActivityRow | null | undefined) {
  const queryClient = useQueryClient();
  const busy = useRef(false);
  busy.current = Boolean(row && (row.processing > 0 || row.due > 0));
  const refresh = useCallback(
    () => queryClient.invalidateQueries({ queryKey: activityKeys.workspace(workspaceId) }),
    [queryClient, workspaceId],
  );
  const expectChanges = useCallback(() => busy.current, []);
  return useWorkspaceJobsLive(workspaceId, refresh, expectChanges, 2_000);
}

export function WorkspaceActivityPage() {
  const { current } = useWorkspace();
  return (
    <main className="page page-narrow" aria-labelledby="activity-title">
      <header className="page-header">
        <div>
          <h1 id="activity-title">Workspace activity</h1>
          <p className="muted">How the enrichment queue of {current.name} is doing, and the Apollo credits it uses.</p>
        </div>
      </header>
      <UsageDashboard workspaceId={current.id} />
      {canSeeActivity(current.role) ? (
        <WorkspaceActivityCard workspaceId={current.id} />
      ) : (
        <Alert tone="info" title="Only owners and admins see these numbers">
          <p>Ask an owner or admin of {current.name} if you need them.</p>
        </Alert>
      )}
    </main>
  );
}

export function WorkspaceActivityCard({ workspaceId }: { workspaceId: string }) {
  const activity = useQuery(workspaceActivityQuery(workspaceId));
  const live = useActivityLive(workspaceId, activity.data);
  return (
    <section className="card" aria-labelledby="activity-card-title">
      <div className="card-header">
        <h2 id="activity-card-title">
          <Activity aria-hidden="true" size={18} className="inline-icon" /> Queue now
        </h2>
        <div className="page-header-side">
          {activity.data?.last_job_at ? (
            <span className="muted small">
              last job <RelativeTime iso={activity.data.last_job_at} />
            </span>
          ) : null}
          <LiveIndicator status={live} />
        </div>
      </div>
      {activity.isPending ? <Loading label="Loading the numbers…" /> : null}
      {activity.isError ? <ErrorAlert error={activity.error} title="The activity numbers could not be loaded" /> : null}
      {activity.isSuccess && !activity.data ? (
        <p className="muted">No numbers for this workspace: only its owners and admins see them.</p>
      ) : null}
      {activity.data ? <ActivityNumbers row={activity.data} /> : null}
    </section>
  );
}

function ActivityNumbers({ row }: { row: WorkspaceActivityRow }) {
  const waiting = row.oldest_due_age_seconds !== null && row.oldest_due_age_seconds > 300;
  const items: Array<[string, string, string]> = [
    ["Queued", formatNumber(row.pending), "activity-pending"],
    ["Due now", formatNumber(row.due), "activity-due"],
    ["Running", formatNumber(row.processing), "activity-processing"],
    ["Oldest due job waiting", formatWait(row.oldest_due_age_seconds), "activity-oldest"],
    ["Completed (24 h)", formatNumber(row.completed_24h), "activity-completed"],
    ["Failed (24 h)", formatNumber(row.failed_24h), "activity-failed"],
    ["Failure rate (24 h)", formatRate(row.failure_rate_24h), "activity-failure-rate"],
    ["Credits today (UTC)", formatNumber(row.credits_today), "activity-credits-today"],
    ["Credits, last 7 days", formatNumber(row.credits_7d), "activity-credits-7d"],
    ["Credits in all", formatNumber(row.credits_total), "activity-credits-total"],
  ];
  return (
    <>
      {waiting ? (
        <Alert tone="warning" title="Jobs are waiting longer than usual">
          <p>
            A job has been due for {formatWait(row.oldest_due_age_seconds)}. Jobs normally start within a minute; if this
            persists, tell whoever runs this deployment.
          </p>
        </Alert>
      ) : null}
      <dl className="details" data-testid="workspace-activity">
        {items.map(([label, value, testId]) => (
          <div key={testId}>
            <dt>{label}</dt>
            <dd data-testid={testId}>{value}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}
