import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useRef } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { ErrorAlert } from "../components/Alert";
import { LiveIndicator } from "../components/LiveIndicator";
import { Pagination } from "../components/Pagination";
import { clampPercentage } from "../components/ProgressBar";
import { RelativeTime } from "../components/RelativeTime";
import { EmptyState, Loading } from "../components/States";
import { StatusBadge } from "../components/StatusBadge";
import { jobTypeLabel, shortId } from "../lib/format";
import { ApolloWaitNotice, useApolloWait } from "../workspace/apollo-wait";
import { useLiveSubscription } from "../lib/live/useLiveSubscription";
import { broadcastTransport } from "../lib/broadcast";
import { workspaceJobsTopic } from "../lib/topics";
import { useWorkspace } from "../workspace/WorkspaceProvider";
import { displayPercentage, expectsUpdates, isWaitingForRetry } from "./live";
import { JOBS_FILTERS, JOBS_PAGE_SIZE, jobKeys, jobsListQuery, jobSubjectsQuery, parseJobsFilter } from "./queries";

/**
 * Keeps what a page shows about a workspace's jobs fresh: changes to its jobs refetch it (at most
 * once per `batchMs`), and so do a (re)subscribe, Realtime trouble, and a quiet spell while
 * `expectChanges` says something is running.
 */
export function useWorkspaceJobsLive(
  workspaceId: string,
  refresh: () => Promise<unknown> | void,
  expectChanges?: () => boolean,
  batchMs = 400,
) {
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  const transport = useMemo(() => broadcastTransport([workspaceJobsTopic(workspaceId)]), [workspaceId]);
  return useLiveSubscription({
    key: workspaceId,
    transport,
    onBatch: () => void refreshRef.current(),
    refetch: async () => {
      await refreshRef.current();
    },
    expectChanges,
    batchMs,
  });
}

export function JobsPage() {
  const { current } = useWorkspace();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const filter = parseJobsFilter(params.get("status"));
  const page = Math.max(1, Number.parseInt(params.get("page") ?? "1", 10) || 1);
  const jobs = useQuery(jobsListQuery(current.id, filter, page));
  const apolloWait = useApolloWait(current.id);
  const subjects = useQuery(jobSubjectsQuery(current.id, jobs.data?.rows ?? []));

  const rows = useRef(jobs.data?.rows);
  rows.current = jobs.data?.rows;
  const invalidate = useCallback(() => queryClient.invalidateQueries({ queryKey: jobKeys.lists() }), [queryClient]);
  const anyRunning = useCallback(() => (rows.current ?? []).some((job) => expectsUpdates(job, Date.now())), []);
  const live = useWorkspaceJobsLive(current.id, invalidate, anyRunning);

  const setFilter = (value: string) => {
    const next = new URLSearchParams();
    if (value !== "all") next.set("status", value);
    setParams(next);
  };
  const setPage = (next: number) => {
    const out = new URLSearchParams(params);
    if (next > 1) out.set("page", String(next));
    else out.delete("page");
    setParams(out);
  };

  return (
    <main className="page" aria-labelledby="jobs-title">
      <header className="page-header">
        <div>
          <h1 id="jobs-title">Jobs</h1>
          <p className="muted">Every enrichment job of {current.name}, updated live.</p>
        </div>
        <LiveIndicator status={live} />
      </header>
      {apolloWait ? <ApolloWaitNotice wait={apolloWait} /> : null}

      <div className="filters" role="group" aria-label="Filter by status">
        {JOBS_FILTERS.map((f) => (
          <button
            key={f.value}
            type="button"
            className={`chip${filter === f.value ? " chip-active" : ""}`}
            aria-pressed={filter === f.value}
            onClick={() => setFilter(f.value)}
          >
            {f.label}
          </button>
        ))}
      </div>

      {jobs.isPending ? <Loading label="Loading jobs…" /> : null}
      {jobs.isError ? <ErrorAlert error={jobs.error} title="The jobs could not be loaded" /> : null}
      {jobs.data && jobs.data.rows.length === 0 ? (
        <EmptyState title={filter === "all" ? "No jobs yet" : "No jobs with this status"}>
          {filter === "all" ? (
            <p>
              Open an <Link to="/accounts">account</Link> and press Enrich: its job shows up here.
            </p>
          ) : (
            <p>Try another filter.</p>
          )}
        </EmptyState>
      ) : null}

      {jobs.data && jobs.data.rows.length > 0 ? (
        <>
          <div className="table-wrap">
            <table className="table" aria-label="Jobs">
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Record</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="hide-sm">Progress</th>
                  <th scope="col" className="hide-sm">Attempts</th>
                  <th scope="col" className="hide-sm">Created</th>
                </tr>
              </thead>
              <tbody>
                {jobs.data.rows.map((job) => {
                  const subject = job.subject_id ? subjects.data?.[job.subject_id] : undefined;
                  return (
                    <tr key={job.id} data-testid="job-row">
                      <td>
                        <Link to={`/jobs/${job.id}`} className="strong-link">
                          {jobTypeLabel(job.job_type)}
                        </Link>
                        <div className="muted small">
                          <span className="mono">{shortId(job.id)}</span>
                          <span className="show-sm">
                            <RelativeTime iso={job.created_at} />
                          </span>
                        </div>
                      </td>
                      <td>
                        {subject ? (
                          <Link to={subject.href}>{subject.name}</Link>
                        ) : (
                          <span className="muted">{typeof job.payload.domain === "string" ? job.payload.domain : "—"}</span>
                        )}
                      </td>
                      <td>
                        <StatusBadge status={job.status} retrying={isWaitingForRetry(job)} />
                        {job.status === "failed" && job.error_message ? (
                          <div className="job-row-error" title={job.error_message} data-testid="job-row-error">
                            {job.error_message}
                          </div>
                        ) : null}
                      </td>
                      <td className="hide-sm">{clampPercentage(displayPercentage(job))}%</td>
                      <td className="hide-sm">
                        {job.attempts} of {job.max_attempts}
                      </td>
                      <td className="hide-sm">
                        <RelativeTime iso={job.created_at} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Pagination page={page} pageSize={JOBS_PAGE_SIZE} total={jobs.data.total} onPage={setPage} label="Jobs pages" />
        </>
      ) : null}
    </main>
  );
}
