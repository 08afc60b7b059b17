// The [auth] settings of supabase/config.toml (the file the Supabase CLI reads), so the local
// /auth/v1 issues tokens with the same lifetimes and rules as `supabase start` would.
import { parse } from "npm:smol-toml@1.9.1";
import { z } from "npm:zod@4.6.7";
import { repoRoot } from "../../config.ts";

/** Defaults are the Supabase CLI's own, used when config.toml leaves a key out. */
const AuthToml = z.object({
  site_url: z.string().default("http://127.0.0.1:3000"),
  jwt_expiry: z.number().int().min(30).max(604800).default(3600),
  enable_signup: z.boolean().default(true),
  enable_refresh_token_rotation: z.boolean().default(true),
  refresh_token_reuse_interval: z.number().int().min(0).default(10),
  minimum_password_length: z.number().int().min(6).default(6),
  email: z.object({
    enable_signup: z.boolean().default(true),
    enable_confirmations: z.boolean().default(false),
  }).default({ enable_signup: true, enable_confirmations: false }),
});

export interface AuthSettings {
  siteUrl: string;
  /** Access token lifetime in seconds (expires_in). */
  jwtExpiry: number;
  signupEnabled: boolean;
  refreshTokenRotation: boolean;
  /** Seconds a rotated refresh token may still be used (concurrent refreshes from several tabs). */
  refreshTokenReuseInterval: number;
  minimumPasswordLength: number;
  emailConfirmations: boolean;
}

let cached: Promise<AuthSettings> | undefined;

export function authSettings(): Promise<AuthSettings> {
  cached ??= (async () => {
    const toml = parse(await Deno.readTextFile(`${repoRoot}/supabase/config.toml`)) as { auth?: unknown };
    const parsed = AuthToml.safeParse(toml.auth ?? {});
    if (!parsed.success) {
      throw new Error(`supabase/config.toml [auth] is not valid: ${z.prettifyError(parsed.error)}`);
    }
    const auth = parsed.data;
    return {
      siteUrl: auth.site_url,
      jwtExpiry: auth.jwt_expiry,
      signupEnabled: auth.enable_signup && auth.email.enable_signup,
      refreshTokenRotation: auth.enable_refresh_token_rotation,
      refreshTokenReuseInterval: auth.refresh_token_reuse_interval,
      minimumPasswordLength: auth.minimum_password_length,
      emailConfirmations: auth.email.enable_confirmations,
    };
  })();
  return cached;
}
