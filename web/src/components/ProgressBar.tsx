/** Clamps whatever the worker wrote to a whole percentage 0..100. */
export function clampPercentage(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) return 0;
  return Math.min(100, Math.max(0, Math.round(n)));
}

/** idle: waiting; stopped: cancelled, neither a failure nor a success. */
export type ProgressTone = "active" | "done" | "failed" | "idle" | "stopped";

/** An accessible progress bar: role="progressbar" with aria-valuenow, and the number shown as text. */
export function ProgressBar({
  value,
  label = "Progress",
  message,
  tone = "active",
}: {
  value: unknown;
  label?: string;
  message?: string | null;
  tone?: ProgressTone;
}) {
  const percentage = clampPercentage(value);
  return (
    <div className="progress">
      <div className="progress-head">
        <span className="progress-label">{label}</span>
        <span className="progress-value" aria-hidden="true">
          {percentage}%
        </span>
      </div>
      <div
        className={`progress-track progress-${tone}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percentage}
        aria-valuetext={message ? `${percentage}% — ${message}` : `${percentage}%`}
      >
        <div className="progress-fill" style={{ width: `${percentage}%` }} />
      </div>
      {message ? <p className="progress-message">{message}</p> : null}
    </div>
  );
}
