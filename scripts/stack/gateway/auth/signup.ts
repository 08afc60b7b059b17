// POST /auth/v1/signup: email + password, as GoTrue's signup.go.
// - Confirmations on (config.toml [auth.email] enable_confirmations, a new hosted project's default):
//   the user is created unconfirmed and emailed a confirmation link; the answer is the user, no session.
// - Confirmations off: the user is confirmed at once and gets a session.
// - An address already registered and confirmed: with confirmations on, 200 with a made-up user that
//   has no identities and no session, and nothing is sent, so the answer does not tell whether the
//   address has an account; with confirmations off, 422 user_already_exists.
// - Registered but not confirmed: the confirmation email again (the password is not changed).
// The trigger on auth.users gives every new user a personal workspace.
import { z } from "zod";
import type { GatewayContext } from "../context.ts";
import { json } from "../http.ts";
import { sendEmailLink } from "./email-links.ts";
import { AuthApiError, badRequest, unprocessable } from "./errors.ts";
import { referrer } from "./redirects.ts";
import { credentialFields, readBody } from "./request.ts";
import { issueSession } from "./sessions.ts";
import { authSettings } from "./settings.ts";
import { confirmUser, findUserByEmail, identitiesOf, insertEmailUser, userJson } from "./users.ts";
import { validateEmail, validatePassword } from "./validate.ts";

const SignupBody = z.looseObject({
  ...credentialFields,
  data: z.record(z.string(), z.unknown()).nullish(),
  code_challenge: z.string().nullish(),
});

const userAlreadyExists = () => unprocessable("user_already_exists", "User already registered");

/** Marks the transaction's outcome for an address that already has a confirmed account. */
class RepeatedSignup extends Error {}

export async function signup(req: Request, ctx: GatewayContext): Promise<Response> {
  const settings = await authSettings(ctx.config);
  if (!settings.signupEnabled) throw unprocessable("signup_disabled", "Signups not allowed for this instance");
  const body = await readBody(req, SignupBody);
  if (!body.password) throw badRequest("validation_failed", "Signup requires a valid password");
  validatePassword(body.password, settings);
  if (body.email && body.phone) {
    throw badRequest("validation_failed", "Only an email address or phone number should be provided on signup.");
  }
  if (body.code_challenge) {
    throw badRequest("validation_failed", "The local stack supports the implicit flow only (no PKCE code_challenge)");
  }
  if (!body.email && body.phone) throw badRequest("phone_provider_disabled", "Phone signups are disabled");
  if (!body.email) throw badRequest("validation_failed", "Sign up only available with email provider");
  const email = validateEmail(body.email);
  const password = body.password;
  const data = body.data ?? {};
  const redirectTo = referrer(req, settings);

  try {
    const result = await ctx.sql.begin(async (tx) => {
      let user = await findUserByEmail(tx, email, { forUpdate: true });
      if (user?.email_confirmed_at) throw new RepeatedSignup();
      user ??= await insertEmailUser(tx, { email, password, userMetadata: data });
      if (!user.email_confirmed_at) {
        if (settings.emailConfirmations) {
          await sendEmailLink(tx, ctx, settings, user, "signup", redirectTo);
          return userJson(user, await identitiesOf(tx, user.id));
        }
        user = await confirmUser(tx, user);
      }
      return await issueSession(tx, ctx, settings, user, req, "password");
    });
    return json(result);
  } catch (error) {
    if (error instanceof RepeatedSignup) {
      if (!settings.emailConfirmations) throw userAlreadyExists();
      return json(obfuscatedUser(email, data));
    }
    if (!(error instanceof AuthApiError) && (error as { code?: string }).code === "23505") throw userAlreadyExists();
    throw error;
  }
}

/**
 * The user GoTrue answers for an address that already has a confirmed account (sanitizeUser): a
 * fresh random id, no role, no identities, the metadata the caller sent, as if just created.
 */
function obfuscatedUser(email: string, data: Record<string, unknown>): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    aud: "authenticated",
    role: "",
    email,
    phone: "",
    confirmation_sent_at: now,
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: data,
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  };
}
