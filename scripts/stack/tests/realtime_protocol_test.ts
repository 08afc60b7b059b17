// The Phoenix wire format of /realtime/v1/websocket, checked frame by frame (vsn 2.0.0 arrays and
// 1.0.0 objects), what is refused (bad apikey, private channels, presence, broadcast sends,
// unsupported filters) and how, and the same refusals as supabase-js surfaces them.
import assert from "node:assert/strict";
import { testEnv } from "../../test/env.ts";
import { closeClient, db, DEMO, newClient, signedInClient, subscribe } from "./auth_realtime_helpers.ts";
import { RawSocket } from "./realtime_wire.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { registerTestJobType } from "../../test/job-types.ts";

async function demoToken(): Promise<string> {
  const client = newClient();
  const { data, error } = await client.auth.signInWithPassword({ email: DEMO.email, password: DEMO.password });
  if (error) throw error;
  return data.session!.access_token;
}

const defaultConfig = (postgresChanges: unknown[]) => ({
  broadcast: { ack: false, self: false },
  presence: { key: "", enabled: false },
  postgres_changes: postgresChanges,
  private: false,
});

Deno.test("vsn 2.0.0 frames: heartbeat, join reply echoing the bindings with ids, system message, changes, leave", async () => {
  const sql = db();
  await registerTestJobType(sql, "realtime_test");
  const socket = await RawSocket.open("2.0.0");
  const jobId = crypto.randomUUID();
  try {
    socket.send({ join_ref: null, ref: "1", topic: "phoenix", event: "heartbeat", payload: {} });
    const beat = await socket.reply("1");
    assert.ok(Array.isArray(JSON.parse(socket.texts[0])), "vsn 2.0.0 frames are arrays");
    assert.deepEqual(beat, {
      join_ref: null,
      ref: "1",
      topic: "phoenix",
      event: "phx_reply",
      payload: { status: "ok", response: {} },
    });

    const bindings = [
      { event: "*", schema: "public", table: "jobs", filter: `id=eq.${jobId}` },
      { event: "INSERT", schema: "public", table: "job_logs", filter: `job_id=in.(${jobId},${crypto.randomUUID()})` },
    ];
    socket.send({
      join_ref: "2",
      ref: "2",
      topic: "realtime:raw-v2",
      event: "phx_join",
      payload: { config: defaultConfig(bindings), access_token: await demoToken() },
    });
    const joined = await socket.reply("2");
    assert.equal(joined.join_ref, "2");
    assert.equal(joined.topic, "realtime:raw-v2");
    assert.equal(joined.payload.status, "ok");
    const echoed = (joined.payload.response as { postgres_changes: Array<Record<string, unknown>> }).postgres_changes;
    assert.equal(echoed.length, 2);
    echoed.forEach((b, i) => {
      const { id, ...rest } = b;
      assert.ok(Number.isInteger(id), "each binding gets an integer id");
      assert.deepEqual(rest, bindings[i], "bindings echoed exactly as sent");
    });
    const system = await socket.next((f) => f.event === "system", "the system message");
    assert.deepEqual(system, {
      join_ref: "2",
      ref: null,
      topic: "realtime:raw-v2",
      event: "system",
      payload: { extension: "postgres_changes", status: "ok", message: "Subscribed to PostgreSQL", channel: "raw-v2" },
    });

    await sql`insert into public.jobs (id, workspace_id, job_type, payload, scheduled_for)
              values (${jobId}, ${DEMO.workspace}, 'realtime_test', '{"k": [1, 2]}', now() + interval '1 day')`;
    const change = await socket.next((f) => f.event === "postgres_changes", "the INSERT");
    assert.equal(change.join_ref, null);
    assert.equal(change.ref, null);
    assert.deepEqual(change.payload.ids, [echoed[0].id]);
    const data = change.payload.data as Record<string, unknown>;
    assert.deepEqual(Object.keys(data), ["schema", "table", "commit_timestamp", "type", "columns", "record", "errors"]);
    assert.equal(data.type, "INSERT");
    const columns = data.columns as Array<{ name: string; type: string }>;
    assert.deepEqual(columns.slice(0, 6), [
      { name: "id", type: "uuid" },
      { name: "workspace_id", type: "uuid" },
      { name: "job_type", type: "text" },
      { name: "payload", type: "jsonb" },
      { name: "status", type: "text" },
      { name: "priority", type: "int2" },
    ]);
    assert.deepEqual(columns.find((c) => c.name === "created_at"), { name: "created_at", type: "timestamptz" });
    const record = data.record as Record<string, unknown>;
    assert.deepEqual(record.payload, { k: [1, 2] }, "jsonb is sent as JSON, as to_jsonb prints it");
    assert.equal(record.priority, 0);
    assert.equal(data.errors, null);

    socket.send({ join_ref: "2", ref: "3", topic: "realtime:raw-v2", event: "phx_leave", payload: {} });
    assert.equal((await socket.reply("3")).payload.status, "ok");
    socket.send({
      join_ref: "2",
      ref: "4",
      topic: "realtime:raw-v2",
      event: "access_token",
      payload: { access_token: "x" },
    });
    assert.deepEqual((await socket.reply("4")).payload, { status: "error", response: { reason: "unmatched topic" } });
  } finally {
    await sql`delete from public.jobs where id = ${jobId}`;
    await socket.close();
    await sql.end();
  }
});

Deno.test("vsn 1.0.0 frames are JSON objects", async () => {
  const socket = await RawSocket.open("1.0.0");
  try {
    socket.send({ join_ref: null, ref: "1", topic: "phoenix", event: "heartbeat", payload: {} });
    const beat = await socket.reply("1");
    assert.deepEqual(beat.payload, { status: "ok", response: {} });
    socket.send({
      join_ref: "2",
      ref: "2",
      topic: "realtime:raw-v1",
      event: "phx_join",
      payload: { config: defaultConfig([{ event: "*", schema: "public", table: "jobs" }]) },
    });
    const joined = await socket.reply("2");
    assert.equal(joined.payload.status, "ok", JSON.stringify(joined.payload));
    await socket.next((f) => f.event === "system", "the system message");
    for (const text of socket.texts) {
      const frame = JSON.parse(text);
      assert.ok(!Array.isArray(frame) && typeof frame === "object", `an object frame: ${text}`);
      assert.deepEqual(Object.keys(frame).sort(), ["event", "join_ref", "payload", "ref", "topic"]);
    }
  } finally {
    await socket.close();
  }
});

Deno.test("a bad apikey is refused before the upgrade, by supabase-js too", async () => {
  const http = await fetch(`${testEnv.API_URL}/realtime/v1/websocket?apikey=not-a-key&vsn=2.0.0`);
  assert.equal(http.status, 401);
  assert.deepEqual(await http.json(), {
    message: "Invalid API key",
    hint: "Double check your Supabase `anon` or `service_role` API key.",
  });
  await assert.rejects(RawSocket.open("2.0.0", "not-a-key"), /failed to open/);

  const client = newClient({ key: "not-a-key", timeout: 1500 });
  const channel = client.channel("bad-key").on(
    "postgres_changes",
    { event: "*", schema: "public", table: "jobs" },
    () => {},
  );
  const outcome = await Promise.race([subscribe(channel), sleep(2500).then(() => ({ status: "no answer" }))]);
  assert.equal(outcome.status, "CHANNEL_ERROR", "the socket never opens: realtime-js reports a transport failure");
  await closeClient(client);
});

Deno.test("unsupported features get a clear error reply; wrong parameters a system error, as Supabase", async () => {
  const token = await demoToken();
  const socket = await RawSocket.open("2.0.0");
  let ref = 0;
  const join = async (topic: string, config: Record<string, unknown>) => {
    const r = String(++ref);
    socket.send({ join_ref: r, ref: r, topic, event: "phx_join", payload: { config, access_token: token } });
    return (await socket.reply(r)).payload;
  };
  try {
    // A private channel no policy on realtime.messages lets this user read (realtime_broadcast_test.ts has the rest).
    const privateJoin = await join("realtime:p", { ...defaultConfig([]), private: true });
    assert.equal(privateJoin.status, "error");
    assert.equal(
      (privateJoin.response as { reason: string }).reason,
      "Unauthorized: You do not have permissions to read from this Channel topic: p",
    );

    const presence = await join("realtime:pr", { ...defaultConfig([]), presence: { key: "", enabled: true } });
    assert.match(String((presence.response as { reason: string }).reason), /^PresenceNotSupported: /);

    const like = await join(
      "realtime:l",
      defaultConfig([{ event: "*", schema: "public", table: "jobs", filter: "job_type=like.x*" }]),
    );
    assert.equal(like.status, "error");
    assert.match(
      String((like.response as { reason: string }).reason),
      /^UnsupportedFilter: the "like" filter operator/,
    );

    // A table that does not exist: Supabase answers ok, then reports it as a postgres_changes system error.
    const missing = await join("realtime:m", defaultConfig([{ event: "*", schema: "public", table: "no_such_table" }]));
    assert.equal(missing.status, "ok");
    const error = await socket.next((f) => f.topic === "realtime:m" && f.event === "system", "the system error");
    assert.equal(error.payload.status, "error");
    assert.match(
      String(error.payload.message),
      /^Unable to subscribe to changes with given parameters\..*no_such_table/,
    );

    // Broadcast and presence sends on a joined channel.
    const ok = await join("realtime:b", defaultConfig([]));
    assert.equal(ok.status, "ok");
    const sends = [
      { ref: "90", event: "broadcast", subEvent: "e", refusal: /^Broadcast is not supported/ },
      { ref: "91", event: "presence", subEvent: "track", refusal: /^Presence is not supported/ },
    ];
    for (const send of sends) {
      const payload = { type: send.event, event: send.subEvent, payload: {} };
      socket.send({ join_ref: String(ref), ref: send.ref, topic: "realtime:b", event: send.event, payload });
      const reply = await socket.reply(send.ref);
      assert.match(String((reply.payload.response as { reason: string }).reason), send.refusal, send.event);
    }
  } finally {
    await socket.close();
  }
});

Deno.test("supabase-js: a private channel no policy allows fails to subscribe; broadcast send and presence track return 'error'", async () => {
  const client = await signedInClient(DEMO);
  try {
    const privateChannel = client.channel("private-one", { config: { private: true } });
    const refused = await subscribe(privateChannel);
    assert.equal(refused.status, "CHANNEL_ERROR");
    assert.equal(
      refused.error?.message,
      "Unauthorized: You do not have permissions to read from this Channel topic: private-one",
    );

    const channel = client.channel("sends", { config: { broadcast: { ack: true } } });
    assert.equal((await subscribe(channel)).status, "SUBSCRIBED", "the default broadcast/presence config joins");
    assert.equal(await channel.send({ type: "broadcast", event: "hello", payload: { a: 1 } }), "error");
    assert.equal(await channel.track({ online: true }), "error");
  } finally {
    await closeClient(client);
  }
});
