// The one-time links Auth emails: a sign-up confirmation and a password recovery. Each is a random
// code whose hash (sha224 of email + code, as GoTrue's crypto.GenerateTokenHash) is stored on the
// user and put in the link; a user gets another only after max_frequency. internal/api/mail.go.
import { createHash } from "node:crypto";
import type { GatewayContext } from "../context.ts";
import type { Db } from "./db.ts";
import { AuthApiError } from "./errors.ts";
import { sendAuthEmail, verifyLink } from "./mailer.ts";
import type { AuthSettings } from "./settings.ts";
import type { UserRow } from "./users.ts";

export function tokenHash(email: string, otp: string): string {
  return createHash("sha224").update(email + otp).digest("hex");
}

function generateOtp(length: number): string {
  const digits = crypto.getRandomValues(new Uint32Array(length));
  return Array.from(digits, (d) => String(d % 10)).join("");
}

/** 429 over_email_send_rate_limit while the previous email of this kind is younger than max_frequency. */
function checkFrequency(sentAt: Date | null, settings: AuthSettings): void {
  if (!sentAt) return;
  const readyAt = sentAt.getTime() + settings.maxFrequencySeconds * 1000;
  if (readyAt > Date.now()) {
    const seconds = Math.floor((readyAt - Date.now()) / 1000);
    throw new AuthApiError(
      429,
      "over_email_send_rate_limit",
      `For security purposes, you can only request this after ${seconds} seconds.`,
    );
  }
}

/** Emails the sign-up confirmation link and records it on the user (inside the caller's transaction). */
export async function sendConfirmation(
  tx: Db,
  ctx: GatewayContext,
  settings: AuthSettings,
  user: UserRow,
  redirectTo: string,
): Promise<void> {
  checkFrequency(user.confirmation_sent_at, settings);
  const email = user.email ?? "";
  const hash = tokenHash(email, generateOtp(settings.otpLength));
  await sendAuthEmail(ctx, settings, { kind: "signup", to: email, link: verifyLink(ctx, "signup", hash, redirectTo) });
  const [row] = await tx<{ confirmation_sent_at: Date }[]>`
    update auth.users set confirmation_token = ${hash}, confirmation_sent_at = now()
    where id = ${user.id} returning confirmation_sent_at`;
  user.confirmation_sent_at = row.confirmation_sent_at;
}

/** Emails the password recovery link and records it on the user (inside the caller's transaction). */
export async function sendRecovery(
  tx: Db,
  ctx: GatewayContext,
  settings: AuthSettings,
  user: UserRow,
  redirectTo: string,
): Promise<void> {
  checkFrequency(user.recovery_sent_at, settings);
  const email = user.email ?? "";
  const hash = tokenHash(email, generateOtp(settings.otpLength));
  await sendAuthEmail(ctx, settings, { kind: "recovery", to: email, link: verifyLink(ctx, "recovery", hash, redirectTo) });
  const [row] = await tx<{ recovery_sent_at: Date }[]>`
    update auth.users set recovery_token = ${hash}, recovery_sent_at = now()
    where id = ${user.id} returning recovery_sent_at`;
  user.recovery_sent_at = row.recovery_sent_at;
}
