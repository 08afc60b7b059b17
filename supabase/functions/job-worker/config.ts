// The worker's settings, read once from the environment and checked up front.
import { type Deployment, deploymentOf, type EnvReader } from "../_shared/environment.ts";

export const DEVELOPMENT_TOKEN = "dev-secret-token";

/** A worker token production accepts: 24+ characters and not the development token. */
export function isStrongToken(token: string): boolean {
  return token.length >= 24 && token !== DEVELOPMENT_TOKEN;
}

export interface WorkerConfig {
  secretToken: string;
  maxConcurrent: number;
  /** Jobs processing at once across all worker invocations, so Apollo is not flooded. */
  maxGlobalConcurrency: number;
  timeBudgetMs: number;
  /** CPU time an invocation may use before it stops claiming (hosted stops a request at 2 s). */
  cpuBudgetMs: number;
  /** Estimated CPU time per job claimed (the runtime has no CPU clock; see budget.ts). */
  cpuMsPerJob: number;
  leaseSeconds: number;
  /** Jobs claimed ahead of free slots while jobs are short (runner.ts, SHORT_JOB_MS); 0: none. */
  claimAhead: number;
  /** How often an invocation with free slots looks for newly queued jobs. */
  pollMs: number;
  region: string;
  env: Deployment;
  /** Why the worker refuses to run, if it does. */
  misconfiguration?: string;
}

function intFrom(env: EnvReader, name: string, fallback: number, min: number, max: number) {
  const raw = env.get(name);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

export function loadConfig(env: EnvReader = Deno.env): WorkerConfig {
  const region = env.get("SB_REGION") ?? "local";
  const production = deploymentOf(env) === "production";
  const secretToken = env.get("WORKER_SECRET_TOKEN") ?? "";
  let misconfiguration: string | undefined;
  if (production && !isStrongToken(secretToken)) {
    misconfiguration =
      "WORKER_SECRET_TOKEN must be a strong secret (24+ characters, not the development token) in production: " +
      "supabase secrets set WORKER_SECRET_TOKEN=$(openssl rand -hex 32)";
  } else if (secretToken === "") {
    misconfiguration = "WORKER_SECRET_TOKEN is not set";
  }
  return {
    secretToken,
    maxConcurrent: intFrom(env, "MAX_CONCURRENT", 5, 1, 100),
    maxGlobalConcurrency: intFrom(env, "MAX_GLOBAL_CONCURRENCY", 20, 1, 1000),
    timeBudgetMs: intFrom(env, "WORKER_TIME_BUDGET_MS", 50_000, 100, 390_000),
    cpuBudgetMs: intFrom(env, "WORKER_CPU_BUDGET_MS", 1_200, 50, 1_900),
    cpuMsPerJob: intFrom(env, "WORKER_CPU_MS_PER_JOB", 12, 1, 1_000),
    leaseSeconds: intFrom(env, "WORKER_LEASE_SECONDS", 60, 5, 3600),
    claimAhead: intFrom(env, "WORKER_CLAIM_AHEAD", 500, 0, 1000),
    pollMs: intFrom(env, "WORKER_POLL_MS", 50, 10, 10_000),
    region,
    env: production ? "production" : "development",
    misconfiguration,
  };
}

/**
 * How many invocations run at once at most: fan-out stops when they can fill MAX_GLOBAL_CONCURRENCY.
 * Each may be its own function instance with its own DB_POOL_SIZE connections (the budget in db.ts).
 */
export function maxInvocations(config: WorkerConfig): number {
  return Math.ceil(config.maxGlobalConcurrency / config.maxConcurrent);
}

/** An id per invocation (supabase-<region>-<ms>-<random>): locked_by and the logs say where and when it ran. */
export function newWorkerId(config: WorkerConfig): string {
  return `supabase-${config.region}-${Date.now()}-${crypto.randomUUID().slice(0, 8)}`;
}
