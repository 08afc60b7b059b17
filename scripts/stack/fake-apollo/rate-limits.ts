// Apollo-style fixed-window rate limits per key and endpoint (minute, hour, day), reported in headers on every
// response. Counting always happens; answering 429 once a window is spent only when enforcement is on.

export type HeaderStyle = "observed" | "documented" | "both";

export interface Limits {
  minute: number;
  hour: number;
  day: number;
}

/** The docs' example plan (200/min, 600/h, 6000/day). Bulk endpoints get half of that. */
export const DEFAULT_LIMITS: Limits = { minute: 200, hour: 600, day: 6000 };

interface Counter {
  window: number;
  used: number;
}

export interface Usage {
  limits: Limits;
  used: Limits;
  left: Limits;
  /** Seconds until the tightest spent window resets (0 when nothing is spent). */
  resetSeconds: number;
  exceeded: boolean;
}

const WINDOWS: Array<[keyof Limits, number]> = [["minute", 60_000], ["hour", 3_600_000], ["day", 86_400_000]];

export class RateLimiter {
  private counters = new Map<string, Counter>();

  constructor(public limits: Limits = { ...DEFAULT_LIMITS }) {}

  reset(): void {
    this.counters.clear();
  }

  limitsFor(endpoint: string): Limits {
    const bulk = /bulk/.test(endpoint);
    const scale = (n: number) => (bulk ? Math.max(1, Math.floor(n / 2)) : n);
    return { minute: scale(this.limits.minute), hour: scale(this.limits.hour), day: scale(this.limits.day) };
  }

  /** Counts one request (when `count`) and reports the windows after it. */
  record(key: string, endpoint: string, now: number, count = true): Usage {
    const limits = this.limitsFor(endpoint);
    const used = { minute: 0, hour: 0, day: 0 };
    let exceeded = false;
    let resetSeconds = 0;
    for (const [name, ms] of WINDOWS) {
      const window = Math.floor(now / ms);
      const id = `${key}\u0000${endpoint}\u0000${name}`;
      let counter = this.counters.get(id);
      if (!counter || counter.window !== window) {
        counter = { window, used: 0 };
        this.counters.set(id, counter);
      }
      if (count) counter.used++;
      used[name] = counter.used;
      if (counter.used > limits[name]) {
        exceeded = true;
        resetSeconds = Math.max(resetSeconds, Math.ceil(((window + 1) * ms - now) / 1000));
      }
    }
    const left = {
      minute: Math.max(0, limits.minute - used.minute),
      hour: Math.max(0, limits.hour - used.hour),
      day: Math.max(0, limits.day - used.day),
    };
    return { limits, used, left, resetSeconds, exceeded };
  }
}

export function rateLimitHeaders(usage: Usage, style: HeaderStyle): Record<string, string> {
  const h: Record<string, string> = {
    "x-rate-limit-minute": String(usage.limits.minute),
    "x-rate-limit-hourly": String(usage.limits.hour),
    "x-minute-usage": String(usage.used.minute),
    "x-hourly-usage": String(usage.used.hour),
    "x-minute-requests-left": String(usage.left.minute),
    "x-hourly-requests-left": String(usage.left.hour),
  };
  if (style === "observed" || style === "both") {
    h["x-rate-limit-24-hour"] = String(usage.limits.day);
    h["x-24-hour-usage"] = String(usage.used.day);
    h["x-24-hour-requests-left"] = String(usage.left.day);
  }
  if (style === "documented" || style === "both") {
    h["x-rate-limit-daily"] = String(usage.limits.day);
    h["x-daily-usage"] = String(usage.used.day);
    h["x-daily-requests-left"] = String(usage.left.day);
  }
  return h;
}
