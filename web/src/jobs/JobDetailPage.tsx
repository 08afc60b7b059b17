import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "react-router-dom";
import { Alert, ErrorAlert } from "../components/Alert";
import { LiveIndicator } from "../components/LiveIndicator";
import { LogList } from "../components/LogList";
import { ProgressBar, type ProgressTone } from "../components/ProgressBar";
import { JobAnnouncer } from "./JobAnnouncer";
import { RelativeTime, useNow } from "../components/RelativeTime";
import { Loading, SkeletonBlock } from "../components/States";
import { StatusBadge } from "../components/StatusBadge";
import type { JobRow } from "../lib/database.types";
import { formatDateTime, formatDuration, formatRelative, jobTypeLabel, parseTime, shortId } from "../lib/format";
import { useFollowWorkspace } from "../workspace/WorkspaceProvider";
import { JobActions } from "./JobActions";
import { compareJobVersions, displayPercentage, isActive, isWaitingForRetry, logLineLabels } from "./live";
import { jobDetailQuery, jobLogsQuery, jobSubjectQuery } from "./queries";
import { useVersionSequence, type VersionRules } from "./progress-sequence";
import { useJobLive } from "./useJobLive";
import { ApolloWaitNotice, useApolloWait } from "../workspace/apollo-wait";
import { LinkedMessage } from "../components/LinkedMessage";
import { BackLink } from "../components/BackLink";
import { RecordError, RecordPage } from "../components/RecordPage";

const backLink = <BackLink to="/jobs">All jobs</BackLink>;

export function JobDetailPage() {
  return <RecordPage backLink={backLink} title="Job not found." message="This link does not point to a job." detail={JobDetail} />;
}

/** The steps of a job the page plays back one by one: a new status, or a new percentage. */
const JOB_VERSIONS: VersionRules<JobRow> = {
  compare: compareJobVersions,
  visible: (job) => `${job.status}/${isWaitingForRetry(job)}/${displayPercentage(job)}`,
};

function JobDetail({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const job = useQuery(jobDetailQuery(id, queryClient));
  const logs = useQuery(jobLogsQuery(id, queryClient));
  // Everything the page says about the job comes from one version of its row, played back in order.
  const version = useVersionSequence(job.data, JOB_VERSIONS);
  const live = useJobLive(id, job.data?.workspace_id, !job.isError, version.push);
  useFollowWorkspace(job.data?.workspace_id);

  if (job.isPending) return <JobSkeleton />;
  if (job.isError) return <RecordError backLink={backLink} error={job.error} />;

  const data = version.shown ?? job.data;
  return (
    <main className="page" aria-labelledby="job-title">
      {backLink}
      <header className="page-header">
        <div>
          <h1 id="job-title">{jobTypeLabel(data.job_type)}</h1>
          <p className="muted mono" title={data.id}>
            Job {shortId(data.id)}
          </p>
        </div>
        <div className="page-header-side">
          <StatusBadge status={data.status} retrying={isWaitingForRetry(data)} />
          <LiveIndicator status={live} />
        </div>
      </header>

      <JobSummary job={data} />

      <section className="card" aria-labelledby="logs-title">
        <div className="card-header">
          <h2 id="logs-title">Log</h2>
          {logs.data ? <span className="muted">{logs.data.length} line{logs.data.length === 1 ? "" : "s"}</span> : null}
        </div>
        {logs.isPending ? <Loading label="Loading log lines…" /> : null}
        {logs.isError ? <ErrorAlert error={logs.error} title="The log could not be loaded" /> : null}
        {logs.data ? <LogList logs={logs.data} labels={logLineLabels(logs.data)} /> : null}
      </section>
    </main>
  );
}

/** The page's outline while the job is read (a reload mid-run): never a blank page. */
function JobSkeleton() {
  return (
    <main className="page" aria-busy="true">
      {backLink}
      <header className="page-header">
        <div className="skeleton-stack">
          <SkeletonBlock width="16rem" height="1.9rem" />
          <SkeletonBlock width="7rem" />
        </div>
      </header>
      <section className="card">
        <Loading label="Loading the job…" />
        <SkeletonBlock height="12px" />
        <SkeletonBlock width="60%" />
      </section>
      <section className="card">
        <SkeletonBlock width="4rem" height="1.3rem" />
        <SkeletonBlock height="6rem" />
      </section>
    </main>
  );
}

function progressTone(job: JobRow): ProgressTone {
  if (job.status === "completed") return "done";
  if (job.status === "failed") return "failed";
  if (job.status === "cancelled") return "stopped";
  if (job.status === "pending") return "idle";
  return "active";
}

/** What a job waits for or does, under its progress bar. */
export function jobMessage(job: JobRow, now: number, apolloWaitReason?: string | null): string | null {
  if (job.status === "pending" && apolloWaitReason) return apolloWaitReason;
  if (isWaitingForRetry(job)) return `Waiting for attempt ${job.attempts + 1} of ${job.max_attempts}`;
  if (job.status === "pending") {
    const due = parseTime(job.scheduled_for);
    return due > now ? `Scheduled for ${formatDateTime(job.scheduled_for)}` : "Waiting for a worker";
  }
  return job.progress?.message ?? null;
}

export function JobSummary({ job }: { job: JobRow }) {
  const subject = useQuery(jobSubjectQuery(job));
  const now = useNow(1000);
  const waiting = isWaitingForRetry(job);
  const apolloWait = useApolloWait(job.workspace_id);
  const message = jobMessage(job, now, apolloWait?.reason);
  const percentage = displayPercentage(job);

  return (
    <section className="card" aria-label="Job status">
      <ProgressBar value={percentage} label="Progress" message={message} tone={progressTone(job)} />
      <JobAnnouncer job={job} percentage={percentage} />

      {job.status === "failed" && job.error_message ? (
        <Alert tone="error" title="The job failed">
          <p data-testid="job-error">
            <LinkedMessage text={job.error_message} />
          </p>
        </Alert>
      ) : null}
      {waiting && job.error_message ? (
        <Alert tone="warning" title={`Attempt ${job.attempts} failed; it will be retried`}>
          <p data-testid="job-error">
            <LinkedMessage text={job.error_message} />
          </p>
        </Alert>
      ) : null}
      {job.status === "cancelled" ? <Alert tone="info" title="This job was cancelled." /> : null}
      {job.status === "pending" && apolloWait ? <ApolloWaitNotice wait={apolloWait} /> : null}

      <dl className="details">
        <Detail term="Attempts" testId="job-attempts">
          {job.attempts} of {job.max_attempts}
        </Detail>
        {waiting && job.next_retry_at ? (
          <Detail term="Next retry" testId="job-next-retry">
            <time dateTime={job.next_retry_at}>{formatRelative(job.next_retry_at, now)}</time>{" "}
            <span className="muted">({formatDateTime(job.next_retry_at)})</span>
          </Detail>
        ) : null}
        {subject.data ? (
          <Detail term={subject.data.kind === "account" ? "Account" : "Contact"}>
            {subject.data.accountId ? (
              <Link to={`/accounts/${subject.data.accountId}`}>{subject.data.name}</Link>
            ) : (
              subject.data.name
            )}
          </Detail>
        ) : null}
        {typeof job.payload.domain === "string" ? <Detail term="Domain">{job.payload.domain}</Detail> : null}
        <Detail term="Created">
          <RelativeTime iso={job.created_at} /> <span className="muted">({formatDateTime(job.created_at)})</span>
        </Detail>
        {job.started_at ? <Detail term="Started">{formatDateTime(job.started_at)}</Detail> : null}
        {job.completed_at ? (
          <Detail term="Completed">
            {formatDateTime(job.completed_at)}
            {job.started_at ? <span className="muted"> (took {formatDuration(job.started_at, job.completed_at)})</span> : null}
          </Detail>
        ) : null}
        {job.failed_at ? <Detail term="Failed">{formatDateTime(job.failed_at)}</Detail> : null}
        {job.cancelled_at ? <Detail term="Cancelled">{formatDateTime(job.cancelled_at)}</Detail> : null}
      </dl>

      {job.errors && job.errors.length > 0 && !(job.errors.length === 1 && job.errors[0].message === job.error_message) ? (
        <details className="errors-history">
          <summary>Errors of earlier attempts ({job.errors.length})</summary>
          <ol>
            {job.errors.map((e, index) => (
              <li key={`${e.attempt}-${index}`}>
                <span className="muted">
                  Attempt {e.attempt}, {formatDateTime(e.at)}
                  {e.retryable ? "" : " (not retryable)"}:
                </span>{" "}
                <LinkedMessage text={e.message} />
              </li>
            ))}
          </ol>
        </details>
      ) : null}

      {isActive(job.status) || job.status === "failed" || job.status === "cancelled" ? <JobActions job={job} /> : null}
    </section>
  );
}

/** One term of the job's details and its value. */
function Detail({ term, testId, children }: { term: ReactNode; testId?: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}
