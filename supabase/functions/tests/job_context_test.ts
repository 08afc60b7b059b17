// The job context's abort signal: it aborts when the invocation stops or the job's lease is lost,
// whether a processor reads it before or after that happens (it is made on first use).
import assert from "node:assert/strict";
import { createJobContext } from "../job-worker/job-context.ts";
import { LeaseLostError } from "../_shared/jobs/errors.ts";
import type { Job, Queue } from "../_shared/jobs/queue.ts";
import type { Sql } from "../_shared/db.ts";

const job = { id: "00000000-0000-4000-8000-000000000001" } as Job;
// Only workerId is read when the context is made; progress and log are not called here.
const queue = { workerId: "worker-1" } as Queue;
const sql = {} as Sql;

Deno.test("job context: the signal aborts when the invocation stops, read before or after", () => {
  const stop = new AbortController();
  const early = createJobContext(job, queue, sql, stop.signal);
  const readEarly = early.signal;
  const late = createJobContext(job, queue, sql, stop.signal);
  assert.equal(readEarly.aborted, false);
  stop.abort(new Error("time is up"));
  assert.equal(readEarly.aborted, true);
  assert.equal(late.signal.aborted, true);
  assert.equal((late.signal.reason as Error).message, "time is up");
});

Deno.test("job context: a lost lease aborts the job's signal and no other job's", () => {
  const stop = new AbortController();
  const readFirst = createJobContext(job, queue, sql, stop.signal);
  const signal = readFirst.signal;
  const readAfter = createJobContext(job, queue, sql, stop.signal);
  const other = createJobContext(job, queue, sql, stop.signal);
  assert.throws(() => readFirst.leaseLost(), LeaseLostError);
  assert.throws(() => readAfter.leaseLost(), LeaseLostError);
  assert.equal(signal.aborted, true);
  assert.ok(signal.reason instanceof LeaseLostError);
  assert.equal(readAfter.signal.aborted, true);
  assert.equal(other.signal.aborted, false);
  assert.equal(stop.signal.aborted, false);
});

Deno.test("job context: every read gives the same signal", () => {
  const ctx = createJobContext(job, queue, sql, new AbortController().signal);
  assert.equal(ctx.signal, ctx.signal);
});
