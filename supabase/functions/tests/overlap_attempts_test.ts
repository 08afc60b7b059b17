// Two attempts of one job, the first cut off at the worst moment: its worker wrote the enrichment
// (and was charged the credit), then died before completing the job. The chaos soak found that the
// next attempt wrote the account a second time; now it writes nothing again, does not pay Apollo
// again, and completes the job, whose log says what happened.
import assert from "node:assert/strict";
import {
  createAccount, fakeApollo, finished, integration, logs, runWorker, sql, waitForJob, withCronPaused, withWorkspace,
} from "./helpers/stack.ts";

integration("a job whose worker died after writing the enrichment: the next attempt writes nothing twice, calls no Apollo", async () => {
  await withCronPaused(async () => {
    await withWorkspace("Crash after write", `live-key-after-write-${crypto.randomUUID().slice(0, 6)}`, async (ws) => {
      const domain = `after-write-${crypto.randomUUID().slice(0, 6)}.example`;
      const accountId = await createAccount(ws.id, domain);
      // Queued not-yet-due (no wake-up), then claimed and written by a worker that then "dies".
      const [{ id: jobId }] = await sql<{ id: string }[]>`
        insert into public.jobs (workspace_id, job_type, payload, scheduled_for)
        values (${ws.id}, 'enrich_account', ${sql.json({ account_id: accountId, domain })}, now() + interval '1 hour')
        returning id`;
      await sql`update public.jobs set scheduled_for = now() where id = ${jobId}`;
      // claim_jobs' own UPDATE, for this job only (claim_jobs itself might pick another workspace's due job).
      const [claimed] = await sql`
        update public.jobs set status = 'processing', attempts = attempts + 1, locked_by = 'doomed-worker',
                               locked_until = now() + interval '60 seconds', started_at = now(), next_retry_at = null
        where id = ${jobId} and status = 'pending' returning id`;
      assert.equal(claimed?.id, jobId, "the doomed worker holds the job");
      const [{ applied }] = await sql`
        select public.apply_account_enrichment(${jobId}, 'doomed-worker', '{"industry": "First write"}',
                                               ${sql.json({ id: "org-first", primary_domain: domain })}) as applied`;
      assert.equal(applied, true);
      const [{ enriched_at: firstWrite }] = await sql`select enriched_at from public.accounts where id = ${accountId}`;

      // Its lease runs out; the reaper puts the job back; a live worker takes it.
      await sql`update public.jobs set locked_until = now() - interval '1 second' where id = ${jobId}`;
      await sql`select public.reap_expired_leases()`;
      const since = (await fakeApollo.requests()).reduce((max, r) => Math.max(max, r.seq), 0);
      await runWorker();
      const done = await waitForJob(jobId, finished);

      assert.equal(done.status, "completed");
      assert.equal(done.attempts, 2);
      assert.equal(done.credits_used, 1);
      assert.equal((done.result as { already_enriched?: boolean }).already_enriched, true);
      const [account] = await sql`select industry, enriched_at, metadata -> 'apollo' ->> 'id' as org from public.accounts where id = ${accountId}`;
      assert.equal(account.industry, "First write", "the account keeps the one write it got");
      assert.equal(account.org, "org-first");
      assert.deepEqual(account.enriched_at, firstWrite);
      const [settings] = await sql`select enrichment_credits_used from public.workspace_settings where workspace_id = ${ws.id}`;
      assert.equal(settings.enrichment_credits_used, 1, "one credit");
      const calls = (await fakeApollo.requests({ since: String(since) })).filter((r) => r.domain === domain);
      assert.deepEqual(calls, [], "Apollo was not asked again");
      const lines = (await logs(jobId)).map((l) => l.message);
      assert.ok(lines.some((m) => /already wrote the enrichment/.test(m)), lines.join("\n"));
      assert.equal(lines.at(-1), "Account enrichment completed successfully");
    });
  });
});
