import { useEffect, useState } from "react";
import { formatDateTime, formatRelative } from "../lib/format";

/** The current time, refreshed every `intervalMs` while mounted (for "in 42 seconds"). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** "5 minutes ago", with the absolute time as a tooltip and machine-readable datetime. */
export function RelativeTime({ iso, intervalMs = 15_000 }: { iso: string | null | undefined; intervalMs?: number }) {
  const now = useNow(intervalMs);
  if (!iso) return null;
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso, now)}
    </time>
  );
}
