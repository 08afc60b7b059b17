// This month's credits against the budget, with an alert from 80 % on (settings and Activity).
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { Alert, ErrorAlert } from "../components/Alert";
import { formatNumber } from "../lib/format";
import { budgetLevel, creditBudgetQuery } from "./queries";

export function CreditBudgetMeter({ workspaceId, settingsLink = false }: { workspaceId: string; settingsLink?: boolean }) {
  const budget = useQuery(creditBudgetQuery(workspaceId));
  if (budget.isError) return <ErrorAlert error={budget.error} title="This month's credits could not be loaded" />;
  if (!budget.data) return null;
  const { used, budget: limit } = budget.data;
  const level = budgetLevel(used, limit);
  const month = new Date(budget.data.monthStart).toLocaleDateString(undefined, { month: "long", year: "numeric", timeZone: "UTC" });
  const raise = settingsLink ? <Link to="/workspace/settings/api">Raise the budget</Link> : "Raise the budget below";
  return (
    <div className="budget-meter" data-testid="credit-budget" data-level={level}>
      <p>
        Credits used in {month}: <strong data-testid="credits-this-month">{formatNumber(used)}</strong>
        {limit !== null ? (
          <>
            {" "}of <strong data-testid="credit-budget-limit">{formatNumber(limit)}</strong>
          </>
        ) : (
          <span className="muted"> (no monthly budget)</span>
        )}
      </p>
      {limit !== null && limit > 0 ? (
        <meter min={0} max={limit} low={limit * 0.8} high={limit * 0.99} optimum={0} value={Math.min(used, limit)} aria-label="Credits used this month" />
      ) : null}
      {level === "warning" ? (
        <Alert tone="warning" title={`${Math.floor((used / limit!) * 100)} % of this month's credit budget is used`}>
          <p>When it is reached, enrichment jobs wait until the month turns or the budget is raised.</p>
        </Alert>
      ) : null}
      {level === "reached" ? (
        <Alert tone="warning" title={`Credit budget reached: ${formatNumber(used)} of ${formatNumber(limit!)} used this month`}>
          <p>Enrichment jobs wait until the month turns. {raise} to resume them now.</p>
        </Alert>
      ) : null}
    </div>
  );
}
