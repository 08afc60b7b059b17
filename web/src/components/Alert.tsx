import { AlertTriangle, CheckCircle2, Info } from "lucide-react";
import type { ReactNode } from "react";
import { formatError } from "../lib/errors";

type Tone = "error" | "success" | "info" | "warning";

export function Alert({ tone = "info", title, children }: { tone?: Tone; title?: ReactNode; children?: ReactNode }) {
  const Icon = tone === "success" ? CheckCircle2 : tone === "info" ? Info : AlertTriangle;
  return (
    <div className={`alert alert-${tone}`} role={tone === "error" ? "alert" : "status"}>
      <Icon aria-hidden="true" className="icon alert-icon" size={18} />
      <div className="alert-body">
        {title ? <p className="alert-title">{title}</p> : null}
        {children}
      </div>
    </div>
  );
}

/** Any error, in words: the message, and the hint when there is one. */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const { message, hint } = formatError(error);
  return (
    <Alert tone="error" title={title ?? message}>
      {title ? <p>{message}</p> : null}
      {hint ? <p className="alert-hint">{hint}</p> : null}
    </Alert>
  );
}

/** A read that failed, and a button that tries it again (a query's refetch). */
export function LoadError({ error, title, retry }: { error: unknown; title: string; retry: () => unknown }) {
  return (
    <div className="stack">
      <ErrorAlert error={error} title={title} />
      <button type="button" className="btn btn-secondary" onClick={() => void retry()}>
        Try again
      </button>
    </div>
  );
}
