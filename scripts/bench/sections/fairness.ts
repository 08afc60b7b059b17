// Section 6: fair share between users. Workspaces are cheap to create, so a user who splits a
// backlog over many of them must get no more of the worker's capacity than a user with one.
// On the bench stack (MAX_CONCURRENT 5, MAX_GLOBAL_CONCURRENCY 20, the fake Apollo answering in
// 1 s), a victim user's batch of 10 accounts (one enqueueing statement) is timed from the
// statement to its last job completed: first on an idle queue, then while an attacker user who
// owns 40 workspaces has queued 1,000 accounts (25 per workspace, one statement per workspace)
// and holds the worker's capacity. claim_jobs gives free slots to the owner with fewest jobs
// running first, so the victim should finish within 1.5x of its unloaded time.
// pg_cron's every-minute call is paused meanwhile (a tick would add an invocation to some runs).
// After each run the attacker's pending jobs are cancelled and its running ones finish.
import type { StackConfig } from "../../stack/config.ts";
import type { Sql } from "../lib/db.ts";
import {
  BENCH_WORKER,
  type BenchUser,
  createAccounts,
  fakeApollo,
  setBenchApolloKey,
  setCronWorker,
  setWakeUp,
  signUpUser,
  waitIdle,
} from "../lib/fixtures.ts";
import { median, round } from "../lib/stats.ts";
import { setTimeout as sleep } from "node:timers/promises";

const APOLLO_LATENCY_MS = 1000;
const VICTIM_ACCOUNTS = 10;
const ATTACK_WORKSPACES = 40;
const ACCOUNTS_PER_ATTACK_WORKSPACE = 25;
/** The attacker holds the worker's capacity when it has this many jobs running. */
const CAPACITY = BENCH_WORKER.maxGlobalConcurrency;
export const FAIRNESS_GOAL = 1.5;

export interface FairnessRun {
  alone_s: number;
  loaded_s: number;
  ratio: number;
  /** The attacker's jobs processing when the victim's batch was queued (CAPACITY = all of it). */
  attacker_processing_at_enqueue: number;
  /** The attacker's jobs still pending when the victim's last job completed. */
  attacker_pending_after: number;
  victim_failed: number;
}

export interface FairnessResult {
  apollo_latency_ms: number;
  max_concurrent: number;
  max_global_concurrency: number;
  victim_jobs: number;
  attacker_workspaces: number;
  attacker_jobs: number;
  alone_s: number;
  loaded_s: number;
  /** loaded_s / alone_s (medians over the runs). */
  ratio: number;
  goal_ratio: number;
  runs: FairnessRun[];
}

/** The jobs of a user's workspaces in a state, counted. */
async function ownerJobs(sql: Sql, user: BenchUser, status: string): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.jobs j join public.workspaces w on w.id = j.workspace_id
    where w.created_by = ${user.userId} and j.status = ${status}`;
  return n;
}

/** Seconds from the victim's one enqueueing statement until each of its jobs is finished. */
async function victimBatch(sql: Sql, victim: BenchUser, label: string) {
  const accounts = await createAccounts(sql, victim.workspaceId, label, VICTIM_ACCOUNTS);
  const t0 = performance.now();
  const ids = (await sql<{ id: string }[]>`
    select id from public.enqueue_account_enrichments(${accounts}::uuid[])`).map((r) => r.id);
  const deadline = t0 + 120_000;
  let done = { finished: 0, failed: 0 };
  while (performance.now() < deadline) {
    [done] = await sql<{ finished: number; failed: number }[]>`
      select count(*) filter (where status in ('completed', 'failed', 'cancelled'))::int as finished,
             count(*) filter (where status in ('failed', 'cancelled'))::int as failed
      from public.jobs where id = any(${ids}::uuid[])`;
    if (done.finished === ids.length) break;
    await sleep(10);
  }
  if (done.finished < ids.length) throw new Error(`fairness: the victim's ${label} batch did not finish in 120 s`);
  return { seconds: (performance.now() - t0) / 1000, failed: done.failed };
}

/** Cancels the attacker's pending jobs (as an operator would) and lets its running ones finish. */
async function stopAttack(sql: Sql, attacker: BenchUser) {
  await sql`
    update public.jobs j set status = 'cancelled', cancelled_at = now()
    from public.workspaces w
    where w.id = j.workspace_id and w.created_by = ${attacker.userId} and j.status = 'pending'`;
  await waitIdle(sql, 60_000);
}

export async function fairnessSection(
  sql: Sql,
  config: StackConfig,
  runs: number,
  log: (s: string) => void,
): Promise<FairnessResult> {
  const apollo = fakeApollo(config);
  await apollo.reset();
  await setWakeUp(sql, true);
  await setCronWorker(sql, false);
  // One job, one Apollo call: the victim's batch needs 10 of the 20 slots (a bulk call takes one).
  await sql`update public.job_types set batchable = false where name in ('enrich_account', 'enrich_contact')`;
  const victim = await signUpUser(sql, config, "bench-victim");
  const attacker = await signUpUser(sql, config, "bench-attacker");
  try {
    await setBenchApolloKey(sql, config, victim.workspaceId);
    // The attacker's workspaces: the one signing up gave it, and 39 more it created (created_by
    // set directly: a browser user may create only 10, so this also stands for users acting together).
    const extra = await sql<{ id: string }[]>`
      insert into public.workspaces (name, created_by)
      select 'Bench attacker ' || g, ${attacker.userId}::uuid from generate_series(2, ${ATTACK_WORKSPACES}) g
      returning id`;
    const attack: Array<{ workspaceId: string; accounts: string[] }> = [];
    for (const [i, workspaceId] of [attacker.workspaceId, ...extra.map((w) => w.id)].entries()) {
      await setBenchApolloKey(sql, config, workspaceId);
      attack.push({
        workspaceId,
        accounts: await createAccounts(sql, workspaceId, `attack-${i + 1}`, ACCOUNTS_PER_ATTACK_WORKSPACE),
      });
    }
    await apollo.latency(APOLLO_LATENCY_MS);

    const results: FairnessRun[] = [];
    for (let run = 1; run <= runs; run++) {
      await waitIdle(sql);
      const alone = await victimBatch(sql, victim, `victim-alone-${run}`);
      await waitIdle(sql);

      // one enqueueing statement per attacker workspace, then wait until it holds the capacity
      for (const w of attack) {
        await sql`select count(*) from public.enqueue_account_enrichments(${w.accounts}::uuid[])`;
      }
      let holding = 0;
      const holdDeadline = performance.now() + 15_000;
      while (performance.now() < holdDeadline) {
        holding = await ownerJobs(sql, attacker, "processing");
        if (holding >= CAPACITY) break;
        await sleep(20);
      }
      const loaded = await victimBatch(sql, victim, `victim-attacked-${run}`);
      const pendingAfter = await ownerJobs(sql, attacker, "pending");
      await stopAttack(sql, attacker);

      const r: FairnessRun = {
        alone_s: round(alone.seconds, 2),
        loaded_s: round(loaded.seconds, 2),
        ratio: round(loaded.seconds / alone.seconds, 2),
        attacker_processing_at_enqueue: holding,
        attacker_pending_after: pendingAfter,
        victim_failed: alone.failed + loaded.failed,
      };
      results.push(r);
      log(
        `  run ${run}: victim's ${VICTIM_ACCOUNTS} jobs ${r.alone_s} s alone, ${r.loaded_s} s beside the attacker ` +
          `(${r.ratio}x; the attacker held ${holding} of ${CAPACITY} slots, ${pendingAfter} of its jobs still pending)`,
      );
    }
    const aloneS = median(results.map((r) => r.alone_s));
    const loadedS = median(results.map((r) => r.loaded_s));
    return {
      apollo_latency_ms: APOLLO_LATENCY_MS,
      max_concurrent: BENCH_WORKER.maxConcurrent,
      max_global_concurrency: CAPACITY,
      victim_jobs: VICTIM_ACCOUNTS,
      attacker_workspaces: ATTACK_WORKSPACES,
      attacker_jobs: ATTACK_WORKSPACES * ACCOUNTS_PER_ATTACK_WORKSPACE,
      alone_s: round(aloneS, 2),
      loaded_s: round(loadedS, 2),
      ratio: round(loadedS / aloneS, 2),
      goal_ratio: FAIRNESS_GOAL,
      runs: results,
    };
  } finally {
    await apollo.latency(0);
    await stopAttack(sql, attacker).catch((e) => log(`  warning: fairness cleanup: ${e.message}`));
    await sql`delete from public.workspaces where created_by in (${victim.userId}, ${attacker.userId})`;
    await sql`delete from auth.users where id in (${victim.userId}, ${attacker.userId})`;
    await sql`update public.job_types set batchable = true where name in ('enrich_account', 'enrich_contact')`;
    await setCronWorker(sql, true);
  }
}
