import type { JobLogRow } from "../lib/database.types";
import { formatDateTime, formatLogTime } from "../lib/format";

/**
 * A job's log lines, oldest first: time, level, message, and what `labels` says of a line (the run
 * and attempt it was written in, when there were several).
 */
export function LogList({ logs, labels }: { logs: JobLogRow[]; labels?: ReadonlyMap<number, string> | null }) {
  if (logs.length === 0) {
    return <p className="muted">No log lines yet. They appear here as the job runs.</p>;
  }
  return (
    <ol className="log-list" aria-label="Job log" data-testid="job-logs">
      {logs.map((log) => (
        <li key={log.id} className={`log-line log-${log.log_level}`} data-testid="log-line">
          <time className="log-time" dateTime={log.created_at} title={formatDateTime(log.created_at)}>
            {formatLogTime(log.created_at)}
          </time>
          <span className={`log-level level-${log.log_level}`}>{log.log_level.toUpperCase()}</span>
          {labels?.get(Number(log.id)) ? <span className="log-attempt">{labels.get(Number(log.id))}</span> : null}
          <span className="log-message">{log.message}</span>
        </li>
      ))}
    </ol>
  );
}
