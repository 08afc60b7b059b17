// The contract between the worker and the Apollo clients (real HTTP and mock).
// Response shapes follow ../shared/reference/apollo-api.md; the zod schemas live in schemas.ts.

/** Rate-limit headers of the last response (both the documented and the observed daily names). */
export interface RateLimitInfo {
  minuteLimit?: number;
  minuteUsage?: number;
  minuteLeft?: number;
  hourlyLimit?: number;
  hourlyUsage?: number;
  hourlyLeft?: number;
  dailyLimit?: number;
  dailyUsage?: number;
  dailyLeft?: number;
}

/** Apollo's organization, as returned (every field optional/nullable; unknown fields kept). */
export interface ApolloOrganization {
  id?: string | null;
  name?: string | null;
  website_url?: string | null;
  linkedin_url?: string | null;
  primary_domain?: string | null;
  industry?: string | null;
  estimated_num_employees?: number | null;
  annual_revenue?: number | null;
  city?: string | null;
  state?: string | null;
  country?: string | null;
  founded_year?: number | null;
  short_description?: string | null;
  seo_description?: string | null;
  phone?: string | null;
  sanitized_phone?: string | null;
  [key: string]: unknown;
}

export interface ApolloPerson {
  id?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  name?: string | null;
  email?: string | null;
  title?: string | null;
  seniority?: string | null;
  linkedin_url?: string | null;
  city?: string | null;
  state?: string | null;
  country?: string | null;
  [key: string]: unknown;
}

export interface OrganizationEnrichment {
  /** null when Apollo has no match (200 with {} or {"organization": null}). */
  organization: ApolloOrganization | null;
  /** Credits this call consumed by our count: 1 when a record was found, else 0. */
  credits_used: number;
  rateLimit: RateLimitInfo;
}

export interface PersonEnrichment {
  person: ApolloPerson | null;
  credits_used: number;
  rateLimit: RateLimitInfo;
}

/** organizations/bulk_enrich: what Apollo matched, by the requested (bare) domain it belongs to. */
export interface BulkOrganizationEnrichment {
  byDomain: Map<string, ApolloOrganization>;
  rateLimit: RateLimitInfo;
}

/** people/bulk_match: what Apollo matched, by the request's index (found by identity, never by position). */
export interface BulkPersonMatch {
  byRequest: Map<number, ApolloPerson>;
  /** Matches that could not be tied to a request by email or LinkedIn URL (e.g. a locked email). */
  unidentified: number;
  rateLimit: RateLimitInfo;
}

export interface PersonMatchRequest {
  email?: string;
  first_name?: string;
  last_name?: string;
  name?: string;
  organization_name?: string;
  domain?: string;
  linkedin_url?: string;
}

/** What "Test Connection" shows. */
export interface ConnectionCheck {
  ok: boolean;
  mock: boolean;
  message: string;
  user?: { id?: string; email?: string; name?: string; team_id?: string };
  usage?: unknown;
  rateLimit?: RateLimitInfo;
}

export interface ApolloClient {
  enrichOrganization(request: { domain: string }, options?: { signal?: AbortSignal }): Promise<OrganizationEnrichment>;
  enrichPerson(request: PersonMatchRequest, options?: { signal?: AbortSignal }): Promise<PersonEnrichment>;
  /** Up to 10 domains in one call (a tenth of the single endpoint's rate limit, counted in calls). */
  bulkEnrichOrganizations(domains: string[], options?: { signal?: AbortSignal }): Promise<BulkOrganizationEnrichment>;
  /** Up to 10 people in one call. */
  bulkMatchPeople(requests: PersonMatchRequest[], options?: { signal?: AbortSignal }): Promise<BulkPersonMatch>;
  checkConnection(options?: { signal?: AbortSignal }): Promise<ConnectionCheck>;
}

export type ApolloErrorKind =
  | "unauthorized" // 401 wrong key: permanent
  | "forbidden" // 403 endpoint not in plan / needs master key: permanent
  | "insufficient_credits" // 422 out of credits: permanent
  | "bad_request" // other 4xx (422 missing parameter, ...): permanent
  | "rate_limited" // 429: retry after retryAfterSeconds
  | "server_error" // 5xx: retry with backoff
  | "timeout" // no answer within the timeout: retry with backoff
  | "network" // connection refused/reset: retry with backoff
  | "bad_response"; // 2xx whose body is not what the API documents: retry with backoff
