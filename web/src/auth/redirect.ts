// The emailed links (sign-up confirmation, password reset) go through Supabase Auth and come back to
// the app with the outcome in the URL fragment: a session (#access_token=...&type=signup), which
// supabase-js picks up by itself, or an error (#error=...&error_code=otp_expired&error_description=...),
// which only the page can explain.
import { useState } from "react";

/** Where the confirmation link lands. */
export const CONFIRM_PATH = "/auth/confirm";
/** Where the password reset link lands. */
export const RESET_PATH = "/reset-password";
/** Hosted Auth sends a user another email of a kind only this long after the last (max_frequency). */
export const RESEND_COOLDOWN_SECONDS = 60;

export type AuthRedirect =
  | { kind: "session"; type: string }
  | { kind: "error"; code: string; description: string };

export type LinkError = Extract<AuthRedirect, { kind: "error" }>;

export function readAuthRedirect(hash: string): AuthRedirect | null {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  if (params.has("error") || params.has("error_code") || params.has("error_description")) {
    return {
      kind: "error",
      code: params.get("error_code") || params.get("error") || "unknown",
      description: params.get("error_description") ?? "",
    };
  }
  if (params.has("access_token")) return { kind: "session", type: params.get("type") ?? "" };
  return null;
}

/** The error the emailed link came back with, if it did: read once, before supabase-js clears the fragment. */
export function useLinkError(): LinkError | null {
  const [redirect] = useState(() => readAuthRedirect(window.location.hash));
  return redirect?.kind === "error" ? redirect : null;
}

/** An absolute URL of the app, for Auth to send the browser back to (it must be an allowed redirect URL). */
export function appUrl(path: string, origin = window.location.origin): string {
  return `${origin}${path}`;
}
