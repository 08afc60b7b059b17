// The real Apollo.io client: fetch with the key in the x-api-key header, a timeout, typed errors and
// tolerant zod parsing. Runs unchanged on hosted Supabase (Deno 2): web APIs only.
import type { z } from "zod";
import { isValidDomain, normalizeDomain } from "../domain.ts";
import { envNumber, type EnvReader, processEnv } from "./env.ts";
import { ApolloError, errorFromResponse, redact } from "./errors.ts";
import { describeRateLimit, parseRateLimit } from "./rate-limit.ts";
import { BULK_MAX_RECORDS, organizationsByDomain, peopleByRequest } from "./bulk-identity.ts";
import {
  apiProfileResponseSchema,
  bulkOrganizationResponseSchema,
  bulkPeopleResponseSchema,
  describeSchemaIssues,
  healthResponseSchema,
  organizationEnrichResponseSchema,
  personMatchResponseSchema,
  usageStatsResponseSchema,
} from "./schemas.ts";
import type { ApolloClient, ApolloOrganization, ApolloPerson, PersonMatchRequest, RateLimitInfo } from "./types.ts";

export const DEFAULT_BASE_URL = "https://api.apollo.io/api/v1";
export const DEFAULT_TIMEOUT_MS = 15_000;

export interface ApolloClientOptions {
  /** Default: env APOLLO_BASE_URL, else https://api.apollo.io/api/v1. */
  baseUrl?: string;
  /** Per request, including reading the body. Default: env APOLLO_TIMEOUT_MS, else 15000. */
  timeoutMs?: number;
  /** Injected fetch (tests). */
  fetch?: typeof fetch;
  /** Where APOLLO_BASE_URL / APOLLO_TIMEOUT_MS are read (default Deno.env). */
  env?: EnvReader;
}

/** The fields of PersonMatchRequest (and Apollo's other identifiers) sent to people/match. */
const PERSON_FIELDS = [
  "email",
  "first_name",
  "last_name",
  "name",
  "hashed_email",
  "organization_name",
  "domain",
  "id",
  "linkedin_url",
] as const;

/** A person request as Apollo's match endpoints take it: its non-blank fields trimmed, the domain normalized. */
function personDetail(req: PersonMatchRequest): Record<string, string> {
  const detail: Record<string, string> = {};
  const source = req as Record<string, unknown>;
  for (const field of PERSON_FIELDS) {
    const value = source[field];
    if (typeof value === "string" && value.trim() !== "") detail[field] = value.trim();
  }
  if (detail.domain) detail.domain = normalizeDomain(detail.domain);
  return detail;
}

interface RequestOptions {
  /** A list value is sent as the parameter repeated (domains[]=a&domains[]=b). */
  query?: Record<string, string | string[]>;
  body?: unknown;
  signal?: AbortSignal;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}` : s.toFixed(1);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function createApolloClient(apiKey: string, options: ApolloClientOptions = {}): ApolloClient {
  const env = options.env ?? processEnv;
  const baseUrl = (options.baseUrl ?? env.get("APOLLO_BASE_URL")?.trim() ?? DEFAULT_BASE_URL).replace(/\/+$/, "") ||
    DEFAULT_BASE_URL;
  const timeoutMs = options.timeoutMs ?? envNumber(env, "APOLLO_TIMEOUT_MS", DEFAULT_TIMEOUT_MS);
  const fetchFn = options.fetch ?? globalThis.fetch;
  const scrub = (text: string) => redact(text, apiKey);

  async function request<S extends z.ZodType>(
    method: "GET" | "POST",
    endpoint: string,
    schema: S,
    { query, body, signal }: RequestOptions = {},
  ): Promise<{ data: z.infer<S>; rateLimit: RateLimitInfo; status: number }> {
    if (signal?.aborted) throw signal.reason;
    const url = new URL(`${baseUrl}/${endpoint}`);
    for (const [k, v] of Object.entries(query ?? {})) {
      for (const value of Array.isArray(v) ? v : [v]) url.searchParams.append(k, value);
    }
    const headers: Record<string, string> = {
      "x-api-key": apiKey,
      "accept": "application/json",
      "cache-control": "no-cache",
    };
    if (body !== undefined) headers["content-type"] = "application/json";

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onCallerAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onCallerAbort, { once: true });

    const transportError = (error: unknown): unknown => {
      if (signal?.aborted) return signal.reason; // the caller gave up (cancelled job, time budget): not Apollo's fault
      if (timedOut) {
        return new ApolloError(
          "timeout",
          `Apollo did not answer ${endpoint} within ${seconds(timeoutMs)} s. It will be retried automatically; ` +
            `if this keeps happening, Apollo may be slow or unreachable.`,
          { endpoint },
        );
      }
      const reason = error instanceof Error ? error.message : String(error);
      return new ApolloError(
        "network",
        `Could not reach Apollo at ${hostOf(baseUrl)} for ${endpoint} (${scrub(reason).slice(0, 200)}). ` +
          `It will be retried automatically; check the network or APOLLO_BASE_URL if it persists.`,
        { endpoint },
      );
    };

    let response: Response;
    let bodyText: string;
    try {
      try {
        response = await fetchFn(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: controller.signal,
        });
      } catch (error) {
        throw transportError(error);
      }
      try {
        bodyText = await response.text();
      } catch (error) {
        throw transportError(error);
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onCallerAbort);
    }

    const rateLimit = parseRateLimit(response.headers);
    const status = response.status;
    if (status < 200 || status > 299) {
      throw errorFromResponse({
        status,
        bodyText,
        retryAfter: response.headers.get("retry-after"),
        endpoint,
        rateLimit,
        apiKey,
      });
    }

    let json: unknown;
    try {
      json = JSON.parse(bodyText);
    } catch {
      const start = scrub(bodyText.trim().slice(0, 60)).replace(/\s+/g, " ");
      throw new ApolloError(
        "bad_response",
        `Apollo answered ${endpoint} with HTTP ${status} but the body was not JSON ` +
          `(${start === "" ? "empty" : `starts with "${start}"`}). It will be retried automatically.`,
        { status, endpoint, rateLimit },
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ApolloError(
        "bad_response",
        `Apollo answered ${endpoint} with HTTP ${status} but the body was not what its API documents ` +
          `(${scrub(describeSchemaIssues(parsed.error))}). It will be retried automatically.`,
        { status, endpoint, rateLimit },
      );
    }
    return { data: parsed.data, rateLimit, status };
  }

  // The methods take their parameter and result types from ApolloClient (types.ts).
  return {
    async enrichOrganization(req, opts = {}) {
      const domain = normalizeDomain(req.domain ?? "");
      if (!isValidDomain(domain)) {
        throw new ApolloError(
          "bad_request",
          `"${String(req.domain ?? "").slice(0, 100)}" is not a domain Apollo can look up. ` +
            `Set the account's domain to something like example.com, then enrich it again.`,
          { endpoint: "organizations/enrich" },
        );
      }
      const { data, rateLimit } = await request("GET", "organizations/enrich", organizationEnrichResponseSchema, {
        query: { domain },
        signal: opts.signal,
      });
      const organization = (data.organization ?? null) as ApolloOrganization | null;
      return { organization, credits_used: organization ? 1 : 0, rateLimit };
    },

    async enrichPerson(req, opts = {}) {
      const body = personDetail(req);
      if (Object.keys(body).length === 0) {
        throw new ApolloError(
          "bad_request",
          "The contact has nothing Apollo can match on. Add an email, a LinkedIn URL, or a name with a company, " +
            "then enrich it again.",
          { endpoint: "people/match" },
        );
      }
      const { data, rateLimit } = await request("POST", "people/match", personMatchResponseSchema, {
        body,
        signal: opts.signal,
      });
      const person = (data.person ?? null) as ApolloPerson | null;
      return { person, credits_used: person ? 1 : 0, rateLimit };
    },

    async bulkEnrichOrganizations(domains, opts = {}) {
      const wanted = [...new Set(domains.map(normalizeDomain))];
      if (wanted.length === 0 || wanted.length > BULK_MAX_RECORDS || !wanted.every(isValidDomain)) {
        throw new ApolloError(
          "bad_request",
          `organizations/bulk_enrich takes 1 to ${BULK_MAX_RECORDS} domains like example.com (got ${wanted.length}).`,
          { endpoint: "organizations/bulk_enrich" },
        );
      }
      // In the query as domains[], as Apollo's current docs have it (older docs: a JSON body; one form
      // only, so no domain is counted twice against the 10).
      const { data, rateLimit } = await request("POST", "organizations/bulk_enrich", bulkOrganizationResponseSchema, {
        query: { "domains[]": wanted },
        signal: opts.signal,
      });
      return { byDomain: organizationsByDomain(wanted, (data.organizations ?? []) as ApolloOrganization[]), rateLimit };
    },

    async bulkMatchPeople(requests, opts = {}) {
      if (requests.length === 0 || requests.length > BULK_MAX_RECORDS) {
        throw new ApolloError(
          "bad_request",
          `people/bulk_match takes 1 to ${BULK_MAX_RECORDS} people (got ${requests.length}).`,
          { endpoint: "people/bulk_match" },
        );
      }
      const { data, rateLimit } = await request("POST", "people/bulk_match", bulkPeopleResponseSchema, {
        body: { details: requests.map(personDetail) },
        signal: opts.signal,
      });
      return { ...peopleByRequest(requests, (data.matches ?? []) as ApolloPerson[]), rateLimit };
    },

    async checkConnection(opts = {}) {
      const signal = opts.signal;
      let profile;
      try {
        profile = await request("GET", "users/api_profile", apiProfileResponseSchema, { signal });
      } catch (error) {
        // A key limited to some endpoints may not see its profile: auth/health still says whether it is valid.
        if (error instanceof ApolloError && (error.kind === "forbidden" || error.status === 404)) {
          const health = await request("GET", "auth/health", healthResponseSchema, { signal });
          const limits = describeRateLimit(health.rateLimit);
          return health.data.is_logged_in
            ? {
              ok: true,
              mock: false,
              message: `Apollo accepted the API key (this key cannot read users/api_profile, so no account ` +
                `details are shown).${limits ? ` Rate limit: ${limits}.` : ""}`,
              rateLimit: health.rateLimit,
            }
            : {
              ok: false,
              mock: false,
              message: "Apollo did not accept the API key (auth/health says it is not logged in). " +
                "Check the key in Settings → API.",
              rateLimit: health.rateLimit,
            };
        }
        throw error;
      }

      const p = profile.data.user ?? profile.data;
      const name = p.name ?? ([p.first_name, p.last_name].filter(Boolean).join(" ") || undefined);
      const user = {
        ...(p.id ? { id: p.id } : {}),
        ...(p.email ? { email: p.email } : {}),
        ...(name ? { name } : {}),
        ...(p.team_id ? { team_id: p.team_id } : {}),
      };

      let usage: unknown;
      let usageNote = "";
      try {
        usage = (await request("POST", "usage_stats/api_usage_stats", usageStatsResponseSchema, { body: {}, signal }))
          .data;
      } catch (error) {
        if (signal?.aborted) throw error;
        usageNote = error instanceof ApolloError && error.kind === "forbidden"
          ? " Usage stats need a master API key, so they are not shown."
          : " Usage stats could not be read right now.";
      }

      const who = name && p.email ? `${name} (${p.email})` : name ?? p.email ?? "this key's user";
      const limits = describeRateLimit(profile.rateLimit);
      return {
        ok: true,
        mock: false,
        message: `Connected to Apollo as ${who}.${limits ? ` Rate limit: ${limits}.` : ""}${usageNote}`,
        user,
        ...(usage === undefined ? {} : { usage }),
        rateLimit: profile.rateLimit,
      };
    },
  };
}
