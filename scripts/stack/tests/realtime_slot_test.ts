// The replication slot behind Realtime: one permanent wal2json slot per stack instance, kept across
// gateway restarts with its backlog (changes made while the gateway was down still arrive), and a
// reader that reconnects when its database connection is lost or Postgres restarts. Restarts the
// gateway and Postgres of the stack under test, so it runs last (files run in name order).
import assert from "node:assert/strict";
import type { RealtimePostgresChangesPayload } from "@supabase/supabase-js";
import postgres from "postgres";
import { startDaemons, stopDaemon } from "../daemons.ts";
import { startCluster, stopCluster } from "../postgres.ts";
import { testConfig } from "../../test/env.ts";
import {
  closeClient,
  db,
  DEMO,
  signedInClient,
  subscribe,
  waitFor,
  withDemoWatchingJobs,
} from "./auth_realtime_helpers.ts";
import { registerTestJobType } from "../../test/job-types.ts";

type Row = Record<string, unknown>;
const SLOT = `stack_realtime_${testConfig.instance.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`;

async function slots(sql: postgres.Sql) {
  return (await sql`
    select slot_name, plugin, slot_type, temporary, database = current_database() as this_database
    from pg_catalog.pg_replication_slots order by slot_name`).map((r) => ({ ...r }));
}

const theSlot = { slot_name: SLOT, plugin: "wal2json", slot_type: "logical", temporary: false, this_database: true };

Deno.test("the stack instance has exactly one replication slot: Realtime's permanent wal2json slot", async () => {
  const sql = db();
  await registerTestJobType(sql, "realtime_test");
  try {
    assert.deepEqual(await slots(sql), [theSlot]);
  } finally {
    await sql.end();
  }
});

Deno.test("writes in another database of the cluster do not hold the slot back", async () => {
  // Their WAL prints nothing for this slot; a reader that advanced only to the last transaction it
  // printed left the slot before all of it, and each poll decoded it again.
  const admin = postgres(testConfig.adminDbUrl, { max: 1, onnotice: () => {} });
  const sql = db();
  try {
    await admin`drop database if exists slot_neighbour with (force)`;
    await admin`create database slot_neighbour`;
    const neighbour = postgres(testConfig.adminDbUrl.replace(/\/[^/]*$/, "/slot_neighbour"), { max: 1 });
    try {
      await neighbour`create table busy as select g from generate_series(1, 10000) g`;
    } finally {
      await neighbour.end();
    }
    const [{ lsn }] = await sql`select pg_catalog.pg_current_wal_flush_lsn()::text as lsn`;
    await waitFor(
      async () => {
        const [{ past }] = await sql`
        select confirmed_flush_lsn >= ${lsn}::pg_lsn as past from pg_catalog.pg_replication_slots where slot_name = ${SLOT}`;
        return past;
      },
      3000,
      "the slot past the other database's writes",
    );
  } finally {
    await admin`drop database if exists slot_neighbour with (force)`;
    await admin.end();
    await sql.end();
  }
});

Deno.test("a gateway restart keeps the same slot and its backlog: a change made while it was down arrives after the rejoin", async () => {
  // Reconnecting every 500 ms keeps the test short; the server holds its backlog for slower clients too.
  const reconnectQuickly = { reconnectAfterMs: 500 };
  const [during, after] = [crypto.randomUUID(), crypto.randomUUID()];
  const received: Array<{ payload: RealtimePostgresChangesPayload<Row>; at: number }> = [];
  const system: unknown[] = [];
  await withDemoWatchingJobs([during, after], async (sql, client) => {
    const channel = client.channel(`restart-${during}`)
      .on<Row>(
        "postgres_changes",
        { event: "INSERT", schema: "public", table: "jobs", filter: `id=in.(${during},${after})` },
        (payload) => received.push({ payload, at: Date.now() }),
      )
      .on("system", {}, (p) => system.push(p));
    assert.equal((await subscribe(channel)).status, "SUBSCRIBED");
    const [{ lsn: before }] =
      await sql`select confirmed_flush_lsn::text as lsn from pg_catalog.pg_replication_slots where slot_name = ${SLOT}`;

    await stopDaemon(testConfig, "gateway");
    await sql`insert into public.jobs (id, workspace_id, job_type, scheduled_for)
              values (${during}, ${DEMO.workspace}, 'realtime_test', now() + interval '1 day')`;
    const restartedAt = Date.now();
    await startDaemons(testConfig);

    // realtime-js reconnects (after 1 s, then 2 s...) and rejoins; the held backlog is then delivered.
    await waitFor(
      () => received.some((r) => (r.payload.new as Row).id === during),
      20_000,
      "the change made while the gateway was down",
    );
    console.log(
      `change made during the restart delivered ${Date.now() - restartedAt} ms after the gateway was started again`,
    );
    assert.ok(system.length >= 2, "subscribed again after the rejoin");

    const started = Date.now();
    await sql`insert into public.jobs (id, workspace_id, job_type, scheduled_for)
              values (${after}, ${DEMO.workspace}, 'realtime_test', now() + interval '1 day')`;
    await waitFor(() => received.some((r) => (r.payload.new as Row).id === after), 3000, "a change after the restart");
    const latency = received.find((r) => (r.payload.new as Row).id === after)!.at - started;
    console.log(`after the restart: ${latency} ms from commit to callback`);
    assert.ok(latency < 500, `${latency} ms`);
    assert.equal(received.length, 2, "each change once");

    assert.deepEqual(await slots(sql), [theSlot], "the same slot, no second one");
    const [{ advanced }] = await sql`
      select confirmed_flush_lsn > ${before}::pg_lsn as advanced from pg_catalog.pg_replication_slots where slot_name = ${SLOT}`;
    assert.equal(advanced, true, "consumed after delivery");
  }, reconnectQuickly);
});

Deno.test("the slot reader reconnects when its database connections are cut", async () => {
  const jobId = crypto.randomUUID();
  const received: unknown[] = [];
  await withDemoWatchingJobs([jobId], async (sql, client) => {
    const channel = client.channel(`cut-${jobId}`).on<Row>(
      "postgres_changes",
      { event: "INSERT", schema: "public", table: "jobs", filter: `id=eq.${jobId}` },
      (p) => received.push(p),
    );
    assert.equal((await subscribe(channel)).status, "SUBSCRIBED");
    const cut = await sql`
      select pg_catalog.pg_terminate_backend(pid) from pg_catalog.pg_stat_activity
      where application_name in ('stack-realtime-slot', 'stack-realtime')`;
    assert.ok(cut.length >= 1, "the reader's connection was there to cut");
    await sql`insert into public.jobs (id, workspace_id, job_type, scheduled_for)
              values (${jobId}, ${DEMO.workspace}, 'realtime_test', now() + interval '1 day')`;
    await waitFor(() => received.length === 1, 5000, "the change after the reconnect");
    assert.deepEqual(await slots(sql), [theSlot]);
  });
});

Deno.test("a Postgres restart keeps the slot and its backlog; the reader reconnects by itself", async () => {
  const client = await signedInClient(DEMO, { reconnectAfterMs: 500 });
  const [backlog, live] = [crypto.randomUUID(), crypto.randomUUID()];
  const received: string[] = [];
  let sql = db();
  await registerTestJobType(sql, "realtime_test");
  try {
    const channel = client.channel(`pg-restart-${backlog}`).on<Row>(
      "postgres_changes",
      { event: "INSERT", schema: "public", table: "jobs", filter: `id=in.(${backlog},${live})` },
      (p) => received.push(String((p.new as Row).id)),
    );
    assert.equal((await subscribe(channel)).status, "SUBSCRIBED");

    // A change waits in the slot (gateway down) while Postgres restarts under it.
    await stopDaemon(testConfig, "gateway");
    await sql`insert into public.jobs (id, workspace_id, job_type, scheduled_for)
              values (${backlog}, ${DEMO.workspace}, 'realtime_test', now() + interval '1 day')`;
    await sql.end();
    await stopCluster(testConfig);
    await startCluster(testConfig);
    await startDaemons(testConfig);
    await waitFor(() => received.includes(backlog), 20_000, "the change kept in the slot across the Postgres restart");

    // With the gateway up, Postgres goes away and comes back: the reader reconnects on its own.
    await stopCluster(testConfig);
    await startCluster(testConfig);
    sql = db();
    await registerTestJobType(sql, "realtime_test");
    const started = Date.now();
    await sql`insert into public.jobs (id, workspace_id, job_type, scheduled_for)
              values (${live}, ${DEMO.workspace}, 'realtime_test', now() + interval '1 day')`;
    await waitFor(() => received.includes(live), 10_000, "a change after Postgres came back");
    console.log(
      `after a Postgres restart: delivered ${Date.now() - started} ms after commit (reader backoff included)`,
    );
    assert.deepEqual(received, [backlog, live], "each change once");
    assert.deepEqual(await slots(sql), [theSlot]);
  } finally {
    await sql`delete from public.jobs where id in (${backlog}, ${live})`.catch(() => {});
    await closeClient(client);
    await sql.end();
  }
});
