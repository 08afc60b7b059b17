// The workspace's own numbers (public.workspace_activity: a security_invoker view, so RLS decides,
// and it has rows only for the workspaces the user owns or administers).
import { queryOptions } from "@tanstack/react-query";
import type { WorkspaceActivityRow, WorkspaceRole } from "../lib/database.types";
import { unwrapMaybe } from "../lib/errors";
import { getSupabase } from "../lib/supabase";

export const activityKeys = {
  all: ["activity"] as const,
  workspace: (workspaceId: string) => ["activity", workspaceId] as const,
};

export const WORKSPACE_ACTIVITY_COLUMNS =
  "workspace_id, workspace_name, pending, due, processing, oldest_due_age_seconds, completed_24h, failed_24h, failure_rate_24h, credits_today, credits_7d, credits_total, last_job_at" as const;

/** Only owners and admins see a workspace's activity numbers. */
export function canSeeActivity(role: WorkspaceRole): boolean {
  return role === "owner" || role === "admin";
}

export const workspaceActivityQuery = (workspaceId: string) =>
  queryOptions({
    queryKey: activityKeys.workspace(workspaceId),
    queryFn: async (): Promise<WorkspaceActivityRow | null> => {
      const row = unwrapMaybe(
        await getSupabase().from("workspace_activity").select(WORKSPACE_ACTIVITY_COLUMNS).eq("workspace_id", workspaceId).maybeSingle(),
      );
      // numeric columns may arrive as strings
      return row ? { ...row, failure_rate_24h: row.failure_rate_24h === null ? null : Number(row.failure_rate_24h) } : null;
    },
    refetchInterval: 30_000,
  });

/** "12.5 %", or an em dash when nothing finished. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return "—";
  return `${(Math.round(rate * 1000) / 10).toLocaleString("en")} %`;
}

/** How long the oldest due job has waited: "—", "45 s", "3 min", "2 h 5 min". */
export function formatWait(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
}
