// POST /auth/v1/admin/users: a user created by a trusted server (supabase-js auth.admin.createUser
// with the secret key), as GoTrue's adminUserCreate: no email is sent, and with email_confirm: true
// the user is confirmed at once. This is how tests and scripts get a user who can sign in without
// going through a mailbox. Only a caller with the service_role may use it.
import { z } from "zod";
import { apikeyOf, bearerOf, requireApikey } from "../apikey.ts";
import type { GatewayContext } from "../context.ts";
import { json } from "../http.ts";
import { AuthApiError, badRequest, forbidden, unprocessable } from "./errors.ts";
import { credentialFields, readBody } from "./request.ts";
import { confirmUser, findUserByEmail, identitiesOf, insertEmailUser, userJson } from "./users.ts";
import { validateEmail } from "./validate.ts";

/** GoTrue's requireAdmin: the Bearer token must carry the service_role (a secret key stands for it). */
async function requireAdmin(req: Request, ctx: GatewayContext): Promise<void> {
  const apikey = requireApikey(req, ctx);
  const bearer = bearerOf(req);
  if (!bearer) throw new AuthApiError(401, "no_authorization", "This endpoint requires a valid Bearer token");
  // In front of Auth, Supabase's gateway swaps a secret key repeated in Authorization for a service_role token.
  if (bearer.startsWith("sb_")) {
    if (bearer === apikeyOf(req) && apikey.role === "service_role") return;
    throw forbidden("not_admin", "User not allowed");
  }
  let role: unknown;
  try {
    role = (await ctx.tokens.verify(bearer)).role;
  } catch (error) {
    throw forbidden("bad_jwt", `invalid JWT: unable to parse or verify signature, ${(error as Error).message}`);
  }
  if (role !== "service_role") throw forbidden("not_admin", "User not allowed");
}

const CreateUserBody = z.looseObject({
  ...credentialFields,
  email_confirm: z.boolean().optional(),
  user_metadata: z.record(z.string(), z.unknown()).nullish(),
  app_metadata: z.record(z.string(), z.unknown()).nullish(),
});

export async function adminCreateUser(req: Request, ctx: GatewayContext): Promise<Response> {
  await requireAdmin(req, ctx);
  const body = await readBody(req, CreateUserBody);
  if (!body.email && !body.phone) throw badRequest("validation_failed", "Cannot create a user without either an email or phone");
  if (body.phone) throw badRequest("validation_failed", "Phone users are not supported by the local stack");
  const email = validateEmail(body.email);
  if (body.password && [...body.password].length > 72) {
    throw badRequest("validation_failed", "Password cannot be longer than 72 characters");
  }
  // Without a password GoTrue makes up a long random one (the user signs in by a link, or never).
  const password = body.password || crypto.randomUUID() + crypto.randomUUID();
  const user = await ctx.sql.begin(async (tx) => {
    if (await findUserByEmail(tx, email)) {
      throw unprocessable("email_exists", "A user with this email address has already been registered");
    }
    const created = await insertEmailUser(tx, {
      email,
      password,
      userMetadata: body.user_metadata ?? {},
      appMetadata: body.app_metadata ?? {},
    });
    const user = body.email_confirm ? await confirmUser(tx, created) : created;
    return userJson(user, await identitiesOf(tx, user.id));
  }).catch((error) => {
    if (!(error instanceof AuthApiError) && (error as { code?: string }).code === "23505") {
      throw unprocessable("email_exists", "A user with this email address has already been registered");
    }
    throw error;
  });
  return json(user);
}
