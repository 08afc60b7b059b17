// The pg_cron jobs the migrations schedule exist, with the same schedule and command, active,
// in this database.
import { type Check, fail, pass, withCronJobs } from "../lib/context.ts";
import { sameCommand } from "../lib/repo.ts";

interface JobRow {
  jobid: string;
  jobname: string;
  schedule: string;
  command: string;
  active: boolean;
  database: string;
  current: string;
}

export const cronJobsCheck: Check = {
  id: "cron-jobs",
  title: "cron jobs scheduled",
  run: withCronJobs("cron.job", async (sql, expected) => {
    const rows = await sql<JobRow[]>`
      select jobid::text, jobname, schedule, command, active, database, current_database() as current
      from cron.job where jobname = any(${expected.map((j) => j.name)}::text[])`;
    const problems: string[] = [];
    for (const job of expected) {
      const found = rows.filter((r) => r.jobname === job.name);
      const row = found[0];
      const reschedule = `select cron.schedule('${job.name}', '${job.schedule}', $$${job.command}$$)`;
      if (!row) {
        problems.push(
          `${job.name} is not scheduled (expected "${job.schedule}": ${job.command}); restore it: ${reschedule}`,
        );
        continue;
      }
      if (found.length > 1) {
        problems.push(
          `${job.name} is scheduled ${found.length} times (jobids ${found.map((r) => r.jobid).join(", ")})`,
        );
      }
      if (row.schedule !== job.schedule) {
        problems.push(`${job.name} runs on "${row.schedule}", expected "${job.schedule}": ${reschedule}`);
      }
      if (!sameCommand(row.command, job.command)) {
        problems.push(`${job.name} runs "${row.command}", expected "${job.command}": ${reschedule}`);
      }
      if (!row.active) {
        problems.push(`${job.name} is inactive: select cron.alter_job(job_id := ${row.jobid}, active := true)`);
      }
      if (row.database !== row.current) {
        problems.push(`${job.name} runs in database "${row.database}", not in "${row.current}"`);
      }
    }
    const list = expected.map((j) => `${j.name} "${j.schedule}"`).join(", ");
    if (problems.length > 0) {
      const first = problems[0].split(/[:;(]/)[0].trim();
      return fail(`${problems.length} problem(s): ${first}${problems.length > 1 ? ", ..." : ""}`, problems);
    }
    return pass(`${list}: all present and active`);
  }),
};
