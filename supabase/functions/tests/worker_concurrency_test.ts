// Spec test 8 and the "20 jobs with 1 s latency" expectation: up to MAX_CONCURRENT (5) at a
// time per invocation, refilled as slots free, with more invocations started for a backlog (up
// to MAX_GLOBAL_CONCURRENCY in all); and a worker killed mid-job: the reaper returns the job and it
// completes once, with its credit counted once.
import assert from "node:assert/strict";
import { invokeWorkerAndWait } from "./helpers/ops.ts";
import { sampleUntilFinished, withBacklog } from "./helpers/backlog.ts";
import {
  createAccount, enqueueAccounts, fakeApollo, finished, functionProcessPids, integration, job, logs, runWorker, sql,
  waitForJob, withCronPaused, withWorkspace,
} from "./helpers/stack.ts";
import { setTimeout as sleep } from "node:timers/promises";

/** Most requests in flight at once, from the fake's log (start = at - ms). */
function maxOverlap(requests: Array<{ at: string; ms: number }>): number {
  const events = requests.flatMap((r) => {
    const end = Date.parse(r.at);
    return [[end - r.ms, 1], [end, -1]] as Array<[number, number]>;
  }).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let max = 0;
  for (const [, delta] of events) max = Math.max(max, (current += delta));
  return max;
}

integration("20 jobs with 1 s Apollo latency: at most 5 per invocation, more invocations for the backlog, done in seconds", async () => {
  // one job, one Apollo call (bulk calls would carry these 20 in two)
  const backlog = { name: "Concurrency", apolloKey: "live-key-conc-0001", accounts: 20, prefix: "concurrency", latencyMs: 1000 };
  await withBacklog(backlog, async (ws, accounts) => {
    const started = Date.now();
    const ids = await enqueueAccounts(ws.id, accounts); // one statement: one wake-up
    // Jobs processing per invocation (locked_by), sampled while they run.
    let perInvocation = 0;
    let total = 0;
    const invocations = new Set<string>();
    await sampleUntilFinished(ids, 30_000, async () => {
      // In a slot: processing and not yet past its write (80%: a job whose slot has freed
      // stays processing until its completion is written).
      const rows = await sql<{ locked_by: string; n: number }[]>`
        select locked_by, count(*)::integer as n from public.jobs
        where workspace_id = ${ws.id} and status = 'processing' and (progress ->> 'percentage')::numeric < 80
        group by locked_by`;
      for (const r of rows) invocations.add(r.locked_by);
      perInvocation = Math.max(perInvocation, ...rows.map((r) => r.n), 0);
      total = Math.max(total, rows.reduce((sum, r) => sum + r.n, 0));
    });
    const seconds = (Date.now() - started) / 1000;

    for (const id of ids) assert.equal((await job(id)).status, "completed");
    const calls = (await fakeApollo.requests()).filter((r) => r.domain?.startsWith("concurrency-"));
    assert.equal(calls.length, 20, "each job called Apollo exactly once");
    assert.ok(perInvocation <= 5, `at most MAX_CONCURRENT (5) jobs per invocation, saw ${perInvocation}`);
    assert.ok(total <= 20, `at most MAX_GLOBAL_CONCURRENCY (20) in all, saw ${total}`);
    const overlap = maxOverlap(calls);
    assert.ok(overlap > 5, `the backlog started more invocations: ${overlap} Apollo calls at once at most`);
    assert.ok(invocations.size >= 2, `jobs ran in ${invocations.size} invocation(s)`);
    assert.ok(seconds < 8, `20 x 1 s should take a few seconds, took ${seconds.toFixed(1)} s`);
    console.log(
      `    20 jobs in ${seconds.toFixed(2)} s, ${invocations.size} invocations, max ${perInvocation} per invocation, ${overlap} at once`,
    );
  });
});

integration("a worker killed mid-job: the reaper returns the job, it completes once, one credit", async () => {
  await withCronPaused(async () => {
    await withWorkspace("Crash", "live-key-crash-0002", async (ws) => {
      const accountId = await createAccount(ws.id, "slow-2500.test", "Slow Co");
      const [jobId] = await enqueueAccounts(ws.id, [accountId]);
      await waitForJob(jobId, (j) => j.status === "processing" && j.progress.percentage >= 40);

      const pids = await functionProcessPids("job-worker");
      assert.ok(pids.length > 0, "found the job-worker process");
      const deadWorker = (await job(jobId)).locked_by;
      for (const pid of pids) Deno.kill(pid, "SIGKILL");

      await sleep(500);
      const stuck = await job(jobId);
      assert.equal(stuck.status, "processing", "the job is stuck under the dead worker's lease");

      // Let the dead worker's lease (60 s) run out now rather than in a minute, then reap.
      await sql`update public.jobs set locked_until = now() - interval '1 second' where id = ${jobId}`;
      const [{ reaped }] = await sql`select public.reap_expired_leases() as reaped`;
      assert.ok(reaped >= 1);
      const back = await job(jobId);
      assert.equal(back.status, "pending");
      assert.equal(back.attempts, 1);

      // The gateway restarts the function; the next call finishes the job.
      let done = back;
      for (let i = 0; i < 50 && !finished(done); i++) {
        await runWorker().catch(() => null);
        done = await job(jobId);
        if (!finished(done)) await sleep(200);
      }
      done = await waitForJob(jobId, finished, 15_000);
      assert.equal(done.status, "completed");
      assert.equal(done.attempts, 2);
      const lines = (await logs(jobId)).map((l) => l.message);
      assert.ok(lines.some((m) => /stopped responding/.test(m)), "the reaper's line tells the story");
      assert.equal(lines.filter((m) => m === "Account enrichment completed successfully").length, 1);
      const [settings] = await sql`select enrichment_credits_used from public.workspace_settings where workspace_id = ${ws.id}`;
      assert.equal(settings.enrichment_credits_used, 1, "the credit is counted once");
      // The dead invocation's registration would lapse within its 10 s TTL; until then enqueueing
      // counts on it (and on pg_cron's minute call). Later tests should not wait for that.
      await sql`delete from private.worker_runs where worker_id = ${deadWorker}`;
      // The calls that were in flight when the process died failed (502); three good ones put the
      // worker's record (and the health check after it) back to healthy for the tests that follow.
      await invokeWorkerAndWait("test-after-kill", 3);
    });
  });
});
