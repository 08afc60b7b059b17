// One Apollo API request from start to answer, in Apollo's order of precedence: auth rules, then scripts, key
// patterns, chaos, domain patterns, then (if enforced) rate limits, then the route's normal answer. Every answer
// to a known route carries the rate-limit headers of the caller's team for that route.
import { normalAnswer } from "./answers.ts";
import {
  type Chaos,
  domainBehaviour,
  keyDelayMs,
  keyFault,
  keyIsInvalid,
  type Outcome,
  type Scripts,
} from "./faults.ts";
import { rateLimitHeaders, retryAfterSeconds, type Usage } from "./rate-limits.ts";
import { type ApiRequest, parseApiRequest } from "./request.ts";
import { apolloError, json, MESSAGES } from "./responses.ts";
import { sleep } from "./sleep.ts";
import type { TeamLimits } from "./team-limits.ts";
import type { FakeSettings, RequestLogEntry } from "./types.ts";

/** What a request needs of the fake's state. */
export interface ApiState {
  readonly settings: FakeSettings;
  readonly limits: TeamLimits;
  readonly scripts: Scripts;
  readonly chaos: Chaos | null;
  now(): number;
  /** Aborts when the server closes, so no wait outlives it. */
  readonly closing: AbortSignal;
}

/** The answer, or null when the client gave up (or the server closed) before one was sent. */
export async function answerApi(
  state: ApiState,
  req: Request,
  url: URL,
  entry: RequestLogEntry,
): Promise<Response | null> {
  // req.signal is read only when waiting (it also tells when the client gave up on a hang).
  const signals = () => [req.signal, state.closing];
  const p = await parseApiRequest(req, url);
  const { route, key, endpoint } = p;
  entry.key_last4 = key ? key.slice(-4) : null;
  entry.domain = p.domains.length ? p.domains.join(",") : null;
  entry.records = p.records;
  const team = state.limits.teams.teamOf(key);
  entry.team = team;

  const latency = state.settings.latencyMs + keyDelayMs(key);
  if (latency > 0 && !(await sleep(latency, signals()))) return null;

  const usage = route ? state.limits.take(team, route, route !== "auth/health") : null;
  const finish = (res: Response): Response => {
    if (usage) {
      for (const [name, value] of Object.entries(rateLimitHeaders(usage, state.settings.headerStyle))) {
        res.headers.set(name, value);
      }
    }
    return res;
  };

  if (route === null) return finish(json({ error: "Not Found" }, 404));

  const keyElsewhere = p.query.has("api_key") || (p.body !== null && "api_key" in p.body);
  if (route === "auth/health") {
    const loggedIn = key !== "" && !keyElsewhere && !keyIsInvalid(key);
    return finish(json({ healthy: true, is_logged_in: loggedIn }));
  }
  const refusal = authRefusal(p, keyElsewhere, req.headers.get("authorization"));
  if (refusal) {
    entry.fault = "auth";
    return finish(refusal);
  }

  const outcome: Outcome | null = state.scripts.take({ route, key, domains: p.domains }) ??
    keyFault(key, route) ??
    state.chaos?.draw(key) ??
    p.domains.map(domainBehaviour).find((b): b is Outcome => b.type === "status" || b.type === "hang") ??
    null;

  const refused = usage?.refused;
  if (outcome === null && refused) {
    entry.fault = "rate-limit";
    return finish(apolloError(429, {
      endpoint,
      retryAfterSeconds: retryAfterSeconds(refused.retryAfterMs, state.limits.windowScale),
      limit: { value: refused.limit, per: refused.kind },
    }));
  }

  if (outcome) {
    entry.fault = outcome.source;
    if (outcome.type === "hang") {
      const completed = await sleep(outcome.ms ?? Infinity, signals());
      if (!completed) return null;
      return finish(apolloError(504, { endpoint }));
    }
    if (outcome.body !== undefined) return finish(json(outcome.body, outcome.status));
    return finish(apolloError(outcome.status, {
      endpoint,
      retryAfterSeconds: outcome.retryAfterSeconds,
      jsonUnauthorized: outcome.jsonUnauthorized,
      message: outcome.message ?? (outcome.status === 422 ? MESSAGES.missingDomain : undefined),
      limit: usage ? namedLimit(usage) : undefined,
    }));
  }

  const delays = p.domains.map(domainBehaviour).map((b) => (b.type === "delay" ? b.ms : 0));
  const delay = Math.max(0, ...delays);
  if (delay > 0) {
    entry.fault = `domain:slow-${delay}.test`;
    if (!(await sleep(delay, signals()))) return null;
  }
  const normal = normalAnswer(p, { team, usageFor: (r) => state.limits.peek(team, r) });
  if (normal.response.status === 200) state.limits.addCredits(team, normal.credits);
  return finish(normal.response);
}

/** Apollo's answer to a key it cannot take: in the query or body, a Bearer token, or none; null when the key is in place. */
function authRefusal(p: ApiRequest, keyElsewhere: boolean, authorization: string | null): Response | null {
  if (keyElsewhere) return apolloError(422, { endpoint: p.endpoint, message: MESSAGES.keyInHeader });
  if (p.key !== "") return null;
  if (/^bearer\s/i.test(authorization ?? "")) return apolloError(401, { endpoint: p.endpoint });
  return apolloError(422, { endpoint: p.endpoint, message: MESSAGES.keyRequired });
}

/** The window a canned 429 names: the hourly one if the plan has it, else the minute one. */
function namedLimit(usage: Usage): { value: number; per: "minute" | "hour" } | undefined {
  const { hour, minute } = usage.windows;
  if (hour.limit !== null) return { value: hour.limit, per: "hour" };
  if (minute.limit !== null) return { value: minute.limit, per: "minute" };
  return undefined;
}
