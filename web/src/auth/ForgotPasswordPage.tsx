import { useState, type FormEvent } from "react";
import { Link, useLocation } from "react-router-dom";
import { ErrorAlert } from "../components/Alert";
import { EmailField } from "./CredentialFields";
import { getSupabase } from "../lib/supabase";
import { AuthCard } from "./AuthCard";
import { validateEmail } from "./credentials";
import { appUrl, RESEND_COOLDOWN_SECONDS, RESET_PATH } from "./redirect";
import { ResendEmailButton } from "./ResendEmailButton";

async function sendResetLink(email: string) {
  const { error } = await getSupabase().auth.resetPasswordForEmail(email, { redirectTo: appUrl(RESET_PATH) });
  if (error) throw error;
}

/** "Forgot password?": Auth emails a link that signs the user in on the page where they choose a new password. */
export function ForgotPasswordPage() {
  const location = useLocation();
  const [email, setEmail] = useState((location.state as { email?: string } | null)?.email ?? "");
  const [problem, setProblem] = useState<string | undefined>();
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateEmail(email);
    setProblem(found);
    setError(null);
    if (found) return;
    setSubmitting(true);
    try {
      await sendResetLink(email.trim());
      setSentTo(email.trim());
    } catch (caught) {
      setError(caught);
    } finally {
      setSubmitting(false);
    }
  }

  if (sentTo) {
    return (
      <AuthCard title="Check your email">
        {/* Auth answers the same for an address without an account, so the page cannot say more. */}
        <p>
          If an account exists for <strong>{sentTo}</strong>, we sent it a link to choose a new password. It works once
          and expires after an hour.
        </p>
        <ResendEmailButton send={() => sendResetLink(sentTo)} initialCooldown={RESEND_COOLDOWN_SECONDS} />
        <p className="auth-switch">
          Remembered it? <Link to="/sign-in" state={{ email: sentTo }}>Sign in</Link>
        </p>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Reset your password" intro="Enter your account's email address and we will send you a link to choose a new password.">
      {error ? <ErrorAlert error={error} /> : null}
      <form onSubmit={onSubmit} noValidate className="stack">
        <EmailField value={email} onChange={setEmail} error={problem} />
        <button type="submit" className="btn btn-primary btn-block" disabled={submitting}>
          {submitting ? "Sending…" : "Send reset link"}
        </button>
      </form>
      <p className="auth-switch">
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </AuthCard>
  );
}
