import { useState, type FormEvent } from "react";
import { Link, Navigate, useLocation, useNavigate } from "react-router-dom";
import { ErrorAlert } from "../components/Alert";
import { Field } from "../components/Field";
import { EmailField, NewPasswordField } from "./CredentialFields";
import { getSupabase } from "../lib/supabase";
import { AuthCard } from "./AuthCard";
import { useAuth } from "./AuthProvider";
import { defaultWorkspaceName, validateCredentials, validateWorkspaceName, WORKSPACE_NAME_MAX } from "./credentials";
import { appUrl, CONFIRM_PATH, RESEND_COOLDOWN_SECONDS } from "./redirect";
import { ResendEmailButton } from "./ResendEmailButton";

/**
 * What a sign-up led to. On a project with email confirmation (Supabase's default) there is no
 * session yet: the new user must open the emailed link. An address that already has an account gets
 * the same answer without a session, but with a made-up user that has no identities, and no email:
 * the page must then not claim an account was created.
 */
type Outcome = { kind: "check-email"; email: string } | { kind: "may-exist"; email: string };

export function SignUpPage() {
  const { user, loading } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? "/accounts";
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [workspaceName, setWorkspaceName] = useState("");
  const [errors, setErrors] = useState<{ email?: string; password?: string; workspaceName?: string }>({});
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  if (!loading && user) return <Navigate to={from} replace />;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = { ...validateCredentials(email, password, "sign-up"), ...validateWorkspaceName(workspaceName) };
    setErrors(found);
    setError(null);
    if (found.email || found.password || found.workspaceName) return;
    setSubmitting(true);
    try {
      const address = email.trim();
      const name = workspaceName.trim();
      const { data, error: signUpError } = await getSupabase().auth.signUp({
        email: address,
        password,
        // The database names the new user's workspace from workspace_name (else "<name>'s workspace").
        options: { emailRedirectTo: appUrl(CONFIRM_PATH), ...(name ? { data: { workspace_name: name } } : {}) },
      });
      if (signUpError) throw signUpError;
      if (data.session) {
        // A project without email confirmation signs the user in at once.
        navigate(from, { replace: true });
        return;
      }
      setOutcome({ kind: data.user?.identities?.length === 0 ? "may-exist" : "check-email", email: address });
    } catch (caught) {
      setError(caught);
    } finally {
      setSubmitting(false);
    }
  }

  if (outcome?.kind === "check-email") {
    return <CheckYourEmail email={outcome.email} onStartOver={() => setOutcome(null)} />;
  }
  if (outcome?.kind === "may-exist") {
    return <AccountMayExist email={outcome.email} onStartOver={() => setOutcome(null)} />;
  }

  return (
    <AuthCard title="Create your account" intro="You get a workspace of your own to add accounts and enrich them with Apollo.io.">
      {error ? <ErrorAlert error={error} /> : null}
      <form onSubmit={onSubmit} noValidate className="stack">
        <EmailField value={email} onChange={setEmail} error={errors.email} />
        <NewPasswordField label="Password" name="password" value={password} onChange={setPassword} error={errors.password} />
        <Field
          label={<>Workspace name <span className="muted">(optional)</span></>}
          name="workspace_name"
          autoComplete="organization"
          maxLength={WORKSPACE_NAME_MAX}
          value={workspaceName}
          onChange={(e) => setWorkspaceName(e.target.value)}
          error={errors.workspaceName}
          help={defaultWorkspaceName(email)
            ? `Where your accounts and jobs live. Left empty, it is called "${defaultWorkspaceName(email)}".`
            : "Where your accounts and jobs live. Left empty, it is named after your email address."}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={submitting}>
          {submitting ? "Creating account…" : "Create account"}
        </button>
      </form>
      <p className="auth-switch">
        Already have an account? <Link to="/sign-in" state={location.state}>Sign in</Link>
      </p>
    </AuthCard>
  );
}

function CheckYourEmail({ email, onStartOver }: { email: string; onStartOver: () => void }) {
  async function resend() {
    const { error } = await getSupabase().auth.resend({
      type: "signup",
      email,
      options: { emailRedirectTo: appUrl(CONFIRM_PATH) },
    });
    if (error) throw error;
  }
  return (
    <AuthCard title="Check your email">
      <p>
        We sent a confirmation link to <strong>{email}</strong>. Open it to finish creating your account; it works
        once and expires after an hour.
      </p>
      <p className="muted">No email? Check your spam folder, or send it again.</p>
      <ResendEmailButton send={resend} initialCooldown={RESEND_COOLDOWN_SECONDS} />
      <p className="auth-switch">
        Wrong address?{" "}
        <button type="button" className="btn-link" onClick={onStartOver}>
          Use another email
        </button>
      </p>
    </AuthCard>
  );
}

function AccountMayExist({ email, onStartOver }: { email: string; onStartOver: () => void }) {
  return (
    <AuthCard title="Do you already have an account?">
      <p>
        If an account already exists for <strong>{email}</strong>, signing up again does not create another one and
        sends no email. Sign in with your password, or reset it if you forgot it.
      </p>
      <Link to="/sign-in" state={{ email }} className="btn btn-primary btn-block">
        Sign in
      </Link>
      <Link to="/forgot-password" state={{ email }} className="btn btn-secondary btn-block">
        Reset your password
      </Link>
      <p className="auth-switch">
        Not your address?{" "}
        <button type="button" className="btn-link" onClick={onStartOver}>
          Use another email
        </button>
      </p>
    </AuthCard>
  );
}
