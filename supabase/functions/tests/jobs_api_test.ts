// The jobs function (spec test 8's POST /api/jobs): validation, membership, 201 with the job.
import assert from "node:assert/strict";
import {
  callFunction, createAccount, finished, integration, signIn, sql, testEnv, waitForJob, withUser,
} from "./helpers/stack.ts";
import { withSettings } from "./helpers/ops.ts";

const DEMO_WS = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const jobCount = async (ws: string) => Number((await sql`select count(*) from public.jobs where workspace_id = ${ws}`)[0].count);

integration("POST /jobs queues a job for a member and answers 201 with it", async () => {
  await withUser("jobs-api", async (user) => {
    const accountId = await createAccount(user.workspaceId, "airtable.com");
    const { status, body } = await callFunction("jobs", {
      token: user.token,
      body: { workspace_id: user.workspaceId, job_type: "enrich_account", payload: { account_id: accountId, domain: "airtable.com" } },
    });
    assert.equal(status, 201, JSON.stringify(body));
    const jobBody = body as Record<string, unknown>;
    assert.match(String(jobBody.id), /^[0-9a-f-]{36}$/);
    assert.equal(jobBody.job_type, "enrich_account");
    assert.equal(jobBody.workspace_id, user.workspaceId);
    assert.equal((jobBody.payload as Record<string, unknown>).account_id, accountId);
    assert.equal(jobBody.created_by, user.userId);
  });
});

integration("bad input is a 400 naming the field, and nothing is queued", async () => {
  await withUser("jobs-bad", async (user) => {
    const before = await jobCount(user.workspaceId);
    const cases: Array<[unknown, RegExp]> = [
      [{ workspace_id: user.workspaceId, job_type: "enrich_account", payload: { account_id: "account-1", domain: "example1.com" } }, /account_id/],
      [{ workspace_id: user.workspaceId, job_type: "mine_bitcoin", payload: {} }, /job_type/],
      [{ workspace_id: "not-a-uuid", job_type: "enrich_account", payload: {} }, /workspace_id/],
      [{ job_type: "enrich_account" }, /workspace_id|payload/],
      [[1, 2, 3], /Invalid request/],
    ];
    for (const [requestBody, field] of cases) {
      const { status, body } = await callFunction("jobs", { token: user.token, body: requestBody });
      assert.equal(status, 400, JSON.stringify(requestBody));
      assert.match((body as { error: string }).error, field);
    }
    assert.equal(await jobCount(user.workspaceId), before);
  });
});

integration("a non-member gets 403, an unknown account 422, and nothing is queued", async () => {
  await withUser("jobs-stranger", async (user) => {
    const [demoAccount] = await sql`select id from public.accounts where workspace_id = ${DEMO_WS} limit 1`;
    const before = await jobCount(DEMO_WS);
    const stranger = await callFunction("jobs", {
      token: user.token,
      body: { workspace_id: DEMO_WS, job_type: "enrich_account", payload: { account_id: demoAccount.id } },
    });
    assert.equal(stranger.status, 403);
    assert.match((stranger.body as { error: string }).error, /not a member/);
    assert.equal(await jobCount(DEMO_WS), before);

    const unknown = await callFunction("jobs", {
      token: user.token,
      body: { workspace_id: user.workspaceId, job_type: "enrich_account", payload: { account_id: demoAccount.id } },
    });
    assert.equal(unknown.status, 422, "another workspace's account is not found in yours");
    assert.equal(await jobCount(user.workspaceId), 0);
  });
});

integration("without a valid session the jobs API answers 401", async () => {
  const noToken = await callFunction("jobs", { body: {} });
  assert.equal(noToken.status, 401);
  const forged = await callFunction("jobs", { token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad", body: {} });
  assert.equal(forged.status, 401);
  const demo = await signIn();
  const wrongType = await fetch(`${testEnv.API_URL}/functions/v1/jobs`, {
    method: "POST",
    headers: { authorization: `Bearer ${demo}`, "content-type": "text/plain" },
    body: "hello",
  });
  assert.equal(wrongType.status, 415);
  assert.match((await wrongType.json()).error, /JSON/);
});

integration("over a queue quota the jobs API answers 429 with the database's words, not a 500", async () => {
  await withUser("jobs-quota", async (user) => {
    const first = await createAccount(user.workspaceId, "quota-one.test");
    const second = await createAccount(user.workspaceId, "quota-two.test");
    const queue = (accountId: string) =>
      callFunction("jobs", {
        token: user.token,
        body: { workspace_id: user.workspaceId, job_type: "enrich_account", payload: { account_id: accountId } },
      });
    await withSettings({ max_enqueues_per_workspace_minute: "1" }, async () => {
      const queued = await queue(first);
      assert.equal(queued.status, 201);
      const over = await queue(second);
      assert.equal(over.status, 429, JSON.stringify(over.body));
      const body = over.body as { error: string; details?: { hint?: string } };
      assert.match(body.error, /Too many requests to queue jobs in this workspace: at most 1 per minute/);
      assert.match(body.details?.hint ?? "", /Try again in \d+ s/);
      // the first job ends at once (this workspace has no Apollo key); then the workspace can go
      await waitForJob((queued.body as { id: string }).id, finished);
    });
    assert.equal(await jobCount(user.workspaceId), 1, "the refused job was not queued");
  });
});
