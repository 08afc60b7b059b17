import { Sparkles } from "lucide-react";
import type { ReactNode } from "react";
import { Alert } from "../components/Alert";
import { authCodeMessage } from "../lib/errors";
import type { LinkError } from "./redirect";

/** The frame of the pages a signed-out user sees: the brand, a heading, and the page's content. */
export function AuthCard({ title, intro, children }: { title: string; intro?: ReactNode; children?: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="auth-brand">
          <Sparkles aria-hidden="true" size={22} />
          <span>Enrichment Jobs</span>
        </div>
        <h1>{title}</h1>
        {intro ? <p className="muted">{intro}</p> : null}
        {children}
      </div>
    </main>
  );
}

/** What a page says of its emailed link: its title when the link expired or failed, and what to do when it expired. */
export interface LinkErrorTexts {
  expiredTitle: string;
  failedTitle: string;
  expiredHint: string;
}

/**
 * An emailed link that came back with an error (useLinkError): expired or already used, the usual
 * case, with `expiredHint`; otherwise Auth's reason in words. Then what the page offers.
 */
export function LinkErrorCard({ error, texts, children }: { error: LinkError; texts: LinkErrorTexts; children: ReactNode }) {
  const { expiredTitle, failedTitle, expiredHint } = texts;
  const expired = error.code === "otp_expired";
  const { message, hint } = authCodeMessage(error.code, error.description);
  return (
    <AuthCard title={expired ? expiredTitle : failedTitle}>
      <Alert tone="error" title={expired ? "The link has expired or was already used." : message}>
        <p className="alert-hint">{expired ? expiredHint : hint}</p>
      </Alert>
      {children}
    </AuthCard>
  );
}
