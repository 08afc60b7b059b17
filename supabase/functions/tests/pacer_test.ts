// The pacer in Postgres keeps every worker and every workspace that spends one Apollo budget inside
// its windows together: two workspaces that saved the same key, their jobs run by several
// invocations at once (fan-out and extra calls), against the fake Apollo on the Free plan with its
// limits enforced, never call into a spent window (no 429), and the jobs that wait say why.
// Windows are scaled down on both sides (a "minute" of 3 s) so the test takes seconds.
import assert from "node:assert/strict";
import { withSettings } from "./helpers/ops.ts";
import {
  createAccount, createWorkspace, enqueueAccounts, fakeApollo, finished, integration, job, logs, sql, waitForJob,
  withBulkCallsOff, withCronPaused,
} from "./helpers/stack.ts";

const SCALE = 0.05; // a minute of 3 s (so even a slow machine spends one), an hour of 180 s
const PER_WORKSPACE = 60; // 120 calls against 50 a "minute": at least three windows

integration("two workspaces on one key, several invocations: the pacer keeps them inside Apollo's windows (no 429)", async () => {
  await withBulkCallsOff(() => withCronPaused(() => withSettings({ apollo_window_scale: String(SCALE) }, async () => {
    await fakeApollo.reset();
    const tag = crypto.randomUUID().slice(0, 6);
    const key = `live-key-pacer-${tag}`;
    await fakeApollo.call("POST", "plan", { plan: "free", enforce: true, windowScale: SCALE });
    const a = await createWorkspace("Pacer A", key);
    const b = await createWorkspace("Pacer B", key);
    try {
      const jobs: string[] = [];
      for (const ws of [a, b]) {
        const accounts = [];
        for (let i = 0; i < PER_WORKSPACE; i++) accounts.push(await createAccount(ws.id, `pacer-${i}-${tag}-${ws.id.slice(0, 4)}.example`));
        jobs.push(...(await enqueueAccounts(ws.id, accounts)));
      }
      // more invocations at once than the wake-ups and fan-out start by themselves
      await sql`select private.invoke_worker('cron'), private.invoke_worker('cron'), private.invoke_worker('cron')`;
      for (const id of jobs) await waitForJob(id, finished, 60_000);

      const calls = (await fakeApollo.requests()).filter((r) => r.domain?.includes(tag));
      const limited = calls.filter((r) => r.status === 429);
      assert.deepEqual(limited.map((r) => r.domain), [], "no call went into a spent window");
      assert.equal(calls.filter((r) => r.status === 200).length, 2 * PER_WORKSPACE, "each account was looked up once");
      for (const id of jobs) {
        const row = await job(id);
        assert.equal(row.status, "completed", row.error_message ?? "");
        assert.deepEqual(row.errors, [], "waiting for a window is not a failed attempt");
      }
      // Jobs of both workspaces were held back at some point, each saying which window and when.
      const waited = await sql<{ workspace_id: string; message: string }[]>`
        select j.workspace_id, l.message from public.job_logs l join public.jobs j on j.id = l.job_id
        where l.job_id = any(${jobs}::uuid[]) and l.message like 'Waiting for Apollo''s%'`;
      assert.ok(waited.length > 0, "some jobs waited for the window");
      assert.match(waited[0].message, /Waiting for Apollo's per-minute limit \(50 calls a minute on organizations\/enrich\), resumes at \d\d:\d\d:\d\d UTC/);
      const [{ windows }] = await sql<{ windows: number }[]>`
        select count(*)::integer as windows from private.apollo_windows
        where pacing_key = (select apollo_pacing_key from public.workspace_settings where workspace_id = ${a.id})`;
      assert.ok(windows >= 3, "one budget, shared: A and B spend the same pacing key's windows");
      const [{ same }] = await sql<{ same: boolean }[]>`
        select count(distinct apollo_pacing_key) = 1 as same from public.workspace_settings where workspace_id in (${a.id}, ${b.id})`;
      assert.equal(same, true, "both workspaces have the same pacing key");
      console.log(`    ${calls.length} calls, ${limited.length} x 429, ${waited.length} waits logged`);
      const lines = (await logs(jobs[jobs.length - 1])).map((l) => l.message);
      assert.equal(lines.at(-1), "Account enrichment completed successfully");
    } finally {
      await fakeApollo.call("POST", "plan", { plan: "legacy-default", enforce: false, windowScale: 1 });
      await a.cleanup();
      await b.cleanup();
    }
  })));
});
