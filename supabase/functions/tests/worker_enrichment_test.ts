// The spec's happy path (tests 3, 4, 5, 9) through the real stack: enqueue -> pg_net wake-up ->
// gateway -> job-worker -> fake Apollo -> the account enriched, seven log lines, progress 10..100.
import assert from "node:assert/strict";
import {
  createAccount, enqueueAccounts, fakeApollo, finished, integration, job, logs, runWorker, sql, waitForJob,
  withCronPaused, withWorkspace,
} from "./helpers/stack.ts";
import { setTimeout as sleep } from "node:timers/promises";

const SPEC_LOG_LINES = [
  /^Starting enrichment for account /,
  /^Fetching workspace settings\.\.\.$/,
  /^Initializing Apollo client\.\.\.$/,
  /^Enriching with domain stripe\.com\.\.\.$/,
  /^Processing enrichment data\.\.\.$/,
  /^Updating account record\.\.\.$/,
  /^Account enrichment completed successfully$/,
];

integration("an enqueued account is enriched within seconds, with the spec's log lines and progress", async () => {
  await fakeApollo.reset();
  await withWorkspace("Enrichment happy path", "live-key-happy-0001", async (ws) => {
    const accountId = await createAccount(ws.id, "stripe.com", "Stripe");
    const [jobId] = await enqueueAccounts(ws.id, [accountId]);
    const done = await waitForJob(jobId, finished, 10_000);

    assert.equal(done.status, "completed", `job ended ${done.status}: ${done.error_message}`);
    assert.equal(done.progress.percentage, 100);
    assert.equal(done.attempts, 1);
    assert.equal(done.credits_used, 1);
    assert.ok(done.started_at && done.completed_at && done.completed_at >= done.started_at);

    const lines = await logs(jobId);
    assert.equal(lines.length, 7, lines.map((l) => l.message).join("\n"));
    lines.forEach((line, i) => assert.match(line.message, SPEC_LOG_LINES[i]));
    assert.deepEqual(lines.map((l) => l.metadata.percentage), [10, 20, 30, 40, 60, 80, 100]);

    const [account] = await sql`
      select industry, employee_count, annual_revenue, city, state, country, linkedin_url, website_url, description,
             founded_year, enriched_at, metadata->>'apollo_enriched_at' as apollo_enriched_at, metadata->'apollo' as apollo
      from public.accounts where id = ${accountId}`;
    assert.ok(account.enriched_at, "enriched_at is set");
    assert.ok(account.apollo_enriched_at, "metadata.apollo_enriched_at is set");
    assert.equal(account.apollo.primary_domain, "stripe.com");
    for (const column of ["industry", "employee_count", "city", "country", "linkedin_url", "website_url"]) {
      assert.notEqual(account[column], null, `${column} was filled in`);
    }
    const [settings] = await sql`select enrichment_credits_used from public.workspace_settings where workspace_id = ${ws.id}`;
    assert.equal(settings.enrichment_credits_used, 1);
    const calls = await fakeApollo.requests({ domain: "stripe.com" });
    assert.equal(calls.filter((c) => c.path.endsWith("organizations/enrich")).length, 1, "Apollo was called once");
  });
});

integration("POST answers the spec's shape with what the batch did", async () => {
  await withCronPaused(async () => {
    await withWorkspace("Worker response", "live-key-resp-0003", async (ws) => {
      const accounts = await Promise.all(["notion.so", "figma.com"].map((d) => createAccount(ws.id, d)));
      // scheduled a little ahead, so the insert wakes no one and they are left for this call
      const ids = await enqueueAccounts(ws.id, accounts, 2);
      await sleep(2200);
      const { status, body } = await runWorker();
      assert.equal(status, 200);
      assert.equal(body.success, true);
      assert.match(body.worker_id, /^supabase-local-\d+-[0-9a-f]{8}$/);
      assert.ok(typeof body.duration_ms === "number" && body.duration_ms >= 0);
      assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
      assert.ok(body.claimed >= 2 && body.completed >= 2, JSON.stringify(body));
      for (const id of ids) assert.equal((await job(id)).status, "completed");
    });
  });
});

integration("a domain Apollo does not know completes without changes, saying so", async () => {
  await withWorkspace("No match", "live-key-nomatch-0004", async (ws) => {
    const accountId = await createAccount(ws.id, "no-match.test", "Nobody");
    const [jobId] = await enqueueAccounts(ws.id, [accountId]);
    const done = await waitForJob(jobId, finished);
    assert.equal(done.status, "completed");
    assert.equal(done.credits_used, 0);
    const lines = (await logs(jobId)).map((l) => l.message);
    assert.ok(lines.some((m) => /Apollo has no organization for no-match\.test/.test(m)), lines.join("\n"));
    const [account] = await sql`select enriched_at from public.accounts where id = ${accountId}`;
    assert.equal(account.enriched_at, null);
  });
});
