import { Sparkles } from "lucide-react";
import { useState, type FormEvent } from "react";
import { Link, Navigate, useLocation, useNavigate } from "react-router-dom";
import { Alert, ErrorAlert } from "../components/Alert";
import { Field } from "../components/Field";
import { getSupabase } from "../lib/supabase";
import { useAuth } from "./AuthProvider";

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function validateCredentials(email: string, password: string, mode: "sign-in" | "sign-up") {
  const errors: { email?: string; password?: string } = {};
  if (!email.trim()) errors.email = "Enter your email address.";
  else if (!EMAIL.test(email.trim())) errors.email = "Enter an email address like name@company.com.";
  if (!password) errors.password = "Enter your password.";
  else if (mode === "sign-up" && password.length < 6) errors.password = "Use at least 6 characters.";
  return errors;
}

export function SignInPage({ mode = "sign-in" }: { mode?: "sign-in" | "sign-up" }) {
  const { user, loading } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? "/accounts";
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const signUp = mode === "sign-up";

  if (!loading && user) return <Navigate to={from} replace />;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateCredentials(email, password, mode);
    setErrors(found);
    setError(null);
    setNotice(null);
    if (found.email || found.password) return;
    setSubmitting(true);
    try {
      const auth = getSupabase().auth;
      if (signUp) {
        const { data, error: signUpError } = await auth.signUp({ email: email.trim(), password });
        if (signUpError) throw signUpError;
        if (!data.session) {
          setNotice("Check your email: we sent a link to confirm your address. Then sign in.");
          return;
        }
      } else {
        const { error: signInError } = await auth.signInWithPassword({ email: email.trim(), password });
        if (signInError) throw signInError;
      }
      navigate(from, { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="auth-brand">
          <Sparkles aria-hidden="true" size={22} />
          <span>Enrichment Jobs</span>
        </div>
        <h1>{signUp ? "Create your account" : "Sign in"}</h1>
        <p className="muted">
          {signUp
            ? "You get a workspace of your own to add accounts and enrich them with Apollo.io."
            : "Welcome back. Sign in to see your workspace's accounts and jobs."}
        </p>
        {error ? <ErrorAlert error={error} /> : null}
        {notice ? <Alert tone="success">{notice}</Alert> : null}
        <form onSubmit={onSubmit} noValidate className="stack">
          <Field
            label="Email"
            type="email"
            name="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={errors.email}
          />
          <Field
            label="Password"
            type="password"
            name="password"
            autoComplete={signUp ? "new-password" : "current-password"}
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={errors.password}
            help={signUp ? "At least 6 characters." : undefined}
          />
          <button type="submit" className="btn btn-primary btn-block" disabled={submitting}>
            {submitting ? (signUp ? "Creating account…" : "Signing in…") : signUp ? "Create account" : "Sign in"}
          </button>
        </form>
        <p className="auth-switch">
          {signUp ? (
            <>
              Already have an account? <Link to="/sign-in" state={location.state}>Sign in</Link>
            </>
          ) : (
            <>
              New here? <Link to="/sign-up" state={location.state}>Create an account</Link>
            </>
          )}
        </p>
      </div>
    </main>
  );
}
