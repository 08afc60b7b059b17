// The monthly credit budget and fresh data (re-enrich accounts older than N days): owners and admins
// change them (workspace_settings, RLS); everyone sees this month's credits against the budget.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { CreditBudgetMeter } from "../budget/CreditBudgetMeter";
import { usageKeys } from "../budget/queries";
import { Alert, ErrorAlert } from "../components/Alert";
import type { WorkspaceSettingsRow, WorkspaceSettingsUpdate } from "../lib/database.types";
import { settingsKeys, updateWorkspaceSettings, workspaceSettingsQuery } from "./api";

export const DEFAULT_STALE_AFTER_DAYS = 90;

/** "" -> null (no budget); a whole number >= 0; otherwise the problem in words. */
export function parseBudget(raw: string): { value: number | null } | { error: string } {
  const text = raw.trim().replace(/[,_\s]/g, "");
  if (text === "") return { value: null };
  if (!/^\d+$/.test(text) || Number(text) > 2_147_483_647) return { error: "Enter a whole number of credits, e.g. 500, or leave it empty for no budget." };
  return { value: Number(text) };
}

export function BudgetSettings({ workspaceId, canEdit }: { workspaceId: string; canEdit: boolean }) {
  const settings = useQuery(workspaceSettingsQuery(workspaceId));
  return (
    <section className="card" aria-labelledby="budget-title">
      <div className="card-header">
        <h2 id="budget-title">Credit budget and fresh data</h2>
      </div>
      <CreditBudgetMeter workspaceId={workspaceId} />
      {settings.error ? <ErrorAlert error={settings.error} title="The settings could not be loaded" /> : null}
      {settings.data ? <BudgetForm key={workspaceId} workspaceId={workspaceId} settings={settings.data} canEdit={canEdit} /> : null}
    </section>
  );
}

function BudgetForm({ workspaceId, settings, canEdit }: { workspaceId: string; settings: WorkspaceSettingsRow; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const budgetId = useId();
  const staleId = useId();
  const [budget, setBudget] = useState(settings.monthly_credit_budget === null ? "" : String(settings.monthly_credit_budget));
  const [budgetError, setBudgetError] = useState<string>();
  const [notice, setNotice] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (patch: WorkspaceSettingsUpdate) => updateWorkspaceSettings(workspaceId, patch),
    onSuccess: (row) => {
      queryClient.setQueryData(settingsKeys.row(workspaceId), row);
      void queryClient.invalidateQueries({ queryKey: usageKeys.budget(workspaceId) });
    },
  });

  function saveBudget(event: FormEvent) {
    event.preventDefault();
    const parsed = parseBudget(budget);
    if ("error" in parsed) return setBudgetError(parsed.error);
    setBudgetError(undefined);
    save.mutate(
      { monthly_credit_budget: parsed.value },
      { onSuccess: () => setNotice(parsed.value === null ? "No monthly budget: enrichment is not capped." : `Monthly budget saved: ${parsed.value} credits.`) },
    );
  }

  const staleOn = settings.stale_after_days !== null;
  return (
    <>
      <form className="inline-form" onSubmit={saveBudget} noValidate aria-label="Monthly credit budget">
        <div className="field">
          <label htmlFor={budgetId} className="field-label">
            Monthly credit budget
          </label>
          <div className="field-control">
            <input
              id={budgetId}
              className="input input-short"
              inputMode="numeric"
              value={budget}
              disabled={!canEdit}
              placeholder="No budget"
              aria-invalid={budgetError ? true : undefined}
              aria-describedby={`${budgetId}-help${budgetError ? ` ${budgetId}-error` : ""}`}
              onChange={(e) => setBudget(e.target.value)}
            />
            <button type="submit" className="btn btn-secondary" disabled={!canEdit || save.isPending}>
              Save budget
            </button>
          </div>
          <p id={`${budgetId}-help`} className="field-help">
            Apollo credits per calendar month (UTC). When it is reached, jobs wait instead of spending; empty means no budget.
          </p>
          {budgetError ? (
            <p id={`${budgetId}-error`} className="field-error">
              {budgetError}
            </p>
          ) : null}
        </div>
      </form>
      <div className="switch-row">
        <input
          id={staleId}
          type="checkbox"
          role="switch"
          className="switch"
          checked={staleOn}
          disabled={!canEdit || save.isPending}
          onChange={(e) =>
            save.mutate(
              { stale_after_days: e.target.checked ? DEFAULT_STALE_AFTER_DAYS : null },
              { onSuccess: (row) => setNotice(row.stale_after_days ? `Accounts older than ${row.stale_after_days} days are re-enriched daily.` : "Fresh data is off.") },
            )
          }
          aria-describedby={`${staleId}-help`}
        />
        <div>
          <label htmlFor={staleId} className="field-label">
            Keep data fresh: re-enrich accounts older than {settings.stale_after_days ?? DEFAULT_STALE_AFTER_DAYS} days
          </label>
          <p id={`${staleId}-help`} className="field-help">
            Every night a small batch of the oldest enriched accounts is queued again, within the credit budget. Older accounts
            are marked "stale".
          </p>
        </div>
      </div>
      {notice ? <Alert tone="success" title={notice} /> : null}
      {save.error ? <ErrorAlert error={save.error} title="The setting was not changed" /> : null}
    </>
  );
}
