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

/** The usage table's columns after the endpoint: today's window, then the hour's and the minute's on wide screens only. */
const USAGE_WINDOWS = [
  { key: "day", heading: "Today (used / limit)", className: undefined },
  { key: "hour", heading: "This hour", className: "hide-sm" },
  { key: "minute", heading: "This minute", className: "hide-sm" },
] as const;

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
                {USAGE_WINDOWS.map((w) => <th key={w.key} scope="col" className={w.className}>{w.heading}</th>)}
              </tr>
            </thead>
            <tbody>
              {usage.map(({ endpoint, ...windows }) => (
                <tr key={endpoint}>
                  <td className="mono small">{endpoint}</td>
                  {USAGE_WINDOWS.map((w) => <td key={w.key} className={w.className}>{windowText(windows[w.key])}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
