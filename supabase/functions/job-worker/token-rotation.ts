// Rotating WORKER_SECRET_TOKEN without a failed call: while WORKER_SECRET_TOKEN_PREVIOUS is set,
// the worker accepts it as well as the current token, so the Vault secret the cron call sends can
// be switched to the new token at any moment (docs/deploy.md, "Rotate the worker token"):
//   1. supabase secrets set WORKER_SECRET_TOKEN=<new> WORKER_SECRET_TOKEN_PREVIOUS=<old>
//   2. select vault.update_secret(<id of worker_secret_token>, '<new>')
//   3. supabase secrets unset WORKER_SECRET_TOKEN_PREVIOUS
import { isAuthorized } from "./worker-token.ts";
import { isStrongToken, type WorkerConfig } from "./config.ts";
import type { EnvReader } from "../_shared/environment.ts";

/**
 * The previous token, when it may be accepted: set, different from the current one, and in
 * production as strong as the current one must be (a weak previous token would open the door the
 * production guard in config.ts closes).
 */
export function previousToken(config: WorkerConfig, env: EnvReader = Deno.env): string | undefined {
  const previous = env.get("WORKER_SECRET_TOKEN_PREVIOUS")?.trim();
  if (!previous || previous === config.secretToken) return undefined;
  if (config.env === "production" && !isStrongToken(previous)) return undefined;
  return previous;
}

/** True when the request carries the current token, or the previous one during a rotation. */
export function isAuthorizedDuringRotation(req: Request, config: WorkerConfig, env: EnvReader = Deno.env): boolean {
  if (isAuthorized(req, config.secretToken)) return true;
  const previous = previousToken(config, env);
  return previous !== undefined && isAuthorized(req, previous);
}
