// Email and password rules of GoTrue's signup and user update (internal/api/helpers.go,
// internal/api/password.go), with the minimum length from config.toml.
import { badRequest, unprocessable, weakPassword } from "./errors.ts";
import type { AuthSettings } from "./settings.ts";

/** bcrypt looks at the first 72 bytes only, so GoTrue refuses longer passwords. */
const MAX_PASSWORD_LENGTH = 72;
const EMAIL_FORMAT =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

/** The email as GoTrue stores it (trimmed, lower-cased), or a 400 validation_failed. */
export function validateEmail(email: string | undefined): string {
  const value = (email ?? "").trim();
  if (value === "") throw badRequest("validation_failed", "An email address is required");
  if (value.length > 255) throw badRequest("validation_failed", "An email address is too long");
  if (!EMAIL_FORMAT.test(value)) {
    throw badRequest("validation_failed", "Unable to validate email address: invalid format");
  }
  return value.toLowerCase();
}

export function validatePassword(password: string, settings: AuthSettings): void {
  if ([...password].length > MAX_PASSWORD_LENGTH) {
    throw unprocessable("validation_failed", `Password cannot be longer than ${MAX_PASSWORD_LENGTH} characters`);
  }
  if ([...password].length < settings.minimumPasswordLength) throw weakPassword(settings.minimumPasswordLength);
}
