// `npm run verify:deploy` against the local stack, as an operator runs it against a hosted project:
// every item passes on a working stack (one real enrichment included, through the worker's real
// Apollo client and the stack's fake Apollo), and the matching items fail, with a reason that
// says what to do, when a cron job is unscheduled or inactive, when the worker token is wrong, and
// when the token the database sends (the Vault secret) is wrong.
// Run by the "deploy" suite of npm test (scripts/test/run-all.ts), not with the functions suite:
// it changes cron jobs for a moment.
import assert from "node:assert/strict";
import { expectedCronJobs } from "../lib/repo.ts";
import { invokeWorkerAndWait, withVaultSecrets } from "../../../supabase/functions/tests/helpers/ops.ts";
import { createWorkspace, integration, setApolloKey, setCronJobActive, sql, testEnv } from "../../../supabase/functions/tests/helpers/stack.ts";
import { item, verify, VERIFY } from "./helpers/verify.ts";
import { setTimeout as sleep } from "node:timers/promises";

/** A deployment that has been up a minute: pg_cron has run the every-minute jobs at least once. */
async function waitForCronRuns(timeoutMs = 75_000) {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const [{ n }] = await sql<{ n: number }[]>`
      select count(distinct j.jobname)::int as n from cron.job j join cron.job_run_details d on d.jobid = j.jobid
      where j.jobname in ('job-worker', 'job-reaper') and d.status in ('succeeded', 'failed')`;
    if (n === 2) return;
    if (Date.now() > deadline) throw new Error("pg_cron ran no job-worker / job-reaper within 75 s");
    await sleep(1000);
  }
}

integration("verify:deploy: every item passes against the local stack, a real enrichment included", async () => {
  await waitForCronRuns();
  await invokeWorkerAndWait("verify-test", 3); // whatever earlier suites did, the last calls are good ones
  // A key that is not the mock's: the worker uses its real Apollo client (against the stack's fake Apollo).
  const ws = await createWorkspace("verify:deploy test");
  try {
    await setApolloKey(ws.id, "verify-deploy-test-key-0001");
    const { code, items, text } = await verify(["--enrich-domain", "stripe.com", "--workspace-id", ws.id]);
    const summary = items.map((i) => `${i.status} ${i.id}: ${i.summary}`).join("\n");
    assert.equal(code, 0, `${summary}\n${text}`);
    assert.deepEqual(
      items.map((i) => [i.id, i.status]),
      [
        ["import-maps", "PASS"],
        ["migrations", "PASS"],
        ["cron-jobs", "PASS"],
        ["cron-runs", "PASS"],
        ["worker-calls", "PASS"],
        ["worker-health", "PASS"],
        ["worker-database", "PASS"],
        ["signing-keys", "PASS"],
        ["functions-auth", "PASS"],
        ["auth-emails", "PASS"],
        ["realtime", "PASS"],
        ["advisors", "PASS"],
        ["enrichment", "PASS"],
      ],
      summary,
    );
    assert.match(item(items, "migrations").summary, /^all \d+ migrations applied/);
    assert.match(item(items, "import-maps").summary, /^3 functions, each with its deno\.json \(.*postgres@3\.4\.9/);
    assert.match(item(items, "worker-database").summary, /^through the transaction pooler \(port \d+\): at most 4 invocations x DB_POOL_SIZE 3 = 12 connections/);
    assert.match(item(items, "worker-calls").summary, /verify call #\d+: 200/);
    assert.match(item(items, "enrichment").summary, /stripe\.com enriched .* 7 log lines, 1 credit/);
    const leftovers = await sql`select 1 from public.accounts where workspace_id = ${ws.id}`;
    assert.equal(leftovers.length, 0, "the throwaway account and its job are deleted");
  } finally {
    await ws.cleanup();
  }

  // The same run as an operator reads it.
  const human = await verify(["--skip", "advisors"], testEnv.WORKER_SECRET_TOKEN, false);
  console.log(human.text);
  assert.equal(human.code, 0);
  assert.match(human.text, /^PASS {2}migrations applied {2,}all \d+ migrations applied/m);
  assert.match(human.text, /^SKIP {2}first real enrichment/m);
  assert.match(human.text, /^PASS: 11 passed, 0 warning\(s\), 0 failed, 1 skipped$/m);
});

integration(
  "verify:deploy: an unscheduled or inactive cron job fails the cron items, with how to restore it",
  async () => {
    const worker = expectedCronJobs().find((j) => j.name === "job-worker")!;
    try {
      await sql`select cron.unschedule('job-worker')`;
      const { code, items } = await verify(["--only", "cron-jobs,cron-runs"]);
      assert.equal(code, 1);
      const jobs = item(items, "cron-jobs");
      assert.equal(jobs.status, "FAIL");
      assert.match(jobs.summary, /job-worker is not scheduled/);
      assert.ok(
        jobs.details?.some((d) => d.includes(`select cron.schedule('job-worker', '* * * * *', $$${worker.command}$$)`)),
        jobs.details?.join("\n"),
      );
      assert.equal(item(items, "cron-runs").status, "FAIL");
      assert.match(item(items, "cron-runs").summary, /job-worker: not scheduled/);
    } finally {
      await sql`select cron.schedule(${worker.name}, ${worker.schedule}, ${worker.command})`;
    }
    try {
      await setCronJobActive("job-reaper", false);
      const { code, items } = await verify(["--only", "cron-jobs"]);
      assert.equal(code, 1);
      assert.match(item(items, "cron-jobs").summary, /job-reaper is inactive/);
      assert.ok(
        item(items, "cron-jobs").details?.some((d) => /cron\.alter_job\(job_id := \d+, active := true\)/.test(d)),
      );
    } finally {
      await setCronJobActive("job-reaper", true);
    }
    const restored = await verify(["--only", "cron-jobs"]);
    assert.equal(restored.code, 0, restored.items[0]?.summary);
    assert.equal(item(restored.items, "cron-jobs").status, "PASS");
  },
);

/** Waits until pg_cron's next tick is at least 5 s away, so a test's rows stay the newest while it runs. */
async function awayFromMinuteBoundary() {
  while (new Date().getSeconds() > 50 || new Date().getSeconds() < 2) await sleep(500);
}

/** Records a failed run of job-reaper (jobid) with this message, dated 30 s ahead so it is the newest; its runid. */
async function failedReaperRun(jobid: string, message: string): Promise<string> {
  const [run] = await sql<{ runid: string }[]>`
    insert into cron.job_run_details (jobid, runid, database, username, command, status, return_message, start_time, end_time)
    values (${jobid}::bigint, (select coalesce(max(runid), 0) + 1000000 from cron.job_run_details), 'postgres', 'postgres',
            'select public.reap_expired_leases()', 'failed', ${message}, now() + interval '30 seconds', now() + interval '30 seconds')
    returning runid::text`;
  return run.runid;
}

integration("verify:deploy: a failed or stale cron run fails the cron-runs item", async () => {
  await awayFromMinuteBoundary();
  const [{ jobid }] = await sql<{ jobid: string }[]>`select jobid::text from cron.job where jobname = 'job-reaper'`;
  const run = await failedReaperRun(jobid, "ERROR:  pgtap boom");
  try {
    const { code, items } = await verify(["--only", "cron-runs"]);
    assert.equal(code, 1);
    assert.match(item(items, "cron-runs").summary, /job-reaper: the last run \(0 s ago\) failed: ERROR: {2}pgtap boom/);
  } finally {
    await sql`delete from cron.job_run_details where runid = ${run}::bigint`;
  }

  // A run pg_cron cancelled because the job was paused at that moment is not a failure.
  const cancelled = await failedReaperRun(jobid, "job canceled");
  try {
    const { items } = await verify(["--only", "cron-runs"]);
    assert.doesNotMatch(item(items, "cron-runs").summary, /job-reaper[^;]*(failed|canceled)/);
  } finally {
    await sql`delete from cron.job_run_details where runid = ${cancelled}::bigint`;
  }

  await awayFromMinuteBoundary();
  const saved = await sql`select * from cron.job_run_details where jobid = ${jobid}::bigint`;
  try {
    await sql`update cron.job_run_details set start_time = start_time - interval '10 minutes', end_time = end_time - interval '10 minutes'
              where jobid = ${jobid}::bigint`;
    const { code, items } = await verify(["--only", "cron-runs"]);
    assert.equal(code, 1);
    assert.match(
      item(items, "cron-runs").summary,
      // 10 min plus however long ago the last real run was (up to a minute)
      /job-reaper: last ran 1[01] min ago, but it runs on "\* \* \* \* \*": is pg_cron running/,
    );
  } finally {
    await sql`delete from cron.job_run_details where jobid = ${jobid}::bigint`;
    for (const row of saved) await sql`insert into cron.job_run_details ${sql(row)}`;
  }
});

integration("verify:deploy: a wrong --worker-token fails the health item (401), and only it", async () => {
  const { code, items } = await verify(["--only", "worker-calls,worker-health,realtime"], "not-the-worker-token");
  assert.equal(code, 1);
  const health = item(items, "worker-health");
  assert.equal(health.status, "FAIL");
  assert.match(
    health.summary,
    /the worker refused --worker-token \(401 Unauthorized\): it is not the function's WORKER_SECRET_TOKEN/,
  );
  assert.equal(item(items, "worker-calls").status, "PASS", "the database's own calls still work");
  assert.equal(item(items, "realtime").status, "PASS");
});

integration("verify:deploy: a wrong worker token in the database (Vault) fails the worker-calls item", async () => {
  await withVaultSecrets({ worker_secret_token: "not-the-worker-token" }, async () => {
    const { code, items } = await verify(["--only", "worker-calls"]);
    assert.equal(code, 1);
    const calls = item(items, "worker-calls");
    assert.equal(calls.status, "FAIL");
    assert.match(
      calls.summary,
      /the verify call \(#\d+\) answered 401: the Vault secret worker_secret_token is not the function's WORKER_SECRET_TOKEN/,
    );
  });
  await invokeWorkerAndWait("verify-test", 3); // leave good calls behind
});

integration("verify:deploy: bad arguments exit 2 with the usage", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", VERIFY, "--url", testEnv.API_URL],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 2);
  assert.match(
    new TextDecoder().decode(output.stderr),
    /missing --db-url, --worker-token[\s\S]*Usage: npm run verify:deploy/,
  );
});
