// Fair share that splitting into workspaces cannot game: a user who owns 40 workspaces and
// queues 1,000 jobs gets no more of the worker's capacity than a user with one workspace. The
// victim's 10-job batch, run through the real stack (pg_net wake-ups, the job-worker with its
// fan-out, the fake Apollo answering in 1 s), must finish within 1.5x of its time on an idle queue.
// (Before: 2.3 s alone, 30.4 s beside the attacker.)
import assert from "node:assert/strict";
import {
  enqueueAccounts, fakeApollo, finished, integration, job, setApolloKey, signUp, sql, waitForJob, withBulkCallsOff,
  withCronPaused,
} from "./helpers/stack.ts";
import { setTimeout as sleep } from "node:timers/promises";

const LATENCY_MS = 1000;
const ATTACK_WORKSPACES = 40;
const JOBS_PER_ATTACK_WORKSPACE = 25;

async function accounts(workspaceId: string, prefix: string, count: number): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    insert into public.accounts (workspace_id, name, domain)
    select ${workspaceId}, ${prefix} || ' ' || g, ${prefix} || '-' || g || '.fair.test' from generate_series(1, ${count}) g
    returning id`;
  return rows.map((r) => r.id);
}

/** Seconds from one enqueueing statement of the victim's 10 accounts until all 10 jobs are done. */
async function victimBatch(workspaceId: string, round: string): Promise<number> {
  const ids = await accounts(workspaceId, `victim-${round}`, 10);
  const started = Date.now();
  const jobs = await enqueueAccounts(workspaceId, ids);
  for (const id of jobs) await waitForJob(id, finished, 60_000);
  for (const id of jobs) assert.equal((await job(id)).status, "completed");
  return (Date.now() - started) / 1000;
}

integration("a user with 40 workspaces and 1,000 jobs does not slow another user's 10-job batch past 1.5x", async () => {
  // One job, one call: the victim's batch needs 10 of the 20 slots, not the one a bulk call takes.
  await withBulkCallsOff(() => withCronPaused(async () => {
    await fakeApollo.reset();
    await fakeApollo.latency(LATENCY_MS);
    const victim = await signUp("fair-victim");
    const attacker = await signUp("fair-attacker");
    try {
      await setApolloKey(victim.workspaceId, "live-key-fair-victim");
      const unloaded = await victimBatch(victim.workspaceId, "alone");

      // The attacker's workspaces (created_by: the attacker, as if made in the app), each with a
      // key, 25 accounts and its jobs queued in a statement of its own.
      const attackWorkspaces = [attacker.workspaceId];
      for (let i = 1; i < ATTACK_WORKSPACES; i++) {
        const [ws] = await sql<{ id: string }[]>`
          insert into public.workspaces (name, created_by) values (${`Attack ${i}`}, ${attacker.userId}) returning id`;
        attackWorkspaces.push(ws.id);
      }
      for (const [i, ws] of attackWorkspaces.entries()) {
        await setApolloKey(ws, `live-key-fair-attack-${i}`);
        await enqueueAccounts(ws, await accounts(ws, `attack${i}`, JOBS_PER_ATTACK_WORKSPACE));
      }
      // Wait until the attacker holds the worker's capacity.
      for (let i = 0; i < 100; i++) {
        const [{ n }] = await sql<{ n: number }[]>`
          select count(*)::integer as n from public.jobs j join public.workspaces w on w.id = j.workspace_id
          where w.created_by = ${attacker.userId} and j.status = 'processing'`;
        if (n >= 15) break;
        await sleep(100);
      }
      const loaded = await victimBatch(victim.workspaceId, "attacked");
      const [{ left }] = await sql<{ left: number }[]>`
        select count(*)::integer as left from public.jobs j join public.workspaces w on w.id = j.workspace_id
        where w.created_by = ${attacker.userId} and j.status = 'pending'`;
      console.log(
        `    victim's 10 jobs: ${unloaded.toFixed(2)} s alone, ${loaded.toFixed(2)} s beside 1,000 jobs in 40 workspaces ` +
          `(${(loaded / unloaded).toFixed(2)}x; ${left} of the attacker's still pending)`,
      );
      assert.ok(left > 500, "the attacker's backlog was still there when the victim's batch finished");
      assert.ok(loaded <= unloaded * 1.5, `within 1.5x of ${unloaded.toFixed(2)} s, took ${loaded.toFixed(2)} s`);
    } finally {
      // Drain the attacker's jobs fast before deleting (a workspace deleted under a running job only races it).
      await fakeApollo.latency(0);
      await sql`update public.jobs j set status = 'cancelled', cancelled_at = now(), claimable = false
                from public.workspaces w where w.id = j.workspace_id and w.created_by = ${attacker.userId} and j.status = 'pending'`;
      for (let i = 0; i < 100; i++) {
        const [{ n }] = await sql<{ n: number }[]>`
          select count(*)::integer as n from public.jobs where status = 'processing'`;
        if (n === 0) break;
        await sleep(100);
      }
      await attacker.cleanup();
      await victim.cleanup();
    }
  }));
});
