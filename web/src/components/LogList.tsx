import type { JobLogRow } from "../lib/database.types";
import { formatDateTime, formatLogTime } from "../lib/format";

/** A job's log lines, oldest first: time, level, message (and the attempt, when there were several). */
export function LogList({ logs, showAttempt = false }: { logs: JobLogRow[]; showAttempt?: boolean }) {
  if (logs.length === 0) {
    return <p className="empty-inline">No log lines yet. They appear here as the job runs.</p>;
  }
  return (
    <ol className="log-list" aria-label="Job log" data-testid="job-logs">
      {logs.map((log) => (
        <li key={log.id} className={`log-line log-${log.log_level}`} data-testid="log-line">
          <time className="log-time" dateTime={log.created_at} title={formatDateTime(log.created_at)}>
            {formatLogTime(log.created_at)}
          </time>
          <span className={`log-level level-${log.log_level}`}>{log.log_level.toUpperCase()}</span>
          {showAttempt && log.attempt ? <span className="log-attempt">#{log.attempt}</span> : null}
          <span className="log-message">{log.message}</span>
        </li>
      ))}
    </ol>
  );
}
