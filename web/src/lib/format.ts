// Dates, numbers and names as the UI shows them. Pure functions: `now` is a parameter so tests
// can pin it.

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

/**
 * Milliseconds since the epoch of a timestamptz as PostgREST ("2026-11-29T10:30:00.123456+00:00")
 * or Realtime ("2026-11-29 10:30:00.123456+00") write it; NaN when it is not one.
 */
export function parseTime(iso: string | null | undefined): number {
  if (!iso) return Number.NaN;
  const direct = Date.parse(iso);
  const normalized = iso
    .trim()
    .replace(" ", "T")
    .replace(/(\.\d{3})\d+/, "$1")
    .replace(/([+-]\d{2})$/, "$1:00")
    .replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const parsed = Date.parse(normalized);
  return Number.isNaN(parsed) ? direct : parsed;
}

const relativeFormat = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "in 2 minutes", "5 seconds ago", "just now". */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "";
  const time = parseTime(iso);
  if (Number.isNaN(time)) return "";
  const seconds = Math.round((time - now) / 1000);
  if (Math.abs(seconds) < 5) return "just now";
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") {
      return relativeFormat.format(Math.round(seconds / size), unit);
    }
  }
  return "";
}

const dateTimeFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium" });
const timeFormat = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

/** "Nov 29, 2026, 10:30:00 AM" in the browser's time zone. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const time = parseTime(iso);
  return Number.isNaN(time) ? "" : dateTimeFormat.format(time);
}

/** "10:30:05.123" for log lines. */
export function formatLogTime(iso: string): string {
  const time = parseTime(iso);
  if (Number.isNaN(time)) return "";
  const ms = String(new Date(time).getMilliseconds()).padStart(3, "0");
  return `${timeFormat.format(time)}.${ms}`;
}

export function formatNumber(value: number | null | undefined): string {
  return value === null || value === undefined ? "" : new Intl.NumberFormat("en").format(value);
}

export function formatMoney(value: number | null | undefined): string {
  if (value === null || value === undefined) return "";
  return new Intl.NumberFormat("en", { style: "currency", currency: "USD", notation: "compact", maximumFractionDigits: 1 })
    .format(value);
}

export function formatDuration(fromIso: string | null | undefined, toIso: string | null | undefined): string {
  if (!fromIso || !toIso) return "";
  const ms = parseTime(toIso) - parseTime(fromIso);
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function contactName(c: { first_name: string | null; last_name: string | null; email: string | null }): string {
  const name = [c.first_name, c.last_name].filter((part) => part && part.trim()).join(" ");
  return name || c.email || "Unnamed contact";
}

export const JOB_TYPE_LABELS: Record<string, string> = {
  enrich_account: "Account enrichment",
  enrich_contact: "Contact enrichment",
  import_accounts: "Accounts import",
  import_contacts: "Contacts import",
};

export function jobTypeLabel(jobType: string): string {
  return JOB_TYPE_LABELS[jobType] ?? jobType.replace(/_/g, " ");
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}
