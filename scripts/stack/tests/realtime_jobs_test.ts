// postgres_changes through supabase-js: a job's INSERT and every UPDATE arrive in order and fast,
// job_logs INSERTs arrive, values come out typed the way realtime-js hands them over from Supabase,
// and a vsn 1.0.0 client works as well as the default 2.0.0 one.
import assert from "node:assert/strict";
import type { RealtimePostgresChangesPayload } from "@supabase/supabase-js";
import { DEMO, subscribe, waitFor, withDemoWatchingJobs } from "./auth_realtime_helpers.ts";
import { registerTestJobType } from "../../test/job-types.ts";

type Row = Record<string, unknown>;
interface Received {
  payload: RealtimePostgresChangesPayload<Row>;
  at: number;
}

const LATENCY_BUDGET_MS = 500;
const ISO_TZ = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/;

Deno.test("a channel on one job receives its INSERT and every UPDATE in order, each within 500 ms of commit", async () => {
  const jobId = crypto.randomUUID();
  const decoyId = crypto.randomUUID();
  const received: Received[] = [];
  await withDemoWatchingJobs([jobId, decoyId], async (sql, client) => {
    const channel = client.channel(`job-${jobId}`).on<Row>(
      "postgres_changes",
      { event: "*", schema: "public", table: "jobs", filter: `id=eq.${jobId}` },
      (payload) => received.push({ payload, at: Date.now() }),
    );
    const { status, error } = await subscribe(channel);
    assert.equal(status, "SUBSCRIBED", String(error));

    const latencies: number[] = [];
    /** Runs one statement (its own transaction) and waits for its event; latency from before the statement. */
    const step = async (label: string, statement: () => Promise<unknown>) => {
      const count = received.length;
      const started = Date.now();
      await statement();
      await waitFor(() => received.length > count, 3000, label);
      latencies.push(received[count].at - started);
    };
    // scheduled_for in the future: the worker is not woken for this test job.
    await step("INSERT", () =>
      sql`insert into public.jobs (id, workspace_id, job_type, payload, scheduled_for)
          values (${jobId}, ${DEMO.workspace}, 'realtime_test', '{"account_id": "x", "n": 0}', now() + interval '1 day')`);
    await sql`insert into public.jobs (id, workspace_id, job_type, scheduled_for)
              values (${decoyId}, ${DEMO.workspace}, 'realtime_test', now() + interval '1 day')`;
    for (let k = 1; k <= 5; k++) {
      await step(
        `UPDATE ${k}`,
        () =>
          sql`update public.jobs set priority = ${k}, progress = ${
            sql.json({ percentage: k * 10, message: `step ${k}` })
          }
            where id = ${jobId}`,
      );
    }
    // A burst: five commits back to back, without waiting in between.
    const burstStarts: number[] = [];
    for (let k = 6; k <= 10; k++) {
      burstStarts.push(Date.now());
      await sql`update public.jobs set priority = ${k}, progress = ${
        sql.json({ percentage: k * 10 })
      } where id = ${jobId}`;
    }
    await waitFor(() => received.length >= 11, 3000, "the burst of updates");
    burstStarts.forEach((started, i) => latencies.push(received[6 + i].at - started));

    console.log(`INSERT + 10 UPDATEs, latency from commit to callback (ms): ${latencies.join(", ")}`);
    assert.deepEqual(received.map((r) => r.payload.eventType), ["INSERT", ...Array(10).fill("UPDATE")]);
    assert.deepEqual(received.map((r) => (r.payload.new as Row).priority), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const [i, ms] of latencies.entries()) {
      assert.ok(ms < LATENCY_BUDGET_MS, `event ${i} took ${ms} ms (budget ${LATENCY_BUDGET_MS} ms)`);
    }

    // Values as realtime-js delivers them from Supabase (to_jsonb forms, then its column transformers).
    const insert = received[0].payload;
    assert.equal(insert.schema, "public");
    assert.equal(insert.table, "jobs");
    assert.match(insert.commit_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(insert.errors, null);
    const row = insert.new as Row;
    assert.equal(row.id, jobId);
    assert.equal(row.workspace_id, DEMO.workspace);
    assert.deepEqual(row.payload, { account_id: "x", n: 0 }, "jsonb as an object");
    assert.equal(row.subject_id, "x", "generated columns included");
    assert.deepEqual(row.progress, { percentage: 0 });
    assert.deepEqual(row.errors, []);
    assert.equal(row.attempts, 0, "integers as numbers");
    assert.equal(row.result, null);
    assert.match(String(row.created_at), ISO_TZ, "timestamptz as ISO 8601 strings");
    assert.deepEqual(insert.old, {});
    const update = received[5].payload;
    assert.deepEqual((update.new as Row).progress, { percentage: 50, message: "step 5" });
    assert.deepEqual(update.old, { id: jobId }, "the old key (replica identity default)");

    await step("DELETE", () => sql`delete from public.jobs where id = ${jobId}`);
    const deleted = received.at(-1)!.payload;
    assert.equal(deleted.eventType, "DELETE");
    assert.deepEqual(deleted.old, { id: jobId }, "only the primary key of a deleted row when RLS is on");
    assert.deepEqual(deleted.new, {});
    assert.ok(
      received.every((r) => (r.payload.new as Row).id !== decoyId && (r.payload.old as Row).id !== decoyId),
      "the filter keeps other jobs out",
    );
  });
});

Deno.test("job_logs INSERTs of a job arrive, in order, with typed values", async () => {
  const jobId = crypto.randomUUID();
  const logs: Received[] = [];
  await withDemoWatchingJobs([jobId], async (sql, client) => {
    await sql`insert into public.jobs (id, workspace_id, job_type, scheduled_for)
              values (${jobId}, ${DEMO.workspace}, 'realtime_test', now() + interval '1 day')`;
    const channel = client.channel(`logs-${jobId}`).on<Row>(
      "postgres_changes",
      { event: "INSERT", schema: "public", table: "job_logs", filter: `job_id=eq.${jobId}` },
      (payload) => logs.push({ payload, at: Date.now() }),
    );
    assert.equal((await subscribe(channel)).status, "SUBSCRIBED");
    const started = Date.now();
    await sql`insert into public.job_logs (job_id, workspace_id, attempt, log_level, message, metadata)
              values (${jobId}, ${DEMO.workspace}, 1, 'info', 'claimed', '{"worker": "w1"}')`;
    await sql`insert into public.job_logs (job_id, workspace_id, attempt, log_level, message)
              values (${jobId}, ${DEMO.workspace}, 1, 'warn', 'slow answer'), (${jobId}, ${DEMO.workspace}, 1, 'info', 'done')`;
    await waitFor(() => logs.length >= 3, 3000, "three job_logs inserts");
    console.log(`job_logs: first line ${logs[0].at - started} ms after the statement started`);
    assert.deepEqual(logs.map((l) => (l.payload.new as Row).message), ["claimed", "slow answer", "done"]);
    const first = logs[0].payload.new as Row;
    assert.equal(typeof first.id, "number", "bigint identity as a number");
    assert.equal(first.attempt, 1);
    assert.deepEqual(first.metadata, { worker: "w1" });
    assert.match(String(first.created_at), ISO_TZ);
    assert.ok(logs[0].at - started < LATENCY_BUDGET_MS);
  });
});

Deno.test("a client on vsn 1.0.0 (JSON object frames) subscribes and receives changes too", async () => {
  const jobId = crypto.randomUUID();
  const received: Received[] = [];
  await withDemoWatchingJobs([jobId], async (sql, client) => {
    assert.equal(client.realtime.vsn, "1.0.0");
    assert.match(client.realtime.endpointURL(), /vsn=1\.0\.0/);
    const channel = client.channel(`v1-${jobId}`).on<Row>(
      "postgres_changes",
      { event: "*", schema: "public", table: "jobs", filter: `id=eq.${jobId}` },
      (payload) => received.push({ payload, at: Date.now() }),
    );
    assert.equal((await subscribe(channel)).status, "SUBSCRIBED");
    await sql`insert into public.jobs (id, workspace_id, job_type, scheduled_for)
              values (${jobId}, ${DEMO.workspace}, 'realtime_test', now() + interval '1 day')`;
    await sql`update public.jobs set priority = 7 where id = ${jobId}`;
    await waitFor(() => received.length >= 2, 3000, "INSERT and UPDATE over vsn 1.0.0");
    assert.deepEqual(received.map((r) => r.payload.eventType), ["INSERT", "UPDATE"]);
    assert.equal((received[1].payload.new as Row).priority, 7);
  }, { vsn: "1.0.0" });
});

Deno.test("filters eq, neq, lt, lte, gt, gte and in (several joined by commas) pick the right changes", async () => {
  const marker = `flt_${crypto.randomUUID().slice(0, 8)}`;
  const jobId = crypto.randomUUID();
  const filters = {
    gt: "priority=gt.4",
    gte: "priority=gte.5",
    lt: "priority=lt.2",
    lte: "priority=lte.2",
    neq: "priority=neq.3",
    in: "priority=in.(3,6)",
    eq: "priority=eq.4",
  };
  const seen: Record<string, number[]> = Object.fromEntries(Object.keys(filters).map((k) => [k, []]));
  await withDemoWatchingJobs([jobId], async (sql, client) => {
    await registerTestJobType(sql, marker);
    let channel = client.channel(`filters-${marker}`);
    for (const [name, filter] of Object.entries(filters)) {
      channel = channel.on<Row>(
        "postgres_changes",
        { event: "*", schema: "public", table: "jobs", filter: `job_type=eq.${marker},${filter}` },
        (p) => seen[name].push(Number((p.new as Row).priority)),
      );
    }
    assert.equal((await subscribe(channel)).status, "SUBSCRIBED");
    await sql`insert into public.jobs (id, workspace_id, job_type, priority, scheduled_for)
              values (${jobId}, ${DEMO.workspace}, ${marker}, 0, now() + interval '1 day')`;
    for (let p = 1; p <= 6; p++) await sql`update public.jobs set priority = ${p} where id = ${jobId}`;
    const expected = {
      gt: [5, 6],
      gte: [5, 6],
      lt: [0, 1],
      lte: [0, 1, 2],
      neq: [0, 1, 2, 4, 5, 6],
      in: [3, 6],
      eq: [4],
    };
    await waitFor(
      () => JSON.stringify(seen) === JSON.stringify(expected),
      3000,
      `the filtered changes (${JSON.stringify(seen)})`,
    );
  });
});
