import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router-dom";
import { ErrorAlert } from "../components/Alert";
import { NewPasswordField } from "./CredentialFields";
import { Loading } from "../components/States";
import { getSupabase } from "../lib/supabase";
import { AuthCard, LinkErrorCard, type LinkErrorTexts } from "./AuthCard";
import { useAuth } from "./AuthProvider";
import { validateNewPassword } from "./credentials";
import { useLinkError } from "./redirect";

const RESET_LINK_ERROR: LinkErrorTexts = {
  expiredTitle: "This reset link has expired",
  failedTitle: "We could not open this reset link",
  expiredHint: "Links work once and expire after an hour: ask for a new one.",
};

/**
 * Where the password reset link lands: Auth has signed the user in (the session is in the URL
 * fragment, supabase-js takes it from there), so the new password is set on that session. A spent or
 * expired link comes back with the error in the fragment instead.
 */
export function ResetPasswordPage() {
  const linkError = useLinkError();
  const { user, loading } = useAuth();
  const navigate = useNavigate();
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [errors, setErrors] = useState<{ password?: string; repeat?: string }>({});
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (linkError) {
    return (
      <LinkErrorCard error={linkError} texts={RESET_LINK_ERROR}>
        <Link to="/forgot-password" className="btn btn-primary btn-block">Send a new reset link</Link>
      </LinkErrorCard>
    );
  }
  if (loading) return <Loading label="Opening your reset link…" />;
  if (!user) {
    return (
      <AuthCard title="Reset your password">
        <p>Open the link in the password reset email we sent you. If it has expired, ask for a new one.</p>
        <Link to="/forgot-password" className="btn btn-primary btn-block">Send a reset link</Link>
      </AuthCard>
    );
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found: { password?: string; repeat?: string } = {};
    found.password = validateNewPassword(password);
    if (!found.password && repeat !== password) found.repeat = "The two passwords are not the same.";
    setErrors(found);
    setError(null);
    if (found.password || found.repeat) return;
    setSaving(true);
    try {
      const { error: updateError } = await getSupabase().auth.updateUser({ password });
      if (updateError) throw updateError;
      navigate("/accounts", { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  }

  return (
    <AuthCard title="Choose a new password" intro={<>For <strong>{user.email}</strong>. Other devices signed in to this account will be signed out.</>}>
      {error ? <ErrorAlert error={error} /> : null}
      <form onSubmit={onSubmit} noValidate className="stack">
        <NewPasswordField label="New password" name="new-password" value={password} onChange={setPassword} error={errors.password} />
        <NewPasswordField label="Repeat the new password" name="repeat-password" repeat value={repeat} onChange={setRepeat} error={errors.repeat} />
        <button type="submit" className="btn btn-primary btn-block" disabled={saving}>
          {saving ? "Saving…" : "Save new password"}
        </button>
      </form>
    </AuthCard>
  );
}
