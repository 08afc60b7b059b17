// POST /auth/v1/signup: email + password. With email confirmations off (config.toml) the user is
// confirmed at once and gets a session, as GoTrue's autoconfirm does. The trigger on auth.users
// gives every new user a personal workspace.
import { z } from "npm:zod@4.6.7";
import type { GatewayContext } from "../context.ts";
import { json } from "../http.ts";
import { AuthApiError, badRequest, unprocessable } from "./errors.ts";
import { readBody } from "./request.ts";
import { createSession, sessionResponse } from "./sessions.ts";
import { authSettings } from "./settings.ts";
import { identitiesOf, userJson, type UserRow } from "./users.ts";
import { validateEmail, validatePassword } from "./validate.ts";

const SignupBody = z.looseObject({
  email: z.string().optional(),
  phone: z.string().optional(),
  password: z.string().optional(),
  data: z.record(z.string(), z.unknown()).nullish(),
});

export async function signup(req: Request, ctx: GatewayContext): Promise<Response> {
  const settings = await authSettings();
  const body = await readBody(req, SignupBody);
  if (!settings.signupEnabled) throw unprocessable("signup_disabled", "Signups not allowed for this instance");
  if (!body.email && body.phone) throw badRequest("phone_provider_disabled", "Phone signups are disabled");
  const email = validateEmail(body.email);
  if (!body.password) throw unprocessable("validation_failed", "Signup requires a valid password");
  validatePassword(body.password, settings);
  const password = body.password;
  const confirmed = !settings.emailConfirmations;

  const result = await ctx.sql.begin(async (tx) => {
    const [existing] =
      await tx`select id from auth.users where lower(email) = ${email} and is_sso_user = false for update`;
    if (existing) throw unprocessable("user_already_exists", "User already registered");

    const id = crypto.randomUUID();
    const identityData = { sub: id, email, email_verified: confirmed, phone_verified: false };
    const userMetadata = { ...(body.data ?? {}), ...identityData };
    const appMetadata = { provider: "email", providers: ["email"] };
    const [user] = await tx<UserRow[]>`
      insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                              confirmation_sent_at, last_sign_in_at, raw_app_meta_data, raw_user_meta_data,
                              created_at, updated_at, is_anonymous)
      values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated', ${email},
              extensions.crypt(${password}, extensions.gen_salt('bf', 10)),
              ${confirmed ? tx`now()` : null}, ${confirmed ? null : tx`now()`}, ${confirmed ? tx`now()` : null},
              ${tx.json(appMetadata)}, ${tx.json(userMetadata as never)}, now(), now(), false)
      returning id, aud, role, email, phone, encrypted_password, email_confirmed_at, phone_confirmed_at, confirmed_at,
                confirmation_sent_at, last_sign_in_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
                banned_until, deleted_at, is_anonymous`;
    await tx`
      insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
      values (${id}, ${id}, ${tx.json(identityData)}, 'email', ${confirmed ? tx`now()` : null}, now(), now())`;
    if (!confirmed) {
      return userJson(user, await identitiesOf(tx, id));
    }
    const { session, refreshToken } = await createSession(tx, user, req);
    return await sessionResponse(ctx, settings, tx, user, session, refreshToken, "password");
  }).catch((error) => {
    if (error instanceof AuthApiError) throw error;
    if ((error as { code?: string }).code === "23505") {
      throw unprocessable("user_already_exists", "User already registered");
    }
    throw error;
  });
  return json(result);
}
