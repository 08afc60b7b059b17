// GET /auth/v1/user and PUT /auth/v1/user (password and user_metadata changes), as GoTrue's user.go.
// A new password (e.g. with the session a password reset link gave) spends every emailed link and
// ends the user's other sessions, as GoTrue's User.UpdatePassword.
import { z } from "zod";
import type { GatewayContext } from "../context.ts";
import { json } from "../http.ts";
import { badRequest, unprocessable } from "./errors.ts";
import { credentialFields, readBody, requireBearerUser } from "./request.ts";
import { authSettings } from "./settings.ts";
import { findUserById, identitiesOf, userJson } from "./users.ts";
import { validatePassword } from "./validate.ts";

export async function getUser(req: Request, ctx: GatewayContext): Promise<Response> {
  const { user } = await requireBearerUser(req, ctx);
  return json(userJson(user, await identitiesOf(ctx.sql, user.id)));
}

const UpdateBody = z.looseObject({
  ...credentialFields,
  nonce: z.string().optional(),
  data: z.record(z.string(), z.unknown()).nullish(),
});

export async function updateUser(req: Request, ctx: GatewayContext): Promise<Response> {
  const settings = await authSettings(ctx.config);
  const { user, sessionId } = await requireBearerUser(req, ctx);
  const body = await readBody(req, UpdateBody);
  if ((body.email && body.email.trim().toLowerCase() !== user.email) || (body.phone && body.phone !== user.phone)) {
    // Changing them needs a confirmation email/SMS, which this local stand-in cannot send.
    throw badRequest(
      "validation_failed",
      "Changing the email address or phone number is not supported by the local stack",
    );
  }
  if (body.password !== undefined) {
    validatePassword(body.password, settings);
    const [{ same }] = await ctx.sql`
      select coalesce(encrypted_password like '$2%' and encrypted_password = extensions.crypt(${body.password}, encrypted_password), false) as same
      from auth.users where id = ${user.id}`;
    if (same) throw unprocessable("same_password", "New password should be different from the old password.");
  }
  await ctx.sql.begin(async (tx) => {
    if (body.password !== undefined) {
      await tx`update auth.users set encrypted_password = extensions.crypt(${body.password}, extensions.gen_salt('bf', 10)),
                 confirmation_token = '', confirmation_sent_at = null, recovery_token = '', recovery_sent_at = null,
                 updated_at = now() where id = ${user.id}`;
      if (sessionId) await tx`delete from auth.sessions where user_id = ${user.id} and id <> ${sessionId}`;
      else await tx`delete from auth.sessions where user_id = ${user.id}`;
    }
    if (body.data) {
      // GoTrue merges top-level keys; a null value removes the key.
      const removed = Object.entries(body.data).filter(([, v]) => v === null).map(([k]) => k);
      const set = Object.fromEntries(Object.entries(body.data).filter(([, v]) => v !== null));
      await tx`update auth.users
               set raw_user_meta_data = (coalesce(raw_user_meta_data, '{}'::jsonb) || ${
        tx.json(set as never)
      }) - ${removed}::text[],
                   updated_at = now()
               where id = ${user.id}`;
    }
  });
  const updated = await findUserById(ctx.sql, user.id);
  return json(userJson(updated!, await identitiesOf(ctx.sql, user.id)));
}
