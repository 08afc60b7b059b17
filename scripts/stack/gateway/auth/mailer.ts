// Sending Auth's emails: GoTrue's default templates, its checks before anything is sent (the built-in
// mailer's allow list, the project's hourly email allowance) and, instead of SMTP, the stack's local
// mailbox (scripts/stack/mailbox/), as the Supabase CLI delivers to Inbucket. internal/api/mail.go.
import type { GatewayContext } from "../context.ts";
import { AuthApiError, badRequest } from "./errors.ts";
import type { AuthSettings } from "./settings.ts";

export type EmailKind = "signup" | "recovery";

const TEMPLATES: Record<EmailKind, { subject: string; html: (url: string) => string }> = {
  signup: {
    subject: "Confirm your email address",
    html: (url) =>
      `<h2>Confirm your email address</h2>\n\n<p>Follow the link below to confirm this email address and finish signing up.</p>\n` +
      `<p><a href="${url}">Confirm email address</a></p>\n`,
  },
  recovery: {
    subject: "Reset your password",
    html: (url) =>
      `<h2>Reset your password</h2>\n\n<p>We received a request to reset your password. Follow the link below to choose a new one.</p>\n` +
      `<p><a href="${url}">Reset password</a></p>\n<p>If you didn't request this, you can safely ignore this email.</p>`,
  },
};

/** What a project without custom SMTP sends from. */
const SENDER = "Supabase Auth <noreply@mail.app.supabase.io>";

/** The project-wide hourly allowance, counted per clock interval as GoTrue's IntervalLimiter; a new rate starts afresh. */
let limiter: { rate: number; since: number; count: number } | undefined;

function allowEmail(rate: number): boolean {
  const now = Date.now();
  if (!limiter || limiter.rate !== rate) limiter = { rate, since: now, count: 0 };
  const hours = Math.floor((now - limiter.since) / 3_600_000);
  if (hours > 0) {
    limiter.since += hours * 3_600_000;
    limiter.count = 0;
  }
  if (limiter.count >= rate) return false;
  limiter.count++;
  return true;
}

/** The built-in mailer's allow list ignores +labels, as GoTrue's checkEmailAddressAuthorization. */
function authorized(settings: AuthSettings, email: string): boolean {
  if (!settings.authorizedAddresses) return true;
  const normalized = email.replace(/[+][^@]+@/, "@").toLowerCase();
  return settings.authorizedAddresses.includes(normalized);
}

/** GoTrue leaves a redirect URL as it is unless it holds &, = or #, which would break the link's query. */
function encodeRedirect(url: string): string {
  return /[&=#]/.test(url) ? encodeURIComponent(url).replace(/%20/g, "+") : url;
}

/** The link in the email: /auth/v1/verify with the token hash, the kind and where to land afterwards. */
export function verifyLink(ctx: GatewayContext, kind: EmailKind, tokenHash: string, redirectTo: string): string {
  return `${ctx.config.apiUrl}/auth/v1/verify?token=${encodeURIComponent(tokenHash)}&type=${kind}&redirect_to=${
    encodeRedirect(redirectTo)
  }`;
}

export const emailRateLimitExceeded = () =>
  new AuthApiError(429, "over_email_send_rate_limit", "email rate limit exceeded");

/**
 * Sends one of Auth's emails, or throws what GoTrue answers: 400 email_address_not_authorized (the
 * built-in mailer's allow list), 429 over_email_send_rate_limit (the hourly allowance), 500 when the
 * mailbox cannot be reached.
 */
export async function sendAuthEmail(
  ctx: GatewayContext,
  settings: AuthSettings,
  mail: { kind: EmailKind; to: string; link: string },
): Promise<void> {
  if (!authorized(settings, mail.to)) {
    throw badRequest("email_address_not_authorized", `Email address "${mail.to}" cannot be used as it is not authorized`);
  }
  // GoTrue counts emails against the allowance only while confirmations are on (a known quirk it keeps).
  if (settings.emailsPerHour === 0) throw emailRateLimitExceeded();
  if (settings.emailConfirmations && !allowEmail(settings.emailsPerHour)) throw emailRateLimitExceeded();
  const template = TEMPLATES[mail.kind];
  // The link goes into an attribute: only & needs escaping there.
  const html = template.html(mail.link.replaceAll("&", "&amp;"));
  let response: Response;
  try {
    response = await fetch(`${ctx.config.mailboxUrl}/api/v1/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ from: SENDER, to: [mail.to], subject: template.subject, html }),
      signal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    console.error(`[auth] the mailbox at ${ctx.config.mailboxUrl} is not reachable:`, (error as Error).message);
    throw new AuthApiError(500, "unexpected_failure", `Error sending ${mail.kind === "signup" ? "confirmation" : "recovery"} email`);
  }
  if (!response.ok) {
    console.error(`[auth] the mailbox refused the ${mail.kind} email: ${response.status} ${await response.text()}`);
    throw new AuthApiError(500, "unexpected_failure", `Error sending ${mail.kind === "signup" ? "confirmation" : "recovery"} email`);
  }
  await response.body?.cancel();
}
