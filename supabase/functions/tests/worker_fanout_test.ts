// Concurrency follows the backlog, up to the global cap: a backlog larger than one invocation takes
// starts more invocations (fan-out), never more jobs in flight than MAX_GLOBAL_CONCURRENCY (20) nor
// more invocations than it takes to fill it; and an invocation whose time is up with work still due
// hands off to the next at once instead of leaving the queue for the next pg_cron tick.
import assert from "node:assert/strict";
import { loadConfig, newWorkerId } from "../job-worker/config.ts";
import { runBatch } from "../job-worker/runner.ts";
import { withFunctionEnv } from "./helpers/in-process.ts";
import { sampleUntilFinished, withBacklog } from "./helpers/backlog.ts";
import { enqueueAccounts, finished, integration, job, sql, waitForJob } from "./helpers/stack.ts";
import { setTimeout as sleep } from "node:timers/promises";

integration("fan-out: 80 jobs start more invocations, never more than 20 jobs in flight nor 4 invocations", async () => {
  const key = `live-key-fanout-${crypto.randomUUID().slice(0, 6)}`;
  await withBacklog({ name: "Fan-out", apolloKey: key, accounts: 80, prefix: "fanout", latencyMs: 500 }, async (ws, accounts) => {
    let inFlight = 0;
    let invocations = 0;
    const ids = await enqueueAccounts(ws.id, accounts); // one wake-up; the rest is fan-out
    await sampleUntilFinished(ids, 60_000, async () => {
      const [row] = await sql<{ processing: number; runs: number }[]>`
        select (select count(*)::integer from public.jobs where status = 'processing') as processing,
               (select count(*)::integer from private.worker_runs where expires_at > clock_timestamp()) as runs`;
      inFlight = Math.max(inFlight, row.processing);
      invocations = Math.max(invocations, row.runs);
    });
    for (const id of ids) assert.equal((await job(id)).status, "completed");
    console.log(`    80 jobs: at most ${inFlight} in flight, ${invocations} invocations at once`);
    assert.ok(inFlight <= 20, `never more than MAX_GLOBAL_CONCURRENCY (20) in flight, saw ${inFlight}`);
    assert.ok(inFlight > 5, `the backlog used more than one invocation's 5 slots, saw ${inFlight}`);
    assert.ok(invocations >= 2 && invocations <= 4, `2 to 4 invocations (20 / 5), saw ${invocations}`);
  });
});

integration("hand-off: an invocation whose time is up with work due starts the next at once", async () => {
  const key = `live-key-handoff-${crypto.randomUUID().slice(0, 6)}`;
  await withBacklog({ name: "Hand-off", apolloKey: key, accounts: 30, prefix: "handoff", latencyMs: 300 }, async (ws, accounts) => {
    // Queued for a moment later, so the insert wakes no one: this test's own invocation goes first.
    const ids = await enqueueAccounts(ws.id, accounts, 2);
    await sleep(2_100);
    const [{ since }] = await sql<{ since: Date }[]>`select clock_timestamp() as since`;

    // An invocation with a 1.5 s budget and 2 slots, alone (a global cap of 2: no fan-out), does
    // about 10 of the 30 jobs in its time.
    const result = await withFunctionEnv({}, () => {
      const config = loadConfig(new Map([["WORKER_SECRET_TOKEN", "dev-secret-token"]]));
      return runBatch({ ...config, timeBudgetMs: 1_500, maxConcurrent: 2, maxGlobalConcurrency: 2 }, newWorkerId(config), {
        waitForDueWork: true,
      });
    });
    assert.ok(result.completed > 0 && result.completed < 30, `the short invocation did part of the work (${result.completed})`);

    const [{ handoffs }] = await sql<{ handoffs: number }[]>`
      select count(*)::integer as handoffs from private.worker_calls where reason = 'handoff' and requested_at >= ${since}`;
    assert.equal(handoffs, 1, "it started its successor when its time was up");
    // With pg_cron paused, only the successor can finish the rest.
    for (const id of ids) await waitForJob(id, finished, 30_000);
    for (const id of ids) assert.equal((await job(id)).status, "completed");
  });
});
