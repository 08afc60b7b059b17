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

/** public.workspaces' CHECK: a name of 1 to 100 characters (trimmed). */
export const WORKSPACE_NAME_MAX = 100;

/** The optional workspace name at sign-up: empty is fine (the database picks one), too long is not. */
export function validateWorkspaceName(name: string): { workspaceName?: string } {
  return name.trim().length > WORKSPACE_NAME_MAX ? { workspaceName: `Use at most ${WORKSPACE_NAME_MAX} characters.` } : {};
}

/** The name private.create_personal_workspace gives a workspace when sign-up names none ("" before an address is typed). */
export function defaultWorkspaceName(email: string): string {
  const local = email.trim().split("@")[0];
  return local ? `${local}'s workspace` : "";
}
