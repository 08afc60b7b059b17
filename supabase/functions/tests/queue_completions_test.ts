// Queue.complete writes completions that arrive together in one statement; each job is still
// fenced by its own lease and gets its own answer.
import assert from "node:assert/strict";
import { Queue } from "../_shared/jobs/queue.ts";
import { integration, sql, testJobType, withWorkspace } from "./helpers/stack.ts";

// A job type no processor handles, so the stack's own worker leaves these jobs alone.
const TYPE = "test_completion_batch";

async function claimed(workspaceId: string, count: number, queue: Queue) {
  await testJobType(TYPE);
  await sql`insert into public.jobs (workspace_id, job_type, payload)
            select ${workspaceId}, ${TYPE}, jsonb_build_object('n', g) from generate_series(1, ${count}) g`;
  const jobs = await queue.claim(count, [TYPE]);
  assert.equal(jobs.length, count);
  return jobs;
}

integration("completions in the same tick are written together, each with its own answer", async () => {
  await withWorkspace("Completion batch", async (ws) => {
    const queue = new Queue(sql, `test-batch-${crypto.randomUUID().slice(0, 8)}`, 60);
    const jobs = await claimed(ws.id, 4, queue);
    // Another worker took the third job over (as after a reap and re-claim).
    await sql`update public.jobs set locked_by = 'someone-else' where id = ${jobs[2].id}`;

    const answers = await Promise.all(jobs.map((j, i) => queue.complete(j.id, { n: i }, `done ${i}`)));
    assert.deepEqual(answers, [true, true, false, true]);

    const rows = await sql<{ id: string; status: string; result: { n: number } | null }[]>`
      select id, status, result from public.jobs where workspace_id = ${ws.id}`;
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [i, job] of jobs.entries()) {
      const row = byId.get(job.id)!;
      if (i === 2) {
        assert.equal(row.status, "processing", "the job held by another worker is untouched");
      } else {
        assert.equal(row.status, "completed");
        assert.deepEqual(row.result, { n: i }, "each job keeps its own result");
      }
    }
    const [logs] = await sql`select count(*)::int as n from public.job_logs where workspace_id = ${ws.id} and message like 'done %'`;
    assert.equal(logs.n, 3, "a last log line per completed job, none for the fenced one");
  });
});

integration("a completion whose write fails in a batch fails alone; the others are written", async () => {
  await withWorkspace("Completion batch failure", async (ws) => {
    const queue = new Queue(sql, `test-batch-${crypto.randomUUID().slice(0, 8)}`, 60);
    const jobs = await claimed(ws.id, 3, queue);
    // The middle result cannot be serialised, so the batch's statement fails as a whole.
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const outcomes = await Promise.allSettled([
      queue.complete(jobs[0].id, { ok: 1 }, "first"),
      queue.complete(jobs[1].id, cyclic, "second"),
      queue.complete(jobs[2].id, { ok: 3 }, "third"),
    ]);
    assert.equal(outcomes[0].status, "fulfilled");
    assert.equal(outcomes[1].status, "rejected");
    assert.equal(outcomes[2].status, "fulfilled");
    const rows = await sql<{ id: string; status: string }[]>`select id, status from public.jobs where workspace_id = ${ws.id}`;
    const status = new Map(rows.map((r) => [r.id, r.status]));
    assert.equal(status.get(jobs[0].id), "completed");
    assert.equal(status.get(jobs[1].id), "processing", "the failed write leaves its job to the reaper");
    assert.equal(status.get(jobs[2].id), "completed");
  });
});
