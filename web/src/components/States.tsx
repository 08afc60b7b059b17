import { Loader2, Sparkles } from "lucide-react";
import type { ReactNode } from "react";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <Loader2 aria-hidden="true" className="icon spin" size={18} />
      <span>{label}</span>
    </div>
  );
}

/** A grey placeholder for text or a block that is still loading. */
export function SkeletonBlock({ width = "100%", height = "1rem" }: { width?: string; height?: string }) {
  return <span className="skeleton" aria-hidden="true" style={{ width, height }} />;
}

/**
 * The app's outline (the top bar, a page) while the session or the workspaces are read: a reload
 * shows the shape of the app at once instead of a blank page with a line of text in a corner.
 */
export function AppSkeleton({ label }: { label: string }) {
  return (
    <div className="app" aria-busy="true">
      <div className="topbar">
        <div className="topbar-inner">
          <span className="brand">
            <Sparkles aria-hidden="true" size={20} />
            <span className="brand-text">Enrichment Jobs</span>
          </span>
          <SkeletonBlock width="18rem" height="1.6rem" />
        </div>
      </div>
      <main className="page">
        <Loading label={label} />
        <div className="card">
          <SkeletonBlock width="40%" height="1.4rem" />
          <SkeletonBlock />
          <SkeletonBlock width="70%" />
        </div>
      </main>
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children ? <div className="muted">{children}</div> : null}
      {action ? <div className="empty-action">{action}</div> : null}
    </div>
  );
}
