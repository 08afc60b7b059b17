import type { LiveStatus } from "../lib/realtime";

const TEXT: Record<LiveStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  paused: "Live updates paused: refreshing…",
  off: "Live updates off",
};

/** Whether the page is receiving Realtime updates, or catching up from the database without them. */
export function LiveIndicator({ status }: { status: LiveStatus }) {
  return (
    <span className={`live live-${status}`} role="status" aria-live="polite" data-testid="live-status" data-live={status}>
      <span className="live-dot" aria-hidden="true" />
      {TEXT[status]}
    </span>
  );
}
