// Reading the Apollo settings from the environment (Deno.env by default; tests pass their own).

/** What the Apollo modules read from the environment: `Deno.env` fits, so does `new Map(...)`. */
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

export function envFlag(env: EnvReader, name: string): boolean {
  return env.get(name)?.trim().toLowerCase() === "true";
}
