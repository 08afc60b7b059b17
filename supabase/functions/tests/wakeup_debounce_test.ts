// Wake-ups are debounced: 20 single-row enqueues in a row, as a member clicking Enrich on one
// account after another, make one or two wake-up calls, not 20 (each starts a billed invocation),
// and every job is still picked up within seconds, none left for the next pg_cron tick. (Before: one invocation per
// inserting statement.)
import assert from "node:assert/strict";
import {
  createAccount, fakeApollo, finished, integration, job, setApolloKey, signUp, sql, testEnv, testKeys, waitForJob, withCronPaused,
} from "./helpers/stack.ts";
import { setTimeout as sleep } from "node:timers/promises";

integration("20 single-row enqueues make at most 2 wake-up calls, and every job starts within seconds, none waits for cron", async () => {
  await withCronPaused(async () => {
    await fakeApollo.reset();
    await fakeApollo.latency(300);
    const user = await signUp("debounce");
    try {
      await setApolloKey(user.workspaceId, "live-key-debounce-0001");
      const accounts: string[] = [];
      for (let i = 0; i < 20; i++) accounts.push(await createAccount(user.workspaceId, `debounce-${i}.test`));
      // An idle queue: no invocation running, no wake-up sent lately.
      for (let i = 0; i < 50; i++) {
        const [{ n }] = await sql<{ n: number }[]>`
          select count(*)::integer as n from private.worker_runs where expires_at > clock_timestamp()`;
        if (n === 0) break;
        await sleep(100);
      }
      const [{ since }] = await sql<{ since: Date }[]>`select clock_timestamp() as since`;

      const jobIds: string[] = [];
      for (const accountId of accounts) {
        const response = await fetch(`${testEnv.API_URL}/rest/v1/rpc/enqueue_enrichment`, {
          method: "POST",
          headers: {
            apikey: testKeys.client,
            authorization: `Bearer ${user.token}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({ account_id: accountId }),
        });
        assert.equal(response.status, 200, await response.clone().text());
        jobIds.push((await response.json()).id);
      }
      for (const id of jobIds) await waitForJob(id, finished, 20_000);

      const [{ calls }] = await sql<{ calls: number }[]>`
        select count(*)::integer as calls from private.worker_calls where reason = 'enqueue' and requested_at >= ${since}`;
      // 1 or 2 on an idle queue; 0 when an invocation was still running and took them itself
      assert.ok(calls <= 2, `20 enqueues made ${calls} wake-up call(s)`);
      const waits = [];
      for (const id of jobIds) {
        const row = await job(id);
        const [{ waited }] = await sql<{ waited: number }[]>`
          select extract(epoch from started_at - created_at)::float as waited from public.jobs where id = ${id}`;
        assert.equal(row.status, "completed", `${id}: ${row.error_message}`);
        waits.push(waited);
      }
      const slowest = Math.max(...waits);
      console.log(`    20 enqueues: ${calls} wake-up call(s); slowest pickup ${(slowest * 1000).toFixed(0)} ms`);
      // With cron paused a lost wake-up would leave a job pending for good; waiting for a free slot takes a moment.
      assert.ok(slowest < 3, `every job started within 3 s of being queued (slowest: ${slowest.toFixed(2)} s)`);
    } finally {
      await fakeApollo.latency(0);
      await user.cleanup();
    }
  });
});
