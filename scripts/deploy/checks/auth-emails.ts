// Auth's emails: new users must confirm their address (GET /auth/v1/settings: mailer_autoconfirm is
// false), and the project must send its emails through a custom SMTP server. Without one, Supabase's
// built-in mailer sends only to the organisation's members, two an hour: every other sign-up fails
// with 400 email_address_not_authorized. Auth's settings do not say which mailer is in use, so the
// item signs up a throwaway address at example.invalid (a domain that never receives mail):
//   400 email_address_not_authorized  the built-in mailer refused it                      -> WARN
//   200, or 400 email_address_invalid the project's own mailer took it (the user is deleted) -> PASS
// --no-probe skips the sign-up (and judges by the settings alone).
import { type Check, type Context, fail, type Outcome, pass, warn } from "../lib/context.ts";

const SMTP_HELP = "Set a custom SMTP server (Dashboard -> Authentication -> Emails -> SMTP Settings): docs/deploy.md, section 7";

export interface AuthSettingsBody {
  external?: { email?: boolean };
  disable_signup?: boolean;
  mailer_autoconfirm?: boolean;
}

/** The verdict on GET /auth/v1/settings; null when it is fine and the sign-up probe decides. */
export function judgeAuthSettings(status: number, text: string): Outcome | null {
  if (status === 401) {
    return fail(`/auth/v1/settings refused the key (401): --publishable-key must be the project's publishable (or anon) key`);
  }
  if (status !== 200) return fail(`/auth/v1/settings answered HTTP ${status}: ${text.slice(0, 160)}`);
  let body: AuthSettingsBody;
  try {
    body = JSON.parse(text);
  } catch {
    return fail(`/auth/v1/settings is not JSON: ${text.slice(0, 160)}`);
  }
  if (body.external?.email !== true) {
    return fail("the email provider is off: nobody can sign in with email and password (Authentication -> Sign In / Providers -> Email)");
  }
  if (body.mailer_autoconfirm === true) {
    return warn(
      "email confirmation is off (mailer_autoconfirm): anyone can sign up with someone else's address and use it at once. " +
        "Turn on Authentication -> Sign In / Providers -> Email -> Confirm email, with a custom SMTP server",
    );
  }
  return null;
}

/** The verdict on the throwaway sign-up. */
export function judgeSignupProbe(status: number, text: string, signupsClosed: boolean): Outcome {
  let body: { code?: unknown; error_code?: unknown; message?: unknown; msg?: unknown } = {};
  try {
    body = JSON.parse(text);
  } catch { /* reported below */ }
  const code = typeof body.code === "string" ? body.code : typeof body.error_code === "string" ? body.error_code : "";
  const said = String(body.message ?? body.msg ?? text.slice(0, 160));
  if (status === 200 || code === "email_address_invalid") {
    return pass("email confirmation is on, and a sign-up to a non-member address was accepted for mailing (custom SMTP)");
  }
  if (code === "email_address_not_authorized") {
    return warn(
      "the project still uses Supabase's built-in mailer: it mails only the organisation's members (two an hour), so " +
        `every other sign-up fails with 400 email_address_not_authorized. ${SMTP_HELP}`,
    );
  }
  if (code === "signup_disabled" || signupsClosed) {
    return pass("email confirmation is on; sign-ups are closed, so the mailer was not tried");
  }
  if (code === "over_email_send_rate_limit") {
    return warn(`email confirmation is on, but the project's hourly email allowance is spent (429 ${said}): raise Authentication -> Rate Limits, or try later`);
  }
  if (status >= 500) {
    return warn(
      `email confirmation is on, but Auth could not send the confirmation email (HTTP ${status} ${said}): check the SMTP ` +
        "settings and Dashboard -> Logs -> Auth (some SMTP servers refuse the probe's example.invalid address outright)",
    );
  }
  return warn(`a test sign-up answered HTTP ${status} ${said}: the mailer could not be checked`);
}

async function fetchText(url: string, init: RequestInit): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  return { status: response.status, text: await response.text() };
}

/** Signs up verify-deploy+<random>@example.invalid and deletes whatever it created. */
async function signupProbe(ctx: Context, key: string, signupsClosed: boolean): Promise<Outcome> {
  const sql = await ctx.db(); // before the sign-up: without the database the user could not be deleted
  const email = `verify-deploy+${crypto.randomUUID().slice(0, 12)}@example.invalid`;
  try {
    const { status, text } = await fetchText(`${ctx.apiUrl}/auth/v1/signup`, {
      method: "POST",
      headers: { apikey: key, "content-type": "application/json", "x-supabase-api-version": "2024-01-01" },
      body: JSON.stringify({ email, password: `${crypto.randomUUID()}A1!` }),
    });
    const outcome = judgeSignupProbe(status, text, signupsClosed);
    return { ...outcome, details: [`signed up ${email} to see which mailer answers (deleted afterwards)`] };
  } finally {
    await sql`delete from public.workspaces where created_by in (select id from auth.users where email = ${email})`;
    await sql`delete from auth.users where email = ${email}`;
  }
}

export const authEmailsCheck: Check = {
  id: "auth-emails",
  title: "sign-ups confirm their email",
  async run(ctx) {
    const key = ctx.options.publishableKey;
    if (!key) {
      return warn("not checked: pass --publishable-key (or set VERIFY_PUBLISHABLE_KEY) so Auth's settings can be read");
    }
    let settings: { status: number; text: string };
    try {
      settings = await fetchText(`${ctx.apiUrl}/auth/v1/settings`, { headers: { apikey: key } });
    } catch (error) {
      return fail(`could not reach ${ctx.apiUrl}/auth/v1/settings: ${(error as Error).message}`);
    }
    const verdict = judgeAuthSettings(settings.status, settings.text);
    if (verdict) return verdict;
    if (!ctx.options.probe) {
      return pass("email confirmation is on (the mailer was not tried: --no-probe); make sure a custom SMTP server is set");
    }
    const signupsClosed = (JSON.parse(settings.text) as AuthSettingsBody).disable_signup === true;
    return await signupProbe(ctx, key, signupsClosed);
  },
};
