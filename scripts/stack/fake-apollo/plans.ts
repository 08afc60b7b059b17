// Apollo's rate-limit plans as presets: what each window (minute, hour, day) allows per team and endpoint.
// Enrichment endpoints have the plan's limits; their bulk versions (up to 10 records a call) a fraction of them,
// counted in calls; every other counted endpoint has the plan's "other" limits.
import { ENRICHMENT_ROUTES, type Route } from "./faults.ts";

export type WindowKind = "minute" | "hour" | "day";

export const WINDOW_KINDS: readonly WindowKind[] = ["minute", "hour", "day"];

/** Each window's length at scale 1. */
export const WINDOW_MS: Readonly<Record<WindowKind, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/** Window lengths can be multiplied by a factor above 0 and up to this (0.01: a "minute" lasts 0.6 s). */
export const MAX_WINDOW_SCALE = 1000;

export function isWindowScale(scale: number): boolean {
  return Number.isFinite(scale) && scale > 0 && scale <= MAX_WINDOW_SCALE;
}

/** A limit per window; null: the plan has no such window (nothing to spend, no headers for it). */
export type WindowLimits = Record<WindowKind, number | null>;

export const PLAN_NAMES = ["legacy-default", "free", "basic"] as const;
export type PlanName = typeof PLAN_NAMES[number];

export interface Plan {
  name: PlanName;
  /** organizations/enrich and people/match. */
  enrichment: WindowLimits;
  /** organizations/bulk_enrich and people/bulk_match get the enrichment limits divided by this (at least 1). */
  bulkDivisor: number;
  /** users/api_profile and usage_stats; null: the same as the enrichment endpoints. */
  other: WindowLimits | null;
}

export const PLANS: Readonly<Record<PlanName, Plan>> = {
  // What the fake always did: the docs' older example plan on every endpoint, bulk half of it.
  "legacy-default": {
    name: "legacy-default",
    enrichment: { minute: 200, hour: 600, day: 6000 },
    bulkDivisor: 2,
    other: null,
  },
  // docs.apollo.io "Rate limits": Free 50/min, 200/h, 600/day on enrichment; other endpoints 1-50/min and
  // 20-200/h (the top of those ranges here), no daily window documented for them.
  free: {
    name: "free",
    enrichment: { minute: 50, hour: 200, day: 600 },
    bulkDivisor: 10,
    other: { minute: 50, hour: 200, day: null },
  },
  // Basic, Organization and Professional: 1,000/min on enrichment with no hourly or daily limit; other endpoints
  // 200/min and 400-600/h (the bottom, 400, here).
  basic: {
    name: "basic",
    enrichment: { minute: 1000, hour: null, day: null },
    bulkDivisor: 10,
    other: { minute: 200, hour: 400, day: null },
  },
};

export function isPlanName(name: string): name is PlanName {
  return (PLAN_NAMES as readonly string[]).includes(name);
}

const BULK_ROUTES: ReadonlySet<Route> = new Set<Route>(["organizations/bulk_enrich", "people/bulk_match"]);

/** The plan's limits for one route, with `overrides` replacing the enrichment limits it starts from. */
export function routeLimits(plan: Plan, route: Route, overrides: Partial<WindowLimits> = {}): WindowLimits {
  const enrichment: WindowLimits = { ...plan.enrichment, ...overrides };
  if (BULK_ROUTES.has(route)) {
    const divide = (n: number | null) => (n === null ? null : Math.max(1, Math.floor(n / plan.bulkDivisor)));
    return { minute: divide(enrichment.minute), hour: divide(enrichment.hour), day: divide(enrichment.day) };
  }
  if (ENRICHMENT_ROUTES.has(route) || plan.other === null) return enrichment;
  return { ...plan.other };
}
