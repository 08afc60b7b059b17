// import_accounts through the real stack: a CSV uploaded to Storage with supabase-js as a member,
// start_import, the worker streaming it; duplicates in the file and against the workspace, bad rows
// with their reasons, and a worker killed mid-file: the next one resumes from the checkpoint
// without writing a row twice.
import assert from "node:assert/strict";
import { DEMO } from "../../../scripts/stack/tests/auth_realtime_helpers.ts";
import { type ImportRow, withImportFile } from "./helpers/imports.ts";
import { finished, integration, type JobRow, runWorker, sql, waitForJob, withCronPaused } from "./helpers/stack.ts";

async function cleanup(importIds: string[], domains: string[]) {
  await sql`delete from public.accounts where workspace_id = ${DEMO.workspace} and domain = any(${domains})`;
  await sql`delete from public.accounts where workspace_id = ${DEMO.workspace} and metadata -> 'import' ->> 'id' = any(${importIds})`;
  await sql`delete from public.jobs where payload ->> 'import_id' = any(${importIds})`;
  await sql`delete from public.imports where id = any(${importIds})`;
}

/**
 * A worker that claimed the import's job, wrote `rows` (rows_done of them, ending at byte `bytes`)
 * and died: its lease runs out, the reaper puts the job back, a live worker is called and the job
 * ends. Returns the job as it ended.
 */
async function resumeAfterKilledWorker(jobId: string, rows: object[], rowsDone: number, bytes: number) {
  // Due an hour ahead, so no worker takes it until the dead one has been played.
  await sql`update public.jobs set status = 'processing', attempts = 1, locked_by = 'killed-worker', locked_until = now() + interval '1 minute',
    started_at = now(), scheduled_for = now() + interval '1 hour' where id = ${jobId}`;
  await sql`select public.import_account_rows(${jobId}, 'killed-worker', ${sql.json(rows as never)}, ${rowsDone}, ${bytes}, ${["Name", "Domain"]}, ',')`;
  await sql`update public.jobs set locked_until = now() - interval '1 second' where id = ${jobId}`;
  await sql`select public.reap_expired_leases()`;
  await sql`update public.jobs set scheduled_for = now() where id = ${jobId}`;
  await runWorker();
  return await waitForJob(jobId, finished, 20_000);
}

/**
 * A file of `total` accounts (domains `${label}-<i>-<stamp>.example`) whose worker wrote the first
 * `written` rows, and their checkpoint, and died (resumeAfterKilledWorker). `check` is given the job
 * as it ended, the import as it ended and the like-pattern of the file's domains; what the import
 * made is deleted after.
 */
async function withKilledImport(
  label: string,
  total: number,
  written: number,
  check: (ended: { job: JobRow; imp: ImportRow; domains: string }) => Promise<void> | void,
) {
  const stamp = Date.now();
  const domain = (i: number) => `${label}-${i}-${stamp}.example`;
  const lines = ["Name,Domain", ...Array.from({ length: total }, (_, i) => `Row ${i},${domain(i)}`)];
  const domains = `${label}-%-${stamp}.example`;
  await withImportFile(`${label}.csv`, lines.join("\n") + "\n", (start) =>
    withCronPaused(async () => {
      const { id, job_id } = await start({ mapping: { name: "Name", domain: "Domain" } });
      const rows = Array.from({ length: written }, (_, i) => ({ row: i + 2, name: `Row ${i}`, domain: domain(i) }));
      const bytes = new TextEncoder().encode(lines.slice(0, written + 1).join("\n") + "\n").length;
      const job = await resumeAfterKilledWorker(job_id, rows, written, bytes);
      const [imp] = await sql<ImportRow[]>`select * from public.imports where id = ${id}`;
      await check({ job, imp, domains });
    }), async (ids) => {
    await cleanup(ids, []);
    await sql`delete from public.accounts where domain like ${domains}`;
  });
}

integration("an uploaded CSV becomes accounts: duplicates skipped, bad rows reported, nothing written twice", async () => {
  const stamp = Date.now();
  const d = (n: string) => `${n}-${stamp}.example`;
  await sql`insert into public.accounts (workspace_id, name, domain) values (${DEMO.workspace}, 'Already here', ${d("here")})`;
  const csv = [
    "\uFEFFCompany;Website;Employees;City",
    `Acme;https://www.${d("acme")}/about;1,200;Berlin`,
    `"Beta; GmbH";${d("beta")};;"Munich"`,
    `;${d("nameless")};5;`,
    `Acme again;${d("acme")};3;Paris`,
    `Here;${d("here")};;`,
    `Bad site;not a domain;lots;`,
    "",
  ].join("\r\n");
  await withImportFile("accounts.csv", csv, async (start) => {
    const imp = await start({ mapping: { name: "Company", domain: "Website", employee_count: "Employees", city: "City" } });
    const job = await waitForJob(imp.job_id, finished, 20_000);
    assert.equal(job.status, "completed", job.error_message ?? "");
    const [after] = await sql<ImportRow[]>`select * from public.imports where id = ${imp.id}`;
    assert.deepEqual([after.created_count, after.updated_count, after.skipped_count, after.failed_count, after.rows_done], [2, 0, 2, 2, 6]);
    const total = new TextEncoder().encode(csv).length;
    assert.ok(after.bytes_done >= total - 2 && after.bytes_done <= total, `the checkpoint is the last record's end (${after.bytes_done} of ${total})`);
    const accounts = await sql`select name, domain, employee_count, city from public.accounts
      where metadata -> 'import' ->> 'id' = ${imp.id} order by name`;
    assert.deepEqual(accounts.map((a) => ({ ...a })), [
      { name: "Acme", domain: d("acme"), employee_count: 1200, city: "Berlin" },
      { name: "Beta; GmbH", domain: d("beta"), employee_count: null, city: "Munich" },
    ]);
    const errors = await sql`select row_number, column_name, reason from public.import_errors where import_id = ${imp.id} order by row_number, column_name`;
    assert.deepEqual(errors.map((e) => ({ ...e })), [
      { row_number: 4, column_name: "Company", reason: "a name is required" },
      { row_number: 7, column_name: "Employees", reason: "not a whole number of employees" },
      { row_number: 7, column_name: "Website", reason: "not a website domain (like acme.com)" },
    ]);

    // The same file again: every row is a duplicate now, nothing is created.
    const again = await start({ mapping: { name: "Company", domain: "Website" } });
    assert.equal((await waitForJob(again.job_id, finished, 20_000)).status, "completed");
    const [second] = await sql<ImportRow[]>`select * from public.imports where id = ${again.id}`;
    assert.deepEqual([second.created_count, second.skipped_count, second.failed_count], [0, 4, 2], "the same file twice creates nothing twice");
  }, (ids) => cleanup(ids, [d("here"), d("acme"), d("beta")]));
});

integration("a worker killed mid-file: the next one resumes from the checkpoint and writes no row twice", () =>
  // The dead worker wrote rows 1-10 (and their checkpoint) and died.
  withKilledImport("resume", 30, 10, async ({ job, imp, domains }) => {
    assert.equal(job.status, "completed", job.error_message ?? "");
    assert.deepEqual([imp.created_count, imp.skipped_count, imp.failed_count, imp.rows_done], [30, 0, 0, 30]);
    const [{ n }] = await sql`select count(*)::int as n from public.accounts where domain like ${domains}`;
    assert.equal(n, 30, "30 rows, 30 accounts: none written twice");
    const logs = await sql`select message from public.job_logs where job_id = ${job.id} order by id`;
    assert.ok(logs.some((l) => String(l.message).startsWith("Going on from row 12 of resume.csv")), logs.map((l) => l.message).join("\n"));
  }));

integration("a file of several batches: each written once, in order, duplicates across batches found", async () => {
  const stamp = Date.now();
  const rows = 3_500; // three full batches of 1,000 (each written while the next is parsed) and a last one
  const lines = ["Name,Domain", ...Array.from({ length: rows }, (_, i) =>
    // rows 1,500 and 3,200 repeat an earlier batch's domain; row 2,100 has no name
    i === 2_099 ? `,batches-${i}-${stamp}.example` : `Batches ${i},batches-${i === 1_499 || i === 3_199 ? 10 : i}-${stamp}.example`)];
  await withImportFile("batches.csv", lines.join("\n") + "\n", async (start) => {
    const imp = await start({ mapping: { name: "Name", domain: "Domain" } });
    const job = await waitForJob(imp.job_id, finished, 60_000);
    assert.equal(job.status, "completed", job.error_message ?? "");
    const [after] = await sql<ImportRow[]>`select * from public.imports where id = ${imp.id}`;
    assert.deepEqual([after.created_count, after.skipped_count, after.failed_count, after.rows_done], [rows - 3, 2, 1, rows]);
    const [{ n, first, last }] = await sql`select count(*)::int as n, min((metadata -> 'import' ->> 'row')::int) as first,
      max((metadata -> 'import' ->> 'row')::int) as last from public.accounts where metadata -> 'import' ->> 'id' = ${imp.id}`;
    assert.deepEqual([n, first, last], [rows - 3, 2, rows + 1], "every good row once, from the first data row to the last");
    const [{ recorded }] = await sql`select count(*)::int as recorded from private.import_rows where import_id = ${imp.id}`;
    assert.equal(recorded, rows, "every row has its outcome");
  }, (ids) => cleanup(ids, []));
});

integration("a worker killed after the last batch, before finishing: the next one reads nothing more and completes", () =>
  // Every row written, the checkpoint at the file's last byte (a later run asks Storage for bytes from there: 416).
  withKilledImport("ended", 5, 5, ({ job, imp }) => {
    assert.equal(job.status, "completed", job.error_message ?? "");
    assert.deepEqual([imp.created_count, imp.rows_done], [5, 5]);
  }));
