// Within the hosted runtime's limits: the stack's functions host stops a request past 2 s of CPU
// time with 546 WORKER_LIMIT, as hosted Edge Functions do (scripts/stack/functions/limits.ts), and
// charges each request its CPU (x-stack-cpu-ms). A backlog of 600 accounts, queued as the SPA queues
// them, goes through the worker: an invocation takes on what its CPU estimate allows (budget.ts),
// then hands off; none is stopped by the limit, and every job completes exactly once.
import assert from "node:assert/strict";
import {
  enqueueAccounts, fakeApollo, finished, integration, sql, waitForJob, withCronPaused, withWorkspace,
} from "./helpers/stack.ts";
import { setTimeout as sleep } from "node:timers/promises";

const CPU_LIMIT_MS = 2_000;

integration("600 accounts under the enforced CPU limit: no invocation stopped, each under 2 s of CPU, every job once", async () => {
  await withCronPaused(async () => {
    await fakeApollo.reset();
    // a paid plan (1,000 lookups a minute): this test is about CPU, not Apollo's rate limits
    await fakeApollo.call("POST", "plan", { plan: "basic" });
    await withWorkspace("CPU budget", `live-key-cpu-${crypto.randomUUID().slice(0, 6)}`, async (ws) => {
      const accounts = await sql<{ id: string }[]>`
        insert into public.accounts ${sql(Array.from({ length: 600 }, (_, n) => ({
          workspace_id: ws.id, name: `CPU ${n}`, domain: `cpu-budget-${n}.example`,
        })))} returning id`;
      const [{ since }] = await sql<{ since: number }[]>`select coalesce(max(id), 0)::bigint as since from net._http_response`;
      const ids = await enqueueAccounts(ws.id, accounts.map((a) => a.id)); // one statement, one wake-up
      for (const id of ids) await waitForJob(id, finished, 180_000);

      const jobs = await sql<{ status: string; attempts: number; credits_used: number }[]>`
        select status, attempts, credits_used from public.jobs where id = any(${ids}::uuid[])`;
      assert.deepEqual(
        jobs.filter((j) => j.status !== "completed" || j.attempts !== 1 || j.credits_used !== 1),
        [],
        "every job completed on its first attempt with one credit",
      );

      // Every invocation pg_net made since (enqueue, fan-out, hand-off) has answered by now.
      for (let i = 0; i < 100; i++) {
        const [{ running }] = await sql<{ running: number }[]>`
          select count(*)::integer as running from private.worker_runs where expires_at > clock_timestamp()`;
        if (running === 0) break;
        await sleep(100);
      }
      await sleep(500);
      const calls = await sql<{ status_code: number; cpu: string | null; claimed: number | null }[]>`
        select status_code, headers ->> 'x-stack-cpu-ms' as cpu,
               case when content like '{%' then (content::jsonb ->> 'claimed')::integer end as claimed
        from net._http_response where id > ${since} order by id`;
      const worked = calls.filter((c) => (c.claimed ?? 0) > 0);
      const cpu = worked.map((c) => Number(c.cpu));
      const claimed = worked.map((c) => c.claimed!);
      const total = claimed.reduce((a, b) => a + b, 0);
      console.log(
        `    ${calls.length} invocation(s), ${worked.length} with jobs; claimed ${claimed.join(", ")}; ` +
          `CPU ms ${cpu.join(", ")}; ${(cpu.reduce((a, b) => a + b, 0) / total).toFixed(1)} ms of CPU per job`,
      );
      assert.deepEqual(calls.filter((c) => c.status_code !== 200).map((c) => c.status_code), [], "no invocation refused or stopped (546)");
      assert.ok(cpu.every((ms) => Number.isFinite(ms) && ms < CPU_LIMIT_MS), `every invocation under ${CPU_LIMIT_MS} ms of CPU: ${cpu}`);
      assert.ok(Math.max(...claimed) >= 60, `an invocation took on a large part of the backlog: ${claimed}`);
      assert.ok(worked.length >= 2, "the backlog went on past the first invocation's budget (hand-off or fan-out)");
    });
  });
});
