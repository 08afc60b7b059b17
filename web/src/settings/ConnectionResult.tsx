import { Alert } from "../components/Alert";
import type { ConnectionCheck, RateLimitInfo } from "../lib/database.types";
import { formatNumber } from "../lib/format";

type UsageWindow = { limit?: number; consumed?: number; left_over?: number };

/** Apollo's usage stats ({"[\"api/v1/people\", \"match\"]": {day, hour, minute}}) as table rows. */
export function usageRows(usage: unknown): Array<{ endpoint: string; day?: UsageWindow; hour?: UsageWindow; minute?: UsageWindow }> {
  if (!usage || typeof usage !== "object" || Array.isArray(usage)) return [];
  const rows = [];
  for (const [key, value] of Object.entries(usage as Record<string, unknown>)) {
    if (!value || typeof value !== "object") continue;
    let endpoint = key;
    try {
      const parsed = JSON.parse(key);
      if (Array.isArray(parsed)) endpoint = parsed.join(" ").replace(/^api\/v1\//, "");
    } catch {
      /* keep the key as it is */
    }
    const v = value as Record<string, UsageWindow | undefined>;
    rows.push({ endpoint, day: v.day, hour: v.hour, minute: v.minute });
  }
  return rows.sort((a, b) => a.endpoint.localeCompare(b.endpoint));
}

export function rateLimitSummary(rate: RateLimitInfo | undefined): string[] {
  if (!rate) return [];
  const out: string[] = [];
  const line = (label: string, left?: number, limit?: number) => {
    if (left !== undefined && limit !== undefined) out.push(`${formatNumber(left)} of ${formatNumber(limit)} requests left this ${label}`);
    else if (limit !== undefined) out.push(`${formatNumber(limit)} requests per ${label}`);
  };
  line("minute", rate.minuteLeft, rate.minuteLimit);
  line("hour", rate.hourlyLeft, rate.hourlyLimit);
  line("day", rate.dailyLeft, rate.dailyLimit);
  return out;
}

const windowText = (w?: UsageWindow) =>
  w && (w.consumed !== undefined || w.limit !== undefined)
    ? `${formatNumber(w.consumed ?? 0)} / ${w.limit !== undefined ? formatNumber(w.limit) : "?"}`
    : "—";

export function ConnectionResult({ result }: { result: ConnectionCheck }) {
  const usage = usageRows(result.usage);
  const limits = rateLimitSummary(result.rateLimit);
  return (
    <div data-testid="connection-result">
      <Alert
        tone={result.ok ? "success" : "error"}
        title={result.ok ? (result.mock ? "Connected (mock response)" : "Connected to Apollo") : "Apollo did not accept the key"}
      >
        <p>{result.message}</p>
        {result.user && (result.user.name || result.user.email) ? (
          <p>
            Apollo user: {result.user.name ?? ""}
            {result.user.name && result.user.email ? " " : ""}
            {result.user.email ? `(${result.user.email})` : ""}
          </p>
        ) : null}
        {limits.length > 0 ? (
          <ul className="plain-list">
            {limits.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        ) : null}
      </Alert>
      {usage.length > 0 ? (
        <div className="table-wrap">
          <table className="table table-compact" aria-label="Apollo API usage">
            <thead>
              <tr>
                <th scope="col">Endpoint</th>
                <th scope="col">Today (used / limit)</th>
                <th scope="col" className="hide-sm">This hour</th>
                <th scope="col" className="hide-sm">This minute</th>
              </tr>
            </thead>
            <tbody>
              {usage.map((row) => (
                <tr key={row.endpoint}>
                  <td className="mono small">{row.endpoint}</td>
                  <td>{windowText(row.day)}</td>
                  <td className="hide-sm">{windowText(row.hour)}</td>
                  <td className="hide-sm">{windowText(row.minute)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
