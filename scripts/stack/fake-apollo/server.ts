// A fake Apollo.io API for tests and the local stack: Apollo's routes under /api/v1/ and /v1/, its auth rules,
// rate-limit headers on every response, deterministic data (data.ts), fault modes by key or domain
// (documented in full at the top of faults.ts) and an admin API under /__admin/ (admin.ts; see README.md).
//
// Valid key: any key not matching a fault pattern. Fault keys: fake-key-401, fake-key-401-json, fake-key-403,
// fake-key-no-master, fake-key-no-credits, fake-key-429[-<retry-after s>], fake-key-500, fake-key-slow-<ms>
// (each may carry a -suffix). Fault domains: *.invalid, unknown-*, no-match.test (no match {}), null-match.test
// ({"organization": null}), status-<code>.test, no-credits.test, slow-<ms>.test, hang.test, bad-json.test,
// bad-shape.test, float-revenue.test, locked-* (email_not_unlocked@).
//
//   const fake = startFakeApollo({ port: 0 });   // tests: a random free port
//   createApolloClient("any-key", { baseUrl: fake.apiUrl });
//   await fake.close();
import { adminHandler } from "./admin.ts";
import { fakeId, organizationFor, personDomain, personFor, type PersonQuery } from "./data.ts";
import {
  Chaos,
  type ChaosConfig,
  type DomainBehaviour,
  domainBehaviour,
  keyDelayMs,
  keyFault,
  keyIsInvalid,
  type Outcome,
  type Route,
  type Script,
  Scripts,
  type ScriptSpec,
} from "./faults.ts";
import { apolloError, json, MESSAGES, rawJson } from "./responses.ts";
import {
  DEFAULT_LIMITS,
  type HeaderStyle,
  type Limits,
  RateLimiter,
  rateLimitHeaders,
  type Usage,
} from "./rate-limits.ts";

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

const ROUTES: Record<string, { route: Route; methods: string[] }> = {
  "organizations/enrich": { route: "organizations/enrich", methods: ["GET", "POST"] },
  "organizations/bulk_enrich": { route: "organizations/bulk_enrich", methods: ["POST"] },
  "people/match": { route: "people/match", methods: ["POST", "GET"] },
  "people/bulk_match": { route: "people/bulk_match", methods: ["POST"] },
  "users/api_profile": { route: "users/api_profile", methods: ["GET"] },
  "auth/health": { route: "auth/health", methods: ["GET"] },
  "usage_stats/api_usage_stats": { route: "usage_stats/api_usage_stats", methods: ["POST", "GET"] },
};

const PERSON_PARAMS = [
  "email",
  "first_name",
  "last_name",
  "name",
  "organization_name",
  "domain",
  "linkedin_url",
  "id",
  "hashed_email",
] as const;

/** Lenient bare domain, as Apollo seems to accept "www.stripe.com" too. */
function bare(domain: string): string {
  return domain.trim().toLowerCase().replace(/^[a-z]+:\/\//, "").replace(/^www\./, "").split(/[/?#]/)[0].replace(
    /\.$/,
    "",
  );
}

/** Resolves true after ms (Infinity: never), or false as soon as any signal aborts. Never leaves a timer. */
function sleep(ms: number, signals: AbortSignal[]): Promise<boolean> {
  if (signals.some((s) => s.aborted)) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (completed: boolean) => {
      if (timer !== undefined) clearTimeout(timer);
      for (const s of signals) s.removeEventListener("abort", onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    for (const s of signals) s.addEventListener("abort", onAbort, { once: true });
    if (Number.isFinite(ms)) timer = setTimeout(() => done(true), ms);
  });
}

interface Parsed {
  route: Route | null;
  key: string;
  query: URLSearchParams;
  body: Record<string, unknown> | null;
  domains: string[];
}

function domainsOf(route: Route | null, query: URLSearchParams, body: Record<string, unknown> | null): string[] {
  const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : undefined);
  switch (route) {
    case "organizations/enrich": {
      const d = str(query.get("domain")) ?? str(body?.domain);
      return d ? [bare(d)] : [];
    }
    case "organizations/bulk_enrich": {
      const fromQuery = [...query.getAll("domains[]"), ...query.getAll("domains")].flatMap((d) => d.split(","));
      const fromBody = Array.isArray(body?.domains) ? body.domains : [];
      return [...fromQuery, ...fromBody].map(str).filter((d): d is string => !!d).map(bare);
    }
    case "people/match": {
      const d = personDomain(personQuery(query, body));
      return d ? [d] : [];
    }
    case "people/bulk_match": {
      const details = Array.isArray(body?.details) ? body.details : [];
      return details.map((d) => personDomain(personQuery(new URLSearchParams(), d as Record<string, unknown>)))
        .filter((d): d is string => !!d);
    }
    default:
      return [];
  }
}

function personQuery(query: URLSearchParams, body: Record<string, unknown> | null): PersonQuery {
  const q: Record<string, string> = {};
  for (const p of PERSON_PARAMS) {
    const v = body?.[p] ?? query.get(p);
    if (typeof v === "string" && v.trim() !== "") q[p] = v.trim();
  }
  return q as PersonQuery;
}

export function createFakeApollo(options: FakeApolloOptions = {}): FakeApollo {
  const now = options.now ?? Date.now;
  const initial = (): FakeSettings => ({
    latencyMs: options.latencyMs ?? 0,
    headerStyle: options.headerStyle ?? "observed",
    enforceRateLimits: options.enforceRateLimits ?? false,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  });
  let settings = initial();
  const limiter = new RateLimiter({ ...settings.limits });
  const scripts = new Scripts();
  let chaos: Chaos | null = null;
  let log: RequestLogEntry[] = [];
  let seq = 0;
  const maxLog = options.maxLogEntries ?? 10_000;
  const closing = new AbortController();

  const organizationOf = (domain: string): Record<string, unknown> | null => {
    const b = domainBehaviour(domain);
    return b.type === "no-match" ? null : organizationFor(domain);
  };

  /** The route's normal answer, shaped by domain behaviours (no match, bad body, float revenue). */
  function normal(p: Parsed, usageFor: (route: Route) => Usage): Response {
    const behaviours = new Map<string, DomainBehaviour>(p.domains.map((d) => [d, domainBehaviour(d)]));
    const only = p.domains.length === 1 ? behaviours.get(p.domains[0])! : { type: "normal" as const };
    const odd = (kind: "organization" | "person"): Response | null => {
      if (only.type === "bad-json") {
        return new Response("<!DOCTYPE html><html><body>Apollo is temporarily down for maintenance</body></html>", {
          status: 200,
          headers: { "content-type": "text/html" },
        });
      }
      if (only.type === "bad-shape") return json({ [kind]: "unexpected" });
      return null;
    };
    const withRevenue = (body: unknown): Response => {
      const text = JSON.stringify(body);
      return only.type === "float-revenue"
        ? rawJson(text.replace(/"annual_revenue":(-?\d+)(?=[,}])/g, '"annual_revenue":$1.0'))
        : rawJson(text);
    };

    switch (p.route) {
      case "organizations/enrich": {
        const domain = p.domains[0];
        if (!domain) {
          return apolloError(422, { endpoint: "api/v1/organizations/enrich", message: MESSAGES.missingDomain });
        }
        const weird = odd("organization");
        if (weird) return weird;
        if (only.type === "no-match") return json(only.shape === "null" ? { organization: null } : {});
        const organization = organizationFor(domain);
        if (only.type === "float-revenue") organization.annual_revenue = 345_600_000;
        return withRevenue({ organization });
      }
      case "people/match": {
        const weird = odd("person");
        if (weird) return weird;
        if (only.type === "no-match") return json({ person: null });
        const person = personFor(personQuery(p.query, p.body), organizationOf);
        if (person?.organization && only.type === "float-revenue") person.organization.annual_revenue = 345_600_000;
        return withRevenue({ person });
      }
      case "organizations/bulk_enrich": {
        const unique = [...new Set(p.domains)];
        if (unique.length === 0) {
          return apolloError(422, {
            endpoint: "api/v1/organizations/bulk_enrich",
            message: "Required parameter 'domains' missing",
          });
        }
        if (p.domains.length > 10) {
          return apolloError(422, {
            endpoint: "api/v1/organizations/bulk_enrich",
            message: "Maximum 10 domains per request",
          });
        }
        const organizations = unique.map(organizationOf).filter((o): o is Record<string, unknown> => o !== null);
        return json({
          status: "success",
          error_code: null,
          error_message: null,
          total_requested_domains: p.domains.length,
          unique_domains: unique.length,
          unique_enriched_records: organizations.length,
          missing_records: unique.length - organizations.length,
          organizations,
        });
      }
      case "people/bulk_match": {
        const details = Array.isArray(p.body?.details) ? p.body.details : [];
        if (details.length === 0) {
          return apolloError(422, {
            endpoint: "api/v1/people/bulk_match",
            message: "Required parameter 'details' missing",
          });
        }
        if (details.length > 10) {
          return apolloError(422, { endpoint: "api/v1/people/bulk_match", message: "Maximum 10 details per request" });
        }
        const matches = details.map((d) => {
          const q = personQuery(new URLSearchParams(), (d ?? {}) as Record<string, unknown>);
          const domain = personDomain(q);
          if (domain && domainBehaviour(domain).type === "no-match") return null;
          return personFor(q, organizationOf);
        }).filter((m) => m !== null);
        return json({
          status: "success",
          error_code: null,
          error_message: null,
          total_requested_enrichments: details.length,
          unique_enriched_records: matches.length,
          missing_records: details.length - matches.length,
          credits_consumed: matches.length,
          matches,
        });
      }
      case "users/api_profile": {
        const last4 = p.key.slice(-4).toLowerCase().replace(/[^a-z0-9]/g, "x");
        return json({
          id: fakeId("user", p.key),
          team_id: fakeId("team", p.key),
          first_name: "Fake",
          last_name: "Apollo User",
          title: "Revenue Operations",
          email: `apollo-user-${last4}@fake-apollo.test`,
        });
      }
      case "usage_stats/api_usage_stats": {
        const stats: Record<string, unknown> = {};
        for (const route of Object.keys(ROUTES) as Route[]) {
          if (route === "auth/health" || route === "usage_stats/api_usage_stats") continue;
          const u = usageFor(route);
          const [resource, action] = route.split("/");
          stats[JSON.stringify([`api/v1/${resource}`, action]).replace(",", ", ")] = {
            day: { limit: u.limits.day, consumed: u.used.day, left_over: u.left.day },
            hour: { limit: u.limits.hour, consumed: u.used.hour, left_over: u.left.hour },
            minute: { limit: u.limits.minute, consumed: u.used.minute, left_over: u.left.minute },
          };
        }
        return json(stats);
      }
      default:
        return json({ error: "Not Found" }, 404);
    }
  }

  async function apiHandler(req: Request, url: URL, entry: RequestLogEntry): Promise<Response> {
    // req.signal is read only when waiting (it also tells when the client gave up on a hang).
    const signals = () => [req.signal, closing.signal];
    const match = /^\/(?:api\/)?v1\/(.+?)\/?$/.exec(url.pathname);
    const spec = match ? ROUTES[match[1]] : undefined;
    const route = spec && spec.methods.includes(req.method) ? spec.route : null;

    let body: Record<string, unknown> | null = null;
    if (req.method !== "GET" && req.method !== "HEAD") {
      const text = await req.text();
      try {
        const parsed = text.trim() === "" ? null : JSON.parse(text);
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        const form = new URLSearchParams(text);
        if ([...form.keys()].length > 0) body = Object.fromEntries(form);
      }
    }
    const key = req.headers.get("x-api-key")?.trim() ?? "";
    const p: Parsed = { route, key, query: url.searchParams, body, domains: domainsOf(route, url.searchParams, body) };
    entry.key_last4 = key ? key.slice(-4) : null;
    entry.domain = p.domains.length ? p.domains.join(",") : null;
    const endpoint = `api/v1/${route ?? match?.[1] ?? url.pathname}`;

    const latency = settings.latencyMs + keyDelayMs(key);
    if (latency > 0 && !(await sleep(latency, signals()))) return gaveUp(entry);

    const counted = key || "anonymous";
    const usageFor = (r: Route, count = false) => limiter.record(counted, r, now(), count);
    const usage = route ? usageFor(route, route !== "auth/health") : null;
    const finish = (res: Response): Response => {
      if (usage) {
        for (const [name, value] of Object.entries(rateLimitHeaders(usage, settings.headerStyle))) {
          res.headers.set(name, value);
        }
      }
      return res;
    };

    if (route === null) return finish(json({ error: "Not Found" }, 404));

    // Apollo's auth rules.
    const keyElsewhere = p.query.has("api_key") || (body !== null && "api_key" in body);
    if (route === "auth/health") {
      const loggedIn = key !== "" && !keyElsewhere && !keyIsInvalid(key);
      return finish(json({ healthy: true, is_logged_in: loggedIn }));
    }
    if (keyElsewhere) {
      entry.fault = "auth";
      return finish(apolloError(422, { endpoint, message: MESSAGES.keyInHeader }));
    }
    if (key === "" && /^bearer\s/i.test(req.headers.get("authorization") ?? "")) {
      entry.fault = "auth";
      return finish(apolloError(401, { endpoint }));
    }
    if (key === "") {
      entry.fault = "auth";
      return finish(apolloError(422, { endpoint, message: MESSAGES.keyRequired }));
    }

    const outcome: Outcome | null = scripts.take({ route, key, domains: p.domains }) ??
      keyFault(key, route) ??
      chaos?.draw(key) ??
      p.domains.map(domainBehaviour).find((b): b is Outcome => b.type === "status" || b.type === "hang") ??
      null;

    if (outcome === null && settings.enforceRateLimits && usage?.exceeded) {
      entry.fault = "rate-limit";
      return finish(
        apolloError(429, { endpoint, retryAfterSeconds: usage.resetSeconds, hourlyLimit: usage.limits.hour }),
      );
    }

    if (outcome) {
      entry.fault = outcome.source;
      if (outcome.type === "hang") {
        const completed = await sleep(outcome.ms ?? Infinity, signals());
        if (!completed) return gaveUp(entry);
        return finish(apolloError(504, { endpoint }));
      }
      if (outcome.body !== undefined) return finish(json(outcome.body, outcome.status));
      return finish(apolloError(outcome.status, {
        endpoint,
        retryAfterSeconds: outcome.retryAfterSeconds,
        jsonUnauthorized: outcome.jsonUnauthorized,
        message: outcome.message ?? (outcome.status === 422 ? MESSAGES.missingDomain : undefined),
        hourlyLimit: usage?.limits.hour,
      }));
    }

    const delays = p.domains.map(domainBehaviour).map((b) => (b.type === "delay" ? b.ms : 0));
    const delay = Math.max(0, ...delays);
    if (delay > 0) {
      entry.fault = `domain:slow-${delay}.test`;
      if (!(await sleep(delay, signals()))) return gaveUp(entry);
    }
    return finish(normal(p, (r) => usageFor(r)));
  }

  /** The client went away (or the server is closing): nothing will be read, so status 0 goes in the log. */
  const abandoned = new WeakSet<Response>();
  function gaveUp(_entry: RequestLogEntry): Response {
    const response = new Response(null, { status: 499 });
    abandoned.add(response);
    return response;
  }

  function record(entry: RequestLogEntry): void {
    entry.seq = ++seq; // in completion order, so polling with ?since= never skips a slow request
    log.push(entry);
    if (log.length > maxLog) log = log.slice(log.length - maxLog);
    if (options.logRequests) {
      console.log(
        `${entry.at} ${entry.method} ${entry.path} key=…${entry.key_last4 ?? "-"} domain=${entry.domain ?? "-"} ` +
          `-> ${entry.status}${entry.fault ? ` (${entry.fault})` : ""} ${entry.ms} ms`,
      );
    }
  }

  const fake: FakeApollo = {
    async handler(req: Request): Promise<Response> {
      const url = new URL(req.url);
      if (url.pathname === "/__admin" || url.pathname.startsWith("/__admin/")) {
        return await adminHandler(fake, req, url);
      }
      const started = now();
      const entry: RequestLogEntry = {
        seq: 0,
        method: req.method,
        path: url.pathname,
        key_last4: null,
        domain: null,
        status: 0,
        fault: null,
        at: "",
        started_at: new Date(started).toISOString(),
        ms: 0,
      };
      let response: Response;
      try {
        response = await apiHandler(req, url, entry);
        entry.status = abandoned.has(response) ? 0 : response.status;
      } catch (error) {
        console.error("fake-apollo: handler error", error);
        response = json({ status: 500, error: "Internal Server Error" }, 500);
        entry.status = 500;
        entry.fault = "fake-apollo-bug";
      }
      const finished = now();
      entry.ms = finished - started;
      entry.at = new Date(finished).toISOString();
      record(entry);
      return response;
    },

    get settings() {
      return structuredClone(settings);
    },
    updateSettings(patch) {
      settings = { ...settings, ...patch, limits: { ...settings.limits, ...patch.limits } };
      limiter.limits = { ...settings.limits };
      return structuredClone(settings);
    },
    setLatency(ms: number) {
      settings.latencyMs = ms;
    },
    get faults() {
      return chaos ? { ...chaos.config } : null;
    },
    setFaults(config) {
      if (config === null) {
        chaos = null;
        return null;
      }
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
      const total = full.error500 + full.error429 + full.timeout + full.unauthorized;
      if ([full.error500, full.error429, full.timeout, full.unauthorized].some((r) => r < 0 || r > 1) || total > 1) {
        throw new RangeError("fault rates must each be between 0 and 1 and add up to at most 1");
      }
      chaos = new Chaos(full);
      return { ...full };
    },
    script: (spec) => scripts.add(spec),
    scripts: () => scripts.list(),
    clearScripts: () => scripts.clear(),
    requests(filter = {}) {
      return log.filter((e) =>
        (filter.since === undefined || e.seq > filter.since) &&
        (filter.domain === undefined || (e.domain ?? "").split(",").includes(filter.domain.toLowerCase())) &&
        (filter.key_last4 === undefined || e.key_last4 === filter.key_last4) &&
        (filter.path === undefined || e.path.endsWith(filter.path))
      ).map((e) => ({ ...e }));
    },
    clearRequests() {
      log = [];
    },
    reset() {
      settings = initial();
      limiter.limits = { ...settings.limits };
      limiter.reset();
      scripts.clear();
      chaos = null;
      log = [];
      seq = 0;
    },
    close() {
      closing.abort();
    },
  };
  return fake;
}

export interface RunningFakeApollo {
  /** http://127.0.0.1:<port> */
  url: string;
  /** http://127.0.0.1:<port>/api/v1, for the client's baseUrl / APOLLO_BASE_URL. */
  apiUrl: string;
  port: number;
  fake: FakeApollo;
  /** Stops listening; pending hangs and delays end at once. */
  close(): Promise<void>;
}

/** Listens on hostname:port (port 0: a random free port) until close(). */
export function startFakeApollo(
  options: FakeApolloOptions & { port?: number; hostname?: string } = {},
): RunningFakeApollo {
  const fake = createFakeApollo(options);
  const hostname = options.hostname ?? "127.0.0.1";
  const server = Deno.serve({ port: options.port ?? 0, hostname, onListen: () => {} }, fake.handler);
  const port = server.addr.port;
  const url = `http://${hostname}:${port}`;
  let closed: Promise<void> | null = null;
  return {
    url,
    apiUrl: `${url}/api/v1`,
    port,
    fake,
    close() {
      closed ??= (async () => {
        fake.close();
        await server.shutdown();
        await server.finished;
      })();
      return closed;
    },
  };
}
