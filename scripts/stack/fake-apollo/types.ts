// The fake Apollo's public shapes: its options, settings, request log entries and the handle tests and the admin
// API drive it through. Kept apart from the implementation so admin.ts can depend on them without a cycle.
import type { ChaosConfig, Script, ScriptSpec } from "./faults.ts";
import type { HeaderStyle, Limits } from "./rate-limits.ts";

export interface FakeApolloOptions {
  /** Added to every API answer (ms). */
  latencyMs?: number;
  /** Which daily header names to send: "observed" (x-rate-limit-24-hour...), "documented" (x-rate-limit-daily...), "both". */
  headerStyle?: HeaderStyle;
  /** Answer 429 once a key spends a window (default false: count and report only). */
  enforceRateLimits?: boolean;
  limits?: Partial<Limits>;
  maxLogEntries?: number;
  /** Print one line per request (the stack daemon's log). */
  logRequests?: boolean;
  now?: () => number;
}

export interface FakeSettings {
  latencyMs: number;
  headerStyle: HeaderStyle;
  enforceRateLimits: boolean;
  limits: Limits;
}

export interface RequestLogEntry {
  /** 1, 2, 3... in the order answers were sent (resets with reset()). */
  seq: number;
  method: string;
  path: string;
  /** Last 4 characters of the x-api-key only; null without a key. */
  key_last4: string | null;
  /** The domain(s) asked about, comma-separated; null when none. */
  domain: string | null;
  /** 0 when no answer was sent (the client gave up on a hang). */
  status: number;
  /** What produced a non-normal answer: "script:3", "key:fake-key-429", "domain:status-500.test", "chaos:500", "auth". */
  fault: string | null;
  /** When the answer was sent (or the client gave up): ISO time. The request started at `started_at` = at - ms. */
  at: string;
  started_at: string;
  ms: number;
}

export interface RequestFilter {
  since?: number;
  domain?: string;
  key_last4?: string;
  path?: string;
}

export interface FakeApollo {
  handler(req: Request): Promise<Response>;
  readonly settings: FakeSettings;
  updateSettings(patch: Partial<Omit<FakeSettings, "limits">> & { limits?: Partial<Limits> }): FakeSettings;
  setLatency(ms: number): void;
  /** Chaos faults at given rates (null clears them). */
  setFaults(config: Partial<ChaosConfig> | null): ChaosConfig | null;
  readonly faults: ChaosConfig | null;
  /** The next `times` requests matching domain/key/path answer `status`, then the normal answer. */
  script(spec: ScriptSpec): Script;
  scripts(): Script[];
  clearScripts(): void;
  requests(filter?: RequestFilter): RequestLogEntry[];
  clearRequests(): void;
  /** Back to the options given at creation: no latency, faults, scripts, log or counters. */
  reset(): void;
  /** Wakes every pending delay and hang so a server can shut down promptly. */
  close(): void;
}
