// /auth/v1/verify, as GoTrue's verify.go (implicit flow).
// GET  ?token=<hash>&type=signup|recovery|...&redirect_to=<url>: the link in Auth's emails, opened in a
//      browser. It confirms the email (signup) or starts a password reset (recovery), signs the user in
//      and answers 303 to redirect_to (or the Site URL) with the session in the fragment:
//      #access_token=...&expires_at=...&expires_in=...&refresh_token=...&sb=&token_type=bearer&type=signup
//      A spent, unknown or expired link lands there too, with the error in the fragment:
//      #error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired&sb=
// POST {type, token_hash} or {type, email, token}: the same check from code (supabase-js verifyOtp),
//      answered with the session as JSON.
import { z } from "zod";
import type { GatewayContext } from "../context.ts";
import { json } from "../http.ts";
import type { Db } from "./db.ts";
import { tokenHash } from "./email-links.ts";
import { AuthApiError, badRequest, forbidden } from "./errors.ts";
import { referrer } from "./redirects.ts";
import { readBody } from "./request.ts";
import { issueSession } from "./sessions.ts";
import { type AuthSettings, authSettings } from "./settings.ts";
import { confirmUser, findUserByEmail, USER_COLUMNS, type UserRow } from "./users.ts";
import { validateEmail } from "./validate.ts";

type EmailVerification = "signup" | "invite" | "recovery" | "magiclink" | "email";
const EMAIL_TYPES = ["signup", "invite", "recovery", "magiclink", "email"];

/** GoTrue's OAuth-style name for an error status, put in `error` of the redirect. */
const OAUTH_ERRORS: Record<number, string> = {
  400: "invalid_request",
  401: "unauthorized_client",
  403: "access_denied",
  500: "server_error",
  503: "temporarily_unavailable",
};

const linkInvalid = () => forbidden("otp_expired", "Email link is invalid or has expired");
const tokenInvalid = () => forbidden("otp_expired", "Token has expired or is invalid");

/** The columns a link of this type is recorded in (the email OTP type may be either kind). */
function tokenColumns(type: EmailVerification): Array<"confirmation" | "recovery"> {
  if (type === "signup" || type === "invite") return ["confirmation"];
  if (type === "recovery" || type === "magiclink") return ["recovery"];
  return ["confirmation", "recovery"];
}

function expired(sentAt: Date | null, settings: AuthSettings): boolean {
  return !sentAt || Date.now() > sentAt.getTime() + settings.otpExpirySeconds * 1000;
}

type Found = { user: UserRow; kind: "confirmation" | "recovery" };

/** The user whose stored link has this hash, locked; 403 otp_expired when none or when it is too old. */
async function findByTokenHash(tx: Db, type: EmailVerification, hash: string, settings: AuthSettings): Promise<Found> {
  for (const kind of tokenColumns(type)) {
    const [row] = await tx.unsafe<Array<UserRow & { confirmation_token: string; recovery_token: string }>>(
      `select ${USER_COLUMNS}, u.confirmation_token, u.recovery_token from auth.users u
       where u.${kind}_token = $1 for update`,
      [hash],
    );
    if (!row) continue;
    if (row.banned_until && row.banned_until > new Date()) throw forbidden("user_banned", "User is banned");
    if (expired(kind === "confirmation" ? row.confirmation_sent_at : row.recovery_sent_at, settings)) throw linkInvalid();
    return { user: row, kind };
  }
  throw linkInvalid();
}

/** The code a user typed, checked against the links emailed to this address. */
async function findByEmailOtp(
  tx: Db,
  type: EmailVerification,
  email: string,
  otp: string,
  settings: AuthSettings,
): Promise<Found> {
  const user = await findUserByEmail(tx, email, { forUpdate: true });
  if (!user) throw tokenInvalid();
  if (user.banned_until && user.banned_until > new Date()) throw forbidden("user_banned", "User is banned");
  const hash = tokenHash(email, otp);
  const [stored] = await tx<{ confirmation_token: string | null; recovery_token: string | null }[]>`
    select confirmation_token, recovery_token from auth.users where id = ${user.id}`;
  for (const kind of tokenColumns(type)) {
    const expected = kind === "confirmation" ? stored.confirmation_token : stored.recovery_token;
    const sentAt = kind === "confirmation" ? user.confirmation_sent_at : user.recovery_sent_at;
    if (expected && expected === hash && !expired(sentAt, settings)) return { user, kind };
  }
  throw tokenInvalid();
}

/** Spends the link and signs the user in: a confirmation confirms; a recovery also confirms a user who never did. */
async function redeem(
  tx: Db,
  ctx: GatewayContext,
  settings: AuthSettings,
  req: Request,
  { user, kind }: Found,
): Promise<Record<string, unknown>> {
  if (kind === "recovery") await tx`update auth.users set recovery_token = '' where id = ${user.id}`;
  if (kind === "confirmation" || !user.email_confirmed_at) user = await confirmUser(tx, user);
  return await issueSession(tx, ctx, settings, user, req, "otp");
}

/** The unexpected, as GoTrue reports it in a redirect: a 500 with a generic message. */
function asAuthError(error: unknown): AuthApiError {
  if (error instanceof AuthApiError) return error;
  console.error("[auth] GET /verify failed:", error);
  return new AuthApiError(500, "unexpected_failure", "Database error updating user");
}

/** redirect_to with the error in the fragment (its own fragment replaced), as GoTrue's prepErrorRedirectURL. */
export function errorRedirectUrl(redirectTo: string, error: AuthApiError): string {
  const fragment = new URLSearchParams();
  if (OAUTH_ERRORS[error.status]) fragment.set("error", OAUTH_ERRORS[error.status]);
  fragment.set("error_code", error.code);
  fragment.set("error_description", error.message);
  fragment.set("sb", "");
  return `${redirectTo.split("#")[0]}#${fragment}`;
}

/** redirect_to with the session in the fragment, keys sorted as Go's url.Values encodes them. */
export function sessionRedirectUrl(redirectTo: string, session: Record<string, unknown>, type: string): string {
  const fragment = new URLSearchParams([
    ["access_token", String(session.access_token)],
    ["expires_at", String(session.expires_at)],
    ["expires_in", String(session.expires_in)],
    ["refresh_token", String(session.refresh_token)],
    ["sb", ""],
    ["token_type", String(session.token_type)],
    ["type", type],
  ]);
  return `${redirectTo}#${fragment}`;
}

const seeOther = (location: string) => new Response(null, { status: 303, headers: { location } });

export async function verifyGet(req: Request, ctx: GatewayContext): Promise<Response> {
  const settings = await authSettings(ctx.config);
  const params = new URL(req.url).searchParams;
  const type = params.get("type") ?? "";
  const token = params.get("token") ?? "";
  const redirectTo = referrer(req, settings);
  if (!type) throw badRequest("validation_failed", "Verify requires a verification type");
  if (!token) throw badRequest("validation_failed", "Verify requires a token or a token hash");
  try {
    if (!EMAIL_TYPES.includes(type)) throw badRequest("validation_failed", "Invalid email verification type");
    const session = await ctx.sql.begin(async (tx) => {
      const found = await findByTokenHash(tx, type as EmailVerification, token, settings);
      return await redeem(tx, ctx, settings, req, found);
    });
    return seeOther(sessionRedirectUrl(redirectTo, session, type));
  } catch (error) {
    return seeOther(errorRedirectUrl(redirectTo, asAuthError(error)));
  }
}

const VerifyBody = z.looseObject({
  type: z.string().optional(),
  token: z.string().optional(),
  token_hash: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  redirect_to: z.string().optional(),
});

export async function verifyPost(req: Request, ctx: GatewayContext): Promise<Response> {
  const body = await readBody(req, VerifyBody);
  if (!body.type) throw badRequest("validation_failed", "Verify requires a verification type");
  if (Boolean(body.token) === Boolean(body.token_hash)) {
    throw badRequest("validation_failed", "Verify requires either a token or a token hash");
  }
  if (body.token_hash && (body.email || body.phone || body.redirect_to)) {
    throw badRequest("validation_failed", "Only the token_hash and type should be provided");
  }
  if (body.token && Boolean(body.email) === Boolean(body.phone)) {
    throw badRequest("validation_failed", "Only an email address or phone number should be provided on verify");
  }
  if (body.phone) throw tokenInvalid(); // phone sign-ins are off: no phone has a code to check
  if (!EMAIL_TYPES.includes(body.type)) throw badRequest("validation_failed", "Unsupported verification type");
  const type = body.type as EmailVerification;
  let email = "";
  if (body.token) {
    try {
      email = validateEmail(body.email);
    } catch {
      throw new AuthApiError(422, "validation_failed", "Invalid email format");
    }
  }
  // The request is well formed: the instance's settings (token lifetimes, sessions) decide the rest.
  const settings = await authSettings(ctx.config);
  const session = await ctx.sql.begin(async (tx) => {
    const found = body.token_hash
      ? await findByTokenHash(tx, type, body.token_hash, settings)
      : await findByEmailOtp(tx, type, email, body.token!, settings);
    return await redeem(tx, ctx, settings, req, found);
  });
  return json(session);
}
