// Every Apollo call takes a permit from the pacer in Postgres first (take_apollo_permit), and every
// answer teaches it the team's limits and what is left (record_apollo_answer), so all workers and
// all workspaces that spend one Apollo team's budget stay inside its windows together instead of
// calling into a 429 (migration 20261205001000_apollo_pacer.sql).
import type { Sql } from "../_shared/db.ts";
import { ApolloError } from "../_shared/apollo/errors.ts";
import type { ApolloClient, RateLimitInfo } from "../_shared/apollo/types.ts";

export type PacedEndpoint = "organizations/enrich" | "organizations/bulk_enrich" | "people/match" | "people/bulk_match";

const WINDOW_WORDS: Record<string, string> = { minute: "per-minute", hour: "hourly", day: "daily" };
const WINDOW_UNIT: Record<string, string> = { minute: "a minute", hour: "an hour", day: "a day" };

/** The team's window on this endpoint is spent: the call was not made; the job waits until `until`. */
export class ApolloWindowSpent extends Error {
  readonly kind = "window_spent";
  readonly retryable = true;
  readonly retryAfterSeconds: number;

  constructor(
    readonly pacingKey: string,
    readonly endpoint: PacedEndpoint,
    readonly window: string,
    readonly limit: number | null,
    readonly until: Date,
    /** Apollo answered 429 (its count, not ours, said the window is spent). */
    readonly apolloSaid429 = false,
  ) {
    const at = until.toISOString().slice(11, 19);
    super(
      apolloSaid429
        ? `Apollo rate limit reached for this key (429 on ${endpoint}), resumes at ${at} UTC`
        : `Waiting for Apollo's ${WINDOW_WORDS[window] ?? window} limit` +
          `${limit ? ` (${limit} calls ${WINDOW_UNIT[window] ?? `per ${window}`} on ${endpoint})` : ""}, resumes at ${at} UTC`,
    );
    this.name = "ApolloWindowSpent";
    // to the millisecond: whole seconds would cost a scaled-down window (tests, bench) its first calls
    this.retryAfterSeconds = Math.max(0.1, (until.getTime() - Date.now()) / 1000);
  }
}

/** Apollo's headers as the pacer reads them: {minute: {limit, left}, hour: ..., day: ...}. */
export function windowsOf(info: RateLimitInfo | undefined): Record<string, { limit?: number; left?: number }> {
  const windows: Record<string, { limit?: number; left?: number }> = {};
  const add = (kind: string, limit: number | undefined, left: number | undefined) => {
    if (limit !== undefined || left !== undefined) windows[kind] = { limit, left };
  };
  if (!info) return windows;
  add("minute", info.minuteLimit, info.minuteLeft);
  add("hour", info.hourlyLimit, info.hourlyLeft);
  add("day", info.dailyLimit, info.dailyLeft);
  return windows;
}

export class Pacer {
  constructor(private readonly sql: Sql, readonly pacingKey: string) {}

  /** Takes a permit for one call, or throws ApolloWindowSpent naming the spent window. */
  async permit(endpoint: PacedEndpoint): Promise<void> {
    const [row] = await this.sql<
      { granted: boolean; wait_until: Date | null; spent_window: string | null; window_limit: number | null; apollo_said_429: boolean }[]
    >`select granted, wait_until, spent_window, window_limit, apollo_said_429
      from public.take_apollo_permit(${this.pacingKey}, ${endpoint})`;
    if (!row.granted) {
      throw new ApolloWindowSpent(
        this.pacingKey, endpoint, row.spent_window ?? "minute", row.window_limit, row.wait_until ?? new Date(), row.apollo_said_429,
      );
    }
  }

  /** Learns from an answer (its headers, and a 429's retry-after). Never throws: pacing is advice. */
  async learn(endpoint: PacedEndpoint, rateLimit: RateLimitInfo | undefined, retryAfterSeconds?: number): Promise<void> {
    const windows = windowsOf(rateLimit);
    if (Object.keys(windows).length === 0 && retryAfterSeconds === undefined) return;
    try {
      await this.sql`
        select public.record_apollo_answer(${this.pacingKey}, ${endpoint}, ${this.sql.json(windows as never)},
                                           ${retryAfterSeconds ?? null})`;
    } catch (error) {
      console.warn(`[JobWorker] could not record Apollo's rate-limit headers: ${(error as Error).message}`);
    }
  }

  /** Runs one Apollo call under a permit, learning from its answer or its error. */
  async call<T extends { rateLimit: RateLimitInfo }>(endpoint: PacedEndpoint, fn: () => Promise<T>): Promise<T> {
    await this.permit(endpoint);
    try {
      const answer = await fn();
      await this.learn(endpoint, answer.rateLimit);
      return answer;
    } catch (error) {
      if (error instanceof ApolloError) {
        const limited = error.kind === "rate_limited";
        await this.learn(endpoint, error.rateLimit, limited ? error.retryAfterSeconds ?? 60 : undefined);
        // a 429 pauses every workspace that spends this budget, not only the job's own
        if (limited) Object.assign(error, { pacingKey: this.pacingKey });
      }
      throw error;
    }
  }
}

/** The client with every enrichment call paced (checkConnection is not an enrichment endpoint). */
export function pacedClient(client: ApolloClient, pacer: Pacer): ApolloClient {
  return {
    enrichOrganization: (request, options) => pacer.call("organizations/enrich", () => client.enrichOrganization(request, options)),
    enrichPerson: (request, options) => pacer.call("people/match", () => client.enrichPerson(request, options)),
    bulkEnrichOrganizations: (domains, options) =>
      pacer.call("organizations/bulk_enrich", () => client.bulkEnrichOrganizations(domains, options)),
    bulkMatchPeople: (requests, options) => pacer.call("people/bulk_match", () => client.bulkMatchPeople(requests, options)),
    checkConnection: (options) => client.checkConnection(options),
  };
}
