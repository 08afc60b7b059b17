// /imports/:id: an import as it runs and once it is done. Its job (imports.job_id) is followed
// live like the job page does (useJobLive: Realtime Broadcast, refetches when Realtime is quiet);
// each new version of the job refetches the import row (counts, checkpoint) and its first errors.
import { useMutation, useQuery, useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import { Download } from "lucide-react";
import { useEffect } from "react";
import { Link } from "react-router-dom";
import { Alert, ErrorAlert } from "../components/Alert";
import { LinkedMessage } from "../components/LinkedMessage";
import { LiveIndicator } from "../components/LiveIndicator";
import { BackLink } from "../components/BackLink";
import { RecordError, RecordLoading, RecordPage } from "../components/RecordPage";
import { ProgressBar, type ProgressTone } from "../components/ProgressBar";
import { RelativeTime } from "../components/RelativeTime";
import { Loading } from "../components/States";
import { StatusBadge } from "../components/StatusBadge";
import type { ImportRow, JobRow } from "../lib/database.types";
import { formatDateTime, formatNumber } from "../lib/format";
import { displayPercentage, isWaitingForRetry } from "../jobs/live";
import { jobDetailQuery } from "../jobs/queries";
import { useJobLive } from "../jobs/useJobLive";
import { useFollowWorkspace } from "../workspace/WorkspaceProvider";
import { downloadText } from "./download";
import { errorsCsv, errorsFileName } from "./errors-csv";
import { fetchAllImportErrors, importDetailQuery, importErrorsQuery, importKeys, type FirstErrors } from "./queries";

const backLink = <BackLink to="/accounts/import">Import CSV</BackLink>;

export function ImportStatusPage() {
  return <RecordPage backLink={backLink} title="Import not found." message="This link does not point to an import." detail={ImportStatus} />;
}

function ImportStatus({ id }: { id: string }) {
  const imp = useQuery(importDetailQuery(id));
  useFollowWorkspace(imp.data?.workspace_id);

  if (imp.isPending) return <RecordLoading backLink={backLink} label="Loading the import…" />;
  if (imp.isError) return <RecordError backLink={backLink} error={imp.error} />;
  return <ImportView imp={imp.data} />;
}

function ImportView({ imp }: { imp: ImportRow }) {
  const queryClient = useQueryClient();
  const jobId = imp.job_id;
  const job = useQuery({ ...jobDetailQuery(jobId ?? "", queryClient), enabled: Boolean(jobId) });
  const live = useJobLive(jobId ?? "", imp.workspace_id, Boolean(jobId) && !job.isError);
  const errors = useQuery(importErrorsQuery(imp.id));

  // Every new version of the job: the import's counts and errors have moved with it.
  const jobVersion = job.data ? `${job.data.status}/${job.data.updated_at}` : null;
  useEffect(() => {
    if (!jobVersion) return;
    void queryClient.invalidateQueries({ queryKey: importKeys.detail(imp.id) });
  }, [jobVersion, imp.id, queryClient]);

  const finished = Boolean(imp.finished_at);
  const stopped = job.data && (job.data.status === "failed" || job.data.status === "cancelled");

  return (
    <main className="page" aria-labelledby="import-status-title">
      {backLink}
      <header className="page-header">
        <div>
          <h1 id="import-status-title">Import of {imp.file_name}</h1>
          <p className="muted">
            {imp.kind === "contacts" ? "Contacts" : "Accounts"} · Started <RelativeTime iso={imp.created_at} /> ({formatDateTime(imp.created_at)}) ·{" "}
            {imp.on_duplicate === "fill_empty" ? "duplicates fill empty fields" : "duplicates are skipped"}
            {imp.enrich_after ? ` · new ${imp.kind} are enriched afterwards` : ""}
          </p>
        </div>
        <div className="page-header-side">
          {job.data ? <StatusBadge status={job.data.status} retrying={isWaitingForRetry(job.data)} /> : null}
          {jobId ? <LiveIndicator status={live} /> : null}
        </div>
      </header>

      <section className="card" aria-label="Import progress">
        {job.data ? (
          <ProgressBar
            value={finished ? 100 : displayPercentage(job.data)}
            label="Progress"
            message={progressMessage(job.data, imp)}
            tone={progressTone(job.data, finished)}
          />
        ) : job.isError ? (
          <ErrorAlert error={job.error} title="The import's job could not be read" />
        ) : jobId ? (
          <Loading label="Loading the progress…" />
        ) : null}
        {stopped && job.data?.error_message ? (
          <Alert tone="error" title={job.data.status === "cancelled" ? "The import was cancelled" : "The import stopped"}>
            <p data-testid="import-job-error">
              <LinkedMessage text={job.data.error_message} />
            </p>
          </Alert>
        ) : null}
        {job.data && isWaitingForRetry(job.data) && job.data.error_message ? (
          <Alert tone="warning" title="The import ran into a problem; it will go on by itself">
            <p>{job.data.error_message}</p>
          </Alert>
        ) : null}
        <Summary imp={imp} />
        {jobId ? (
          <p className="small">
            <Link to={`/jobs/${jobId}`}>The import's job and its log</Link>
          </p>
        ) : null}
      </section>

      {finished ? (
        <section className="card" aria-labelledby="import-next-title">
          <h2 id="import-next-title">Done</h2>
          <ul className="plain-list import-next">
            <li>
              <Link to="/accounts" className="strong-link">
                See the accounts
              </Link>{" "}
              <span className="muted">
                {imp.kind === "contacts"
                  ? `(${formatNumber(imp.created_count)} new contacts, ${formatNumber(imp.updated_count)} updated, each on its account's page` +
                    `${imp.accounts_created > 0 ? `; ${formatNumber(imp.accounts_created)} new accounts for their companies` : ""})`
                  : `(${formatNumber(imp.created_count)} new, ${formatNumber(imp.updated_count)} updated)`}
              </span>
            </li>
            {imp.enrich_after ? (
              <li>
                <Link to="/jobs" className="strong-link">
                  Follow their enrichment
                </Link>{" "}
                <span className="muted" data-testid="import-enrich-jobs">
                  ({formatNumber(imp.enrich_jobs)} enrichment job{imp.enrich_jobs === 1 ? "" : "s"} queued)
                </span>
              </li>
            ) : null}
          </ul>
        </section>
      ) : null}

      <ErrorsCard imp={imp} errors={errors} />
    </main>
  );
}

function progressTone(job: JobRow, finished: boolean): ProgressTone {
  if (finished || job.status === "completed") return "done";
  if (job.status === "failed") return "failed";
  if (job.status === "cancelled") return "stopped";
  if (job.status === "pending" && job.attempts === 0) return "idle";
  return "active";
}

function progressMessage(job: JobRow, imp: ImportRow): string {
  if (imp.finished_at) return `Finished: ${formatNumber(imp.rows_done)} row${imp.rows_done === 1 ? "" : "s"} read`;
  if (job.status === "pending" && job.attempts === 0) return "Waiting for a worker";
  return job.progress?.message ?? `${formatNumber(imp.rows_done)} rows read`;
}

function Summary({ imp }: { imp: ImportRow }) {
  const items: Array<[string, string, number]> = [
    ["created", "Created", imp.created_count],
    ["updated", "Updated", imp.updated_count],
    ["skipped", "Skipped as duplicates", imp.skipped_count],
    ["failed", "Failed", imp.failed_count],
  ];
  return (
    <dl className="details import-summary" aria-label="Summary">
      {items.map(([key, label, value]) => (
        <div key={key}>
          <dt>{label}</dt>
          <dd className="import-count" data-testid={`import-${key}`}>
            {formatNumber(value)}
          </dd>
        </div>
      ))}
      <div>
        <dt>Rows read</dt>
        <dd className="import-count" data-testid="import-rows">
          {formatNumber(imp.rows_done)}
        </dd>
      </div>
    </dl>
  );
}

function ErrorsCard({ imp, errors }: { imp: ImportRow; errors: UseQueryResult<FirstErrors> }) {
  const download = useMutation({
    mutationFn: async () => {
      const all = await fetchAllImportErrors(imp.id);
      downloadText(errorsFileName(imp.file_name), errorsCsv(all));
      return all.length;
    },
  });
  const queryClient = useQueryClient();
  // The first errors follow the failed count (the worker writes both in one transaction).
  useEffect(() => {
    void queryClient.invalidateQueries({ queryKey: importKeys.errors(imp.id) });
  }, [imp.failed_count, imp.id, queryClient]);

  if (imp.failed_count === 0 && !errors.data?.total) {
    return imp.finished_at ? (
      <section className="card" aria-labelledby="import-errors-title">
        <h2 id="import-errors-title">Errors</h2>
        <p className="muted">No row failed.</p>
      </section>
    ) : null;
  }
  const rows = errors.data?.rows ?? [];
  const total = errors.data?.total ?? 0;
  return (
    <section className="card" aria-labelledby="import-errors-title">
      <div className="card-header">
        <h2 id="import-errors-title">Errors</h2>
        <button type="button" className="btn btn-secondary" onClick={() => download.mutate()} disabled={download.isPending || total === 0}>
          <Download aria-hidden="true" size={16} />
          {download.isPending ? "Preparing…" : "Download all errors as CSV"}
        </button>
      </div>
      {download.error ? <ErrorAlert error={download.error} title="The errors could not be downloaded" /> : null}
      <p className="muted">
        {total > rows.length
          ? `The first ${formatNumber(rows.length)} of ${formatNumber(total)} problems; the download has them all.`
          : `${formatNumber(total)} problem${total === 1 ? "" : "s"}.`}{" "}
        Fix those rows and import them again (rows whose {imp.kind === "contacts" ? "email is already a contact's" : "domain is already an account's"} are
        skipped as duplicates).
      </p>
      {errors.isError ? <ErrorAlert error={errors.error} title="The errors could not be loaded" /> : null}
      {rows.length > 0 ? (
        <div className="table-wrap" role="region" aria-label="First errors" tabIndex={0}>
          <table className="table table-compact">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Column</th>
                <th scope="col">Value</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={`${e.row_number}/${e.column_name}`} data-testid="import-error">
                  <td className="mono">{e.row_number}</td>
                  <td>{e.column_name}</td>
                  <td className="import-value">{e.value === null || e.value === "" ? <span className="muted">(empty)</span> : e.value}</td>
                  <td>{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
