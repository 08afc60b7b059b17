// The workspace's last 30 days: credits against this month's budget, credits per day, jobs per day
// by outcome, and the errors that failed jobs most often.
import { useQuery } from "@tanstack/react-query";
import { CreditBudgetMeter } from "../budget/CreditBudgetMeter";
import { DailyBars, type Series } from "../budget/DailyBars";
import { dailyUsageQuery, topErrorsQuery } from "../budget/queries";
import { ErrorAlert } from "../components/Alert";
import { RelativeTime } from "../components/RelativeTime";
import { Loading } from "../components/States";

const DAYS = 30;
const CREDITS: Series[] = [{ key: "credits", label: "Credits", className: "bar-credits" }];
const OUTCOMES: Series[] = [
  { key: "completed", label: "Completed", className: "bar-completed" },
  { key: "failed", label: "Failed", className: "bar-failed" },
  { key: "cancelled", label: "Cancelled", className: "bar-cancelled" },
];

export function UsageDashboard({ workspaceId }: { workspaceId: string }) {
  const daily = useQuery(dailyUsageQuery(workspaceId, DAYS));
  const errors = useQuery(topErrorsQuery(workspaceId));
  return (
    <>
      <section className="card" aria-labelledby="credits-title">
        <div className="card-header">
          <h2 id="credits-title">Apollo credits</h2>
        </div>
        <CreditBudgetMeter workspaceId={workspaceId} settingsLink />
        {daily.isPending ? <Loading label="Loading the last 30 days…" /> : null}
        {daily.isError ? <ErrorAlert error={daily.error} title="The daily numbers could not be loaded" /> : null}
        {daily.data ? <DailyBars days={daily.data} series={CREDITS} title={`Credits per day, last ${DAYS} days`} /> : null}
      </section>
      <section className="card" aria-labelledby="jobs-per-day-title">
        <div className="card-header">
          <h2 id="jobs-per-day-title">Jobs per day</h2>
        </div>
        {daily.data ? <DailyBars days={daily.data} series={OUTCOMES} title={`Finished jobs per day by outcome, last ${DAYS} days`} /> : null}
        <h3 className="small">Most frequent errors, last {DAYS} days</h3>
        {errors.isError ? <ErrorAlert error={errors.error} title="The errors could not be loaded" /> : null}
        {errors.data && errors.data.length === 0 ? <p className="muted">No job failed.</p> : null}
        {errors.data && errors.data.length > 0 ? (
          <ol className="top-errors" data-testid="top-errors">
            {errors.data.map((e) => (
              <li key={e.message}>
                {e.message} <span className="muted small">({e.jobs} {e.jobs === 1 ? "job" : "jobs"}, last{" "}
                {e.lastFailedAt ? <RelativeTime iso={e.lastFailedAt} /> : "—"})</span>
              </li>
            ))}
          </ol>
        ) : null}
      </section>
    </>
  );
}
