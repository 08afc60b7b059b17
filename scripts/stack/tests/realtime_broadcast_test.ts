// Broadcast from the database, as hosted Realtime serves it: rows written to realtime.messages by
// realtime.send() / realtime.broadcast_changes() reach the channels joined with their topic;
// private channels are joined only when the RLS policies on realtime.messages let the user read the
// topic (realtime.topic()). Self-contained: each test creates its own policy (and test table) as
// postgres and drops it after, so it does not depend on the product's own policies.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { RealtimeChannel, SupabaseClient } from "@supabase/supabase-js";
import type postgres from "postgres";
import { closeClient, db, DEMO, newClient, OTHER, signedInClient, subscribe, waitFor } from "./auth_realtime_helpers.ts";
import { RawSocket, userToken } from "./realtime_wire.ts";
import { realtimeSettings } from "./realtime_settings.ts";
import { testKeys } from "../../test/env.ts";

interface Broadcast {
  type: string;
  event: string;
  payload: Record<string, unknown>;
  meta?: { id: string };
}

const POLICY = "stack test: users read their own stacktest topic";
/** The topic the test policy lets `user` (and nobody else) read. */
const topicOf = (user: { id: string }) => `stacktest:${user.id}`;
const refusal = (topic: string) =>
  `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`;

/** Runs `fn` with a policy on realtime.messages: authenticated users read the topic stacktest:<their id>. */
async function withPolicy<T>(sql: postgres.Sql, fn: () => Promise<T>): Promise<T> {
  await sql.unsafe(`drop policy if exists "${POLICY}" on realtime.messages`);
  await sql.unsafe(`
    create policy "${POLICY}" on realtime.messages for select to authenticated
    using (realtime.messages.extension = 'broadcast' and realtime.topic() = 'stacktest:' || (select auth.uid())::text)`);
  try {
    return await fn();
  } finally {
    await sql.unsafe(`drop policy if exists "${POLICY}" on realtime.messages`);
  }
}

/** A channel on `topic` collecting every broadcast it receives. */
async function listen(client: SupabaseClient, topic: string, isPrivate: boolean) {
  const received: Broadcast[] = [];
  const channel = client.channel(topic, { config: { private: isPrivate } })
    .on("broadcast", { event: "*" }, (p) => received.push(p as Broadcast));
  const result = await subscribe(channel);
  return { channel, received, ...result };
}

const send = (
  sql: postgres.Sql | postgres.TransactionSql,
  topic: string,
  event: string,
  payload: unknown,
  isPrivate = true,
) => sql`select realtime.send(${sql.json(payload as postgres.JSONValue)}, ${event}, ${topic}, ${isPrivate})`;

Deno.test("a private channel is refused to anon and to a user no policy allows, with Realtime's reason; joined by the user it allows", async () => {
  const sql = db();
  const demo = await signedInClient(DEMO);
  const other = await signedInClient(OTHER);
  const anon = newClient();
  try {
    await withPolicy(sql, async () => {
      const topic = topicOf(DEMO);
      const anonJoin = await listen(anon, topic, true);
      assert.equal(anonJoin.status, "CHANNEL_ERROR");
      assert.equal(anonJoin.error?.message, refusal(topic));

      const otherJoin = await listen(other, topic, true);
      assert.equal(otherJoin.status, "CHANNEL_ERROR");
      assert.equal(otherJoin.error?.message, refusal(topic));

      const demoJoin = await listen(demo, topic, true);
      assert.equal(demoJoin.status, "SUBSCRIBED");
      // The other user's own topic is theirs to join.
      assert.equal((await listen(other, topicOf(OTHER), true)).status, "SUBSCRIBED");

      // Nothing the authorization check wrote stayed behind (its probe rows are rolled back).
      const [{ n }] = await sql`select count(*)::int as n from realtime.messages where topic = ${topic}`;
      assert.equal(n, 0);
    });
    // Without the policy nobody may join, not even the user it allowed (a new client: one topic, one channel).
    const again = await signedInClient(DEMO);
    const after = await listen(again, topicOf(DEMO), true);
    await closeClient(again);
    assert.equal(after.status, "CHANNEL_ERROR");
    assert.equal(after.error?.message, refusal(topicOf(DEMO)));
  } finally {
    await Promise.all([closeClient(demo), closeClient(other), closeClient(anon)]);
    await sql.end();
  }
});

Deno.test("realtime.send and realtime.broadcast_changes: the payloads supabase-js hands to channel.on('broadcast')", async () => {
  const sql = db();
  const demo = await signedInClient(DEMO);
  const v1 = await signedInClient(DEMO, { vsn: "1.0.0" });
  const schema = `stack_bc_${crypto.randomUUID().slice(0, 8)}`;
  try {
    await sql.unsafe(`
      create schema ${schema};
      create table ${schema}.items (id int primary key, name text, tags text[], at timestamptz);
      create function ${schema}.items_broadcast() returns trigger language plpgsql security definer
      set search_path = '' as $$
      begin
        perform realtime.broadcast_changes('${topicOf(DEMO)}', tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
        return null;
      end $$;
      create trigger items_broadcast after insert or update or delete on ${schema}.items
      for each row execute function ${schema}.items_broadcast();`);
    await withPolicy(sql, async () => {
      const a = await listen(demo, topicOf(DEMO), true); // vsn 2.0.0: binary user-broadcast frames
      const b = await listen(v1, topicOf(DEMO), true); // vsn 1.0.0: JSON broadcast pushes
      assert.equal(a.status, "SUBSCRIBED");
      assert.equal(b.status, "SUBSCRIBED");

      await send(sql, topicOf(DEMO), "custom", { a: 1, nested: { b: [1, 2] } });
      await send(sql, topicOf(DEMO), "with-id", { id: "mine", a: 2 });
      await sql.unsafe(`insert into ${schema}.items values (1, 'one', '{x,y}', '2026-01-02 03:04:05+00')`);
      await sql.unsafe(`update ${schema}.items set name = 'uno' where id = 1`);
      await sql.unsafe(`delete from ${schema}.items where id = 1`);
      await waitFor(() => a.received.length === 5 && b.received.length === 5, 5000, "five broadcasts on both");

      const rows = await sql<Array<{ id: string; event: string }>>`
        select id::text, event from realtime.messages where topic = ${topicOf(DEMO)} order by inserted_at, event`;
      const idOf = (event: string) => rows.find((r) => r.event === event)!.id;
      const record = { id: 1, name: "one", tags: ["x", "y"], at: "2026-01-02T03:04:05+00:00" };
      const expected: Broadcast[] = [
        {
          type: "broadcast",
          event: "custom",
          payload: { a: 1, nested: { b: [1, 2] }, id: idOf("custom") },
          meta: { id: idOf("custom") },
        },
        // A payload with its own id keeps it; meta.id is still the message's.
        { type: "broadcast", event: "with-id", payload: { id: "mine", a: 2 }, meta: { id: idOf("with-id") } },
        {
          type: "broadcast",
          event: "INSERT",
          payload: {
            id: idOf("INSERT"),
            operation: "INSERT",
            schema,
            table: "items",
            record,
            old_record: null,
          },
          meta: { id: idOf("INSERT") },
        },
        {
          type: "broadcast",
          event: "UPDATE",
          payload: {
            id: idOf("UPDATE"),
            operation: "UPDATE",
            schema,
            table: "items",
            record: { ...record, name: "uno" },
            old_record: record,
          },
          meta: { id: idOf("UPDATE") },
        },
        {
          type: "broadcast",
          event: "DELETE",
          payload: {
            id: idOf("DELETE"),
            operation: "DELETE",
            schema,
            table: "items",
            record: null,
            old_record: { ...record, name: "uno" },
          },
          meta: { id: idOf("DELETE") },
        },
      ];
      assert.deepEqual(a.received, expected);
      assert.deepEqual(b.received, expected);
    });
  } finally {
    await sql.unsafe(`drop schema if exists ${schema} cascade`);
    await sql`delete from realtime.messages where topic = ${topicOf(DEMO)}`;
    await Promise.all([closeClient(demo), closeClient(v1)]);
    await sql.end();
  }
});

Deno.test("the frames on the wire: a binary user broadcast (kind 4) for vsn 2.0.0, a JSON broadcast push for 1.0.0", async () => {
  const sql = db();
  const token = await userToken(DEMO, 600);
  const topic = topicOf(DEMO);
  const open = (vsn: "1.0.0" | "2.0.0") => {
    const ws = new WebSocket(RawSocket.url(vsn, testKeys.client));
    ws.binaryType = "arraybuffer";
    const messages: Array<string | ArrayBuffer> = [];
    ws.onmessage = (e) => messages.push(e.data);
    const closed = new Promise((resolve) => ws.addEventListener("close", resolve));
    return new Promise<{ ws: WebSocket; messages: typeof messages; closed: Promise<unknown> }>((resolve, reject) => {
      ws.onopen = () => resolve({ ws, messages, closed });
      ws.onerror = () => reject(new Error("websocket failed to open"));
    });
  };
  const config = {
    broadcast: { ack: false, self: false },
    presence: { key: "", enabled: false },
    postgres_changes: [],
    private: true,
  };
  const v2 = await open("2.0.0");
  const v1 = await open("1.0.0");
  try {
    await withPolicy(sql, async () => {
      v2.ws.send(JSON.stringify(["1", "1", `realtime:${topic}`, "phx_join", { config, access_token: token }]));
      v1.ws.send(
        JSON.stringify({
          join_ref: "1",
          ref: "1",
          topic: `realtime:${topic}`,
          event: "phx_join",
          payload: { config, access_token: token },
        }),
      );
      await waitFor(() => v2.messages.length >= 1 && v1.messages.length >= 1, 3000, "both join replies");
      assert.equal(JSON.parse(v2.messages[0] as string)[4].status, "ok");
      assert.equal(JSON.parse(v1.messages[0] as string).payload.status, "ok");

      await send(sql, topic, "ev", { n: 1 });
      await waitFor(() => v2.messages.length >= 2 && v1.messages.length >= 2, 3000, "the broadcast on both");
      const [{ id }] = await sql`select id::text from realtime.messages where topic = ${topic}`;

      const bin = new Uint8Array(v2.messages[1] as ArrayBuffer);
      const dec = new TextDecoder();
      const [kind, topicSize, eventSize, metaSize, encoding] = bin.slice(0, 5);
      assert.deepEqual([kind, encoding], [4, 1], "user broadcast, JSON payload");
      let at = 5;
      const take = (n: number) => dec.decode(bin.slice(at, at += n));
      assert.equal(take(topicSize), `realtime:${topic}`);
      assert.equal(take(eventSize), "ev");
      assert.deepEqual(JSON.parse(take(metaSize)), { id });
      assert.deepEqual(JSON.parse(dec.decode(bin.slice(at))), { n: 1, id });

      assert.deepEqual(JSON.parse(v1.messages[1] as string), {
        topic: `realtime:${topic}`,
        event: "broadcast",
        payload: { event: "ev", meta: { id }, payload: { n: 1, id }, type: "broadcast" },
        ref: null,
        join_ref: null,
      });
    });
  } finally {
    v1.ws.close();
    v2.ws.close();
    await Promise.all([v1.closed, v2.closed]);
    await sql`delete from realtime.messages where topic = ${topic}`;
    await sql.end();
  }
});

Deno.test("per topic, broadcasts arrive in commit order (separate transactions and several in one)", async () => {
  const sql = db();
  const demo = await signedInClient(DEMO);
  const other = await signedInClient(OTHER);
  try {
    await withPolicy(sql, async () => {
      const a = await listen(demo, topicOf(DEMO), true);
      const b = await listen(other, topicOf(OTHER), true);
      assert.equal(a.status, "SUBSCRIBED");
      assert.equal(b.status, "SUBSCRIBED");
      let n = 0;
      const expectedA: number[] = [];
      const expectedB: number[] = [];
      for (let round = 0; round < 10; round++) {
        await sql.begin(async (tx) => {
          for (let i = 0; i < 5; i++) {
            const target = (n + round) % 3 === 0 ? OTHER : DEMO;
            (target === DEMO ? expectedA : expectedB).push(++n);
            await send(tx, topicOf(target), "seq", { n });
          }
        });
        (round % 2 ? expectedB : expectedA).push(++n);
        await send(sql, topicOf(round % 2 ? OTHER : DEMO), "seq", { n });
      }
      await waitFor(
        () => a.received.length === expectedA.length && b.received.length === expectedB.length,
        5000,
        "every broadcast",
      );
      assert.deepEqual(a.received.map((m) => m.payload.n), expectedA);
      assert.deepEqual(b.received.map((m) => m.payload.n), expectedB);
    });
  } finally {
    await sql`delete from realtime.messages where topic in (${topicOf(DEMO)}, ${topicOf(OTHER)})`;
    await Promise.all([closeClient(demo), closeClient(other)]);
    await sql.end();
  }
});

Deno.test("after a reconnect the private channel is authorized again and broadcasts arrive again", async () => {
  const sql = db();
  const demo = await signedInClient(DEMO, { reconnectAfterMs: 200 });
  const statuses: string[] = [];
  try {
    await withPolicy(sql, async () => {
      const received: Broadcast[] = [];
      const channel: RealtimeChannel = demo.channel(topicOf(DEMO), { config: { private: true } })
        .on("broadcast", { event: "*" }, (p) => received.push(p as Broadcast));
      const subscribed = new Promise<void>((resolve) =>
        channel.subscribe((status) => {
          statuses.push(status);
          if (status === "SUBSCRIBED") resolve();
        })
      );
      await subscribed;
      await send(sql, topicOf(DEMO), "before", {});
      await waitFor(() => received.length === 1, 3000, "the broadcast before the reconnect");

      // Changing Realtime's settings (to the same values) disconnects every client, as hosted does.
      const settings = await realtimeSettings();
      await realtimeSettings({ max_events_per_second: settings.max_events_per_second });
      await waitFor(() => statuses.filter((s) => s === "SUBSCRIBED").length >= 2, 10_000, "the rejoin");

      await send(sql, topicOf(DEMO), "after", {});
      await waitFor(() => received.length === 2, 3000, "the broadcast after the reconnect");
      assert.deepEqual(received.map((m) => m.event), ["before", "after"]);
    });
  } finally {
    await sql`delete from realtime.messages where topic = ${topicOf(DEMO)}`;
    await closeClient(demo);
    await sql.end();
  }
});

Deno.test("a non-member receives nothing at all: not on a refused join, a public channel of the same name, or another topic", async () => {
  const sql = db();
  const demo = await signedInClient(DEMO);
  const other = await signedInClient(OTHER);
  // supabase-js keeps one channel per topic and client: the public join of the same name needs its own.
  const otherPublic = await signedInClient(OTHER);
  const anon = newClient();
  const token = await userToken(OTHER, 600);
  const raw = await RawSocket.open("1.0.0");
  try {
    await withPolicy(sql, async () => {
      const topic = topicOf(DEMO);
      const member = await listen(demo, topic, true);
      const refused = await listen(other, topic, true);
      const publicOther = await listen(otherPublic, topic, false); // same name, not private
      const publicAnon = await listen(anon, topic, false);
      const ownTopic = await listen(other, topicOf(OTHER), true);
      assert.deepEqual(
        [member.status, refused.status, publicOther.status, publicAnon.status, ownTopic.status],
        ["SUBSCRIBED", "CHANNEL_ERROR", "SUBSCRIBED", "SUBSCRIBED", "SUBSCRIBED"],
      );
      // A bare socket of the other user, whose private join is refused.
      raw.send({
        join_ref: "1",
        ref: "1",
        topic: `realtime:${topic}`,
        event: "phx_join",
        payload: { config: { private: true, postgres_changes: [] }, access_token: token },
      });
      assert.equal((await raw.reply("1")).payload.status, "error");

      for (let i = 1; i <= 5; i++) await send(sql, topic, "secret", { i });
      await send(sql, topic, "public", { open: true }, false);
      await waitFor(() => member.received.length === 5 && publicAnon.received.length === 1, 3000, "the deliveries");
      await sleep(500); // anything sent to the wrong channel would have arrived by now

      assert.deepEqual(member.received.map((m) => m.payload.i), [1, 2, 3, 4, 5], "private rows to the member only");
      assert.deepEqual(refused.received, []);
      assert.deepEqual(ownTopic.received, []);
      assert.deepEqual(publicOther.received.map((m) => m.event), ["public"], "public rows to public joins only");
      assert.deepEqual(publicAnon.received.map((m) => m.event), ["public"]);
      assert.deepEqual(raw.frames.map((f) => f.event), ["phx_reply"], "the refused socket got its reply, nothing else");
    });
  } finally {
    await sql`delete from realtime.messages where topic = ${topicOf(DEMO)}`;
    await raw.close();
    await Promise.all([closeClient(demo), closeClient(other), closeClient(otherPublic), closeClient(anon)]);
    await sql.end();
  }
});

Deno.test("a new access token that the policy no longer allows closes the private channel, as Realtime does", async () => {
  const sql = db();
  const client = await signedInClient(DEMO);
  try {
    await withPolicy(sql, async () => {
      const system: Array<{ status: string; message: string }> = [];
      const received: Broadcast[] = [];
      const channel = client.channel(topicOf(DEMO), { config: { private: true } })
        .on("broadcast", { event: "*" }, (p) => received.push(p as Broadcast))
        .on("system", {}, (p) => system.push(p));
      assert.equal((await subscribe(channel)).status, "SUBSCRIBED");
      // The same user's new token: still allowed, the channel stays.
      await client.realtime.setAuth(await userToken(DEMO, 600));
      await sleep(300);
      assert.equal(channel.state, "joined");
      // Another user's token on this channel: read revoked, the channel is shut down.
      await client.realtime.setAuth(await userToken(OTHER, 600));
      await waitFor(() => system.some((s) => s.status === "error"), 3000, "the system error");
      assert.equal(
        system.find((s) => s.status === "error")?.message,
        `You no longer have permission to read from this Channel topic: ${topicOf(DEMO)}`,
      );
      await send(sql, topicOf(DEMO), "late", {});
      await sleep(500);
      assert.deepEqual(received, []);
    });
  } finally {
    await sql`delete from realtime.messages where topic = ${topicOf(DEMO)}`;
    await closeClient(client);
    await sql.end();
  }
});
