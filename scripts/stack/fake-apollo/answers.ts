// The normal answer of each route (no fault in play), shaped by the domain behaviours that change a body rather
// than replace it: no match, an HTML or oddly shaped body, revenue written as a float. Each answer says how many
// credits it spent: one per enriched record. Bulk answers list only the matches, in an order other than the
// request's, so a client must match them back by identity (domain, email...), never by position.
import { fakeId, hash32, organizationFor, personDomain, personFor } from "./data.ts";
import { type DomainBehaviour, domainBehaviour, mulberry32, type Route } from "./faults.ts";
import { ALL_ROUTES, type ApiRequest, personQuery } from "./request.ts";
import { apolloError, json, MESSAGES, rawJson } from "./responses.ts";
import type { Usage } from "./rate-limits.ts";
import { teamId } from "./teams.ts";

export interface Answer {
  response: Response;
  /** Records enriched (one credit each). */
  credits: number;
}

/** What the answers need to know beyond the request. */
export interface AnswerContext {
  /** The caller's team. */
  team: string;
  /** The team's windows for a route, counting nothing. */
  usageFor(route: Route): Usage;
}

const answer = (response: Response, credits = 0): Answer => ({ response, credits });

/** Apollo takes up to 10 records per bulk call. */
export const BULK_MAX = 10;

/**
 * The items in a shuffled order that is never the given one (two or more items), the same for the same request
 * (seeded from `seed`), so a test of a client that matches results by position fails every time.
 */
export function outOfOrder<T>(items: readonly T[], seed: string): T[] {
  const random = mulberry32(hash32(seed));
  const order = items.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  if (order.length > 1 && order.every((v, i) => v === i)) order.push(order.shift()!);
  return order.map((i) => items[i]);
}

function organizationOf(domain: string): Record<string, unknown> | null {
  return domainBehaviour(domain).type === "no-match" ? null : organizationFor(domain);
}

/** The body a single-record route gets for a domain whose behaviour is not about the data. */
function oddBody(only: DomainBehaviour, kind: "organization" | "person"): Response | null {
  if (only.type === "bad-json") {
    return new Response("<!DOCTYPE html><html><body>Apollo is temporarily down for maintenance</body></html>", {
      status: 200,
      headers: { "content-type": "text/html" },
    });
  }
  if (only.type === "bad-shape") return json({ [kind]: "unexpected" });
  return null;
}

function withRevenue(only: DomainBehaviour, body: unknown): Response {
  const text = JSON.stringify(body);
  return only.type === "float-revenue"
    ? rawJson(text.replace(/"annual_revenue":(-?\d+)(?=[,}])/g, '"annual_revenue":$1.0'))
    : rawJson(text);
}

function organizationEnrich(p: ApiRequest, only: DomainBehaviour): Answer {
  const domain = p.domains[0];
  if (!domain) return answer(apolloError(422, { endpoint: p.endpoint, message: MESSAGES.missingDomain }));
  const weird = oddBody(only, "organization");
  if (weird) return answer(weird);
  if (only.type === "no-match") return answer(json(only.shape === "null" ? { organization: null } : {}));
  const organization = organizationFor(domain);
  if (only.type === "float-revenue") organization.annual_revenue = 345_600_000;
  return answer(withRevenue(only, { organization }), 1);
}

function peopleMatch(p: ApiRequest, only: DomainBehaviour): Answer {
  const weird = oddBody(only, "person");
  if (weird) return answer(weird);
  if (only.type === "no-match") return answer(json({ person: null }));
  const person = personFor(personQuery(p.query, p.body), organizationOf);
  if (person?.organization && only.type === "float-revenue") person.organization.annual_revenue = 345_600_000;
  return answer(withRevenue(only, { person }), person ? 1 : 0);
}

function organizationsBulkEnrich(p: ApiRequest): Answer {
  const unique = [...new Set(p.domains)];
  if (unique.length === 0) {
    return answer(apolloError(422, { endpoint: p.endpoint, message: "Required parameter 'domains' missing" }));
  }
  if (p.domains.length > BULK_MAX) {
    return answer(apolloError(422, { endpoint: p.endpoint, message: MESSAGES.tooManyDomains }));
  }
  const organizations = outOfOrder(
    unique.map(organizationOf).filter((o): o is Record<string, unknown> => o !== null),
    unique.join(","),
  );
  const response = json({
    status: "success",
    error_code: null,
    error_message: null,
    total_requested_domains: p.domains.length,
    unique_domains: unique.length,
    unique_enriched_records: organizations.length,
    missing_records: unique.length - organizations.length,
    organizations,
  });
  return answer(response, organizations.length);
}

function peopleBulkMatch(p: ApiRequest): Answer {
  const details = Array.isArray(p.body?.details) ? p.body.details : [];
  if (details.length === 0) {
    return answer(apolloError(422, { endpoint: p.endpoint, message: "Required parameter 'details' missing" }));
  }
  if (details.length > BULK_MAX) {
    return answer(apolloError(422, { endpoint: p.endpoint, message: MESSAGES.tooManyDetails }));
  }
  const found = details.map((d) => {
    const q = personQuery(new URLSearchParams(), (d ?? {}) as Record<string, unknown>);
    const domain = personDomain(q);
    if (domain && domainBehaviour(domain).type === "no-match") return null;
    return personFor(q, organizationOf);
  }).filter((m) => m !== null);
  const matches = outOfOrder(found, JSON.stringify(details));
  const response = json({
    status: "success",
    error_code: null,
    error_message: null,
    total_requested_enrichments: details.length,
    unique_enriched_records: matches.length,
    missing_records: details.length - matches.length,
    credits_consumed: matches.length,
    matches,
  });
  return answer(response, matches.length);
}

function apiProfile(p: ApiRequest, team: string): Response {
  const last4 = p.key.slice(-4).toLowerCase().replace(/[^a-z0-9]/g, "x");
  return json({
    id: fakeId("user", p.key),
    team_id: teamId(team),
    first_name: "Fake",
    last_name: "Apollo User",
    title: "Revenue Operations",
    email: `apollo-user-${last4}@fake-apollo.test`,
  });
}

/** Per endpoint, each window the plan has (a window without a limit is left out, as in the headers). */
function usageStats(usageFor: (route: Route) => Usage): Response {
  const stats: Record<string, unknown> = {};
  for (const route of ALL_ROUTES) {
    if (route === "auth/health" || route === "usage_stats/api_usage_stats") continue;
    const { windows } = usageFor(route);
    const [resource, action] = route.split("/");
    const entry: Record<string, unknown> = {};
    for (const kind of ["day", "hour", "minute"] as const) {
      const w = windows[kind];
      if (w.limit !== null) entry[kind] = { limit: w.limit, consumed: w.used, left_over: w.left };
    }
    stats[JSON.stringify([`api/v1/${resource}`, action]).replace(",", ", ")] = entry;
  }
  return json(stats);
}

/** The route's normal answer. */
export function normalAnswer(p: ApiRequest, context: AnswerContext): Answer {
  const only: DomainBehaviour = p.domains.length === 1 ? domainBehaviour(p.domains[0]) : { type: "normal" };
  switch (p.route) {
    case "organizations/enrich":
      return organizationEnrich(p, only);
    case "people/match":
      return peopleMatch(p, only);
    case "organizations/bulk_enrich":
      return organizationsBulkEnrich(p);
    case "people/bulk_match":
      return peopleBulkMatch(p);
    case "users/api_profile":
      return answer(apiProfile(p, context.team));
    case "usage_stats/api_usage_stats":
      return answer(usageStats(context.usageFor));
    default:
      return answer(json({ error: "Not Found" }, 404));
  }
}
