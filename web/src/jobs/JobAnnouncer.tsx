// What a screen reader hears while a job runs: a polite live region that says the status when it
// changes and the progress at each quarter (not every step, which would talk over the user).
import { useEffect, useRef, useState } from "react";
import type { JobRow } from "../lib/database.types";
import { JOB_STATUS_LABELS } from "../components/StatusBadge";

/** The sentence for a job's state, or null when nothing worth saying has changed. */
export function announcement(job: Pick<JobRow, "status">, percentage: number, last: { status: string; quarter: number } | null): string | null {
  const quarter = Math.floor(percentage / 25);
  if (!last || last.status !== job.status) {
    return job.status === "processing" ? `${JOB_STATUS_LABELS[job.status]}, ${percentage} percent` : JOB_STATUS_LABELS[job.status];
  }
  if (job.status === "processing" && quarter > last.quarter) return `${percentage} percent`;
  return null;
}

export function JobAnnouncer({ job, percentage }: { job: Pick<JobRow, "status">; percentage: number }) {
  const last = useRef<{ status: string; quarter: number } | null>(null);
  const [text, setText] = useState("");
  useEffect(() => {
    const next = announcement(job, percentage, last.current);
    last.current = { status: job.status, quarter: Math.floor(percentage / 25) };
    if (next) setText(next);
  }, [job, job.status, percentage]);
  return (
    <p className="visually-hidden" role="status" aria-live="polite" data-testid="job-announcer">
      {text}
    </p>
  );
}
