// Bulk calls: due jobs of one workspace and type share organizations/bulk_enrich calls of up to 10
// domains; answers are matched by domain, never by position; each job keeps its own outcome, log
// lines and credit; a record Apollo does not know completes "no Apollo match"; a failed bulk call
// fails (and retries) each of its jobs by the error; a single job keeps the single path.
import assert from "node:assert/strict";
import { withSettings } from "./helpers/ops.ts";
import {
  createAccount, createWorkspace, enqueueAccounts, fakeApollo, finished, integration, job, logs, sql, waitForJob,
  withCronPaused, withWorkspace,
} from "./helpers/stack.ts";

integration("25 accounts of one workspace: bulk calls of up to 10, matched by domain, one credit per match", async () => {
  await withCronPaused(async () => {
    await fakeApollo.reset();
    await fakeApollo.latency(200);
    const tag = crypto.randomUUID().slice(0, 6);
    const ws = await createWorkspace("Bulk", `live-key-bulk-${tag}`);
    try {
      // every fifth domain is one the fake Apollo does not know (unknown-*: no match)
      const domains = Array.from({ length: 25 }, (_, i) => (i % 5 === 4 ? `unknown-bulk-${i}-${tag}.example` : `bulk-${i}-${tag}.example`));
      const accounts = [];
      for (const d of domains) accounts.push(await createAccount(ws.id, d));
      const jobIds = await enqueueAccounts(ws.id, accounts);
      for (const id of jobIds) await waitForJob(id, finished, 30_000);

      const calls = (await fakeApollo.requests()).filter((r) => r.domain?.includes(tag));
      const bulkCalls = calls.filter((r) => r.path.includes("organizations/bulk_enrich"));
      const singleCalls = calls.filter((r) => r.path.includes("organizations/enrich"));
      assert.ok(bulkCalls.length >= 3, `bulk calls carried the accounts (${bulkCalls.length} bulk, ${singleCalls.length} single)`);
      assert.ok(calls.length <= 8, `far fewer calls than 25 (${calls.length})`);
      const domainsOf = (r: { domain: string | null }) => [...new Set(r.domain!.split(","))];
      const asked = bulkCalls.flatMap(domainsOf);
      assert.ok(bulkCalls.every((r) => domainsOf(r).length <= 10), "at most 10 domains per call");
      assert.equal(new Set([...asked, ...singleCalls.map((r) => r.domain)]).size, 25, "every domain asked exactly once");

      let credits = 0;
      const jobOf = new Map<string, string>(); // domain -> job id
      for (const id of jobIds) {
        const row = await job(id);
        const domain = (row.payload as { domain: string }).domain;
        jobOf.set(domain, id);
        assert.equal(row.status, "completed", `${domain}: ${row.error_message}`);
        assert.equal(row.attempts, 1);
        const result = row.result as { matched: boolean; domain: string; credits_used: number };
        assert.equal(result.domain, domain, "the job's result is about its own account");
        assert.equal(result.matched, !domain.startsWith("unknown-"), `${domain} matched by domain, not by position`);
        credits += row.credits_used;
      }
      assert.equal(credits, 20, "one credit per matched account, none for the 5 Apollo does not know");
      const [settings] = await sql`select enrichment_credits_used from public.workspace_settings where workspace_id = ${ws.id}`;
      assert.equal(settings.enrichment_credits_used, 20);

      const [account] = await sql`select industry, enriched_at from public.accounts where id = ${accounts[0]}`;
      assert.ok(account.enriched_at && account.industry, "the matched account was filled in");
      const [unknown] = await sql`select enriched_at from public.accounts where id = ${accounts[4]}`;
      assert.equal(unknown.enriched_at, null, "the unknown one was left unchanged");

      const lines = (await logs(jobOf.get(domains[0])!)).map((l) => l.message);
      if (singleCalls.every((r) => r.domain !== domains[0])) {
        assert.ok(lines.some((m) => /one of \d+ in an Apollo bulk call/.test(m)), lines.join("\n"));
        assert.ok(lines.some((m) => /with one Apollo bulk call \(organizations\/bulk_enrich\)/.test(m)), lines.join("\n"));
      }
      assert.equal(lines.at(-1), "Account enrichment completed successfully");
      const noMatch = (await logs(jobOf.get(domains[4])!)).map((l) => l.message);
      assert.ok(noMatch.some((m) => /Apollo has no organization for unknown-bulk-4/.test(m)), noMatch.join("\n"));
      assert.equal(noMatch.at(-1), "Account enrichment completed: no Apollo match");
    } finally {
      await fakeApollo.latency(0);
      await ws.cleanup();
    }
  });
});

integration("a failed bulk call fails each of its jobs by the error; they are retried and complete", async () => {
  await withCronPaused(async () => {
    await withSettings({ retry_backoff_base_seconds: "1" }, async () => {
      await fakeApollo.reset();
      const tag = crypto.randomUUID().slice(0, 6);
      const key = `live-key-bulkfail-${tag}`;
      await withWorkspace("Bulk failure", key, async (ws) => {
        await fakeApollo.script({ key, path: "organizations/bulk_enrich", status: 500, times: 1 });
        const accounts = [];
        for (let i = 0; i < 6; i++) accounts.push(await createAccount(ws.id, `bulkfail-${i}-${tag}.example`));
        const jobIds = await enqueueAccounts(ws.id, accounts);
        for (const id of jobIds) await waitForJob(id, finished, 30_000);
        const failedFirst = [];
        for (const id of jobIds) {
          const row = await job(id);
          assert.equal(row.status, "completed", row.error_message ?? "");
          if (row.attempts === 2) failedFirst.push(row);
        }
        assert.ok(failedFirst.length >= 2, `the jobs of the failed bulk call were retried (${failedFirst.length})`);
        for (const row of failedFirst) {
          assert.match(row.errors[0].message, /server error on organizations\/bulk_enrich/);
          assert.equal(row.errors[0].retryable, true);
          assert.equal(row.credits_used, 1, "charged once, on the attempt that wrote it");
        }
      });
    });
  });
});

integration("a single due job keeps the single path and its seven log lines", async () => {
  await fakeApollo.reset();
  await withWorkspace("Bulk single", `live-key-bulksingle-${crypto.randomUUID().slice(0, 6)}`, async (ws) => {
    const [jobId] = await enqueueAccounts(ws.id, [await createAccount(ws.id, "stripe.com", "Stripe")]);
    await waitForJob(jobId, finished, 15_000);
    const lines = (await logs(jobId)).map((l) => l.message);
    assert.equal(lines.length, 7, lines.join("\n"));
    assert.equal(lines[3], "Enriching with domain stripe.com...");
  });
});
