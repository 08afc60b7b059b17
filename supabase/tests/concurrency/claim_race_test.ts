// Real parallel connections against the queue: what pgTAP, in one session, cannot show.
// 1. Ten claimers race over 2,000 committed jobs: every job is claimed exactly once, none is
//    lost, nobody deadlocks.
// 2. Ten sessions enqueue the same subjects at the same time: one active job per subject.
// The jobs live in a fresh workspace and use job types no worker handles, so the stack's real
// worker leaves them alone; everything is deleted afterwards.
// Run: deno test -A supabase/tests/concurrency/ (scripts/test/pgtap.ts does, after pg_prove).
import assert from "node:assert/strict";
import postgres from "postgres";
import { testEnv } from "../../../scripts/test/env.ts";

const CLAIMERS = 10;
const JOBS = 2_000;
const MAX_JOBS_PER_CLAIM = 5;
const LEASE_SECONDS = 300;
const JOB_TYPE = "test_noop";

type Sql = ReturnType<typeof postgres>;

function connect(name: string, max = 1): Sql {
  return postgres(testEnv.DB_URL, {
    max,
    onnotice: () => {},
    connection: { application_name: name },
  });
}

/** A workspace of its own (no members), deleted with everything in it when the test ends. */
async function withWorkspace(admin: Sql, name: string, jobType: string, body: (workspaceId: string) => Promise<void>) {
  const [{ id }] = await admin<{ id: string }[]>`
    insert into public.workspaces (name) values (${`pgtap ${name} ${new Date().toISOString()}`}) returning id`;
  // every job's type must be registered; this one only for the length of the test
  const [{ registered }] = await admin<{ registered: boolean }[]>`
    with added as (
      insert into public.job_types (name, description) values (${jobType}, 'Test type: pgTAP concurrency')
      on conflict (name) do nothing returning 1
    ) select exists (select 1 from added) as registered`;
  try {
    await body(id);
  } finally {
    await admin`delete from public.workspaces where id = ${id}`;
    if (registered) await admin`delete from public.job_types where name = ${jobType}`;
  }
}

/** Opens n connections as service_role (as the worker runs), each ready before the race starts. */
async function sessions(prefix: string, n: number): Promise<Sql[]> {
  const all = Array.from({ length: n }, (_, i) => connect(`${prefix}-${i + 1}`));
  await Promise.all(all.map((sql) => sql`set role service_role`));
  return all;
}

Deno.test(`${CLAIMERS} claimers racing over ${JOBS} jobs claim every job exactly once`, async () => {
  const admin = connect("claim-race-admin", 2);
  const claimers = await sessions("claim-race", CLAIMERS);
  try {
    await withWorkspace(admin, "claim-race", JOB_TYPE, async (workspaceId) => {
      await admin`
        insert into public.jobs (workspace_id, job_type, payload)
        select ${workspaceId}, ${JOB_TYPE}, jsonb_build_object('n', g) from generate_series(1, ${JOBS}) g`;

      const claimsOf = new Map<string, string[]>(); // job id -> workers that claimed it
      const perWorker = new Map<string, number>();
      let inFlight = 0;
      let maxInFlight = 0;

      const race = async (sql: Sql, workerId: string) => {
        while (true) {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          const jobs = await sql<{ id: string; workspace_id: string; attempts: number }[]>`
            select id, workspace_id, attempts
            from public.claim_jobs(${workerId}, ${MAX_JOBS_PER_CLAIM}, ${LEASE_SECONDS}, ${[JOB_TYPE]}::text[])`;
          inFlight--;
          if (jobs.length === 0) {
            // Nothing claimable: done, unless other claimers merely hold locks on what is left.
            const [{ left }] = await sql<{ left: number }[]>`
              select count(*)::integer as left from public.jobs
              where workspace_id = ${workspaceId} and status = 'pending'`;
            if (left === 0) return;
            continue;
          }
          for (const job of jobs) {
            if (job.workspace_id === workspaceId) {
              claimsOf.set(job.id, [...(claimsOf.get(job.id) ?? []), workerId]);
              perWorker.set(workerId, (perWorker.get(workerId) ?? 0) + 1);
            }
            const [{ ok }] = await sql<{ ok: boolean }[]>`select public.complete_job(${job.id}, ${workerId}) as ok`;
            assert.equal(ok, true, `${workerId} could not complete job ${job.id} it had just claimed`);
          }
        }
      };

      const started = performance.now();
      await Promise.all(claimers.map((sql, i) => race(sql, `race-worker-${i + 1}`)));
      const seconds = (performance.now() - started) / 1000;

      const claimedTwice = [...claimsOf].filter(([, workers]) => workers.length > 1);
      assert.deepEqual(claimedTwice, [], "no job may be claimed by two claimers");
      assert.equal(claimsOf.size, JOBS, "every job was claimed");

      const [db] = await admin<{ completed: number; other: number; max_attempts_used: number; leased: number }[]>`
        select count(*) filter (where status = 'completed')::integer as completed,
               count(*) filter (where status <> 'completed')::integer as other,
               coalesce(max(attempts), 0)::integer as max_attempts_used,
               count(*) filter (where locked_by is not null)::integer as leased
        from public.jobs where workspace_id = ${workspaceId}`;
      assert.deepEqual(
        db,
        { completed: JOBS, other: 0, max_attempts_used: 1, leased: 0 },
        "all jobs completed on their first attempt, no lease left behind",
      );

      assert.equal(
        perWorker.size,
        CLAIMERS,
        `all ${CLAIMERS} claimers got work (${JSON.stringify(Object.fromEntries(perWorker))})`,
      );
      assert.ok(maxInFlight > 1, "claims really overlapped in time");
      console.log(
        `  ${JOBS} jobs, ${CLAIMERS} claimers: ${seconds.toFixed(2)} s (${
          Math.round(JOBS / seconds)
        } jobs/s claimed and completed); ` +
          `per claimer ${Math.min(...perWorker.values())}-${
            Math.max(...perWorker.values())
          }; up to ${maxInFlight} claims at once`,
      );
    });
  } finally {
    await Promise.all([admin, ...claimers].map((sql) => sql.end({ timeout: 5 })));
  }
});

Deno.test("ten sessions enqueueing the same records at once get one active job per record", async () => {
  const SUBJECTS = 20;
  const admin = connect("enqueue-race-admin", 2);
  const clients = await sessions("enqueue-race", CLAIMERS);
  try {
    await withWorkspace(admin, "enqueue-race", "test_enqueue_race", async (workspaceId) => {
      const subjects = Array.from({ length: SUBJECTS }, () => crypto.randomUUID());
      // Every session enqueues every subject, each in its own order, all at once.
      const results = await Promise.all(clients.map(async (sql, i) => {
        const order = subjects.map((_, k) => subjects[(k + i * 7) % SUBJECTS]);
        const got = new Map<string, string>();
        for (const subject of order) {
          const [job] = await sql<{ id: string }[]>`
            select id from public.enqueue_job(${workspaceId}, 'test_enqueue_race', ${
            sql.json({ account_id: subject })
          })`;
          got.set(subject, job.id);
        }
        return got;
      }));
      for (const subject of subjects) {
        const ids = new Set(results.map((got) => got.get(subject)));
        assert.equal(ids.size, 1, `every session got the same job for subject ${subject}`);
      }
      const [{ jobs }] = await admin<{ jobs: number }[]>`
        select count(*)::integer as jobs from public.jobs where workspace_id = ${workspaceId}`;
      assert.equal(jobs, SUBJECTS, "one job per subject was created");
    });
  } finally {
    await Promise.all([admin, ...clients].map((sql) => sql.end({ timeout: 5 })));
  }
});
