// In production the testing guide's shortcuts are refused: saving or testing the test key is a 422,
// a job whose workspace stored the test key fails at once (no retry can fix it), and
// USE_MOCK_APOLLO=true is ignored (the health check warns about it; see environment_test.ts).
// Outside production the flag is read the same way by the worker, the client factory and the
// health check. The functions' code runs in this process with the environment each test chooses,
// against the real stack.
import assert from "node:assert/strict";
import { MOCK_API_KEY, MockApolloClient } from "../_shared/apollo/index.ts";
import { handler as apolloSettings } from "../apollo-settings/handler.ts";
import { loadConfig, newWorkerId } from "../job-worker/config.ts";
import { readConfiguration } from "../job-worker/health-report.ts";
import { apolloClient, NOT_CONFIGURED, workspaceApiKey } from "../job-worker/processors/workspace-apollo.ts";
import { runBatch } from "../job-worker/runner.ts";
import { closeFunctionDb, withFunctionEnv } from "./helpers/in-process.ts";
import {
  createAccount, createWorkspace, fakeApollo, integration, job, setApolloKey, sql, withCronPaused, withUser,
  withWorkspace,
} from "./helpers/stack.ts";

const TEST_KEY_REFUSED = "The test key cannot be used in production: save your real Apollo API key";

async function call(path: string, token: string, body: unknown) {
  const response = await apolloSettings(
    new Request(`http://functions.local/${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
  return { status: response.status, body: await response.json() };
}

integration("production: saving or testing the test key is a 422 that says to save the real key", async () => {
  await withUser("prod-test-key", async (owner) => {
    const ws = owner.workspaceId;
    await withFunctionEnv({ ENVIRONMENT: "production" }, async () => {
      const save = await call("apollo-settings", owner.token, { workspace_id: ws, api_key: MOCK_API_KEY });
      assert.deepEqual(save, { status: 422, body: { error: TEST_KEY_REFUSED } });
      const [row] = await sql`select apollo_api_key_encrypted from public.workspace_settings where workspace_id = ${ws}`;
      assert.equal(row.apollo_api_key_encrypted, null, "nothing was stored");

      const typed = await call("apollo-settings/test", owner.token, { workspace_id: ws, api_key: MOCK_API_KEY });
      assert.deepEqual(typed, { status: 422, body: { error: TEST_KEY_REFUSED } });

      // Saved before the project went live: testing it says the same.
      await setApolloKey(ws, MOCK_API_KEY);
      const stored = await call("apollo-settings/test", owner.token, { workspace_id: ws });
      assert.deepEqual(stored, { status: 422, body: { error: TEST_KEY_REFUSED } });

      // A real key is saved (checked against the fake Apollo), replacing it.
      const real = await call("apollo-settings", owner.token, { workspace_id: ws, api_key: "live-key-prod-7777" });
      assert.equal(real.status, 200, JSON.stringify(real.body));
      assert.equal(real.body.settings.apollo_api_key_last4, "7777");
    });
    // Outside production the test key is still welcome.
    await withFunctionEnv({ ENVIRONMENT: "development" }, async () => {
      const save = await call("apollo-settings", owner.token, { workspace_id: ws, api_key: MOCK_API_KEY });
      assert.equal(save.status, 200, JSON.stringify(save.body));
    });
  });
});

integration("production: a stored test key fails its job at once; USE_MOCK_APOLLO=true is ignored", async () => {
  await fakeApollo.reset();
  const testKey = await createWorkspace("Prod: test key stored", MOCK_API_KEY);
  const noKey = await createWorkspace("Prod: no key");
  const realKey = await createWorkspace("Prod: real key", "live-key-prod-2468");
  try {
    await withCronPaused(async () => {
      // Queued for later (nothing wakes the stack's own worker), then made due for this worker only.
      const jobIds: string[] = [];
      for (const ws of [testKey, noKey, realKey]) {
        const accountId = await createAccount(ws.id, "stripe.com", "Stripe");
        const [{ id }] = await sql<{ id: string }[]>`
          insert into public.jobs (workspace_id, job_type, payload, scheduled_for)
          values (${ws.id}, 'enrich_account', ${sql.json({ account_id: accountId })}, now() + interval '1 hour')
          returning id`;
        jobIds.push(id);
      }
      await sql`update public.jobs set scheduled_for = now() where id = any(${jobIds}::uuid[])`;

      await withFunctionEnv({ ENVIRONMENT: "production", USE_MOCK_APOLLO: "true" }, async () => {
        const config = loadConfig(new Map([["ENVIRONMENT", "production"], ["WORKER_SECRET_TOKEN", "p".repeat(32)]]));
        assert.equal(config.env, "production");
        await runBatch({ ...config, timeBudgetMs: 10_000 }, newWorkerId(config));
      });

      const [refused, missing, real] = await Promise.all(jobIds.map(job));
      assert.equal(refused.status, "failed", JSON.stringify(refused));
      assert.equal(refused.attempts, 1, "not retried");
      assert.equal(
        refused.error_message,
        `${TEST_KEY_REFUSED} in Settings → API, then retry the job.`,
      );
      assert.equal(refused.errors.at(-1)?.retryable, false);

      assert.equal(missing.status, "failed", "USE_MOCK_APOLLO does not stand in for a missing key in production");
      assert.match(missing.error_message ?? "", new RegExp(`^${NOT_CONFIGURED}`));

      assert.equal(real.status, "completed", JSON.stringify(real));
      assert.notEqual(real.result?.apollo_organization_id, "mock-org-123", "the real client answered, not the mock");
      const calls = await fakeApollo.requests({ domain: "stripe.com" });
      assert.equal(calls.length, 1, "Apollo was called once: for the workspace with a real key");
    });
  } finally {
    await testKey.cleanup();
    await noKey.cleanup();
    await realKey.cleanup();
  }
});

integration("development: USE_MOCK_APOLLO=TRUE lets a workspace without a key use the mock, as the health check says", async () => {
  await withWorkspace("Dev: no key, mock flag in capitals", async (ws) => {
    await withFunctionEnv({ ENVIRONMENT: "development", USE_MOCK_APOLLO: "TRUE" }, async () => {
      assert.equal(readConfiguration(Deno.env, false).mock_apollo, true, "the health check reports the mock");
      const key = await workspaceApiKey(sql, ws.id);
      assert.equal(key, null, "so the worker uses it");
      assert.ok(apolloClient(key) instanceof MockApolloClient);
    });
  });
});

integration("production guards: close the in-process database pool", async () => {
  await closeFunctionDb();
});
