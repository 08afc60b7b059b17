// The topics the database broadcasts to (migrations 20261205007400's and 20261205007700's triggers)
// are the ones the SPA joins (web/src/lib/topics.ts): a name changed on one side only fails here.
import assert from "node:assert/strict";
import { jobTopic, workspaceAccountsTopic, workspaceJobsTopic } from "../../../web/src/lib/topics.ts";
import { createAccount, integration, sql, withWorkspace } from "./helpers/stack.ts";

integration("jobs, log lines and accounts are broadcast to the topics the SPA joins", async () => {
  await withWorkspace("Broadcast topics", "live-key-topics-0001", async (ws) => {
    const accountId = await createAccount(ws.id, "topics.example");
    const [job] = await sql<{ id: string }[]>`
      insert into public.jobs (workspace_id, job_type, payload, scheduled_for)
      values (${ws.id}, 'enrich_account', ${sql.json({ account_id: accountId })}, now() + interval '1 hour') returning id`;
    await sql`insert into public.job_logs (job_id, workspace_id, attempt, message) values (${job.id}, ${ws.id}, 0, 'hello')`;
    await sql`update public.accounts set industry = 'Topics' where id = ${accountId}`;
    await sql`update public.jobs set priority = 1 where id = ${job.id}`; // job changes: on the workspace's topic only
    const rows = await sql<{ topic: string; table: string }[]>`
      select distinct topic, payload ->> 'table' as table from realtime.messages
      where topic like ${"%" + ws.id + "%"} or topic = ${"job:" + job.id} order by 1, 2`;
    assert.deepEqual(rows.map((r) => ({ ...r })), [
      { topic: jobTopic(job.id), table: "job_logs" },
      { topic: workspaceAccountsTopic(ws.id), table: "accounts" },
      { topic: workspaceJobsTopic(ws.id), table: "jobs" },
    ].sort((a, b) => `${a.topic} ${a.table}`.localeCompare(`${b.topic} ${b.table}`)));
  });
});
