// The last runs of each cron job succeeded (cron.job_run_details), and the every-minute jobs ran
// recently. A job with no run yet is a WARN, not a FAIL: right after `supabase db push` pg_cron
// has not had its first minute yet (run verify:deploy again two minutes later, with --strict).
import { ago, type Check, type Outcome, type Status, withCronJobs, worst } from "../lib/context.ts";
import { scheduleInterval } from "../lib/repo.ts";

interface RunRow {
  jobname: string;
  schedule: string;
  status: string | null;
  return_message: string | null;
  start_time: Date | null;
  age_seconds: number | null;
}

interface Verdict {
  status: Status;
  job: string;
  text: string;
}

/** "a, b: same text; c: other text", jobs with the same verdict named together. */
function summarize(verdicts: Verdict[]): string {
  const byText = new Map<string, string[]>();
  for (const v of verdicts) byText.set(v.text, [...(byText.get(v.text) ?? []), v.job]);
  return [...byText].map(([text, jobs]) => `${jobs.join(", ")}: ${text}`).join("; ");
}

/** How long after its last run a job counts as stopped. */
const STALE_AFTER_SECONDS = { minute: 180, day: 26 * 3600 };
const RECENT_RUNS = 10;

export const cronRunsCheck: Check = {
  id: "cron-runs",
  title: "last cron runs succeeded",
  run: withCronJobs("cron.job_run_details", async (sql, expected) => {
    const rows = await sql<RunRow[]>`
      select j.jobname, j.schedule, d.status, d.return_message, d.start_time,
             extract(epoch from now() - d.start_time)::float8 as age_seconds
      from cron.job j
      left join lateral (
        select r.status, r.return_message, r.start_time
        from cron.job_run_details r
        -- pg_cron records a run as failed, "job canceled", when the job is paused or unscheduled
        -- while its run is due: an operator's decision, not a failure of the job
        where r.jobid = j.jobid and r.status in ('succeeded', 'failed')
          and r.return_message is distinct from 'job canceled'
        order by r.start_time desc
        limit ${RECENT_RUNS}
      ) d on true
      where j.jobname = any(${expected.map((j) => j.name)}::text[])
      order by j.jobname, d.start_time desc`;

    const verdicts: Verdict[] = [];
    for (const job of expected) {
      const runs = rows.filter((r) => r.jobname === job.name && r.status !== null);
      const interval = scheduleInterval(job.schedule);
      if (!rows.some((r) => r.jobname === job.name)) {
        verdicts.push({
          status: "FAIL",
          job: job.name,
          text: `not scheduled, so it never runs (see cron jobs scheduled)`,
        });
        continue;
      }
      if (runs.length === 0) {
        verdicts.push(
          interval === "minute"
            ? {
              status: "WARN",
              job: job.name,
              text: `no runs yet (pg_cron runs it every minute: run verify:deploy again in two minutes)`,
            }
            : { status: "PASS", job: job.name, text: `no runs yet (runs on "${job.schedule}" UTC)` },
        );
        continue;
      }
      const [latest] = runs;
      const failedRecently = runs.filter((r) => r.status === "failed");
      const when = ago(latest.age_seconds ?? 0);
      if (latest.status === "failed") {
        verdicts.push({
          status: "FAIL",
          job: job.name,
          text: `the last run (${when}) failed: ${(latest.return_message ?? "no message").trim()}`,
        });
        continue;
      }
      const stale = interval ? STALE_AFTER_SECONDS[interval] : undefined;
      if (stale !== undefined && (latest.age_seconds ?? 0) > stale) {
        verdicts.push({
          status: "FAIL",
          job: job.name,
          text: `last ran ${when}, but it runs on "${job.schedule}": is pg_cron running and the job active?`,
        });
        continue;
      }
      if (failedRecently.length > 0) {
        verdicts.push({
          status: "WARN",
          job: job.name,
          text: `last run ${when} succeeded, but ${failedRecently.length} of the last ${runs.length} failed ` +
            `(latest failure: ${(failedRecently[0].return_message ?? "").trim()})`,
        });
        continue;
      }
      verdicts.push({ status: "PASS", job: job.name, text: `last ${runs.length} run(s) succeeded, latest ${when}` });
    }
    const status = worst(verdicts.map((v) => v.status));
    const outcome: Outcome = {
      status,
      summary: summarize(verdicts.filter((v) => status === "PASS" || v.status === status)),
      details: status === "PASS"
        ? undefined
        : verdicts.filter((v) => v.status !== status).map((v) => `${v.job}: ${v.text}`),
    };
    return outcome;
  }),
};
