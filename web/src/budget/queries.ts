// The workspace's Apollo credits against its monthly budget, and its jobs and credits per day
// (public.workspace_credit_budget, workspace_daily_usage, workspace_top_errors: security invoker,
// so RLS decides what a member sees).
import { queryOptions } from "@tanstack/react-query";
import { unwrapMaybe } from "../lib/errors";
import { getSupabase } from "../lib/supabase";

export const usageKeys = {
  all: ["usage"] as const,
  budget: (workspaceId: string) => ["usage", "budget", workspaceId] as const,
  daily: (workspaceId: string, days: number) => ["usage", "daily", workspaceId, days] as const,
  errors: (workspaceId: string) => ["usage", "errors", workspaceId] as const,
};

export interface CreditBudget {
  monthStart: string;
  used: number;
  budget: number | null;
}

export interface DailyUsage {
  day: string;
  completed: number;
  failed: number;
  cancelled: number;
  credits: number;
}

export const creditBudgetQuery = (workspaceId: string) =>
  queryOptions({
    queryKey: usageKeys.budget(workspaceId),
    queryFn: async (): Promise<CreditBudget | null> => {
      const rows = unwrapMaybe(await getSupabase().rpc("workspace_credit_budget", { workspace_id: workspaceId }));
      const row = rows?.[0];
      return row ? { monthStart: row.month_start ?? "", used: row.credits_used ?? 0, budget: row.budget } : null;
    },
    refetchInterval: 30_000,
  });

export const dailyUsageQuery = (workspaceId: string, days = 30) =>
  queryOptions({
    queryKey: usageKeys.daily(workspaceId, days),
    queryFn: async (): Promise<DailyUsage[]> =>
      (unwrapMaybe(await getSupabase().rpc("workspace_daily_usage", { workspace_id: workspaceId, days })) ?? []).map((r) => ({
        day: r.day ?? "",
        completed: r.completed ?? 0,
        failed: r.failed ?? 0,
        cancelled: r.cancelled ?? 0,
        credits: r.credits ?? 0,
      })),
    refetchInterval: 60_000,
  });

export const topErrorsQuery = (workspaceId: string) =>
  queryOptions({
    queryKey: usageKeys.errors(workspaceId),
    queryFn: async () =>
      (unwrapMaybe(await getSupabase().rpc("workspace_top_errors", { workspace_id: workspaceId })) ?? []).map((r) => ({
        message: r.error_message ?? "(no message)",
        jobs: r.jobs ?? 0,
        lastFailedAt: r.last_failed_at,
      })),
    refetchInterval: 60_000,
  });

/** How close the month is to its budget: none set, under 80 %, at least 80 %, or reached. */
export type BudgetLevel = "none" | "ok" | "warning" | "reached";

/** The alert threshold: owners are warned when 80 % of the month's budget is used. */
export const BUDGET_WARNING_SHARE = 0.8;

export function budgetLevel(used: number, budget: number | null): BudgetLevel {
  if (budget === null) return "none";
  if (used >= budget) return "reached";
  return used >= budget * BUDGET_WARNING_SHARE ? "warning" : "ok";
}
