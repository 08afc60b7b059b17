// /rest/v1/rpc through supabase-js: named arguments by POST and GET, composite/setof/scalar
// return shapes, filters on a set-returning function, the app's queue functions and their
// PTxxx/P0001 errors, worker-only functions refused to browsers.
// Run: STACK_INSTANCE=rest STACK_PORT_BASE=56000 node_modules/.bin/deno test -A scripts/stack/tests/
import assert from "node:assert/strict";
import { anonClient, createFixture, rest, serviceClient } from "./rest_helpers.ts";
import { registerTestJobType } from "../../test/job-types.ts";

interface Job {
  id: string;
  workspace_id: string;
  job_type: string;
  status: string;
  priority: number;
  payload: Record<string, unknown>;
}

Deno.test("rest: rpc", async (t) => {
  const fx = await createFixture([
    { name: "Enrich Me", domain: "enrich-me.com" },
    { name: "Enrich Me Too", domain: "enrich-me-too.com" },
    { name: "Domainless", domain: null },
  ]);
  const { client, workspaceId } = fx.alice;
  const accountId = async (name: string) =>
    String((await fx.db`select id from public.accounts where workspace_id = ${workspaceId} and name = ${name}`)[0].id);
  const jobCount = async () =>
    Number((await fx.db`select count(*) from public.jobs where workspace_id = ${workspaceId}`)[0].count);
  const first = await accountId("Enrich Me");
  const second = await accountId("Enrich Me Too");
  const domainless = await accountId("Domainless");
  try {
    await t.step("POST a function returning one composite row: an object, not an array", async () => {
      const { data, error, status } = await client.rpc("enqueue_enrichment", { account_id: first, priority: 5 });
      assert.equal(error, null);
      assert.equal(status, 200);
      assert.ok(!Array.isArray(data));
      const job = data as Job;
      assert.equal(job.workspace_id, workspaceId);
      assert.equal(job.job_type, "enrich_account");
      assert.equal(job.status, "pending");
      assert.equal(job.priority, 5);
      assert.deepEqual(job.payload, { account_id: first, domain: "enrich-me.com" });
      const [stored] = await fx.db`select job_type, created_by from public.jobs where id = ${job.id}`;
      assert.deepEqual({ ...stored }, { job_type: "enrich_account", created_by: fx.alice.id });
    });

    await t.step("the function's own errors: PT404 -> 404, P0001 -> 400, with their hints", async () => {
      const missing = await client.rpc("enqueue_enrichment", { account_id: crypto.randomUUID() });
      assert.equal(missing.status, 404);
      assert.equal(missing.error?.code, "PT404");
      assert.equal(missing.error?.message, "Account not found");
      assert.match(String(missing.error?.hint), /workspace you are not a member of/);

      const noDomain = await client.rpc("enqueue_enrichment", { account_id: domainless });
      assert.equal(noDomain.status, 400);
      assert.equal(noDomain.error?.code, "P0001");
      assert.equal(noDomain.error?.message, "This account has no domain");
      assert.match(String(noDomain.error?.hint), /add one/);

      const invalid = await client.rpc("enqueue_enrichment", { account_id: "not-a-uuid" });
      assert.equal(invalid.status, 400);
      assert.equal(invalid.error?.code, "22P02");
    });

    await t.step("setof function: an array, filterable, orderable, limitable, countable", async () => {
      const all = await client.rpc("enqueue_account_enrichments", { account_ids: [first, second, domainless] })
        .select("id,job_type,account_id:payload->>account_id").order("payload->>domain");
      assert.equal(all.error, null);
      const rows = all.data as Array<{ id: string; job_type: string; account_id: string }>;
      // Domainless is skipped: one active job per account with a domain.
      assert.deepEqual(rows.map((r) => r.job_type), ["enrich_account", "enrich_account"]);
      assert.deepEqual(new Set(rows.map((r) => r.account_id)), new Set([first, second]));

      const filtered = await client.rpc("enqueue_account_enrichments", { account_ids: [first, second] })
        .select("account_id:payload->>account_id").eq("payload->>account_id", second);
      assert.equal(filtered.error, null);
      assert.deepEqual(filtered.data, [{ account_id: second }]);

      const page = await client.rpc("enqueue_account_enrichments", { account_ids: [first, second] }, { count: "exact" })
        .select("job_type").order("created_at").limit(1);
      assert.equal(page.error, null);
      assert.equal(page.count, 2);
      assert.equal(page.status, 206);
      assert.deepEqual(page.data, [{ job_type: "enrich_account" }]);

      const none = await client.rpc("enqueue_account_enrichments", { account_ids: [] });
      assert.equal(none.error, null);
      assert.deepEqual(none.data, []);
    });

    await t.step(".single() on a function returning two rows: 406 PGRST116 and its writes rolled back", async () => {
      const [x] = await fx
        .db`insert into public.accounts (workspace_id, name, domain) values (${workspaceId}, 'Roll 1', 'roll-1.com') returning id`;
      const [y] = await fx
        .db`insert into public.accounts (workspace_id, name, domain) values (${workspaceId}, 'Roll 2', 'roll-2.com') returning id`;
      const before = await jobCount();
      const { error, status } = await client.rpc("enqueue_account_enrichments", { account_ids: [x.id, y.id] }).select(
        "id",
      ).single();
      assert.equal(status, 406);
      assert.equal(error?.code, "PGRST116");
      assert.equal(await jobCount(), before);
    });

    await t.step("GET (get: true) for a stable function, with arguments in the query string; HEAD", async () => {
      const service = serviceClient();
      const stats = await service.rpc("queue_stats", {}, { get: true });
      assert.equal(stats.error, null);
      for (const key of ["due", "pending", "processing", "failed_last_24h", "completed_last_24h"]) {
        assert.equal(typeof (stats.data as Record<string, unknown>)[key], "number", key);
      }
      const at = await service.rpc("queue_stats", { now: "2000-01-01T00:00:00Z" }, { get: true });
      assert.equal(at.error, null);
      assert.equal((at.data as { due: number }).due, 0);

      const head = await service.rpc("queue_stats", {}, { head: true });
      assert.equal(head.error, null);
      assert.equal(head.status, 200);
      assert.equal(head.data, null);
    });

    await t.step("GET of a volatile function is 405 and changes nothing", async () => {
      const before = await jobCount();
      const { error, status } = await client.rpc("enqueue_enrichment", { account_id: second }, { get: true });
      assert.equal(status, 405);
      assert.equal(error?.code, "PGRST101");
      assert.equal(await jobCount(), before);
    });

    await t.step("scalar return: the bare JSON value", async () => {
      const { data, error } = await serviceClient().rpc("retry_backoff_seconds", { attempt: 3, jitter: 0.5 });
      assert.equal(error, null);
      const [expected] = await fx.db`select public.retry_backoff_seconds(3, 0.5) as v`;
      assert.equal(typeof data, "number");
      assert.equal(data, Number(expected.v));
    });

    await t.step("cancel_job / retry_job: composite results and PT409", async () => {
      const future = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
      await registerTestJobType(fx.db, "rest_contract_test");
      const queued = await client.rpc("enqueue_job", {
        workspace_id: workspaceId,
        job_type: "rest_contract_test",
        payload: { note: "never due" },
        scheduled_for: future,
      });
      assert.equal(queued.error, null);
      const jobId = (queued.data as Job).id;
      assert.deepEqual((queued.data as Job).payload, { note: "never due" });

      const cancelled = await client.rpc("cancel_job", { job_id: jobId });
      assert.equal(cancelled.error, null);
      assert.equal((cancelled.data as Job).status, "cancelled");

      const again = await client.rpc("cancel_job", { job_id: jobId });
      assert.equal(again.status, 409);
      assert.equal(again.error?.code, "PT409");
      assert.equal(again.error?.message, "This job is cancelled and can no longer be cancelled");
      assert.equal(again.error?.hint, "Only pending or processing jobs can be cancelled.");

      const retried = await client.rpc("retry_job", { job_id: jobId });
      assert.equal(retried.error, null);
      assert.equal((retried.data as Job).status, "pending");
    });

    await t.step("members only: another workspace's jobs and accounts are not found", async () => {
      const bob = fx.bob.client;
      const notMine = await bob.rpc("enqueue_enrichment", { account_id: first });
      assert.equal(notMine.status, 404);
      assert.equal(notMine.error?.code, "PT404");
      const foreign = await bob.rpc("enqueue_job", { workspace_id: workspaceId, job_type: "sneaky" });
      assert.equal(foreign.status, 403);
      assert.equal(foreign.error?.code, "42501");
      const sneaky = await fx.db`select 1 from public.jobs where job_type = 'sneaky'`;
      assert.equal(sneaky.length, 0);
    });

    await t.step("worker-only functions are refused: 403 for users, 401 for anon", async () => {
      const asUser = await client.rpc("claim_jobs", { worker_id: "rest-test", max_jobs: 10 });
      assert.equal(asUser.status, 403);
      assert.equal(asUser.error?.code, "42501");
      assert.match(String(asUser.error?.message), /permission denied for function claim_jobs/);
      const asAnon = await anonClient().rpc("claim_jobs", { worker_id: "rest-test" });
      assert.equal(asAnon.status, 401);
      assert.equal(asAnon.error?.code, "42501");
      const complete = await client.rpc("complete_job", { job_id: crypto.randomUUID(), worker_id: "x" });
      assert.equal(complete.status, 403);
      const claimed = await fx.db`select 1 from public.jobs where locked_by = 'rest-test'`;
      assert.equal(claimed.length, 0);
    });

    await t.step("unknown function or arguments: 404 PGRST202 with a hint", async () => {
      const misses = [
        { fn: "enqueue_enrichmnt", args: { account_id: first }, hint: "public.enqueue_enrichment" },
        { fn: "enqueue_enrichment", args: { account: first }, hint: "public.enqueue_enrichment(account_id, priority)" },
      ];
      for (const miss of misses) {
        const { status, error } = await client.rpc(miss.fn, miss.args);
        assert.equal(status, 404, miss.fn);
        assert.equal(error?.code, "PGRST202");
        assert.equal(
          error?.message,
          `Could not find the function public.${miss.fn}(${Object.keys(miss.args)}) in the schema cache`,
        );
        assert.equal(error?.hint, `Perhaps you meant to call the function ${miss.hint}`);
      }

      const privateFn = await client.rpc("is_member", { workspace_id: workspaceId });
      assert.equal(privateFn.error?.code, "PGRST202");

      const patch = await rest("/rpc/enqueue_enrichment", { method: "PATCH", token: fx.alice.token, body: "{}" });
      assert.equal(patch.status, 405);
    });
  } finally {
    await fx.cleanup();
  }
});
