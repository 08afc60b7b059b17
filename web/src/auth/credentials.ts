import { isValidEmail } from "../../../supabase/functions/_shared/email.ts";

/** supabase/config.toml's [auth] minimum_password_length: Auth refuses shorter ones (weak_password). */
export const MINIMUM_PASSWORD_LENGTH = 8;

export function validateEmail(email: string): string | undefined {
  if (!email.trim()) return "Enter your email address.";
  if (!isValidEmail(email.trim())) return "Enter an email address like name@company.com.";
  return undefined;
}

/** A new password (sign-up, reset): present and long enough. */
export function validateNewPassword(password: string): string | undefined {
  if (!password) return "Enter a password.";
  if (password.length < MINIMUM_PASSWORD_LENGTH) return `Use at least ${MINIMUM_PASSWORD_LENGTH} characters.`;
  return undefined;
}

export function validateCredentials(email: string, password: string, mode: "sign-in" | "sign-up") {
  const errors: { email?: string; password?: string } = {};
  errors.email = validateEmail(email);
  if (mode === "sign-up") errors.password = validateNewPassword(password);
  else if (!password) errors.password = "Enter your password.";
  if (!errors.email) delete errors.email;
  if (!errors.password) delete errors.password;
  return errors;
}
