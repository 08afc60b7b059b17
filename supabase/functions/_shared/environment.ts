// Where the functions run, decided in one place: production turns on the guards (a strong worker
// token, no test key, no mock Apollo), development allows the shortcuts the local stack and the
// tests use. Every function reads it from here, so they can never disagree.

/** Where settings are read from: `Deno.env` fits, so does `new Map(...)` in tests. */
export interface EnvReader {
  get(name: string): string | undefined;
}

/** Deno.env, or nothing when env access is not permitted. */
export const processEnv: EnvReader = {
  get(name: string): string | undefined {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined;
    }
  },
};

export type Deployment = "production" | "development";

/**
 * ENVIRONMENT=production or development when set (any case); otherwise production exactly when
 * SB_REGION is set, which the hosted Edge Runtime always sets and the local stack never does.
 * An unknown ENVIRONMENT value falls back to SB_REGION too, so a typo cannot switch the guards off.
 */
export function deploymentOf(env: EnvReader = processEnv): Deployment {
  const declared = env.get("ENVIRONMENT")?.trim().toLowerCase();
  if (declared === "production" || declared === "development") return declared;
  return env.get("SB_REGION") !== undefined ? "production" : "development";
}

export function isProduction(env: EnvReader = processEnv): boolean {
  return deploymentOf(env) === "production";
}

/** A true/false setting: only "true" (any case, spaces ignored) is true. */
export function envFlag(env: EnvReader, name: string): boolean {
  return env.get(name)?.trim().toLowerCase() === "true";
}

/** USE_MOCK_APOLLO=true is set (the health check reports it in production, where it is ignored). */
export function mockApolloRequested(env: EnvReader = processEnv): boolean {
  return envFlag(env, "USE_MOCK_APOLLO");
}

/** The mock answers for every workspace: USE_MOCK_APOLLO=true, outside production only. */
export function mockApolloEnabled(env: EnvReader = processEnv): boolean {
  return mockApolloRequested(env) && !isProduction(env);
}
