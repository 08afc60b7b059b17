import { useState, type FormEvent } from "react";
import { Link, Navigate, useLocation, useNavigate } from "react-router-dom";
import { ErrorAlert } from "../components/Alert";
import { CurrentPasswordField, EmailField } from "./CredentialFields";
import { getSupabase } from "../lib/supabase";
import { AuthCard } from "./AuthCard";
import { useAuth } from "./AuthProvider";
import { validateCredentials } from "./credentials";
import { appUrl, CONFIRM_PATH } from "./redirect";
import { ResendEmailButton } from "./ResendEmailButton";

export { validateCredentials };

type SignInState = { from?: string; email?: string } | null;

const codeOf = (error: unknown) => (error as { code?: unknown } | null)?.code;

export function SignInPage() {
  const { user, loading } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const state = location.state as SignInState;
  const from = state?.from ?? "/accounts";
  const [email, setEmail] = useState(state?.email ?? "");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (!loading && user) return <Navigate to={from} replace />;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateCredentials(email, password, "sign-in");
    setErrors(found);
    setError(null);
    if (found.email || found.password) return;
    setSubmitting(true);
    try {
      const { error: signInError } = await getSupabase().auth.signInWithPassword({ email: email.trim(), password });
      if (signInError) throw signInError;
      navigate(from, { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setSubmitting(false);
    }
  }

  async function resendConfirmation() {
    const { error: resendError } = await getSupabase().auth.resend({
      type: "signup",
      email: email.trim(),
      options: { emailRedirectTo: appUrl(CONFIRM_PATH) },
    });
    if (resendError) throw resendError;
  }

  return (
    <AuthCard title="Sign in" intro="Welcome back. Sign in to see your workspace's accounts and jobs.">
      {error ? <ErrorAlert error={error} /> : null}
      {codeOf(error) === "email_not_confirmed" ? (
        <ResendEmailButton send={resendConfirmation} label="Resend the confirmation email" />
      ) : null}
      <form onSubmit={onSubmit} noValidate className="stack">
        <EmailField value={email} onChange={setEmail} error={errors.email} />
        <CurrentPasswordField
          value={password}
          onChange={setPassword}
          error={errors.password}
          help={<Link to="/forgot-password" state={{ email: email.trim() }}>Forgot password?</Link>}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={submitting}>
          {submitting ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p className="auth-switch">
        New here? <Link to="/sign-up" state={location.state}>Create an account</Link>
      </p>
    </AuthCard>
  );
}
