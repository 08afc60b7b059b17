// Routing and parsing of an Apollo API request: which route it is (under /api/v1/ or the legacy /v1/), its key,
// query and body (JSON or form), and the domains it asks about (which the fault patterns and the log use).
import { personDomain, type PersonQuery } from "./data.ts";
import type { Route } from "./faults.ts";
import { normalizeDomain } from "../../../supabase/functions/_shared/domain.ts";

const ROUTES: Record<string, { route: Route; methods: string[] }> = {
  "organizations/enrich": { route: "organizations/enrich", methods: ["GET", "POST"] },
  "organizations/bulk_enrich": { route: "organizations/bulk_enrich", methods: ["POST"] },
  "people/match": { route: "people/match", methods: ["POST", "GET"] },
  "people/bulk_match": { route: "people/bulk_match", methods: ["POST"] },
  "users/api_profile": { route: "users/api_profile", methods: ["GET"] },
  "auth/health": { route: "auth/health", methods: ["GET"] },
  "usage_stats/api_usage_stats": { route: "usage_stats/api_usage_stats", methods: ["POST", "GET"] },
};

/** Every route, in the order usage_stats reports them. */
export const ALL_ROUTES = Object.keys(ROUTES) as Route[];

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

export interface ApiRequest {
  /** null: no such route, or not with this method (a 404). */
  route: Route | null;
  /** "api/v1/organizations/enrich": how Apollo names the endpoint in its error bodies. */
  endpoint: string;
  /** The x-api-key header, trimmed; "" without one. */
  key: string;
  query: URLSearchParams;
  body: Record<string, unknown> | null;
  domains: string[];
  /** Records asked about: 1 for the single enrichment routes, the list's length for bulk ones, else 0. */
  records: number;
}

export function personQuery(query: URLSearchParams, body: Record<string, unknown> | null): PersonQuery {
  const q: Record<string, string> = {};
  for (const p of PERSON_PARAMS) {
    const v = body?.[p] ?? query.get(p);
    if (typeof v === "string" && v.trim() !== "") q[p] = v.trim();
  }
  return q as PersonQuery;
}

function recordsOf(route: Route | null, body: Record<string, unknown> | null, domains: string[]): number {
  switch (route) {
    case "organizations/enrich":
    case "people/match":
      return 1;
    case "organizations/bulk_enrich":
      return domains.length;
    case "people/bulk_match":
      return Array.isArray(body?.details) ? body.details.length : 0;
    default:
      return 0;
  }
}

function domainsOf(route: Route | null, query: URLSearchParams, body: Record<string, unknown> | null): string[] {
  const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : undefined);
  switch (route) {
    case "organizations/enrich": {
      const d = str(query.get("domain")) ?? str(body?.domain);
      return d ? [normalizeDomain(d)] : [];
    }
    case "organizations/bulk_enrich": {
      const fromQuery = [...query.getAll("domains[]"), ...query.getAll("domains")].flatMap((d) => d.split(","));
      const fromBody = Array.isArray(body?.domains) ? body.domains : [];
      return [...fromQuery, ...fromBody].map(str).filter((d): d is string => !!d).map(normalizeDomain);
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

/** A JSON object body, a form body, or null (GET, empty, or anything else). */
async function readBody(req: Request): Promise<Record<string, unknown> | null> {
  if (req.method === "GET" || req.method === "HEAD") return null;
  const text = await req.text();
  try {
    const parsed = text.trim() === "" ? null : JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    const form = new URLSearchParams(text);
    if ([...form.keys()].length > 0) return Object.fromEntries(form);
  }
  return null;
}

export async function parseApiRequest(req: Request, url: URL): Promise<ApiRequest> {
  const match = /^\/(?:api\/)?v1\/(.+?)\/?$/.exec(url.pathname);
  const spec = match ? ROUTES[match[1]] : undefined;
  const route = spec && spec.methods.includes(req.method) ? spec.route : null;
  const body = await readBody(req);
  const domains = domainsOf(route, url.searchParams, body);
  return {
    route,
    endpoint: `api/v1/${route ?? match?.[1] ?? url.pathname}`,
    key: req.headers.get("x-api-key")?.trim() ?? "",
    query: url.searchParams,
    body,
    domains,
    records: recordsOf(route, body, domains),
  };
}
