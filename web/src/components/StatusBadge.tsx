import { Ban, CheckCircle2, CircleDashed, Loader2, XCircle } from "lucide-react";
import type { JobStatus } from "../lib/database.types";

export const JOB_STATUS_LABELS: Record<JobStatus, string> = {
  pending: "Pending",
  processing: "Processing",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

const ICONS = {
  pending: CircleDashed,
  processing: Loader2,
  completed: CheckCircle2,
  failed: XCircle,
  cancelled: Ban,
} as const;

/** A job's status as a coloured badge with an icon and a word (colour is never the only signal). */
export function StatusBadge({ status, retrying = false }: { status: JobStatus; retrying?: boolean }) {
  const Icon = ICONS[status] ?? CircleDashed;
  const label = status === "pending" && retrying ? "Waiting to retry" : JOB_STATUS_LABELS[status] ?? status;
  return (
    <span className={`badge badge-${status}`} data-testid="job-status" data-status={status}>
      <Icon aria-hidden="true" className={status === "processing" ? "icon spin" : "icon"} size={14} />
      {label}
    </span>
  );
}
