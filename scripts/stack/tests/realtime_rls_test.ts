// Row level security on postgres_changes: every change is checked as the subscriber, so a user
// only hears about rows of their own workspaces; the channel's access token decides, and it can
// be changed (access_token), rejected, or run out.
import assert from "node:assert/strict";
import type { RealtimePostgresChangesPayload } from "@supabase/supabase-js";
import {
  closeClient,
  db,
  DEMO,
  newClient,
  OTHER,
  signedInClient,
  subscribe,
  tokenClient,
  waitFor,
} from "./auth_realtime_helpers.ts";
import { userToken } from "./realtime_wire.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { registerTestJobType } from "../../test/job-types.ts";

type Row = Record<string, unknown>;
type Payload = RealtimePostgresChangesPayload<Row>;

/** How long Realtime's unanswered access_token push waits in realtime-js before it times out. */
const PUSH_TIMEOUT_MS = 1500;

Deno.test("user A never receives workspace B's rows, and B never A's (jobs, job_logs, accounts; one batch)", async () => {
  const sql = db();
  await registerTestJobType(sql, "realtime_test");
  const a = await signedInClient(DEMO);
  const b = await signedInClient(OTHER);
  const anon = newClient();
  const marker = `rls_${crypto.randomUUID().slice(0, 8)}`;
  await registerTestJobType(sql, marker);
  const jobA = crypto.randomUUID();
  const jobB = crypto.randomUUID();
  const got = { a: [] as Payload[], b: [] as Payload[], anon: [] as Payload[] };
  const listen = (client: typeof a, name: keyof typeof got) => {
    const channel = client.channel(`rls-${name}-${marker}`);
    for (const table of ["jobs", "job_logs", "accounts"]) {
      channel.on<Row>("postgres_changes", { event: "*", schema: "public", table }, (p) => got[name].push(p));
    }
    return subscribe(channel);
  };
  try {
    assert.equal((await listen(a, "a")).status, "SUBSCRIBED");
    assert.equal((await listen(b, "b")).status, "SUBSCRIBED");
    const anonChannel = anon.channel(`rls-anon-${marker}`).on<Row>(
      "postgres_changes",
      { event: "*", schema: "public", table: "jobs", filter: `id=eq.${jobA}` },
      (p) => got.anon.push(p),
    );
    assert.equal((await subscribe(anonChannel)).status, "SUBSCRIBED");

    // One transaction touching both workspaces: one batch for the server, checked per subscriber.
    await sql.begin(async (tx) => {
      await tx`insert into public.jobs (id, workspace_id, job_type, scheduled_for) values
               (${jobA}, ${DEMO.workspace}, ${marker}, now() + interval '1 day'),
               (${jobB}, ${OTHER.workspace}, ${marker}, now() + interval '1 day')`;
      await tx`insert into public.job_logs (job_id, workspace_id, message)
               select j, w, 'line ' || n from (values (${jobA}::uuid, ${DEMO.workspace}::uuid), (${jobB}::uuid, ${OTHER.workspace}::uuid)) v(j, w),
                      generate_series(1, 50) n`;
      await tx`insert into public.accounts (workspace_id, name, domain) values
               (${DEMO.workspace}, ${marker}, ${marker.replaceAll("_", "-") + "-a.example"}),
               (${OTHER.workspace}, ${marker}, ${marker.replaceAll("_", "-") + "-b.example"})`;
    });
    await sql`update public.jobs set priority = 5 where job_type = ${marker}`;

    const mine = (list: Payload[], job: string) => ({
      jobs: list.filter((p) => p.table === "jobs" && (p.new as Row).id === job).length,
      logs: list.filter((p) => p.table === "job_logs" && (p.new as Row).job_id === job).length,
      accounts: list.filter((p) => p.table === "accounts" && (p.new as Row).name === marker).length,
    });
    const expected = { jobs: 2, logs: 50, accounts: 1 };
    await waitFor(() => JSON.stringify(mine(got.a, jobA)) === JSON.stringify(expected), 5000, "A's own changes");
    await waitFor(() => JSON.stringify(mine(got.b, jobB)) === JSON.stringify(expected), 5000, "B's own changes");
    await sleep(300); // anything wrongly delivered would have arrived with them

    const workspacesSeen = (list: Payload[]) => new Set(list.map((p) => (p.new as Row).workspace_id).filter(Boolean));
    assert.deepEqual([...workspacesSeen(got.a)], [DEMO.workspace], "A sees only workspace A");
    assert.deepEqual([...workspacesSeen(got.b)], [OTHER.workspace], "B sees only workspace B");
    // anon may not select jobs at all: Realtime sends an error record, never the row.
    assert.ok(got.anon.length > 0);
    for (const p of got.anon) {
      assert.deepEqual(p.new, {});
      assert.deepEqual(p.errors, ["Error 401: Unauthorized"]);
    }
  } finally {
    await sql`delete from public.accounts where name = ${marker}`;
    await sql`delete from public.jobs where job_type = ${marker}`;
    await Promise.all([closeClient(a), closeClient(b), closeClient(anon)]);
    await sql.end();
  }
});

Deno.test("an access_token event changes what the channel may see; an invalid token closes it", async () => {
  const sql = db();
  await registerTestJobType(sql, "realtime_test");
  const jobA = crypto.randomUUID();
  let token = await userToken(OTHER, 3600);
  const client = await tokenClient(() => token, { timeout: PUSH_TIMEOUT_MS });
  const received: Payload[] = [];
  const system: Array<Record<string, unknown>> = [];
  const statuses: string[] = [];
  try {
    const channel = client.channel(`token-${jobA}`)
      .on<Row>(
        "postgres_changes",
        { event: "*", schema: "public", table: "jobs", filter: `id=eq.${jobA}` },
        (p) => received.push(p),
      )
      .on("system", {}, (p) => system.push(p));
    await new Promise<void>((resolve) =>
      channel.subscribe((status) => {
        statuses.push(status);
        if (status === "SUBSCRIBED") resolve();
      })
    );

    await sql`insert into public.jobs (id, workspace_id, job_type, scheduled_for)
              values (${jobA}, ${DEMO.workspace}, 'realtime_test', now() + interval '1 day')`;
    await sleep(400);
    assert.equal(received.length, 0, `OTHER may not see workspace A's job: ${JSON.stringify(received)}`);

    token = await userToken(DEMO, 3600);
    await client.realtime.setAuth();
    await waitFor(
      () => system.filter((s) => s.message === "Subscribed to PostgreSQL").length >= 2,
      3000,
      "the re-subscription",
    );
    await sql`update public.jobs set priority = 3 where id = ${jobA}`;
    await waitFor(() => received.length === 1, 3000, "the UPDATE now that the channel is DEMO's");
    assert.equal((received[0].new as Row).priority, 3);

    token = await userToken(DEMO, 3600, { foreign: true });
    await client.realtime.setAuth();
    await waitFor(() => statuses.includes("CLOSED"), 3000, "the channel to close");
    assert.deepEqual(system.at(-1), {
      extension: "system",
      status: "error",
      message: "Failed to validate JWT signature",
      channel: `token-${jobA}`,
    });
    assert.equal(channel.state, "closed");
    await sleep(PUSH_TIMEOUT_MS + 100); // realtime-js's access_token push times out: no timer left behind
  } finally {
    await sql`delete from public.jobs where id = ${jobA}`;
    await closeClient(client);
    await sql.end();
  }
});

Deno.test("an expired token cannot join; a token that expires while joined closes the channel", async () => {
  let expiredToken = await userToken(DEMO, -30);
  let soonToken = await userToken(DEMO, 2);
  const expired = await tokenClient(() => expiredToken);
  const expiring = await tokenClient(() => soonToken);
  try {
    const refused = await subscribe(
      expired.channel("expired").on("postgres_changes", { event: "*", schema: "public", table: "jobs" }, () => {}),
    );
    assert.equal(refused.status, "CHANNEL_ERROR");
    assert.match(String(refused.error?.message), /^InvalidJWTToken: Token has expired \d+ seconds ago$/);

    const system: Array<Record<string, unknown>> = [];
    const statuses: string[] = [];
    const channel = expiring.channel("expiring")
      .on("postgres_changes", { event: "*", schema: "public", table: "jobs" }, () => {})
      .on("system", {}, (p) => system.push(p));
    channel.subscribe((status) => statuses.push(status));
    await waitFor(() => statuses.includes("SUBSCRIBED"), 3000, "the join");
    await waitFor(() => statuses.includes("CLOSED"), 5000, "the channel to close at expiry");
    assert.match(String(system.at(-1)?.message), /^Token has expired \d+ seconds ago$/);
    assert.equal(system.at(-1)?.extension, "system");
  } finally {
    expiredToken = soonToken = "";
    await Promise.all([closeClient(expired), closeClient(expiring)]);
  }
});
