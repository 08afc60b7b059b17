// POST /auth/v1/recover {email}: emails a password reset link (type=recovery), as GoTrue's
// recover.go. An unknown address gets the same empty 200; a second email within max_frequency is
// 429 over_email_send_rate_limit. The link signs the user in (GET /verify); PUT /user then sets the
// new password.
import { z } from "zod";
import type { GatewayContext } from "../context.ts";
import { json } from "../http.ts";
import { sendEmailLink } from "./email-links.ts";
import { badRequest } from "./errors.ts";
import { referrer } from "./redirects.ts";
import { readBody } from "./request.ts";
import { authSettings } from "./settings.ts";
import { findUserByEmail } from "./users.ts";
import { validateEmail } from "./validate.ts";

const RecoverBody = z.looseObject({
  email: z.string().optional(),
  code_challenge: z.string().nullish(),
});

export async function recover(req: Request, ctx: GatewayContext): Promise<Response> {
  const settings = await authSettings(ctx.config);
  const body = await readBody(req, RecoverBody);
  if (!body.email) throw badRequest("validation_failed", "Password recovery requires an email");
  const email = validateEmail(body.email);
  if (body.code_challenge) {
    throw badRequest("validation_failed", "The local stack supports the implicit flow only (no PKCE code_challenge)");
  }
  const redirectTo = referrer(req, settings);
  await ctx.sql.begin(async (tx) => {
    const user = await findUserByEmail(tx, email, { forUpdate: true });
    if (user) await sendEmailLink(tx, ctx, settings, user, "recovery", redirectTo);
  });
  return json({});
}
