// The [auth] settings of supabase/config.toml (the file the Supabase CLI reads), so the local
// /auth/v1 issues tokens, sends emails and limits them with the same rules as `supabase start` would,
// plus the stand-in's own run-time settings (.stack/<instance>/auth-overrides.json, see below).
// Both files are read on every call, as hosted Auth picks up a changed setting without a restart.
import { parse } from "smol-toml";
import { z } from "zod";
import { repoRoot, type StackConfig } from "../../config.ts";

/** Go duration strings as config.toml writes them: "60s", "1m", "1h30m", "500ms". */
export function parseDurationSeconds(text: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text.trim()) {
    throw new Error(`"${text}" is not a duration like "60s" or "1m"`);
  }
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  return parts.reduce((sum, [, n, u]) => sum + Number(n) * unit[u], 0);
}

const Duration = z.string().refine((s) => {
  try {
    parseDurationSeconds(s);
    return true;
  } catch {
    return false;
  }
}, 'a duration like "60s" or "1m"');

/** Defaults are the Supabase CLI's own, used when config.toml leaves a key out. */
const AuthToml = z.object({
  site_url: z.string().default("http://127.0.0.1:3000"),
  additional_redirect_urls: z.array(z.string()).default([]),
  jwt_expiry: z.number().int().min(30).max(604800).default(3600),
  enable_signup: z.boolean().default(true),
  enable_refresh_token_rotation: z.boolean().default(true),
  refresh_token_reuse_interval: z.number().int().min(0).default(10),
  minimum_password_length: z.number().int().min(6).default(6),
  rate_limit: z.object({ email_sent: z.number().int().min(0).default(2) }).prefault({}),
  email: z.object({
    enable_signup: z.boolean().default(true),
    enable_confirmations: z.boolean().default(false),
    max_frequency: Duration.default("1s"),
    otp_length: z.number().int().min(6).max(10).default(6),
    otp_expiry: z.number().int().min(1).max(86400).default(3600),
  }).prefault({}),
});

/**
 * What the stand-in lets tests and developers change while it runs, in .stack/<instance>/auth-overrides.json
 * (no such keys exist in config.toml: the Supabase CLI would refuse them). Every key is optional.
 *   enable_confirmations  overrides [auth.email] enable_confirmations
 *   email_sent            overrides [auth.rate_limit] email_sent (emails per hour, the whole project)
 *   max_frequency         overrides [auth.email] max_frequency (per user, e.g. "60s")
 *   otp_expiry            overrides [auth.email] otp_expiry (seconds a link stays valid)
 *   built_in_mailer       true: behave like a project without custom SMTP, whose built-in mailer sends only
 *                         to the organisation's members (authorized_addresses; default: the seeded users)
 *                         and 2 emails an hour (unless email_sent says otherwise)
 */
const Overrides = z.strictObject({
  enable_confirmations: z.boolean().optional(),
  email_sent: z.number().int().min(0).optional(),
  max_frequency: Duration.optional(),
  otp_expiry: z.number().int().min(1).max(86400).optional(),
  built_in_mailer: z.boolean().optional(),
  authorized_addresses: z.array(z.string()).optional(),
});
export type AuthOverrides = z.infer<typeof Overrides>;

/** The built-in mailer's hourly allowance on a hosted project without custom SMTP. */
const BUILT_IN_MAILER_EMAILS_PER_HOUR = 2;
const ORGANISATION_MEMBERS = ["demo@example.com", "other@example.com"];

/** config.toml names the dev SPA (port 5173); another instance serves its SPA elsewhere. */
const DEV_SPA_ORIGINS = ["http://127.0.0.1:5173", "http://localhost:5173"];

export interface AuthSettings {
  siteUrl: string;
  /** additional_redirect_urls: exact URLs or globs (`*` within a path segment or host label, `**` anything). */
  redirectAllowList: string[];
  /** Access token lifetime in seconds (expires_in). */
  jwtExpiry: number;
  signupEnabled: boolean;
  refreshTokenRotation: boolean;
  /** Seconds a rotated refresh token may still be used (concurrent refreshes from several tabs). */
  refreshTokenReuseInterval: number;
  minimumPasswordLength: number;
  emailConfirmations: boolean;
  /** Emails the whole project may send per hour. */
  emailsPerHour: number;
  /** Seconds before the same user can be sent another email of the same kind. */
  maxFrequencySeconds: number;
  otpLength: number;
  /** Seconds an emailed link stays valid. */
  otpExpirySeconds: number;
  /** The built-in mailer's allow list; null when a custom SMTP server sends to anyone. */
  authorizedAddresses: string[] | null;
}

/** The instance's own SPA in place of the dev SPA that config.toml names. */
function forInstance(url: string, config: StackConfig): string {
  const spa = new URL(config.spaUrl);
  for (const origin of DEV_SPA_ORIGINS) {
    if (url === origin || url.startsWith(`${origin}/`)) {
      const host = new URL(origin).hostname;
      return `${spa.protocol}//${host}:${spa.port}${url.slice(origin.length)}`;
    }
  }
  return url;
}

async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}

let cached: { key: string; settings: AuthSettings } | undefined;

export async function authSettings(config: StackConfig): Promise<AuthSettings> {
  const [tomlText, overridesText] = await Promise.all([
    Deno.readTextFile(`${repoRoot}/supabase/config.toml`),
    readText(config.authOverridesFile),
  ]);
  const key = `${tomlText}\u0000${overridesText}`;
  if (cached?.key === key) return cached.settings;

  const parsed = AuthToml.safeParse((parse(tomlText) as { auth?: unknown }).auth ?? {});
  if (!parsed.success) {
    throw new Error(`supabase/config.toml [auth] is not valid: ${z.prettifyError(parsed.error)}`);
  }
  const overridden = Overrides.safeParse(overridesText.trim() ? JSON.parse(overridesText) : {});
  if (!overridden.success) {
    throw new Error(`${config.authOverridesFile} is not valid: ${z.prettifyError(overridden.error)}`);
  }
  const auth = parsed.data;
  const o = overridden.data;
  const builtIn = o.built_in_mailer === true;
  const settings: AuthSettings = {
    siteUrl: forInstance(auth.site_url, config),
    redirectAllowList: auth.additional_redirect_urls.map((u) => forInstance(u, config)),
    jwtExpiry: auth.jwt_expiry,
    signupEnabled: auth.enable_signup && auth.email.enable_signup,
    refreshTokenRotation: auth.enable_refresh_token_rotation,
    refreshTokenReuseInterval: auth.refresh_token_reuse_interval,
    minimumPasswordLength: auth.minimum_password_length,
    emailConfirmations: o.enable_confirmations ?? auth.email.enable_confirmations,
    emailsPerHour: o.email_sent ?? (builtIn ? BUILT_IN_MAILER_EMAILS_PER_HOUR : auth.rate_limit.email_sent),
    maxFrequencySeconds: parseDurationSeconds(o.max_frequency ?? auth.email.max_frequency),
    otpLength: auth.email.otp_length,
    otpExpirySeconds: o.otp_expiry ?? auth.email.otp_expiry,
    authorizedAddresses: builtIn ? (o.authorized_addresses ?? ORGANISATION_MEMBERS).map((a) => a.toLowerCase()) : null,
  };
  cached = { key, settings };
  return settings;
}
