// The normal answer of each route (no fault in play), shaped by the domain behaviours that change a body rather
// than replace it: no match, an HTML or oddly shaped body, revenue written as a float.
import { fakeId, organizationFor, personDomain, personFor } from "./data.ts";
import { type DomainBehaviour, domainBehaviour, type Route } from "./faults.ts";
import { ALL_ROUTES, type ApiRequest, personQuery } from "./request.ts";
import { apolloError, json, MESSAGES, rawJson } from "./responses.ts";
import type { Usage } from "./rate-limits.ts";

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

function organizationEnrich(p: ApiRequest, only: DomainBehaviour): Response {
  const domain = p.domains[0];
  if (!domain) return apolloError(422, { endpoint: p.endpoint, message: MESSAGES.missingDomain });
  const weird = oddBody(only, "organization");
  if (weird) return weird;
  if (only.type === "no-match") return json(only.shape === "null" ? { organization: null } : {});
  const organization = organizationFor(domain);
  if (only.type === "float-revenue") organization.annual_revenue = 345_600_000;
  return withRevenue(only, { organization });
}

function peopleMatch(p: ApiRequest, only: DomainBehaviour): Response {
  const weird = oddBody(only, "person");
  if (weird) return weird;
  if (only.type === "no-match") return json({ person: null });
  const person = personFor(personQuery(p.query, p.body), organizationOf);
  if (person?.organization && only.type === "float-revenue") person.organization.annual_revenue = 345_600_000;
  return withRevenue(only, { person });
}

function organizationsBulkEnrich(p: ApiRequest): Response {
  const unique = [...new Set(p.domains)];
  if (unique.length === 0) {
    return apolloError(422, { endpoint: p.endpoint, message: "Required parameter 'domains' missing" });
  }
  if (p.domains.length > 10) {
    return apolloError(422, { endpoint: p.endpoint, message: "Maximum 10 domains per request" });
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

function peopleBulkMatch(p: ApiRequest): Response {
  const details = Array.isArray(p.body?.details) ? p.body.details : [];
  if (details.length === 0) {
    return apolloError(422, { endpoint: p.endpoint, message: "Required parameter 'details' missing" });
  }
  if (details.length > 10) {
    return apolloError(422, { endpoint: p.endpoint, message: "Maximum 10 details per request" });
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

function apiProfile(p: ApiRequest): Response {
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

function usageStats(usageFor: (route: Route) => Usage): Response {
  const stats: Record<string, unknown> = {};
  for (const route of ALL_ROUTES) {
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

/** The route's normal answer; `usageFor` reports a route's windows without counting a request. */
export function normalAnswer(p: ApiRequest, usageFor: (route: Route) => Usage): Response {
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
      return apiProfile(p);
    case "usage_stats/api_usage_stats":
      return usageStats(usageFor);
    default:
      return json({ error: "Not Found" }, 404);
  }
}
