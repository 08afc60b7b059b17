// The mock Apollo client: no network, fixed sample data after a simulated delay.
// Used when USE_MOCK_APOLLO=true or the workspace key is the test key (see index.ts).
import { normalizeDomain } from "../domain.ts";
import { envNumber, type EnvReader, processEnv } from "./env.ts";
import { SAMPLE_DATA_KEY } from "./sample-data.ts";
import type {
  ApolloClient,
  ApolloOrganization,
  ApolloPerson,
  BulkOrganizationEnrichment,
  BulkPersonMatch,
  ConnectionCheck,
  OrganizationEnrichment,
  PersonEnrichment,
  PersonMatchRequest,
} from "./types.ts";

export const DEFAULT_MOCK_DELAY_MS = 1000;

export interface MockApolloClientOptions {
  /** Simulated API delay per enrichment. Default: env MOCK_APOLLO_DELAY_MS, else 1000. */
  delayMs?: number;
  env?: EnvReader;
}

/** Resolves after ms, or rejects with the signal's reason as soon as it aborts (the timer is always cleared). */
function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The testing guide's sample organization for a domain, marked as made up (sample-data.ts). */
function sampleOrganization(requested: string): ApolloOrganization {
  const domain = normalizeDomain(requested) || requested;
  return {
    [SAMPLE_DATA_KEY]: true,
    id: "mock-org-123",
    name: `Mock Company for ${domain}`,
    website_url: `https://${domain}`,
    primary_domain: domain,
    industry: "Technology",
    estimated_num_employees: 50,
    city: "San Francisco",
    state: "CA",
    country: "USA",
    linkedin_url: `https://linkedin.com/company/${domain}`,
  };
}

/** The testing guide's sample person, with the email asked about. */
function samplePerson(request: PersonMatchRequest): ApolloPerson {
  return {
    [SAMPLE_DATA_KEY]: true,
    id: "mock-person-123",
    first_name: "John",
    last_name: "Doe",
    name: "John Doe",
    email: request.email ?? null,
    title: "Software Engineer",
    linkedin_url: "https://linkedin.com/in/johndoe",
  };
}

export class MockApolloClient implements ApolloClient {
  readonly delayMs: number;

  constructor(options: MockApolloClientOptions = {}) {
    this.delayMs = options.delayMs ??
      envNumber(options.env ?? processEnv, "MOCK_APOLLO_DELAY_MS", DEFAULT_MOCK_DELAY_MS);
  }

  async enrichOrganization(
    request: { domain: string },
    options: { signal?: AbortSignal } = {},
  ): Promise<OrganizationEnrichment> {
    await delay(this.delayMs, options.signal);
    return { organization: sampleOrganization(request.domain ?? ""), credits_used: 1, rateLimit: {} };
  }

  async enrichPerson(request: PersonMatchRequest, options: { signal?: AbortSignal } = {}): Promise<PersonEnrichment> {
    await delay(this.delayMs, options.signal);
    return { person: samplePerson(request), credits_used: 1, rateLimit: {} };
  }

  /** One simulated delay for the whole call, the same sample record per domain as one by one. */
  async bulkEnrichOrganizations(domains: string[], options: { signal?: AbortSignal } = {}): Promise<BulkOrganizationEnrichment> {
    await delay(this.delayMs, options.signal);
    const byDomain = new Map<string, ApolloOrganization>();
    for (const d of domains) byDomain.set(normalizeDomain(d) || d, sampleOrganization(d));
    return { byDomain, rateLimit: {} };
  }

  async bulkMatchPeople(requests: PersonMatchRequest[], options: { signal?: AbortSignal } = {}): Promise<BulkPersonMatch> {
    await delay(this.delayMs, options.signal);
    const byRequest = new Map<number, ApolloPerson>();
    requests.forEach((r, i) => byRequest.set(i, samplePerson(r)));
    return { byRequest, unidentified: 0, rateLimit: {} };
  }

  checkConnection(options: { signal?: AbortSignal } = {}): Promise<ConnectionCheck> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    return Promise.resolve({
      ok: true,
      mock: true,
      message: "Mock Apollo client: nothing is sent to Apollo and enrichment returns sample data " +
        "(USE_MOCK_APOLLO=true or the test key test-key-12345 is in use). Save a real key to enrich for real.",
      user: { id: "mock-user-123", email: "mock@example.com", name: "Mock User" },
      rateLimit: {},
    });
  }
}
