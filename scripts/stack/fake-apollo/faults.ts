// Fault modes of the fake Apollo, so tests and the chaos soak can provoke every case without setup.
//
// KEYS (x-api-key). Any key not matching a pattern below is a valid key. "[-*]" means any suffix may follow,
// so tests can use distinct keys (fake-key-429-a, fake-key-429-b) that behave the same.
//   fake-key-401[-*]          401 text/plain "Invalid access credentials." (auth/health: is_logged_in false)
//   fake-key-401-json[-*]     401 as older JSON {"status":401,"message":"Invalid access credentials."}
//   fake-key-403[-*]          403 {"error":"api/v1/... is not accessible with this api_key","error_code":"API_INACCESSIBLE"}
//                             on every route but auth/health
//   fake-key-no-master[-*]    403 on usage_stats/api_usage_stats only (a valid, non-master key)
//   fake-key-no-credits[-*]   422 {"error":"Insufficient credits. Please upgrade your plan."} on enrichment routes
//   fake-key-429[-<s>]        429 with retry-after <s> seconds (default 2) on every route but auth/health
//   fake-key-500[-*]          500 on every route but auth/health
//   fake-key-slow-<ms>[-*]    every answer delayed by <ms>
//
// DOMAINS (organizations/enrich ?domain=, people/match domain or email's domain, any bulk item):
//   *.invalid, unknown-*, no-match.test, *.no-match.test   no match: 200 {} (people: {"person": null})
//   null-match.test           200 {"organization": null} (the other no-match shape)
//   status-<code>.test        that status with Apollo's body for it (401 text/plain, 403, 422, 429 + retry-after 1,
//                             500 JSON, 502/503/504 HTML)
//   no-credits.test           422 insufficient credits
//   slow-<ms>.test            the normal answer after <ms>
//   hang.test                 no answer until the client gives up (or the server closes)
//   bad-json.test             200 with an HTML body (not JSON)
//   bad-shape.test            200 {"organization": "unexpected"} / {"person": "unexpected"}
//   float-revenue.test        annual_revenue written as 345600000.0
//   locked-*                  people/match without an email: email "email_not_unlocked@<domain>"
// Every other domain matches (well-known domains get real-world firmographics, see data.ts).

const INSUFFICIENT_CREDITS = "Insufficient credits. Please upgrade your plan.";

export type Route =
  | "organizations/enrich"
  | "organizations/bulk_enrich"
  | "people/match"
  | "people/bulk_match"
  | "users/api_profile"
  | "auth/health"
  | "usage_stats/api_usage_stats";

export const ENRICHMENT_ROUTES: ReadonlySet<Route> = new Set<Route>([
  "organizations/enrich",
  "organizations/bulk_enrich",
  "people/match",
  "people/bulk_match",
]);

/** A canned answer instead of the normal one. */
export type Outcome =
  | {
    type: "status";
    status: number;
    retryAfterSeconds?: number;
    jsonUnauthorized?: boolean;
    message?: string;
    body?: unknown;
    source: string;
  }
  | { type: "hang"; ms?: number; source: string };

function keyIs(key: string, base: string): boolean {
  return key === base || key.startsWith(`${base}-`);
}

/** The fault a key pattern imposes on this route, if any. */
export function keyFault(key: string, route: Route): Outcome | null {
  if (route === "auth/health") return null; // health answers 200 for every key; is_logged_in tells
  const status = (status: number, pattern: string, extra: Partial<Outcome> = {}): Outcome =>
    ({ type: "status", status, source: `key:${pattern}`, ...extra }) as Outcome;
  if (keyIs(key, "fake-key-401-json")) return status(401, "fake-key-401-json", { jsonUnauthorized: true });
  if (keyIs(key, "fake-key-401")) return status(401, "fake-key-401");
  if (keyIs(key, "fake-key-403")) return status(403, "fake-key-403");
  if (keyIs(key, "fake-key-no-master") && route === "usage_stats/api_usage_stats") {
    return status(403, "fake-key-no-master");
  }
  if (keyIs(key, "fake-key-no-credits") && ENRICHMENT_ROUTES.has(route)) {
    return status(422, "fake-key-no-credits", { message: INSUFFICIENT_CREDITS });
  }
  if (keyIs(key, "fake-key-429")) {
    const seconds = /^fake-key-429-(\d+)$/.exec(key)?.[1];
    return status(429, "fake-key-429", { retryAfterSeconds: seconds ? Number(seconds) : 2 });
  }
  if (keyIs(key, "fake-key-500")) return status(500, "fake-key-500");
  return null;
}

/** A key that is refused outright (auth/health reports is_logged_in false for it). */
export function keyIsInvalid(key: string): boolean {
  return keyIs(key, "fake-key-401");
}

export function keyDelayMs(key: string): number {
  const ms = /^fake-key-slow-(\d+)/.exec(key)?.[1];
  return ms ? Number(ms) : 0;
}

export type DomainBehaviour =
  | { type: "normal" }
  | { type: "no-match"; shape: "empty" | "null" }
  | { type: "bad-json" }
  | { type: "bad-shape" }
  | { type: "float-revenue" }
  | { type: "delay"; ms: number }
  | Outcome;

export function domainBehaviour(domain: string): DomainBehaviour {
  const d = domain.toLowerCase();
  const source = `domain:${d}`;
  if (d.endsWith(".invalid") || d.startsWith("unknown-") || d === "no-match.test" || d.endsWith(".no-match.test")) {
    return { type: "no-match", shape: "empty" };
  }
  if (d === "null-match.test") return { type: "no-match", shape: "null" };
  const status = /^status-(\d{3})\.test$/.exec(d)?.[1];
  if (status) {
    const code = Number(status);
    return code === 429
      ? { type: "status", status: code, retryAfterSeconds: 1, source }
      : { type: "status", status: code, source };
  }
  if (d === "no-credits.test") {
    return { type: "status", status: 422, message: INSUFFICIENT_CREDITS, source };
  }
  const slow = /^slow-(\d+)\.test$/.exec(d)?.[1];
  if (slow) return { type: "delay", ms: Number(slow) };
  if (d === "hang.test") return { type: "hang", source };
  if (d === "bad-json.test") return { type: "bad-json" };
  if (d === "bad-shape.test") return { type: "bad-shape" };
  if (d === "float-revenue.test") return { type: "float-revenue" };
  return { type: "normal" };
}

// ---------------------------------------------------------------------------------------------------------
// Chaos: random faults at given rates, reproducible from a seed.

export interface ChaosConfig {
  seed: number;
  /** Fractions of requests (0..1, summing to at most 1) that answer 500 / 429 / hang / 401. */
  error500: number;
  error429: number;
  timeout: number;
  unauthorized: number;
  /** The 401 fraction applies only to this key (every key when unset). */
  unauthorizedKey?: string;
  /** retry-after sent with chaos 429s. */
  retryAfterSeconds: number;
  /** How long a chaos hang lasts before a 504 (default: until the client gives up). */
  hangMs?: number;
}

/** A full chaos config from the given rates (the rest 0), or a RangeError when the rates cannot be fractions of one draw. */
export function chaosConfig(config: Partial<ChaosConfig>): ChaosConfig {
  const full: ChaosConfig = {
    seed: config.seed ?? 1,
    error500: config.error500 ?? 0,
    error429: config.error429 ?? 0,
    timeout: config.timeout ?? 0,
    unauthorized: config.unauthorized ?? 0,
    unauthorizedKey: config.unauthorizedKey,
    retryAfterSeconds: config.retryAfterSeconds ?? 1,
    hangMs: config.hangMs,
  };
  const rates = [full.error500, full.error429, full.timeout, full.unauthorized];
  if (rates.some((r) => r < 0 || r > 1) || rates.reduce((a, b) => a + b, 0) > 1) {
    throw new RangeError("fault rates must each be between 0 and 1 and add up to at most 1");
  }
  return full;
}

/** mulberry32: small, fast, good enough for picking faults. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Chaos {
  private random: () => number;

  constructor(readonly config: ChaosConfig) {
    this.random = mulberry32(config.seed);
  }

  /** One draw per request (in arrival order), so a seed replays the same fault sequence. */
  draw(key: string): Outcome | null {
    const c = this.config;
    const r = this.random();
    let edge = c.error500;
    if (r < edge) return { type: "status", status: 500, source: "chaos:500" };
    edge += c.error429;
    if (r < edge) return { type: "status", status: 429, retryAfterSeconds: c.retryAfterSeconds, source: "chaos:429" };
    edge += c.timeout;
    if (r < edge) return { type: "hang", ms: c.hangMs, source: "chaos:timeout" };
    edge += c.unauthorized;
    if (r < edge && (c.unauthorizedKey === undefined || c.unauthorizedKey === key)) {
      return { type: "status", status: 401, source: "chaos:401" };
    }
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Scripts: "the next N requests for domain/key X answer status S", then the normal answer.

export interface ScriptSpec {
  domain?: string;
  key?: string;
  /** A route such as "people/match" (a leading /api/v1/ or /v1/ is ignored). */
  path?: string;
  status: number | "hang";
  times: number;
  retryAfterSeconds?: number;
  /** JSON body instead of Apollo's usual body for that status. */
  body?: unknown;
  hangMs?: number;
}

export interface Script extends ScriptSpec {
  id: number;
  remaining: number;
}

export function routeOf(path: string): string {
  return path.replace(/^\/+/, "").replace(/^(api\/)?v1\//, "").replace(/\/+$/, "");
}

export class Scripts {
  private items: Script[] = [];
  private nextId = 1;

  add(spec: ScriptSpec): Script {
    const script: Script = {
      ...spec,
      domain: spec.domain?.toLowerCase(),
      path: spec.path === undefined ? undefined : routeOf(spec.path),
      id: this.nextId++,
      remaining: spec.times,
    };
    this.items.push(script);
    return script;
  }

  /** The first script matching this request, consumed by one; null when none applies. */
  take(request: { route: Route; key: string; domains: string[] }): Outcome | null {
    const script = this.items.find((s) =>
      s.remaining > 0 &&
      (s.key === undefined || s.key === request.key) &&
      (s.path === undefined || s.path === request.route) &&
      (s.domain === undefined || request.domains.includes(s.domain))
    );
    if (!script) return null;
    script.remaining--;
    if (script.remaining === 0) this.items = this.items.filter((s) => s !== script);
    const source = `script:${script.id}`;
    if (script.status === "hang") return { type: "hang", ms: script.hangMs, source };
    return {
      type: "status",
      status: script.status,
      retryAfterSeconds: script.retryAfterSeconds,
      body: script.body,
      source,
    };
  }

  list(): Script[] {
    return this.items.map((s) => ({ ...s }));
  }

  clear(): void {
    this.items = [];
  }
}
