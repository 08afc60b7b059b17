// Apollo's rate limit is a budget shared by a workspace's jobs (they use one key): when Apollo
// answers 429 for the key, the workspace's other jobs wait until retry-after instead of each
// hitting the limit and burning an attempt, and other workspaces keep running meanwhile.
import assert from "node:assert/strict";
import {
  createAccount, createWorkspace, enqueueAccounts, fakeApollo, finished, integration, job, logs, runWorker, sql,
  waitForJob, withBulkCallsOff, withCronPaused,
} from "./helpers/stack.ts";

const RETRY_AFTER = 4;

integration("a 429 for one workspace's key pauses that workspace until retry-after; no attempt is burned, others run", async () => {
  // one job, one Apollo call: this test counts requests per job
  await withBulkCallsOff(() => withCronPaused(async () => {
    await fakeApollo.reset();
    await fakeApollo.latency(250);
    const tag = crypto.randomUUID().slice(0, 6);
    const keyA = `live-key-budget-a-${tag}`;
    const keyB = `live-key-budget-b-${tag}`;
    const a = await createWorkspace("Budget A (rate-limited)", keyA);
    const b = await createWorkspace("Budget B", keyB);
    try {
      const aAccounts = [];
      const bAccounts = [];
      for (let i = 0; i < 10; i++) aAccounts.push(await createAccount(a.id, `budget-a-${i}-${tag}.example`));
      // B has enough work to outlast the first round of claims, so some of it runs during A's pause.
      for (let i = 0; i < 30; i++) bAccounts.push(await createAccount(b.id, `budget-b-${i}-${tag}.example`));
      // Apollo answers 429 to A's key for the next 3 requests (as many as may already be in flight).
      await fakeApollo.script({ key: keyA, status: 429, times: 3, retryAfterSeconds: RETRY_AFTER });

      const aJobs = await enqueueAccounts(a.id, aAccounts); // each INSERT wakes the worker
      const bJobs = await enqueueAccounts(b.id, bAccounts);
      for (const id of bJobs) await waitForJob(id, finished, 20_000);

      const [settings] = await sql<{ jobs_paused_until: Date; jobs_paused_reason: string }[]>`
        select jobs_paused_until, jobs_paused_reason from public.workspace_settings where workspace_id = ${a.id}`;
      assert.ok(settings.jobs_paused_until, "workspace A is paused");
      assert.match(settings.jobs_paused_reason, /rate limit/i);
      const pausedUntil = settings.jobs_paused_until.getTime();
      const [{ paused: bPaused }] = await sql`
        select jobs_paused_until is not null as paused from public.workspace_settings where workspace_id = ${b.id}`;
      assert.equal(bPaused, false, "workspace B was never paused");

      // While A is paused, another invocation claims none of A's jobs.
      const beforeCall = await sql<{ n: number }[]>`
        select count(*)::int as n from public.jobs where id = any(${aJobs}::uuid[]) and status = 'pending'`;
      if (Date.now() < pausedUntil - 1000) {
        await runWorker();
        const afterCall = await sql<{ n: number }[]>`
          select count(*)::int as n from public.jobs where id = any(${aJobs}::uuid[]) and status = 'pending'`;
        assert.equal(afterCall[0].n, beforeCall[0].n, "a worker call during the pause leaves A's jobs waiting");
      }
      assert.ok(beforeCall[0].n >= 1, "some of A's jobs are waiting out the pause");

      // After retry-after, A's jobs run: each completes on its first counted attempt, no error kept.
      await new Promise((r) => setTimeout(r, Math.max(0, pausedUntil - Date.now()) + 300));
      await runWorker();
      for (const id of aJobs) await waitForJob(id, finished, 20_000);
      for (const id of aJobs) {
        const row = await job(id);
        assert.equal(row.status, "completed");
        assert.equal(row.attempts, 1, "a rate limit never uses up an attempt");
        assert.deepEqual(row.errors, [], "nor is it recorded as a failed attempt");
      }

      // Apollo's side: A's key got its 429s only from requests that went out before the first 429
      // was recorded (the pacer shuts the key's window then); none went out after, until
      // retry-after; B ran meanwhile.
      const requests = (await fakeApollo.requests()).filter((r) => r.path.endsWith("organizations/enrich"));
      const forA = requests.filter((r) => r.domain?.startsWith("budget-a-") && r.domain.endsWith(`${tag}.example`));
      const forB = requests.filter((r) => r.domain?.startsWith("budget-b-") && r.domain.endsWith(`${tag}.example`));
      const limited = forA.filter((r) => r.status === 429);
      assert.ok(limited.length >= 1 && limited.length <= 3, `A was rate-limited (${limited.length} x 429)`);
      const firstLimit = Math.min(...limited.map((r) => Date.parse(r.at)));
      const start = (r: { at: string; ms: number }) => Date.parse(r.at) - r.ms;
      // The pause takes effect when the worker has recorded it (pause_workspace_jobs, just before
      // release_job logs the released attempt); a claim that began before that may still take one
      // of A's jobs (it is released uncounted too if Apollo says 429 again). After it: no claim of A.
      const [{ recorded }] = await sql<{ recorded: number }[]>`
        select (extract(epoch from min(created_at)) * 1000)::float8 as recorded from public.job_logs
        where job_id = any(${aJobs}::uuid[]) and metadata ->> 'released' = 'true'
          and message like 'Apollo rate limit reached%'`; // a 429's release, not the pacer's own waits
      // (a 429 after the pause has ended is a new round, not a call the pause let through)
      for (const r of limited.filter((r) => start(r) < pausedUntil)) {
        assert.ok(start(r) <= recorded + 50, "every 429 was a request that went out before the first 429 was recorded");
      }
      const claims = await sql<{ id: string; claimed: number }[]>`
        select id, (extract(epoch from started_at) * 1000)::float8 as claimed from public.jobs where id = any(${aJobs}::uuid[])`;
      const claimedDuringPause = claims.filter((c) => c.claimed > recorded && c.claimed < pausedUntil - 10);
      assert.deepEqual(claimedDuringPause, [], "none of A's jobs was claimed while A was paused");
      const duringPause = forA.filter((r) => start(r) > recorded + 1000 && start(r) < pausedUntil - 50);
      assert.deepEqual(duringPause.map((r) => r.domain), [], "no request for A went out during the pause");
      assert.equal(forA.filter((r) => r.status === 200).length, 10, "each of A's accounts was fetched once");
      assert.equal(forB.filter((r) => r.status === 200).length, 30);
      assert.ok(forB.some((r) => start(r) > firstLimit && start(r) < pausedUntil), "B's jobs ran during A's pause");
      assert.ok(pausedUntil - firstLimit >= (RETRY_AFTER - 0.5) * 1000, "the pause lasts Apollo's retry-after");

      // The story of a released job.
      console.log(`    A: ${limited.length} x 429 (all in flight at the first), paused ${((pausedUntil - firstLimit) / 1000).toFixed(1)} s ` +
        `(recorded ${Math.round(recorded - firstLimit)} ms after the first 429); ` +
        `B: ${forB.filter((r) => start(r) > firstLimit && start(r) < pausedUntil).length} calls during the pause`);
      const released = [];
      for (const id of aJobs) {
        if ((await logs(id)).some((l) => /this attempt is not counted/.test(l.message))) released.push(id);
      }
      // each job that got a 429 was put back uncounted, and so was any the pacer held back afterwards
      assert.ok(released.length >= limited.length, `each rate-limited job says it was put back uncounted (${released.length})`);
    } finally {
      await fakeApollo.latency(0);
      await a.cleanup();
      await b.cleanup();
    }
  }));
});
