// Claiming ahead: while jobs are short, an invocation claims more than its free slots, so a slot
// that frees takes its next job at once instead of waiting for a claim's round trip. The jobs
// waiting for a slot are leased like running ones (max_in_flight counts them), never run more
// than MAX_CONCURRENT at once, and each runs once. Jobs that take longer (an Apollo call) are
// claimed as slots free, none waiting leased behind a running one.
import assert from "node:assert/strict";
import { loadConfig, newWorkerId, type WorkerConfig } from "../job-worker/config.ts";
import { processors } from "../job-worker/processors/registry.ts";
import type { Processor } from "../job-worker/processors/types.ts";
import { runBatch } from "../job-worker/runner.ts";
import { integration, sql, testJobType, withWorkspace } from "./helpers/stack.ts";
import { setTimeout as sleep } from "node:timers/promises";

/** Registers a processor that takes ms per job and records how many of its jobs run at once. */
async function timedJobs(jobType: string, ms: number) {
  await testJobType(jobType);
  const seen = { running: 0, maxRunning: 0, runs: 0 };
  (processors as Map<string, Processor>).set(jobType, {
    jobType,
    process: async () => {
      seen.running++;
      seen.runs++;
      seen.maxRunning = Math.max(seen.maxRunning, seen.running);
      if (ms > 0) await sleep(ms);
      seen.running--;
      return { message: "done" };
    },
  });
  return seen;
}

/** Queues count jobs of jobType, runs one invocation, and reports what the database saw. */
async function drain(jobType: string, count: number, overrides: Partial<WorkerConfig>) {
  return await withWorkspace(`Claim ahead ${jobType}`, async (ws) => {
    await sql`insert into public.jobs (workspace_id, job_type, payload)
              select ${ws.id}, ${jobType}, jsonb_build_object('n', g) from generate_series(1, ${count}) g`;
    let maxProcessing = 0;
    let done = false;
    const sampling = (async () => {
      while (!done) {
        const [row] = await sql<{ n: number }[]>`
          select count(*)::integer as n from public.jobs where workspace_id = ${ws.id} and status = 'processing'`;
        maxProcessing = Math.max(maxProcessing, row.n);
        await sleep(5);
      }
    })();
    const base = loadConfig(new Map([["WORKER_SECRET_TOKEN", "dev-secret-token"]]));
    const config: WorkerConfig = { ...base, timeBudgetMs: 30_000, cpuBudgetMs: 1_000_000, ...overrides };
    const result = await runBatch(config, newWorkerId(config), {}, sql).finally(() => (done = true));
    await sampling;
    const rows = await sql<{ status: string; attempts: number }[]>`
      select status, attempts from public.jobs where workspace_id = ${ws.id}`;
    // Jobs claimed by one claim_jobs call share its started_at: the largest claim.
    const [{ largest }] = await sql<{ largest: number }[]>`
      select max(n)::integer as largest from (
        select count(*) as n from public.jobs where workspace_id = ${ws.id} group by started_at) c`;
    return { result, rows, largest, maxProcessing };
  });
}

integration("short jobs are claimed ahead; never more than MAX_CONCURRENT run, each runs once", async () => {
  const seen = await timedJobs("test_claim_ahead_short", 0);
  const { result, rows, largest } = await drain("test_claim_ahead_short", 400, {
    maxConcurrent: 3,
    claimAhead: 20,
    maxGlobalConcurrency: 1000,
  });
  assert.equal(result.completed, 400);
  assert.ok(rows.every((r) => r.status === "completed" && r.attempts === 1), "every job completed on its first attempt");
  assert.equal(seen.runs, 400, "each job ran once");
  assert.ok(seen.maxRunning <= 3, `at most 3 ran at once (${seen.maxRunning})`);
  assert.ok(largest > 3, `claims brought jobs ahead of the free slots (largest claim ${largest})`);
  assert.ok(largest <= 3 + 20, `never more than the slots and the claim-ahead at once (largest claim ${largest})`);
});

integration("jobs held ahead count against max_in_flight", async () => {
  await timedJobs("test_claim_ahead_capped", 0);
  const { result, largest, maxProcessing } = await drain("test_claim_ahead_capped", 200, {
    maxConcurrent: 3,
    claimAhead: 20,
    maxGlobalConcurrency: 5,
  });
  assert.equal(result.completed, 200);
  assert.ok(largest <= 5, `a claim never took more than the cap (largest claim ${largest})`);
  assert.ok(maxProcessing <= 5, `never more than 5 jobs processing, running or held (${maxProcessing})`);
});

integration("longer jobs are claimed as slots free, none held ahead", async () => {
  const seen = await timedJobs("test_claim_ahead_long", 80);
  const { result, largest } = await drain("test_claim_ahead_long", 24, {
    maxConcurrent: 3,
    claimAhead: 20,
    maxGlobalConcurrency: 1000,
  });
  assert.equal(result.completed, 24);
  assert.ok(seen.maxRunning <= 3);
  assert.ok(largest <= 3, `no claim took more than the free slots, so none waited leased (largest claim ${largest})`);
});

integration("a claim asks for 1,000 jobs at most (claim_jobs' bound), whatever slots and claim-ahead add up to", async () => {
  await timedJobs("test_claim_ahead_most", 0);
  const { result, rows, largest } = await drain("test_claim_ahead_most", 1_500, {
    maxConcurrent: 50,
    claimAhead: 1000,
    maxGlobalConcurrency: null as unknown as number, // unset: nothing else bounds the claim
  });
  assert.equal(result.completed, 1_500);
  assert.ok(rows.every((r) => r.status === "completed" && r.attempts === 1), "every job completed on its first attempt");
  assert.ok(largest <= 1000, `no claim took more than 1,000 (largest claim ${largest})`);
});
