// Apollo-style fixed rate-limit windows per team, endpoint and window kind (minute, hour, day), and the headers
// that report them on every response. A window opens on the first call that finds none open and closes one
// window-length later (not aligned to the clock); lengths can be scaled down for tests and benchmarks.
// Calls are always counted; when enforced, a call that finds a window with a limit full is refused (and not
// counted) until that window closes.
import { WINDOW_KINDS, WINDOW_MS, type WindowKind, type WindowLimits } from "./plans.ts";

export type HeaderStyle = "observed" | "documented" | "both";

/** Limits with every window present (the shape of the `limits` option and setting). */
export interface Limits {
  minute: number;
  hour: number;
  day: number;
}

/** The docs' older example plan (200/min, 600/h, 6000/day): the legacy-default plan's enrichment limits. */
export const DEFAULT_LIMITS: Limits = { minute: 200, hour: 600, day: 6000 };

export interface WindowState {
  /** null: the plan has no such window. */
  limit: number | null;
  /** Calls counted in the open window (0 when none is open). */
  used: number;
  /** limit - used, never below 0; null without a limit. */
  left: number | null;
  /** When the open window opened and when it closes (ms since the epoch); null while none is open. */
  opensAt: number | null;
  resetsAt: number | null;
}

export interface Usage {
  windows: Record<WindowKind, WindowState>;
  /** Set when the call was refused: the spent window that closes last (every window must have room). */
  refused: { kind: WindowKind; limit: number; retryAfterMs: number } | null;
}

interface OpenWindow {
  opensAt: number;
  used: number;
}

export class RateWindows {
  private open = new Map<string, OpenWindow>();
  private seen = new Set<string>();

  reset(): void {
    this.open.clear();
    this.seen.clear();
  }

  /** Teams that have counted a call since the last reset. */
  teams(): string[] {
    return [...this.seen];
  }

  /**
   * The team's windows for `endpoint` at `now`. With `count`, one call is counted in every window (opening those
   * not open), unless `enforce` and a window with a limit is full: then the call is refused and nothing changes.
   */
  take(
    team: string,
    endpoint: string,
    limits: WindowLimits,
    at: { now: number; scale: number },
    mode: { count: boolean; enforce: boolean },
  ): Usage {
    const { now, scale } = at;
    const id = (kind: WindowKind) => `${team}\u0000${endpoint}\u0000${kind}`;
    const length = (kind: WindowKind) => WINDOW_MS[kind] * scale;
    const current = (kind: WindowKind): OpenWindow | null => {
      const w = this.open.get(id(kind));
      return w && now < w.opensAt + length(kind) ? w : null;
    };

    let refused: Usage["refused"] = null;
    if (mode.count && mode.enforce) {
      for (const kind of WINDOW_KINDS) {
        const limit = limits[kind];
        const w = current(kind);
        if (limit === null || w === null || w.used < limit) continue;
        const wait = w.opensAt + length(kind) - now;
        if (refused === null || wait > refused.retryAfterMs) refused = { kind, limit, retryAfterMs: wait };
      }
    }
    if (mode.count && refused === null) {
      this.seen.add(team);
      for (const kind of WINDOW_KINDS) {
        let w = current(kind);
        if (w === null) {
          w = { opensAt: now, used: 0 };
          this.open.set(id(kind), w);
        }
        w.used++;
      }
    }

    const report = (kind: WindowKind): WindowState => {
      const w = current(kind);
      const limit = limits[kind];
      const used = w?.used ?? 0;
      return {
        limit,
        used,
        left: limit === null ? null : Math.max(0, limit - used),
        opensAt: w?.opensAt ?? null,
        resetsAt: w ? w.opensAt + length(kind) : null,
      };
    };
    return { windows: { minute: report("minute"), hour: report("hour"), day: report("day") }, refused };
  }
}

/**
 * retry-after for a wait of `ms`: whole seconds rounded up (at least 1), as Apollo sends them; with scaled-down
 * windows, seconds with up to 3 decimals rounded up to the millisecond (at least 0.001), since whole seconds
 * would be coarser than the windows themselves.
 */
export function retryAfterSeconds(ms: number, scale: number): number {
  return scale === 1 ? Math.max(1, Math.ceil(ms / 1000)) : Math.max(1, Math.ceil(ms)) / 1000;
}

const HEADER_NAMES: Record<WindowKind | "documentedDay", [limit: string, usage: string, left: string]> = {
  minute: ["x-rate-limit-minute", "x-minute-usage", "x-minute-requests-left"],
  hour: ["x-rate-limit-hourly", "x-hourly-usage", "x-hourly-requests-left"],
  day: ["x-rate-limit-24-hour", "x-24-hour-usage", "x-24-hour-requests-left"],
  documentedDay: ["x-rate-limit-daily", "x-daily-usage", "x-daily-requests-left"],
};

/** Limit, usage and what is left for each window the plan has (a window without a limit sends no headers). */
export function rateLimitHeaders(usage: Usage, style: HeaderStyle): Record<string, string> {
  const h: Record<string, string> = {};
  const put = (names: [string, string, string], w: WindowState) => {
    if (w.limit === null) return;
    h[names[0]] = String(w.limit);
    h[names[1]] = String(w.used);
    h[names[2]] = String(w.left);
  };
  put(HEADER_NAMES.minute, usage.windows.minute);
  put(HEADER_NAMES.hour, usage.windows.hour);
  if (style === "observed" || style === "both") put(HEADER_NAMES.day, usage.windows.day);
  if (style === "documented" || style === "both") put(HEADER_NAMES.documentedDay, usage.windows.day);
  return h;
}
