// Spec test 8 and the "20 jobs with 1 s latency" expectation: up to MAX_CONCURRENT (5) at a
// time, refilled as slots free; and a worker killed mid-job: the reaper returns the job and it
// completes once, with its credit counted once.
import assert from "node:assert/strict";
import {
  createAccount, createWorkspace, enqueueAccounts, fakeApollo, finished, integration, job, logs, runWorker, sql,
  testConfig, waitForJob, withCronPaused,
} from "./helpers/stack.ts";

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

integration("20 jobs with 1 s Apollo latency: at most 5 in flight, all done in about 4 s", async () => {
  await withCronPaused(async () => {
    await fakeApollo.reset();
    await fakeApollo.latency(1000);
    const ws = await createWorkspace("Concurrency", "live-key-conc-0001");
    try {
      const domains = Array.from({ length: 20 }, (_, i) => `concurrency-${i + 1}.example`);
      const accounts = [];
      for (const d of domains) accounts.push(await createAccount(ws.id, d));
      const started = Date.now();
      const ids = await enqueueAccounts(ws.id, accounts); // one statement: one wake-up, one invocation
      for (const id of ids) await waitForJob(id, finished, 30_000);
      const seconds = (Date.now() - started) / 1000;

      for (const id of ids) assert.equal((await job(id)).status, "completed");
      const calls = (await fakeApollo.requests()).filter((r) => r.domain?.startsWith("concurrency-"));
      assert.equal(calls.length, 20, "each job called Apollo exactly once");
      const overlap = maxOverlap(calls);
      assert.ok(overlap <= 5, `at most 5 Apollo calls at once, saw ${overlap}`);
      assert.ok(overlap >= 4, `jobs ran concurrently, saw at most ${overlap} at once`);
      assert.ok(seconds < 8, `20 x 1 s at concurrency 5 should take about 4 s, took ${seconds.toFixed(1)} s`);
      console.log(`    20 jobs in ${seconds.toFixed(2)} s, max ${overlap} in flight`);
    } finally {
      await fakeApollo.latency(0);
      await ws.cleanup();
    }
  });
});

/** The test stack's job-worker process (its port is in this instance's functions range). */
async function workerProcessPids(): Promise<number[]> {
  const out = await new Deno.Command("pgrep", { args: ["-af", "runner.ts job-worker "] }).output();
  const base = testConfig.ports.functionsBase;
  return new TextDecoder().decode(out.stdout).trim().split("\n").filter(Boolean)
    .map((line) => line.match(/^(\d+) .*runner\.ts job-worker (\d+)/))
    .filter((m): m is RegExpMatchArray => m !== null && Number(m[2]) >= base && Number(m[2]) < base + 10)
    .map((m) => Number(m[1]));
}

integration("a worker killed mid-job: the reaper returns the job, it completes once, one credit", async () => {
  await withCronPaused(async () => {
    const ws = await createWorkspace("Crash", "live-key-crash-0002");
    try {
      const accountId = await createAccount(ws.id, "slow-2500.test", "Slow Co");
      const [jobId] = await enqueueAccounts(ws.id, [accountId]);
      await waitForJob(jobId, (j) => j.status === "processing" && j.progress.percentage >= 40);

      const pids = await workerProcessPids();
      assert.ok(pids.length > 0, "found the job-worker process");
      for (const pid of pids) Deno.kill(pid, "SIGKILL");

      await new Promise((r) => setTimeout(r, 500));
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
        if (!finished(done)) await new Promise((r) => setTimeout(r, 200));
      }
      done = await waitForJob(jobId, finished, 15_000);
      assert.equal(done.status, "completed");
      assert.equal(done.attempts, 2);
      const lines = (await logs(jobId)).map((l) => l.message);
      assert.ok(lines.some((m) => /stopped responding/.test(m)), "the reaper's line tells the story");
      assert.equal(lines.filter((m) => m === "Account enrichment completed successfully").length, 1);
      const [settings] = await sql`select enrichment_credits_used from public.workspace_settings where workspace_id = ${ws.id}`;
      assert.equal(settings.enrichment_credits_used, 1, "the credit is counted once");
    } finally {
      await ws.cleanup();
    }
  });
});
