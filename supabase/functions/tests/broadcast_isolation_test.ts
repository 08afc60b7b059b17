// The product's live topics with the product's policy (migrations 20261205007400, 20261205007700): while a
// workspace's job runs and its accounts change, its member hears every change on its topics, and
// another workspace's user and anon are refused at join and hear nothing at all.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { SupabaseClient } from "@supabase/supabase-js";
import {
  closeClient, db, DEMO, insertJob, newClient, OTHER, signedInClient, subscribe, waitFor,
} from "../../../scripts/stack/tests/auth_realtime_helpers.ts";
import { withRealtimeLimits } from "../../../scripts/stack/tests/realtime_settings.ts";
import { jobTopic, workspaceAccountsTopic, workspaceJobsTopic } from "../../../web/src/lib/topics.ts";
import { integration } from "./helpers/stack.ts";

interface Heard {
  topic: string;
  table: string;
  /** The jobs a message of job changes is about (its lean records' ids). */
  ids: string[];
  operation: string;
}

/** Joins each topic privately; what each hears, and how each join ended. */
async function listen(client: SupabaseClient, topics: string[]) {
  const heard: Heard[] = [];
  const joins: Record<string, string> = {};
  for (const topic of topics) {
    const channel = client.channel(topic, { config: { private: true } })
      .on("broadcast", { event: "*" }, (message: { payload?: { table?: string; operation?: string; records?: Array<{ id?: string }> } }) => {
        const ids = (message.payload?.records ?? []).map((r) => String(r.id));
        heard.push({ topic, table: String(message.payload?.table), ids, operation: String(message.payload?.operation) });
      });
    const { status, error } = await subscribe(channel);
    joins[topic] = status === "SUBSCRIBED" ? "joined" : `${status}: ${error?.message ?? ""}`;
  }
  return { heard, joins };
}

// Every broadcast counts against the project's events limit whoever listens, and other tests' jobs
// may have tripped it (then broadcasts are dropped, as on hosted): this test is about who receives
// them, so it runs with the limit out of the way (changing it restarts the counters).
integration("a workspace's topics reach its member only: another workspace's user and anon are refused and hear nothing", () =>
  withRealtimeLimits({ max_events_per_second: 100_000 }, isolation));

async function isolation() {
  const sql = db();
  const member = await signedInClient(DEMO);
  const outsider = await signedInClient(OTHER);
  const anon = newClient();
  try {
    const jobId = await insertJob(sql, DEMO.workspace, "broadcast_isolation");
    const topics = [workspaceJobsTopic(DEMO.workspace), workspaceAccountsTopic(DEMO.workspace), jobTopic(jobId)];
    const ours = await listen(member, topics);
    const theirs = await listen(outsider, topics);
    const nobody = await listen(anon, topics);
    // the outsider's own workspace topic joins fine, and must stay silent too
    const own = await listen(outsider, [workspaceJobsTopic(OTHER.workspace)]);

    for (const topic of topics) {
      assert.equal(ours.joins[topic], "joined", topic);
      for (const refused of [theirs, nobody]) {
        assert.match(refused.joins[topic], new RegExp(`Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`));
      }
    }
    assert.equal(own.joins[workspaceJobsTopic(OTHER.workspace)], "joined");

    // The job runs (as a worker would write it), a log line, an account changes.
    await sql`update public.jobs set status = 'processing', attempts = 1, started_at = now(), locked_by = 'isolation', locked_until = now() + interval '1 minute' where id = ${jobId}`;
    await sql`insert into public.job_logs (job_id, workspace_id, attempt, message) values (${jobId}, ${DEMO.workspace}, 1, 'working')`;
    await sql`update public.jobs set progress = '{"percentage": 50}' where id = ${jobId}`;
    await sql`update public.accounts set updated_at = now() where workspace_id = ${DEMO.workspace} and domain = 'stripe.com'`;

    // This job's two updates (its INSERT, committed before the joins, may still arrive when Realtime
    // reads the database behind: it is not counted), the log line, the account.
    const ourUpdates = () =>
      ours.heard.filter((h) => h.topic === workspaceJobsTopic(DEMO.workspace) && h.table === "jobs" && h.operation === "UPDATE" && h.ids.includes(jobId));
    const heardAll = () =>
      ourUpdates().length >= 2 && ours.heard.some((h) => h.table === "job_logs") && ours.heard.some((h) => h.table === "accounts");
    // delivery, not speed: under load the stand-in's WAL reader can be seconds behind
    await waitFor(heardAll, 15_000, "the member to hear 2 job changes, the log line and the account");
    await sleep(500); // time for anything wrongly sent to the others to arrive
    assert.deepEqual(theirs.heard, [], "another workspace's user hears nothing");
    assert.deepEqual(nobody.heard, [], "anon hears nothing");
    assert.deepEqual(own.heard, [], "another workspace's own topic hears nothing of this one");
    assert.ok(ours.heard.some((h) => h.topic === jobTopic(jobId) && h.table === "job_logs"));
    // (other jobs of the demo workspace may change meanwhile: count this job's updates)
    assert.equal(ourUpdates().length, 2);
    assert.ok(ours.heard.some((h) => h.topic === workspaceAccountsTopic(DEMO.workspace) && h.table === "accounts"));
  } finally {
    await sql`delete from public.jobs where job_type = 'broadcast_isolation'`;
    await Promise.all([closeClient(member), closeClient(outsider), closeClient(anon)]);
    await sql.end();
  }
}
