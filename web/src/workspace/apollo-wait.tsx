// A workspace whose Apollo budget is spent waits: no job of it starts before jobs_paused_until,
// and jobs_paused_reason says which window ("Waiting for Apollo's hourly limit (...), resumes at
// 14:00:00 UTC"). Pending jobs show that instead of "Waiting for a worker".
import { useQuery } from "@tanstack/react-query";
import { Alert } from "../components/Alert";
import { useNow } from "../components/RelativeTime";
import { formatDateTime } from "../lib/format";
import { workspaceSettingsQuery } from "../settings/api";

export interface ApolloWait {
  until: string;
  reason: string;
}

/** The workspace's current wait for Apollo, or null; looked at again every 15 s while it lasts. */
export function useApolloWait(workspaceId: string): ApolloWait | null {
  const now = useNow(5_000);
  const settings = useQuery({
    ...workspaceSettingsQuery(workspaceId),
    refetchInterval: (query) => (waitOf(query.state.data ?? null, Date.now()) ? 15_000 : 60_000),
  });
  return waitOf(settings.data ?? null, now);
}

export function waitOf(
  row: { jobs_paused_until: string | null; jobs_paused_reason: string | null } | null,
  now: number,
): ApolloWait | null {
  if (!row?.jobs_paused_until || Date.parse(row.jobs_paused_until) <= now) return null;
  return { until: row.jobs_paused_until, reason: row.jobs_paused_reason ?? "Waiting for Apollo's rate limit" };
}

export function ApolloWaitNotice({ wait }: { wait: ApolloWait }) {
  return (
    <Alert tone="info" title="Jobs are waiting for Apollo">
      <p data-testid="apollo-wait">
        {wait.reason}. New jobs start again at <time dateTime={wait.until}>{formatDateTime(wait.until)}</time>; nothing is
        lost and no attempt is used.
      </p>
    </Alert>
  );
}
