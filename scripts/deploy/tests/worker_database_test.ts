// How the worker connects, as its health check reports it and verify:deploy judges it: through the
// transaction pooler (DB_POOLER_URL, port 6543 on hosted) passes; a direct connection, or a pooler
// URL on another port (the session pooler), warns with the command that fixes it. No stack needed.
import assert from "node:assert/strict";
import { judgeWorkerDatabase } from "../checks/worker-database.ts";
import {
  dbSettings,
  DEFAULT_POOL_SIZE,
  describeConnection,
  poolOptions,
} from "../../../supabase/functions/_shared/db.ts";
import { loadConfig } from "../../../supabase/functions/job-worker/config.ts";
import { databaseReport } from "../../../supabase/functions/job-worker/health.ts";

const HOSTED = "https://abcdefghijklmnopqrst.supabase.co";
const DIRECT = "postgresql://postgres:pw@db.abcdefghijklmnopqrst.supabase.co:5432/postgres";
const POOLER = "postgresql://postgres.abcdefghijklmnopqrst:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres";
const env = (values: Record<string, string>) =>
  new Map(Object.entries({ WORKER_SECRET_TOKEN: "t".repeat(32), ...values }));

Deno.test("DB_POOLER_URL wins over SUPABASE_DB_URL; DB_POOL_SIZE defaults small; statements are never prepared", () => {
  assert.equal(DEFAULT_POOL_SIZE, 3);
  assert.deepEqual(dbSettings(env({ SUPABASE_DB_URL: DIRECT })), { url: DIRECT, pooled: false, poolSize: 3 });
  assert.deepEqual(
    dbSettings(env({ SUPABASE_DB_URL: DIRECT, DB_POOLER_URL: POOLER, DB_POOL_SIZE: "2" })),
    { url: POOLER, pooled: true, poolSize: 2 },
  );
  // the setting decides, not the port: a pooler on another port is still the pooler
  assert.equal(dbSettings(env({ DB_POOLER_URL: "postgresql://postgres:pw@127.0.0.1:54329/postgres" })).pooled, true);
  assert.equal(dbSettings(env({ SUPABASE_DB_URL: POOLER })).pooled, false);
  assert.throws(
    () => dbSettings(env({ SUPABASE_DB_URL: DIRECT, DB_POOL_SIZE: "0" })),
    /DB_POOL_SIZE must be an integer between 1 and 20, got "0"/,
  );
  assert.throws(() => dbSettings(env({})), /SUPABASE_DB_URL is not set/);
  assert.deepEqual(describeConnection(dbSettings(env({ DB_POOLER_URL: POOLER }))), {
    connection: "pooler",
    port: 6543,
    pool_size: 3,
  });
  // Not on the pooler (they do not outlive a transaction there), and not directly either: on the
  // Edge Runtime's Deno postgres.js's prepared-statement path crashed the worker under load.
  for (const values of [{ DB_POOLER_URL: POOLER }, { SUPABASE_DB_URL: DIRECT }] as Record<string, string>[]) {
    const settings = dbSettings(env(values));
    assert.equal(poolOptions(settings).prepare, false, JSON.stringify(values));
    assert.equal(poolOptions(settings).max, settings.poolSize);
  }
});

/** The health check's report of a worker with DB_POOL_SIZE 3 and 4 invocations at most, connected so. */
const healthReport = (connection: "pooler" | "direct", port: number) => ({
  connection,
  port,
  pool_size: 3,
  max_invocations: 4,
  max_clients: 12,
});

Deno.test("the health check's budget: invocations at once x DB_POOL_SIZE, and never the URL", () => {
  const values = { DB_POOLER_URL: POOLER, MAX_CONCURRENT: "5", MAX_GLOBAL_CONCURRENCY: "20" };
  const report = databaseReport(loadConfig(env(values)), env(values));
  assert.deepEqual(report, healthReport("pooler", 6543));
  assert.ok(!JSON.stringify(report).includes("pw"), "no password in the health body");
  const bad = databaseReport(loadConfig(env({})), env({ DB_POOLER_URL: POOLER, DB_POOL_SIZE: "lots" }));
  assert.match(String((bad as { error: string }).error), /DB_POOL_SIZE must be an integer/);
});

Deno.test("verify:deploy: the pooler passes, a direct connection or the session port warns, a bad setting fails", () => {
  const pooled = judgeWorkerDatabase(healthReport("pooler", 6543), HOSTED);
  assert.equal(pooled.status, "PASS");
  assert.equal(
    pooled.summary,
    "through the transaction pooler (port 6543): at most 4 invocations x DB_POOL_SIZE 3 = 12 connections (pooler clients)",
  );

  const direct = judgeWorkerDatabase(healthReport("direct", 5432), HOSTED);
  assert.equal(direct.status, "WARN");
  assert.match(
    direct.summary,
    /connects directly \(SUPABASE_DB_URL, port 5432\).*supabase secrets set DB_POOLER_URL='postgresql:\/\/postgres\.<project-ref>:<password>@aws-0-<region>\.pooler\.supabase\.com:6543\/postgres'/,
  );

  const session = judgeWorkerDatabase(healthReport("pooler", 5432), HOSTED);
  assert.equal(session.status, "WARN");
  assert.match(session.summary, /DB_POOLER_URL points at port 5432, not the transaction pooler's 6543/);

  // the local stack's pooler listens on its own port
  const local = judgeWorkerDatabase(healthReport("pooler", 55329), "http://127.0.0.1:55321");
  assert.equal(local.status, "PASS");

  assert.equal(judgeWorkerDatabase(undefined, HOSTED).status, "WARN");
  assert.match(judgeWorkerDatabase(undefined, HOSTED).summary, /deploy the current job-worker/);
  const broken = judgeWorkerDatabase({ error: 'DB_POOL_SIZE must be an integer between 1 and 20, got "lots"' }, HOSTED);
  assert.equal(broken.status, "FAIL");
  assert.match(broken.summary, /DB_POOL_SIZE must be an integer/);
});
