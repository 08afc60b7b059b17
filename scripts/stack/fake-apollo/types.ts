// The fake Apollo's public shapes: its options, settings, request log entries and the handle tests and the admin
// API drive it through. Kept apart from the implementation so admin.ts can depend on them without a cycle.
import type { ChaosConfig, Script, ScriptSpec } from "./faults.ts";
import type { PlanName, WindowLimits } from "./plans.ts";
import type { HeaderStyle, Limits } from "./rate-limits.ts";
import type { TeamPolicy, TeamUsage } from "./team-limits.ts";

/** The settings a fake starts with (FakeApolloOptions) or that the admin API changes (every one optional). */
export interface SettingsPatch {
  /** Added to every API answer (ms). */
  latencyMs?: number;
  /** Which daily header names to send: "observed" (x-rate-limit-24-hour...), "documented" (x-rate-limit-daily...), "both". */
  headerStyle?: HeaderStyle;
  /** Answer 429 once a team spends a window (default false: count and report only). */
  enforceRateLimits?: boolean;
  /**
   * The rate-limit plan of every team without one of its own (default "legacy-default"); a new
   * plan drops earlier `limits` overrides.
   */
  plan?: PlanName;
  /** Replace the plan's enrichment limits (bulk endpoints get the plan's fraction of them; applied after `plan`). */
  limits?: Partial<Limits>;
  /** Window lengths are multiplied by this (default 1; 0.01: a "minute" lasts 0.6 s, a "day" 864 s). */
  windowScale?: number;
}

export interface FakeApolloOptions extends SettingsPatch {
  maxLogEntries?: number;
  /** Print one line per request (the stack daemon's log). */
  logRequests?: boolean;
  now?: () => number;
}

export interface FakeSettings {
  latencyMs: number;
  headerStyle: HeaderStyle;
  /** Enforcement for every team without its own. */
  enforceRateLimits: boolean;
  /** The plan of every team without its own. */
  plan: PlanName;
  /** That plan's enrichment limits after the `limits` overrides (null: no such window). */
  limits: WindowLimits;
  windowScale: number;
}

export interface PlanSpec {
  plan: PlanName;
  /** Only this team (otherwise every team without a plan of its own). */
  team?: string;
  enforce?: boolean;
  /** Scales every window, whatever the team. */
  windowScale?: number;
}

export interface RequestLogEntry {
  /** 1, 2, 3... in the order answers were sent (resets with reset()). */
  seq: number;
  method: string;
  path: string;
  /** Last 4 characters of the x-api-key only; null without a key. */
  key_last4: string | null;
  /** The team whose windows the call spent: its name, or a 24-hex id for a key in a team of its own. */
  team: string | null;
  /** Records asked about: 1 for organizations/enrich and people/match, the list's length for bulk calls, else 0. */
  records: number;
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
  team?: string;
  path?: string;
}

export interface FakeApollo {
  handler(req: Request): Promise<Response>;
  readonly settings: FakeSettings;
  updateSettings(patch: SettingsPatch): FakeSettings;
  /** A plan (and enforcement) for every team, or for one. */
  setPlan(spec: PlanSpec): { settings: FakeSettings; teams: Array<{ team: string } & TeamPolicy> };
  /** Puts keys in one team: they share its windows from then on. */
  setTeam(team: string, keys: readonly string[]): void;
  /** Every key back in the team its name selects (`...-team-<name>`) or a team of its own. */
  clearTeams(): void;
  /** The teams made with setTeam (keys as their last 4 characters) and the teams with a plan of their own. */
  teams(): { teams: Array<{ team: string; keys_last4: string[] }>; policies: Array<{ team: string } & TeamPolicy> };
  /** The team a key is in. */
  teamOf(key: string): string;
  /** One team's windows per endpoint and credits; without a team, every team that made a counted call. */
  usage(team?: string): TeamUsage[];
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
