// import_contacts through the real stack: a tab-separated file of people uploaded with supabase-js,
// start_import with kind "contacts", the worker streaming it: contacts matched by email (in the file
// and against the workspace), linked to the account of their company domain (created when new), bad
// rows with their reasons, enrichment of the new contacts queued, and the same file twice creating
// nothing twice. A job of the wrong kind for its import fails with a clear message.
import assert from "node:assert/strict";
import { DEMO } from "../../../scripts/stack/tests/auth_realtime_helpers.ts";
import { type ImportRow, withImportFile } from "./helpers/imports.ts";
import { finished, integration, sql, waitForJob } from "./helpers/stack.ts";

async function cleanup(importIds: string[], stamp: number) {
  const like = `%-${stamp}.example`;
  await sql`delete from public.jobs where payload ->> 'import_id' = any(${importIds})`;
  await sql`delete from public.jobs where workspace_id = ${DEMO.workspace} and payload ->> 'email' like ${like}`;
  await sql`delete from public.contacts where workspace_id = ${DEMO.workspace} and email like ${like}`;
  await sql`delete from public.accounts where workspace_id = ${DEMO.workspace} and domain like ${like}`;
  await sql`delete from public.imports where id = any(${importIds})`;
}

integration("an uploaded CSV of people becomes contacts, linked to their companies' accounts", async () => {
  const stamp = Date.now();
  const d = (n: string) => `${n}-${stamp}.example`;
  const [acme] = await sql`insert into public.accounts (workspace_id, name, domain) values (${DEMO.workspace}, 'Acme', ${d("acme")}) returning id`;
  await sql`insert into public.contacts (workspace_id, email, first_name) values (${DEMO.workspace}, ${"known@" + d("acme")}, 'Known')`;
  const tsv = [
    "E-mail\tFirst name\tLast name\tJob title\tCompany\tCompany website",
    `Ana@${d("acme")}\tAna\tLopez\t"CTO, Platform"\tAcme\thttps://www.${d("acme")}/`,
    `bo@\tBo\t\t\tBeta\t${d("beta")}`,
    `cy@${d("newco")}\tCy\t"Multi\nline"\tCEO\tNewCo Ltd\t${d("newco")}`,
    `ana@${d("acme")}\tAna\tAgain\t\t\t`,
    `known@${d("acme")}\tNot\tMe\tCFO\t\t`,
    "",
  ].join("\n");
  await withImportFile("people.tsv", tsv, async (start) => {
    const mapping = { email: "E-mail", first_name: "First name", last_name: "Last name", title: "Job title", account_name: "Company", account_domain: "Company website" };
    const imp = await start({ mapping, kind: "contacts", enrich_after: true });
    const job = await waitForJob(imp.job_id, finished, 20_000);
    assert.equal(job.status, "completed", job.error_message ?? "");
    const [{ job_type }] = await sql`select job_type from public.jobs where id = ${imp.job_id}`;
    assert.equal(job_type, "import_contacts");
    const [after] = await sql<ImportRow[]>`select * from public.imports where id = ${imp.id}`;
    assert.deepEqual(
      [after.created_count, after.updated_count, after.skipped_count, after.failed_count, after.accounts_created, after.rows_done, after.enrich_jobs],
      [2, 0, 2, 1, 1, 5, 2],
    );
    const contacts = await sql`select c.email, c.first_name, c.last_name, c.title, a.name as account, a.id as account_id
      from public.contacts c left join public.accounts a on a.id = c.account_id
      where c.metadata -> 'import' ->> 'id' = ${imp.id} order by c.email`;
    assert.deepEqual(contacts.map((c) => ({ ...c })), [
      { email: `ana@${d("acme")}`, first_name: "Ana", last_name: "Lopez", title: "CTO, Platform", account: "Acme", account_id: acme.id },
      { email: `cy@${d("newco")}`, first_name: "Cy", last_name: "Multi\nline", title: "CEO", account: "NewCo Ltd", account_id: contacts[1].account_id },
    ]);
    const [known] = await sql`select first_name, title from public.contacts where email = ${"known@" + d("acme")}`;
    assert.deepEqual({ ...known }, { first_name: "Known", title: null }, "skip leaves the known contact alone");
    const errors = await sql`select row_number, column_name, reason from public.import_errors where import_id = ${imp.id}`;
    assert.deepEqual(errors.map((e) => ({ ...e })), [{ row_number: 3, column_name: "E-mail", reason: "not an email address (like ana@acme.com)" }]);
    const [{ queued }] = await sql`select count(*)::int as queued from public.jobs
      where workspace_id = ${DEMO.workspace} and job_type = 'enrich_contact' and payload ->> 'email' like ${"%-" + stamp + ".example"}`;
    assert.equal(queued, 2, "the two new contacts are queued for enrichment");
    const logs = await sql`select message from public.job_logs where job_id = ${imp.job_id} order by id`;
    assert.ok(logs.some((l) => l.message === "The file's columns are separated by tabs"), logs.map((l) => l.message).join("\n"));
    assert.ok(logs.some((l) => String(l.message).startsWith("Import completed: 2 created (and 1 account(s) for their companies)")));

    // The same file again, filling empty fields: nothing is created twice; the known contact gets its title.
    const second = await start({ mapping, kind: "contacts", on_duplicate: "fill_empty" });
    assert.equal((await waitForJob(second.job_id, finished, 20_000)).status, "completed");
    const [counts] = await sql<ImportRow[]>`select * from public.imports where id = ${second.id}`;
    assert.deepEqual([counts.created_count, counts.updated_count, counts.skipped_count, counts.failed_count, counts.accounts_created], [0, 3, 1, 1, 0]);
    const [{ n }] = await sql`select count(*)::int as n from public.contacts where workspace_id = ${DEMO.workspace} and email like ${"%-" + stamp + ".example"}`;
    assert.equal(n, 3, "three people, three contacts");
    const [filled] = await sql`select first_name, title from public.contacts where email = ${"known@" + d("acme")}`;
    assert.deepEqual({ ...filled }, { first_name: "Known", title: "CFO" }, "fill_empty fills the empty title, keeps the name");
  }, (ids) => cleanup(ids, stamp));
});

integration("a contacts job for an accounts import fails at once and says why", async () => {
  const stamp = Date.now();
  await withImportFile("accounts.csv", `Name,Domain\nWrong kind,wrong-${stamp}.example\n`, async (start) => {
    const imp = await start({ mapping: { name: "Name", domain: "Domain" } });
    await waitForJob(imp.job_id, finished, 20_000);
    const [wrong] = await sql`insert into public.jobs (workspace_id, job_type, payload)
      values (${DEMO.workspace}, 'import_contacts', ${sql.json({ import_id: imp.id })}) returning id`;
    const job = await waitForJob(wrong.id, finished, 20_000);
    assert.equal(job.status, "failed");
    assert.equal(job.attempts, 1, "not retried: it cannot succeed");
    assert.match(job.error_message ?? "", /This import brings in accounts, not contacts/);
  }, (ids) => cleanup(ids, stamp));
});
