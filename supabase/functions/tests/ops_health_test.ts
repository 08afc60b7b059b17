// The alerting hook: the worker's health check turns degraded (HTTP 503, with the reasons) when
// jobs stay due longer than alert_due_after_seconds or the last alert_failed_calls worker calls
// failed, and the reaper records the episode in ops.alerts. Also the health body's configuration
// part and the worker-token rotation (unit tests, no stack needed).
import assert from "node:assert/strict";
import { DEVELOPMENT_TOKEN, loadConfig } from "../job-worker/config.ts";
import {
  configurationAlerts,
  configurationWarnings,
  keyState,
  readConfiguration,
  verdict,
} from "../job-worker/health-report.ts";
import { isAuthorizedDuringRotation, previousToken } from "../job-worker/token-rotation.ts";
import { invokeWorkerAndWait, withSettings, withVaultSecrets, workerHealth } from "./helpers/ops.ts";
import { integration, sql, testEnv, testJobType, withWorkspace, WORKER_URL } from "./helpers/stack.ts";

const env = (values: Record<string, string>) => ({ get: (k: string) => values[k] });
const STRONG = "a".repeat(32);
const OLD_STRONG = "b".repeat(32);
const KEY = btoa(String.fromCharCode(...new Uint8Array(32)));

Deno.test("the encryption key's state: set (32 bytes base64), missing or invalid", () => {
  assert.equal(keyState(KEY), "set");
  assert.equal(keyState(undefined), "missing");
  assert.equal(keyState("  "), "missing");
  assert.equal(keyState(btoa("too short")), "invalid");
  assert.equal(keyState("not base64 at all!"), "invalid");
});

Deno.test("configuration: a missing or invalid encryption key degrades; mock and rotations are warnings", () => {
  const ok = readConfiguration(env({ APOLLO_KEY_ENCRYPTION_KEY: KEY }), false);
  assert.deepEqual(configurationAlerts(ok), []);
  assert.deepEqual(configurationWarnings(ok, "production"), []);

  const missing = readConfiguration(env({}), false);
  assert.equal(configurationAlerts(missing)[0].kind, "encryption_key_missing");
  assert.match(configurationAlerts(missing)[0].message, /supabase secrets set APOLLO_KEY_ENCRYPTION_KEY/);
  assert.equal(
    configurationAlerts(readConfiguration(env({ APOLLO_KEY_ENCRYPTION_KEY: "xyz" }), false))[0].kind,
    "encryption_key_invalid",
  );

  const rotating = readConfiguration(
    env({ APOLLO_KEY_ENCRYPTION_KEY: KEY, APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS: KEY, USE_MOCK_APOLLO: "true" }),
    true,
  );
  assert.deepEqual(rotating, {
    apollo_key_encryption_key: "set",
    apollo_key_rotation: true,
    mock_apollo: true,
    worker_token_rotation: true,
  });
  const warnings = configurationWarnings(rotating, "production");
  assert.equal(warnings.length, 3);
  assert.match(warnings[0], /USE_MOCK_APOLLO/);
  assert.equal(configurationWarnings(rotating, "development").length, 2, "the mock is expected in development");

  assert.deepEqual(verdict([]), { status: "healthy", reasons: [] });
  assert.deepEqual(verdict(configurationAlerts(missing)).status, "degraded");
});

Deno.test("token rotation: WORKER_SECRET_TOKEN_PREVIOUS is accepted too, unless weak in production", () => {
  const req = (token: string) => new Request("http://x/job-worker", { headers: { authorization: `Bearer ${token}` } });
  const prod = loadConfig(env({ WORKER_SECRET_TOKEN: STRONG, ENVIRONMENT: "production" }));
  const rotation = env({ WORKER_SECRET_TOKEN_PREVIOUS: OLD_STRONG });
  assert.equal(previousToken(prod, rotation), OLD_STRONG);
  assert.equal(isAuthorizedDuringRotation(req(STRONG), prod, rotation), true, "the new token");
  assert.equal(isAuthorizedDuringRotation(req(OLD_STRONG), prod, rotation), true, "the old one, during the rotation");
  assert.equal(isAuthorizedDuringRotation(req(OLD_STRONG), prod, env({})), false, "the old one, once it is unset");
  assert.equal(isAuthorizedDuringRotation(req("wrong"), prod, rotation), false);

  const weak = env({ WORKER_SECRET_TOKEN_PREVIOUS: DEVELOPMENT_TOKEN });
  assert.equal(previousToken(prod, weak), undefined, "production never accepts the development token");
  assert.equal(isAuthorizedDuringRotation(req(DEVELOPMENT_TOKEN), prod, weak), false);
  assert.equal(previousToken(prod, env({ WORKER_SECRET_TOKEN_PREVIOUS: "short-token" })), undefined);
  assert.equal(
    previousToken(prod, env({ WORKER_SECRET_TOKEN_PREVIOUS: STRONG })),
    undefined,
    "the same as the current one is no rotation",
  );

  const dev = loadConfig(env({ WORKER_SECRET_TOKEN: DEVELOPMENT_TOKEN }));
  assert.equal(
    previousToken(dev, env({ WORKER_SECRET_TOKEN_PREVIOUS: "old-dev" })),
    "old-dev",
    "development accepts any previous token",
  );
});

integration("health: healthy with the headline numbers, configuration and no alerts", async () => {
  await invokeWorkerAndWait("ops-test");
  const { status, body } = await workerHealth(testEnv.WORKER_SECRET_TOKEN, WORKER_URL);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.status, "healthy");
  assert.deepEqual(body.alerts, []);
  assert.equal(body.reasons, undefined);
  assert.equal(body.configuration.apollo_key_encryption_key, "set");
  assert.deepEqual(body.operations.thresholds, { alert_due_after_seconds: 300, alert_failed_calls: 3 });
  assert.equal(typeof body.operations.oldest_due_age_seconds, "number");
  assert.equal(typeof body.operations.last_24h.completed, "number");
  assert.equal(body.operations.last_worker_call.status_code, 200);
  assert.equal(body.operations.last_worker_call.outcome, "ok");
});

integration(
  "the last 3 worker calls failing (wrong Vault token) -> degraded 503, and the reaper records it",
  async () => {
    await withVaultSecrets({ worker_secret_token: "not-the-worker-token" }, async () => {
      const calls = await invokeWorkerAndWait("ops-test", 3);
      assert.deepEqual(calls.map((c) => c.status_code), [401, 401, 401]);
      const { status, body } = await workerHealth(testEnv.WORKER_SECRET_TOKEN, WORKER_URL);
      assert.equal(status, 503, "an uptime monitor sees a non-2xx status");
      assert.equal(body.status, "degraded");
      assert.equal(body.alerts[0].kind, "worker_calls_failing");
      assert.match(
        body.reasons[0],
        /The last 3 worker call\(s\) failed \(latest: 401 .*worker_secret_token is not the function's WORKER_SECRET_TOKEN/,
      );
      assert.equal(body.queue !== undefined && body.operations !== undefined, true, "the numbers are still there");

      await sql`select public.reap_expired_leases()`;
      const [open] = await sql<{ message: string; resolved_at: Date | null }[]>`
      select message, resolved_at from ops.alerts where kind = 'worker_calls_failing' and resolved_at is null`;
      assert.ok(open, "the reaper opened an alert in ops.alerts");
      assert.match(open.message, /401/);
    });
    // Back to the right token: one good call clears it.
    const [call] = await invokeWorkerAndWait("ops-test");
    assert.equal(call.status_code, 200);
    const { status, body } = await workerHealth(testEnv.WORKER_SECRET_TOKEN, WORKER_URL);
    assert.equal(status, 200, JSON.stringify(body.reasons));
    await sql`select public.reap_expired_leases()`;
    const open = await sql`select 1 from ops.alerts where kind = 'worker_calls_failing' and resolved_at is null`;
    assert.equal(open.length, 0, "the reaper resolved the alert");
    const [resolved] = await sql<{ resolved_at: Date }[]>`
    select resolved_at from ops.alerts where kind = 'worker_calls_failing' order by id desc limit 1`;
    assert.ok(resolved.resolved_at instanceof Date);
  },
);

integration("a job due for longer than alert_due_after_seconds -> degraded; the threshold is a setting", async () => {
  await withWorkspace("ops health test", async (ws) => {
    // No processor handles this type, so no worker will ever take it: a stuck queue.
    await testJobType("ops_test_stuck");
    const [job] = await sql<{ id: string }[]>`
      insert into public.jobs (workspace_id, job_type, scheduled_for)
      values (${ws.id}, 'ops_test_stuck', now() - interval '10 minutes') returning id`;
    const degraded = await workerHealth(testEnv.WORKER_SECRET_TOKEN, WORKER_URL);
    assert.equal(degraded.status, 503);
    assert.equal(degraded.body.status, "degraded");
    const overdue = degraded.body.alerts.find((a: { kind: string }) => a.kind === "jobs_overdue");
    assert.ok(overdue, JSON.stringify(degraded.body.alerts));
    assert.match(overdue.message, /have been due for more than 300 s/);
    assert.ok(degraded.body.operations.oldest_due_age_seconds >= 600);

    await sql`select public.reap_expired_leases()`;
    const [open] = await sql<{ details: { jobs: number } }[]>`
      select details from ops.alerts where kind = 'jobs_overdue' and resolved_at is null`;
    assert.ok(open && open.details.jobs >= 1, "the reaper opened a jobs_overdue alert");

    await withSettings({ alert_due_after_seconds: "3600" }, async () => {
      const relaxed = await workerHealth(testEnv.WORKER_SECRET_TOKEN, WORKER_URL);
      assert.equal(relaxed.body.operations.thresholds.alert_due_after_seconds, 3600);
      assert.equal(relaxed.body.alerts.some((a: { kind: string }) => a.kind === "jobs_overdue"), false);
    });
    await sql`delete from public.jobs where id = ${job.id}`;
  });
  const healthy = await workerHealth(testEnv.WORKER_SECRET_TOKEN, WORKER_URL);
  assert.equal(healthy.status, 200, JSON.stringify(healthy.body.reasons));
  await sql`select public.reap_expired_leases()`;
  const open = await sql`select 1 from ops.alerts where kind = 'jobs_overdue' and resolved_at is null`;
  assert.equal(open.length, 0, "resolved once the job is gone");
});
