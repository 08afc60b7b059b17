// The Apollo module's public face, and the one place that decides between the real client and the mock.
import { createApolloClient } from "./client.ts";
import { envFlag, type EnvReader, processEnv } from "./env.ts";
import { MockApolloClient } from "./mock.ts";
import type { ApolloClient } from "./types.ts";

export type * from "./types.ts";
export { type ApolloClientOptions, createApolloClient, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from "./client.ts";
export { DEFAULT_MOCK_DELAY_MS, MockApolloClient, type MockApolloClientOptions } from "./mock.ts";
export { ApolloError, isRetryableKind, parseRetryAfter } from "./errors.ts";
export { describeRateLimit, parseRateLimit } from "./rate-limit.ts";
export { isPlausibleDomain, normalizeDomain } from "./domain.ts";
export type { EnvReader } from "./env.ts";

/** The testing guide's key: a workspace that saves it gets the mock client. */
export const MOCK_API_KEY = "test-key-12345";

/** The mock when USE_MOCK_APOLLO=true or the key is MOCK_API_KEY; otherwise the real client (env decides its URL/timeout). */
export function apolloClientFor(apiKey: string, env: EnvReader = processEnv): ApolloClient {
  if (envFlag(env, "USE_MOCK_APOLLO") || apiKey === MOCK_API_KEY) return new MockApolloClient({ env });
  return createApolloClient(apiKey, { env });
}
