// Overlapping worker invocations: pg_cron's tick, enqueue wake-ups (pg_net) and ten direct calls
// all at once. No job may run twice, each invocation keeps to MAX_CONCURRENT jobs, and all of them
// together keep to MAX_GLOBAL_CONCURRENCY, measured two ways: from the jobs' own transitions
// (an audit trigger installed for this test) and from the fake Apollo's request log.
import assert from "node:assert/strict";
import {
  createWorkspace, fakeApollo, finished, integration, runWorker, sql, waitForJob, withBulkCallsOff, withCronPaused,
} from "./helpers/stack.ts";

// The functions run with the defaults unless the stack was started with these set.
const MAX_CONCURRENT = Number(Deno.env.get("MAX_CONCURRENT") ?? 5);
const MAX_GLOBAL_CONCURRENCY = Number(Deno.env.get("MAX_GLOBAL_CONCURRENCY") ?? 20);

/** Most intervals open at once; an interval ending at t does not overlap one starting at t. */
function maxOverlap(intervals: Array<[number, number]>): number {
  const events = intervals.flatMap(([start, end]) => [[start, 1], [end, -1]] as Array<[number, number]>)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let max = 0;
  for (const [, delta] of events) max = Math.max(max, (current += delta));
  return max;
}

/**
 * Test instrumentation: every status change of a job and the moment its enrichment is written
 * (credits_used goes to 1, the processor's last write), with the lease holder and the statement's
 * clock time. A claim's change is written under claim_jobs' advisory lock, so [claimed, finished]
 * intervals are exactly what the global cap counts; [claimed, enrichment written] is the work an
 * invocation's slot covers (the worker frees a slot when the processor is done and writes the
 * completion in the background, so a job may still be `processing` after its slot was refilled).
 */
async function installTransitionAudit() {
  await sql.unsafe(`
    create schema if not exists overlap_audit;
    create table if not exists overlap_audit.transitions (
      id bigint generated always as identity primary key,
      job_id uuid not null, workspace_id uuid not null, old_status text, new_status text, holder text,
      at timestamptz not null default clock_timestamp());
    create or replace function overlap_audit.record() returns trigger language plpgsql set search_path = '' as $fn$
    begin
      insert into overlap_audit.transitions (job_id, workspace_id, old_status, new_status, holder)
      values (new.id, new.workspace_id, old.status,
              case when old.status is distinct from new.status then new.status else 'enrichment written' end,
              coalesce(new.locked_by, old.locked_by));
      return null;
    end $fn$;
    drop trigger if exists overlap_audit_transitions on public.jobs;
    create trigger overlap_audit_transitions after update of status, credits_used on public.jobs
      for each row when (old.status is distinct from new.status or old.credits_used is distinct from new.credits_used)
      execute function overlap_audit.record();`);
}

async function removeTransitionAudit() {
  await sql.unsafe(`drop trigger if exists overlap_audit_transitions on public.jobs; drop schema if exists overlap_audit cascade;`);
}

integration("cron tick + enqueue wake-ups + 10 calls at once: no job runs twice, both concurrency caps hold", async () => {
  // one job, one Apollo call: this test counts requests per job
  await withBulkCallsOff(() => withCronPaused(async () => {
    await fakeApollo.reset();
    await fakeApollo.latency(300);
    await installTransitionAudit();
    const workspaces = await Promise.all([0, 1, 2].map((i) => createWorkspace(`Overlap ${i}`, `live-key-overlap-${i}-${crypto.randomUUID().slice(0, 6)}`)));
    try {
      const accountsByWorkspace: string[][] = [];
      for (const [i, ws] of workspaces.entries()) {
        const rows = await sql<{ id: string }[]>`
          insert into public.accounts ${sql(Array.from({ length: 40 }, (_, n) => ({
            workspace_id: ws.id, name: `Overlap ${i}-${n}`, domain: `overlap-${i}-${n}.example`,
          })))} returning id`;
        accountsByWorkspace.push(rows.map((r) => r.id));
      }
      const since = (await fakeApollo.requests()).reduce((max, r) => Math.max(max, r.seq), 0);

      // Everything at once: three bulk enqueues (each INSERT wakes the worker through pg_net), the
      // cron job's own command, and ten direct invocations.
      const [enqueued] = await Promise.all([
        Promise.all(workspaces.map((_ws, i) => sql<{ id: string }[]>`
          insert into public.jobs (workspace_id, job_type, payload)
          select a.workspace_id, 'enrich_account', jsonb_build_object('account_id', a.id, 'domain', a.domain)
          from public.accounts a where a.id = any(${accountsByWorkspace[i]}::uuid[]) returning id`)),
        sql`select private.invoke_worker('cron')`,
        ...Array.from({ length: 10 }, () => runWorker()),
      ]);
      const jobIds = enqueued.flat().map((r) => r.id);
      assert.equal(jobIds.length, 120);
      for (const id of jobIds) await waitForJob(id, finished, 60_000);

      // Every job ran once: completed on its first attempt, one start line, one Apollo call.
      const jobs = await sql<{ id: string; status: string; attempts: number; domain: string }[]>`
        select id, status, attempts, payload ->> 'domain' as domain from public.jobs where id = any(${jobIds}::uuid[])`;
      assert.deepEqual([...new Set(jobs.map((j) => `${j.status}/${j.attempts}`))], ["completed/1"]);
      const [{ starts, distinct_jobs }] = await sql`
        select count(*)::int as starts, count(distinct job_id)::int as distinct_jobs from public.job_logs
        where job_id = any(${jobIds}::uuid[]) and message like 'Starting enrichment for account %'`;
      assert.equal(starts, 120, "one start line per job");
      assert.equal(distinct_jobs, 120);
      const calls = (await fakeApollo.requests({ since: String(since) }))
        .filter((r) => r.path.endsWith("organizations/enrich") && r.domain?.startsWith("overlap-"));
      const perDomain = new Map<string, number>();
      for (const c of calls) perDomain.set(c.domain!, (perDomain.get(c.domain!) ?? 0) + 1);
      assert.equal(perDomain.size, 120, "every account was looked up");
      assert.deepEqual([...new Set(perDomain.values())], [1], "and none twice");

      // In flight, from the jobs' transitions: per invocation (lease holder) and in all.
      const transitions = await sql<{ job_id: string; new_status: string; old_status: string; holder: string; at: number }[]>`
        select job_id, old_status, new_status, holder, (extract(epoch from at) * 1000)::float8 as at
        from overlap_audit.transitions where job_id = any(${jobIds}::uuid[]) order by id`;
      const open = new Map<string, { holder: string; start: number; written?: number }>();
      const intervals: Array<{ holder: string; span: [number, number]; work: [number, number] }> = [];
      for (const t of transitions) {
        const at = t.at;
        if (t.new_status === "processing") open.set(t.job_id, { holder: t.holder, start: at });
        else if (t.new_status === "enrichment written") open.get(t.job_id)!.written = at;
        else if (t.old_status === "processing") {
          const o = open.get(t.job_id)!;
          assert.ok(o.written, `job ${t.job_id} finished without writing its enrichment`);
          intervals.push({ holder: o.holder, span: [o.start, at], work: [o.start, o.written!] });
          open.delete(t.job_id);
        }
      }
      assert.equal(intervals.length, 120, "one processing interval per job");
      const holders = new Map<string, Array<[number, number]>>();
      for (const i of intervals) holders.set(i.holder, [...(holders.get(i.holder) ?? []), i.work]);
      const perInvocation = Math.max(...[...holders.values()].map(maxOverlap));
      const total = maxOverlap(intervals.map((i) => i.span));
      const fromApollo = maxOverlap(calls.map((c) => [Date.parse(c.at) - c.ms, Date.parse(c.at)]));
      console.log(`    ${holders.size} invocations ran jobs; max at once: ${perInvocation} jobs worked by one invocation, ` +
        `${total} jobs processing in all, ${fromApollo} Apollo calls`);
      assert.ok(holders.size >= 2, `several invocations shared the work (saw ${holders.size})`);
      assert.ok(perInvocation <= MAX_CONCURRENT, `per invocation at most ${MAX_CONCURRENT}, saw ${perInvocation}`);
      assert.ok(total <= MAX_GLOBAL_CONCURRENCY, `in all at most ${MAX_GLOBAL_CONCURRENCY}, saw ${total}`);
      assert.ok(fromApollo <= MAX_GLOBAL_CONCURRENCY, `Apollo never saw more than ${MAX_GLOBAL_CONCURRENCY}, saw ${fromApollo}`);
      assert.ok(total > MAX_CONCURRENT, `the invocations really overlapped (max ${total} in flight)`);
    } finally {
      await removeTransitionAudit();
      await fakeApollo.latency(0);
      for (const ws of workspaces) await ws.cleanup();
    }
  }));
});
