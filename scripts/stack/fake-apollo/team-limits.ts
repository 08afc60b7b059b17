// Per-team accounting: which team a key is in, which plan and enforcement apply to that team (its own, else the
// fake's), its rate windows per endpoint, and the credits it spent (one per enriched record; separate from the
// rate limits, never refused).
import type { Route } from "./faults.ts";
import { type PlanName, PLANS, routeLimits, WINDOW_KINDS, type WindowKind, type WindowLimits } from "./plans.ts";
import { RateWindows, type Usage } from "./rate-limits.ts";
import { Teams } from "./teams.ts";

/** What applies to every team without a plan of its own. */
export interface GlobalLimits {
  plan: PlanName;
  /** Replace the global plan's enrichment limits (a team with a plan of its own ignores them). */
  overrides: Partial<WindowLimits>;
  enforce: boolean;
  /** Window lengths are multiplied by this (0.01: a "minute" lasts 0.6 s). */
  windowScale: number;
}

export interface TeamPolicy {
  plan?: PlanName;
  enforce?: boolean;
}

/** One window as the admin API shows it. */
export interface WindowReport {
  limit: number | null;
  used: number;
  left: number | null;
  opens_at: string | null;
  resets_at: string | null;
}

export interface TeamUsage {
  team: string;
  plan: PlanName;
  enforce: boolean;
  window_scale: number;
  credits: number;
  endpoints: Record<string, Record<WindowKind, WindowReport>>;
}

/** The routes that spend windows (auth/health answers for free). */
export const COUNTED_ROUTES: readonly Route[] = [
  "organizations/enrich",
  "organizations/bulk_enrich",
  "people/match",
  "people/bulk_match",
  "users/api_profile",
  "usage_stats/api_usage_stats",
];

export class TeamLimits {
  readonly teams = new Teams();
  private windows = new RateWindows();
  private policies = new Map<string, TeamPolicy>();
  private credits = new Map<string, number>();

  constructor(private readonly global: () => GlobalLimits, private readonly now: () => number) {}

  policyOf(team: string): { plan: PlanName; enforce: boolean; limits: (route: Route) => WindowLimits } {
    const own = this.policies.get(team) ?? {};
    const g = this.global();
    const plan = own.plan ?? g.plan;
    const overrides = own.plan === undefined ? g.overrides : {};
    return {
      plan,
      enforce: own.enforce ?? g.enforce,
      limits: (route) => routeLimits(PLANS[plan], route, overrides),
    };
  }

  setPolicy(team: string, policy: TeamPolicy): void {
    this.policies.set(team, { ...this.policies.get(team), ...policy });
  }

  /** Teams given a plan or enforcement of their own. */
  listPolicies(): Array<{ team: string } & TeamPolicy> {
    return [...this.policies].map(([team, policy]) => ({ team, ...policy }));
  }

  /** One call by `team` on `route`: counted (unless refused by an enforced, spent window) when `count`. */
  take(team: string, route: Route, count: boolean): Usage {
    const policy = this.policyOf(team);
    return this.windows.take(team, route, policy.limits(route), this.at(), { count, enforce: policy.enforce });
  }

  /** The team's windows for `route`, counting nothing. */
  peek(team: string, route: Route): Usage {
    return this.take(team, route, false);
  }

  addCredits(team: string, credits: number): void {
    if (credits > 0) this.credits.set(team, (this.credits.get(team) ?? 0) + credits);
  }

  /** Teams that have made a counted call or spent credits. */
  activeTeams(): string[] {
    return [...new Set([...this.windows.teams(), ...this.credits.keys()])];
  }

  usage(team: string): TeamUsage {
    const policy = this.policyOf(team);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const endpoints: TeamUsage["endpoints"] = {};
    for (const route of COUNTED_ROUTES) {
      const { windows } = this.peek(team, route);
      endpoints[route] = Object.fromEntries(WINDOW_KINDS.map((kind) => {
        const w = windows[kind];
        return [kind, {
          limit: w.limit,
          used: w.used,
          left: w.left,
          opens_at: iso(w.opensAt),
          resets_at: iso(w.resetsAt),
        }];
      })) as Record<WindowKind, WindowReport>;
    }
    return {
      team,
      plan: policy.plan,
      enforce: policy.enforce,
      window_scale: this.global().windowScale,
      credits: this.credits.get(team) ?? 0,
      endpoints,
    };
  }

  get windowScale(): number {
    return this.global().windowScale;
  }

  reset(): void {
    this.teams.clear();
    this.windows.reset();
    this.policies.clear();
    this.credits.clear();
  }

  private at() {
    return { now: this.now(), scale: this.global().windowScale };
  }
}
