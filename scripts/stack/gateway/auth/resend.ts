// POST /auth/v1/resend {type: "signup", email}: the confirmation email again, as GoTrue's resend.go.
// An unknown or already confirmed address gets the same empty 200, so the answer tells nothing; a
// second email within max_frequency is 429 over_email_send_rate_limit.
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

const ResendBody = z.looseObject({
  type: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  code_challenge: z.string().nullish(),
});

export async function resend(req: Request, ctx: GatewayContext): Promise<Response> {
  const settings = await authSettings(ctx.config);
  const body = await readBody(req, ResendBody);
  if (!["signup", "email_change", "sms", "phone_change"].includes(body.type ?? "")) {
    throw badRequest("validation_failed", "Missing one of these types: signup, email_change, sms, phone_change");
  }
  if (!body.email && body.type === "signup") throw badRequest("validation_failed", "Type provided requires an email address");
  if (!body.phone && body.type === "sms") throw badRequest("validation_failed", "Type provided requires a phone number");
  if (body.email && body.phone) {
    throw badRequest("validation_failed", "Only an email address or phone number should be provided.");
  }
  if (body.phone) throw badRequest("phone_provider_disabled", "Phone logins are disabled");
  if (!body.email) throw badRequest("validation_failed", "Missing email address or phone number");
  if (body.code_challenge) {
    throw badRequest("validation_failed", "The local stack supports the implicit flow only (no PKCE code_challenge)");
  }
  const email = validateEmail(body.email);
  const redirectTo = referrer(req, settings);
  await ctx.sql.begin(async (tx) => {
    const user = await findUserByEmail(tx, email, { forUpdate: true });
    // An email change is never pending here (the stand-in does not change addresses): nothing to resend.
    if (!user || body.type !== "signup" || user.email_confirmed_at) return;
    await sendEmailLink(tx, ctx, settings, user, "signup", redirectTo);
  });
  return json({});
}
