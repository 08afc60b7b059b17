// The Apollo module's public face, and the one place that decides between the real client and the mock.
import { createApolloClient } from "./client.ts";
import { isProduction, mockApolloEnabled } from "../environment.ts";
import { type EnvReader, processEnv } from "./env.ts";
import { MockApolloClient } from "./mock.ts";
import type { ApolloClient } from "./types.ts";

export type * from "./types.ts";
export { type ApolloClientOptions, createApolloClient, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from "./client.ts";
export { DEFAULT_MOCK_DELAY_MS, MockApolloClient, type MockApolloClientOptions } from "./mock.ts";
export { ApolloError, isRetryableKind, parseRetryAfter } from "./errors.ts";
export { describeRateLimit, parseRateLimit } from "./rate-limit.ts";
export { isValidDomain, normalizeDomain } from "../domain.ts";
export type { EnvReader } from "./env.ts";

/** The testing guide's key: a workspace that saves it gets the mock client, outside production. */
export const MOCK_API_KEY = "test-key-12345";

/** The test key in production: refused when saved, and a job that finds it stored fails (no retry helps). */
export class TestKeyInProductionError extends Error {
  readonly retryable = false;
  constructor() {
    super("The test key cannot be used in production: save your real Apollo API key");
    this.name = "TestKeyInProductionError";
  }
}

/** Throws TestKeyInProductionError when apiKey is the test key and this is production. */
export function refuseTestKeyInProduction(apiKey: string, env: EnvReader = processEnv): void {
  if (apiKey === MOCK_API_KEY && isProduction(env)) throw new TestKeyInProductionError();
}

/**
 * The mock for the test key or USE_MOCK_APOLLO=true, outside production only; otherwise the real
 * client (env decides its URL/timeout). In production the test key throws TestKeyInProductionError
 * and USE_MOCK_APOLLO is ignored, so production never gets the mock's invented data.
 */
export function apolloClientFor(apiKey: string, env: EnvReader = processEnv): ApolloClient {
  refuseTestKeyInProduction(apiKey, env);
  if (apiKey === MOCK_API_KEY || mockApolloEnabled(env)) return new MockApolloClient({ env });
  return createApolloClient(apiKey, { env });
}
