// The one-time links Auth emails: a sign-up confirmation and a password recovery. Each is a random
// code whose hash (sha224 of email + code, as GoTrue's crypto.GenerateTokenHash) is stored on the
// user and put in the link; a user gets another only after max_frequency. internal/api/mail.go.
import { createHash } from "node:crypto";
import type { GatewayContext } from "../context.ts";
import type { Db } from "./db.ts";
import { AuthApiError } from "./errors.ts";
import { type EmailKind, sendAuthEmail, verifyLink } from "./mailer.ts";
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

/** Where auth.users records each kind of link: its token hash and when it was sent. */
const LINK_COLUMNS = {
  signup: { token: "confirmation_token", sentAt: "confirmation_sent_at" },
  recovery: { token: "recovery_token", sentAt: "recovery_sent_at" },
} as const satisfies Record<EmailKind, { token: string; sentAt: keyof UserRow }>;

/**
 * Emails the sign-up confirmation link (signup) or the password recovery link (recovery) and
 * records it on the user (inside the caller's transaction).
 */
export async function sendEmailLink(
  tx: Db,
  ctx: GatewayContext,
  settings: AuthSettings,
  user: UserRow,
  kind: EmailKind,
  redirectTo: string,
): Promise<void> {
  const { token, sentAt } = LINK_COLUMNS[kind];
  checkFrequency(user[sentAt], settings);
  const email = user.email ?? "";
  const hash = tokenHash(email, generateOtp(settings.otpLength));
  await sendAuthEmail(ctx, settings, { kind, to: email, link: verifyLink(ctx, kind, hash, redirectTo) });
  const [row] = await tx<{ sent_at: Date }[]>`
    update auth.users set ${tx(token)} = ${hash}, ${tx(sentAt)} = now()
    where id = ${user.id} returning ${tx(sentAt)} as sent_at`;
  user[sentAt] = row.sent_at;
}
