// Reading the Apollo settings from the environment (Deno.env by default; tests pass their own).
// Which environment this is, and the flags, are decided in ../environment.ts.
import type { EnvReader } from "../environment.ts";

export { type EnvReader, processEnv } from "../environment.ts";

/** A non-negative number from the environment, or the fallback when unset; a bad value is an error. */
export function envNumber(env: EnvReader, name: string, fallback: number): number {
  const raw = env.get(name)?.trim();
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(`${name} must be a non-negative number of milliseconds, got "${raw}"`);
  }
  return n;
}
