import { Sparkles } from "lucide-react";
import type { ReactNode } from "react";

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
