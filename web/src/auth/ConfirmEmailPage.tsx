import { Link, Navigate } from "react-router-dom";
import { Loading } from "../components/States";
import { getSupabase } from "../lib/supabase";
import { AuthCard, LinkErrorCard, type LinkErrorTexts } from "./AuthCard";
import { useAuth } from "./AuthProvider";
import { NewLinkForm } from "./NewLinkForm";
import { appUrl, CONFIRM_PATH, useLinkError } from "./redirect";

const CONFIRMATION_LINK_ERROR: LinkErrorTexts = {
  expiredTitle: "This confirmation link has expired",
  failedTitle: "We could not confirm your email",
  expiredHint: "Links work once and expire after an hour. If you already confirmed your address, just sign in.",
};

async function resendConfirmation(email: string) {
  const { error } = await getSupabase().auth.resend({ type: "signup", email, options: { emailRedirectTo: appUrl(CONFIRM_PATH) } });
  if (error) throw error;
}

/**
 * Where the sign-up confirmation link lands. Auth has already confirmed the address and put a
 * session in the URL fragment (supabase-js signs the user in from it): go on to the app. Or the link
 * was spent or too old, and the fragment says so: explain, and offer a new link.
 */
export function ConfirmEmailPage() {
  const linkError = useLinkError();
  const { user, loading } = useAuth();

  if (linkError) {
    return (
      <LinkErrorCard error={linkError} texts={CONFIRMATION_LINK_ERROR}>
        {user ? (
          <Link to="/accounts" className="btn btn-primary btn-block">Go to your accounts</Link>
        ) : (
          <>
            <p>Enter your email address to get a new confirmation link.</p>
            <NewConfirmationLink />
          </>
        )}
      </LinkErrorCard>
    );
  }
  if (loading) return <Loading label="Confirming your email…" />;
  if (user) return <Navigate to="/accounts" replace />;
  return (
    <AuthCard title="Confirm your email">
      <p>Open the link in the email we sent you to confirm your address. If it has expired, ask for a new one.</p>
      <NewConfirmationLink />
    </AuthCard>
  );
}

/** The form that emails a new confirmation link, and the way to sign in for whoever has confirmed already. */
function NewConfirmationLink() {
  return (
    <>
      <NewLinkForm send={resendConfirmation} label="Send a new link" />
      <p className="auth-switch">
        Already confirmed? <Link to="/sign-in">Sign in</Link>
      </p>
    </>
  );
}
