// The project's Realtime limits, as hosted Realtime enforces them, seen by supabase-js: database
// changes over max_events_per_second are skipped without a word (the channel stays joined, nothing
// arrives later), under the limit nothing changes; joins over max_joins_per_second close the
// socket; joins over max_channels_per_client or max_concurrent_users are refused. Each test lowers
// a limit through the stack's settings route and puts it back afterwards.
import assert from "node:assert/strict";
import type { RealtimeChannel, SupabaseClient } from "@supabase/supabase-js";
import type postgres from "postgres";
import { RateCounter, TICK_MS } from "../gateway/realtime/limits.ts";
import { testKeys } from "../../test/env.ts";
import { registerTestJobType } from "../../test/job-types.ts";
import { closeClient, db, DEMO, signedInClient, subscribe, waitFor } from "./auth_realtime_helpers.ts";
import { RawSocket, userToken } from "./realtime_wire.ts";
import { realtimeSettings, withRealtimeLimits } from "./realtime_settings.ts";
import { setTimeout as sleep } from "node:timers/promises";

Deno.test("the rate counter averages 5 s ticks over up to a minute, trips at the limit and releases below it", () => {
  let now = 0;
  const trips: number[] = [];
  const counter = new RateCounter(10, (rate) => trips.push(rate), () => now);
  counter.add(49); // 9.8/s over the first tick: under
  now = TICK_MS;
  assert.equal(counter.rate, 9.8);
  assert.equal(counter.tripped, false);
  counter.add(100); // (100 + 49) / 2 ticks / 5 s = 14.9/s
  now = 2 * TICK_MS;
  assert.equal(counter.tripped, true);
  assert.deepEqual(trips, [14.9]);
  now = 3 * TICK_MS; // (0 + 100 + 49) / 3 / 5 = 9.93/s: released
  assert.equal(counter.tripped, false);
  // A full window: twelve ticks (one minute). 600 events in one tick average to 10/s over it.
  now = 20 * TICK_MS;
  counter.add(600);
  now = 21 * TICK_MS;
  assert.equal(counter.rate, 600 / 12 / 5);
  assert.equal(counter.tripped, true);
  now = 32 * TICK_MS; // the burst is still in the window
  assert.equal(counter.tripped, true);
  now = 33 * TICK_MS; // a minute later it has left it
  assert.equal(counter.tripped, false);
  // Idle: after the window is all zeros at a 5-minute check, the next use starts a fresh counter,
  // whose first tick alone decides again.
  now = 20 * 60_000;
  assert.equal(counter.tripped, false);
  counter.add(50);
  now += TICK_MS;
  assert.equal(counter.rate, 10);
  assert.equal(counter.tripped, true);
});

/** A job no worker will touch (scheduled tomorrow), and a channel following its UPDATEs as the SPA does. */
async function followJob(sql: postgres.Sql, client: SupabaseClient) {
  await registerTestJobType(sql, "realtime_test");
  const [{ id }] = await sql`
    insert into public.jobs (workspace_id, job_type, payload, scheduled_for)
    values (${DEMO.workspace}, 'realtime_test', '{}', now() + interval '1 day') returning id`;
  const seqs: number[] = [];
  const systemErrors: unknown[] = [];
  const statuses: string[] = [];
  const channel = client.channel(`limits-${id}`)
    .on("postgres_changes", { event: "UPDATE", schema: "public", table: "jobs", filter: `id=eq.${id}` }, (p) => {
      seqs.push(Number((p.new as { progress: { seq: number } }).progress.seq));
    })
    .on("system", {}, (p: { status: string }) => {
      if (p.status !== "ok") systemErrors.push(p);
    });
  const subscribed = new Promise<string>((resolve) =>
    channel.subscribe((status) => {
      statuses.push(status);
      resolve(status);
    })
  );
  assert.equal(await subscribed, "SUBSCRIBED");
  const update = (seq: number) =>
    sql`update public.jobs set progress = ${sql.json({ percentage: 0, seq })} where id = ${id}`;
  return { id: id as string, channel, seqs, systemErrors, statuses, update };
}

Deno.test("under the events limit every change arrives, and the client hears nothing else", async () => {
  await withRealtimeLimits({ max_events_per_second: 20 }, async () => {
    const started = Date.now(); // the counters start over with the new limit
    const sql = db();
    const client = await signedInClient(DEMO);
    try {
      const job = await followJob(sql, client);
      // 80 changes in the first 5 s tick (16/s, under 20), then 20 more in the next.
      for (let seq = 1; seq <= 80; seq++) await job.update(seq);
      await sleep(Math.max(0, started + TICK_MS + 500 - Date.now()));
      for (let seq = 81; seq <= 100; seq++) await job.update(seq);
      await waitFor(() => job.seqs.length === 100, 5000, "all 100 changes");
      assert.deepEqual(job.seqs, Array.from({ length: 100 }, (_, i) => i + 1));
      assert.equal((await realtimeSettings()).db_events.rate_limited, false);
      assert.deepEqual(job.systemErrors, []);
      assert.deepEqual(job.statuses, ["SUBSCRIBED"]);
    } finally {
      await closeClient(client);
      await sql.end();
    }
  });
});

Deno.test("over the events limit changes are skipped silently: the channel stays joined, and they never arrive", async () => {
  await withRealtimeLimits({ max_events_per_second: 10 }, async () => {
    const started = Date.now();
    const sql = db();
    const client = await signedInClient(DEMO);
    try {
      const job = await followJob(sql, client);
      // A burst of 60 in the first tick: delivered (the limit is only checked at the tick), and at
      // the tick (60 + the trickle) / 5 s > 10/s trips it.
      for (let seq = 1; seq <= 60; seq++) await job.update(seq);
      await waitFor(() => job.seqs.length === 60, 5000, "the burst");
      // Then one change every 250 ms across the tripped tick and past the release.
      let sawLimited = false;
      let seq = 60;
      const trickle: number[] = [];
      while (Date.now() < started + 3 * TICK_MS - 1000) {
        trickle.push(++seq);
        await job.update(seq);
        if ((await realtimeSettings()).db_events.rate_limited) sawLimited = true;
        await sleep(250);
      }
      await sleep(1500); // anything delayed (rather than dropped) would show up now
      assert.ok(sawLimited, "the stack reports the events limit as hit");

      const arrived = new Set(job.seqs);
      const missing = trickle.filter((s) => !arrived.has(s));
      assert.ok(missing.length >= 5, `some changes were skipped (missing: ${missing.join(", ")})`);
      // Skipped ones form one stretch: delivery stopped at a tick and started again at a later one.
      assert.deepEqual(missing, Array.from({ length: missing.length }, (_, i) => missing[0] + i));
      assert.ok(arrived.has(missing[0] - 1), "changes arrived before the limit tripped");
      assert.ok(arrived.has(missing.at(-1)! + 1), "changes arrive again once the rate is under the limit");
      assert.deepEqual(job.seqs, [...job.seqs].sort((a, b) => a - b), "in order, nothing replayed late");
      // What the client saw: nothing at all. No system error, no close; the channel is still joined.
      assert.deepEqual(job.systemErrors, []);
      assert.deepEqual(job.statuses, ["SUBSCRIBED"]);
      assert.equal((job.channel as RealtimeChannel).state, "joined");
    } finally {
      await closeClient(client);
      await sql.end();
    }
  });
});

Deno.test("over the joins limit a join is refused and the socket closed (1001); a new socket gets 429", async () => {
  await withRealtimeLimits({ max_joins_per_second: 1 }, async () => {
    const token = await userToken(DEMO, 600);
    const socket = await RawSocket.open("2.0.0");
    let ref = 0;
    const join = async (topic: string) => {
      const r = String(++ref);
      socket.send({ join_ref: r, ref: r, topic, event: "phx_join", payload: { config: {}, access_token: token } });
      return (await socket.reply(r)).payload as { status: string; response: { reason?: string } };
    };
    try {
      // Six joins in the first tick: 1.2/s at the tick, over 1.
      for (let i = 0; i < 6; i++) assert.equal((await join(`realtime:joins-${i}`)).status, "ok");
      const deadline = Date.now() + TICK_MS + 2000;
      while (!(await realtimeSettings()).joins.rate_limited) {
        assert.ok(Date.now() < deadline, "the joins limit trips at the tick");
        await sleep(100);
      }
      const refused = await join("realtime:joins-over");
      assert.deepEqual(refused, {
        status: "error",
        response: { reason: "ClientJoinRateLimitReached: Too many joins per second" },
      });
      await waitFor(() => socket.closeCode !== null, 2000, "the socket to close");
      assert.equal(socket.closeCode, 1001);

      // While the limit holds, a new socket is refused before the upgrade.
      const http = await fetch(RawSocket.url("2.0.0", testKeys.client).replace(/^ws/, "http"), {
        headers: { upgrade: "websocket", connection: "upgrade", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" },
      });
      assert.equal(http.status, 429);
      assert.deepEqual(await http.json(), { error: "Too many joins per second" });
    } finally {
      await socket.close().catch(() => {});
    }
  });
});

Deno.test("over the channels-per-client limit a join is refused (CHANNEL_ERROR in supabase-js); the socket stays", async () => {
  await withRealtimeLimits({ max_channels_per_client: 2 }, async () => {
    const client = await signedInClient(DEMO);
    try {
      const on = (name: string) =>
        client.channel(name).on("postgres_changes", { event: "*", schema: "public", table: "jobs" }, () => {});
      assert.equal((await subscribe(on("one"))).status, "SUBSCRIBED");
      assert.equal((await subscribe(on("two"))).status, "SUBSCRIBED");
      const third = await subscribe(on("three"));
      assert.equal(third.status, "CHANNEL_ERROR");
      assert.equal(third.error?.message, "ChannelRateLimitReached: Too many channels");
      // deno-lint-ignore no-explicit-any
      assert.equal((client.realtime as any).isConnected(), true);
    } finally {
      await closeClient(client);
    }
  });
});

Deno.test("at the concurrent-users limit a new socket gets 429 and supabase-js cannot join", async () => {
  await withRealtimeLimits({ max_concurrent_users: 1 }, async () => {
    const first = await signedInClient(DEMO);
    const second = await signedInClient(DEMO, { timeout: 1500 });
    try {
      const channel = (c: SupabaseClient, name: string) =>
        c.channel(name).on("postgres_changes", { event: "*", schema: "public", table: "jobs" }, () => {});
      assert.equal((await subscribe(channel(first, "first"))).status, "SUBSCRIBED");
      assert.equal((await realtimeSettings()).concurrent_users, 1);
      const outcome = await Promise.race([
        subscribe(channel(second, "second")),
        sleep(3000).then(() => ({ status: "no answer" })),
      ]);
      assert.equal(outcome.status, "CHANNEL_ERROR", "the socket is refused before it opens");
      // deno-lint-ignore no-explicit-any
      assert.equal((second.realtime as any).isConnected(), false);
    } finally {
      await closeClient(second);
      await closeClient(first);
    }
  });
});
