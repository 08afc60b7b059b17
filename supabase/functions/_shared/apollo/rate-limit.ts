// Apollo's rate-limit headers (sent on every response). The daily window is documented as
// x-rate-limit-daily / x-daily-usage / x-daily-requests-left but observed as
// x-rate-limit-24-hour / x-24-hour-usage / x-24-hour-requests-left: both are read.
import type { RateLimitInfo } from "./types.ts";

/** Header names per field, first present wins (documented name first, then observed variants). */
export const RATE_LIMIT_HEADERS: Readonly<Record<keyof RateLimitInfo, readonly string[]>> = {
  minuteLimit: ["x-rate-limit-minute"],
  minuteUsage: ["x-minute-usage"],
  minuteLeft: ["x-minute-requests-left"],
  hourlyLimit: ["x-rate-limit-hourly", "x-rate-limit-hour"],
  hourlyUsage: ["x-hourly-usage", "x-hour-usage"],
  hourlyLeft: ["x-hourly-requests-left", "x-hour-requests-left"],
  dailyLimit: ["x-rate-limit-daily", "x-rate-limit-24-hour"],
  dailyUsage: ["x-daily-usage", "x-24-hour-usage"],
  dailyLeft: ["x-daily-requests-left", "x-24-hour-requests-left"],
};

function readInt(value: string | null): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  return Math.trunc(Number(text));
}

/** Reads whatever rate-limit headers are present; absent or non-numeric ones are left out. */
export function parseRateLimit(headers: Headers): RateLimitInfo {
  const info: RateLimitInfo = {};
  for (const [field, names] of Object.entries(RATE_LIMIT_HEADERS) as [keyof RateLimitInfo, readonly string[]][]) {
    for (const name of names) {
      const n = readInt(headers.get(name));
      if (n !== undefined) {
        info[field] = n;
        break;
      }
    }
  }
  return info;
}

/** One line for logs and "Test connection": "599/600 left this hour, 5990/6000 today". */
export function describeRateLimit(info: RateLimitInfo): string {
  const parts: string[] = [];
  const window = (left: number | undefined, limit: number | undefined, label: string) => {
    if (left !== undefined && limit !== undefined) parts.push(`${left}/${limit} left ${label}`);
    else if (left !== undefined) parts.push(`${left} left ${label}`);
  };
  window(info.minuteLeft, info.minuteLimit, "this minute");
  window(info.hourlyLeft, info.hourlyLimit, "this hour");
  window(info.dailyLeft, info.dailyLimit, "today");
  return parts.join(", ");
}
