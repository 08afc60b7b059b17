// How the worker records failures: the spec's test 6 (retries with backoff until attempts run
// out), Apollo's permanent and temporary errors, and a workspace without a key.
import assert from "node:assert/strict";
import {
  createAccount, enqueueAccounts, fakeApollo, finished, integration, job, logs, makeDue, runWorker, sql, waitForJob,
  withCronPaused, withWorkspace,
} from "./helpers/stack.ts";
import { setTimeout as sleep } from "node:timers/promises";

const secondsUntil = (date: Date | null) => (date ? (date.getTime() - Date.now()) / 1000 : NaN);

integration("spec test 6: an unknown account is retried with backoff and fails after 5 attempts", async () => {
  await withWorkspace("Spec test 6", "live-key-test6-0001", async (ws) => {
    // The spec's INSERT, verbatim but for the workspace id.
    await sql.unsafe(`
      INSERT INTO jobs (workspace_id, job_type, payload, status)
      VALUES ('${ws.id}', 'enrich_account',
        '{"account_id": "00000000-0000-0000-0000-000000000000", "domain": "nonexistent.fake"}'::jsonb, 'pending')`);
    const [{ id }] = await sql`select id from public.jobs where workspace_id = ${ws.id}`;

    const first = await waitForJob(id, (j) => j.attempts === 1 && j.status === "pending");
    assert.match(first.error_message ?? "", /Account not found/);
    const wait = secondsUntil(first.next_retry_at);
    assert.ok(wait > 50 && wait <= 66, `first retry about 60 s out, got ${wait.toFixed(1)} s`);

    await withCronPaused(async () => {
      for (let attempt = 2; attempt <= 5; attempt++) {
        await makeDue(id);
        await runWorker();
        await waitForJob(id, (j) => j.attempts === attempt && j.status !== "processing");
      }
    });
    const last = await job(id);
    assert.equal(last.status, "failed");
    assert.equal(last.attempts, 5);
    assert.equal(last.max_attempts, 5);
    assert.match(last.error_message ?? "", /Account not found/);
    assert.equal(last.errors.length, 5, "every attempt's error is kept");
    assert.equal(last.next_retry_at, null);
  });
});

integration("a workspace without an Apollo key fails at once, not retried", async () => {
  await withWorkspace("No key", async (ws) => {
    const accountId = await createAccount(ws.id, "vercel.com");
    const [jobId] = await enqueueAccounts(ws.id, [accountId]);
    const done = await waitForJob(jobId, finished);
    assert.equal(done.status, "failed");
    assert.equal(done.attempts, 1);
    assert.match(done.error_message ?? "", /^Apollo API key not configured for this workspace/);
  });
});

for (const [key, pattern] of [
  ["fake-key-401-worker", /rejected|401|credentials/i],
  ["fake-key-403-worker", /403|not accessible|plan/i],
  ["fake-key-no-credits-worker", /credits/i],
] as const) {
  integration(`Apollo answering ${key.replace(/^fake-key-|-worker$/g, "")} fails the job at once`, async () => {
    await withWorkspace(`Permanent ${key}`, key, async (ws) => {
      const accountId = await createAccount(ws.id, "linear.app");
      const [jobId] = await enqueueAccounts(ws.id, [accountId]);
      const done = await waitForJob(jobId, finished);
      assert.equal(done.status, "failed");
      assert.equal(done.attempts, 1, "permanent errors are not retried");
      assert.match(done.error_message ?? "", pattern);
      assert.ok(!(done.error_message ?? "").includes(key), "the key never appears in an error");
      const [settings] = await sql`select enrichment_credits_used from public.workspace_settings where workspace_id = ${ws.id}`;
      assert.equal(settings.enrichment_credits_used, 0);
    });
  });
}

integration("429 with retry-after: the workspace waits that long, the attempt is not counted, then it succeeds", async () => {
  await withCronPaused(async () => {
    await withWorkspace("Rate limited", "live-key-429-0005", async (ws) => {
      await fakeApollo.script({ domain: "gong.io", status: 429, times: 1, retryAfterSeconds: 2 });
      const accountId = await createAccount(ws.id, "gong.io");
      const [jobId] = await enqueueAccounts(ws.id, [accountId]);
      const retrying = await waitForJob(jobId, (j) => j.status === "pending" && j.errors.length === 0 && j.next_retry_at !== null);
      assert.equal(retrying.attempts, 0, "a rate limit does not use up an attempt");
      const wait = secondsUntil(retrying.next_retry_at);
      assert.ok(wait > 0 && wait <= 2.5, `retry after Apollo's retry-after (2 s), got ${wait.toFixed(1)} s`);
      const [settings] = await sql`select jobs_paused_until, jobs_paused_reason from public.workspace_settings where workspace_id = ${ws.id}`;
      assert.ok(settings.jobs_paused_until > new Date(), "the workspace's jobs are paused");
      assert.match(settings.jobs_paused_reason, /rate limit|429/i);
      await sleep(Math.max(0, wait * 1000) + 200);
      await runWorker();
      const done = await waitForJob(jobId, finished);
      assert.equal(done.status, "completed");
      assert.equal(done.attempts, 1);
      const lines = (await logs(jobId)).map((l) => l.message);
      assert.ok(lines.some((m) => /this attempt is not counted/.test(m)), lines.join("\n"));
    });
  });
});

integration("500 from Apollo: retried with backoff (~60 s), then succeeds", async () => {
  await withCronPaused(async () => {
    await withWorkspace("Server error", "live-key-500-0006", async (ws) => {
      await fakeApollo.script({ domain: "segment.com", status: 500, times: 1 });
      const accountId = await createAccount(ws.id, "segment.com");
      const [jobId] = await enqueueAccounts(ws.id, [accountId]);
      const retrying = await waitForJob(jobId, (j) => j.status === "pending" && j.attempts === 1);
      const wait = secondsUntil(retrying.next_retry_at);
      assert.ok(wait > 50 && wait <= 66, `backoff about 60 s, got ${wait.toFixed(1)} s`);
      assert.match(retrying.error_message ?? "", /500|server/i);
      await makeDue(jobId);
      await runWorker();
      assert.equal((await waitForJob(jobId, finished)).status, "completed");
    });
  });
});

integration("an Apollo call that times out is retried", async () => {
  await withWorkspace("Timeout", "live-key-timeout-0007", async (ws) => {
    const accountId = await createAccount(ws.id, "hang.test", "Hangs");
    const [jobId] = await enqueueAccounts(ws.id, [accountId]);
    const retrying = await waitForJob(jobId, (j) => j.status === "pending" && j.attempts === 1, 30_000);
    assert.match(retrying.error_message ?? "", /did not answer|time/i);
    const lines = (await logs(jobId)).map((l) => l.message);
    assert.ok(lines.some((m) => /^Attempt 1 of 5 failed/.test(m)), lines.join("\n"));
  });
});
