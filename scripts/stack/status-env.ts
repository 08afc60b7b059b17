// What `stack:status` prints: the env block of a stack instance (URLs, keys, the demo login).
import type { StackConfig } from "./config.ts";
import { clientKey, readKeys, serverKey } from "./keys.ts";

/**
 * The env block printed by `stack:status`, in the order `supabase status -o env` uses. A stack with
 * signing keys prints its publishable and secret keys and its JWKS; the legacy JWT keys and secret
 * are printed only by a stack that runs with them (STACK_LEGACY_KEYS=1), since elsewhere they are refused.
 */
export async function envBlock(config: StackConfig): Promise<Record<string, string>> {
  // An instance that was never brought up has no keys yet (stack:up makes them): no key lines then.
  const keys = await readKeys(config).catch(() => null);
  const apiKeys: Record<string, string> = !keys
    ? {}
    : keys.mode === "legacy"
    ? { ANON_KEY: clientKey(keys), SERVICE_ROLE_KEY: serverKey(keys), JWT_SECRET: keys.legacy.jwtSecret }
    : {
      PUBLISHABLE_KEY: clientKey(keys),
      SECRET_KEY: serverKey(keys),
      JWKS_URL: `${config.apiUrl}/auth/v1/.well-known/jwks.json`,
    };
  return {
    API_URL: config.apiUrl,
    DB_URL: config.dbUrl,
    POOLER_URL: config.poolerUrl,
    ...apiKeys,
    WORKER_SECRET_TOKEN: config.workerSecretToken,
    DEMO_EMAIL: config.demo.email,
    DEMO_PASSWORD: config.demo.password,
    FAKE_APOLLO_URL: config.fakeApolloUrl,
    SPA_URL: config.spaUrl,
    MAILBOX_URL: config.mailboxUrl,
  };
}
