// The stack's transaction pooler (scripts/stack/pooler.ts), the stand-in for Supavisor's port 6543
// that the functions connect through: transaction mode with config.toml's pool settings, the
// stack's roles log in with their passwords, and no session state survives a transaction, so code
// that relies on it fails here. What the functions need (set_config(..., true) inside a transaction,
// statements that are not prepared) works.
import assert from "node:assert/strict";
import postgres from "postgres";
import { poolOptions } from "../../../supabase/functions/_shared/db.ts";
import { poolerSettings, showPooler } from "../pooler.ts";
import { testConfig, testEnv } from "../../test/env.ts";

/** A client of the pooler, like a function's (prepared statements off unless asked). */
function pooled(options: { prepare?: boolean; url?: string } = {}) {
  return postgres(options.url ?? testEnv.POOLER_URL, {
    max: 1,
    prepare: options.prepare ?? false,
    idle_timeout: 1,
    onnotice: () => {},
    connection: { application_name: "pooler-contract-test" },
  });
}

async function withPooled<T>(fn: (sql: postgres.Sql) => Promise<T>, options: { prepare?: boolean } = {}): Promise<T> {
  const sql = pooled(options);
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 2 });
  }
}

Deno.test("stack:status prints POOLER_URL; the pooler runs in transaction mode with config.toml's pool settings", async () => {
  assert.equal(testEnv.POOLER_URL, testConfig.poolerUrl);
  assert.notEqual(new URL(testEnv.POOLER_URL).port, new URL(testEnv.DB_URL).port);
  const settings = poolerSettings();
  assert.equal(settings.pool_mode, "transaction");
  const config = Object.fromEntries((await showPooler(testConfig, "CONFIG")).map((r) => [r.key, r.value]));
  assert.equal(config.pool_mode, "transaction");
  assert.equal(Number(config.default_pool_size), settings.default_pool_size);
  assert.equal(Number(config.max_client_conn), settings.max_client_conn);
  assert.equal(config.server_reset_query_always, "1");
});

Deno.test("the stack's roles log in through the pooler with their passwords; a wrong password is refused", async () => {
  await withPooled(async (sql) => {
    const [row] = await sql<{ user: string; pooled: boolean }[]>`
      select current_user as user, inet_server_port() = ${Number(new URL(testEnv.DB_URL).port)} as pooled`;
    assert.deepEqual({ ...row }, { user: "postgres", pooled: true });
  });
  // a role not in the pooler's user list: looked up in the database (auth_query), as Supavisor does
  const authenticator = new URL(testEnv.POOLER_URL);
  authenticator.username = "authenticator";
  const other = pooled({ url: authenticator.href });
  try {
    const [{ user }] = await other<{ user: string }[]>`select current_user as user`;
    assert.equal(user, "authenticator");
  } finally {
    await other.end({ timeout: 2 });
  }
  const wrong = new URL(testEnv.POOLER_URL);
  wrong.password = "not-the-password";
  const refused = pooled({ url: wrong.href });
  try {
    await assert.rejects(refused`select 1`, /password authentication failed|SASL authentication failed/);
  } finally {
    await refused.end({ timeout: 2 });
  }
});

Deno.test("session state does not survive a transaction: SET, LISTEN and session advisory locks are gone", async () => {
  await withPooled(async (sql) => {
    await sql`set statement_timeout = '4321ms'`;
    const [{ statement_timeout }] = await sql`show statement_timeout`;
    assert.notEqual(statement_timeout, "4321ms", "a SET outside a transaction is not kept");

    await sql`listen pooler_contract_test`;
    const [{ channels }] = await sql`select array(select pg_listening_channels()) as channels`;
    assert.deepEqual(channels ?? [], [], "LISTEN does not outlive its transaction");

    await sql`select pg_advisory_lock(20261205)`;
    const [{ held }] = await sql<{ held: boolean }[]>`
      select exists (select from pg_locks where locktype = 'advisory' and objid = 20261205 and granted) as held`;
    assert.equal(held, false, "a session advisory lock is released when its transaction ends");
  });
});

Deno.test("a prepared statement does not survive its transaction: a transaction that reuses one fails", async () => {
  await withPooled(async (sql) => {
    await sql`select ${1}::int as n`; // prepared, in a transaction of its own
    // Outside a transaction postgres.js prepares it again when the server says it is gone; inside
    // one the transaction is already aborted by then.
    await assert.rejects(
      sql.begin((tx) => tx`select ${2}::int as n`),
      (error: { code?: string }) => error.code === "26000",
      "26000 prepared statement does not exist",
    );
  }, { prepare: true });
  await withPooled(async (sql) => {
    await sql`select ${1}::int as n`;
    const [{ n }] = await sql.begin((tx) => tx`select ${2}::int as n`);
    assert.equal(n, 2, "without prepared statements, as the functions connect");
  });
});

Deno.test("what the functions do works: transaction-local settings (asUser) and transaction advisory locks", async () => {
  await withPooled(async (sql) => {
    const claims = JSON.stringify({ sub: "11111111-1111-4111-8111-111111111111", role: "authenticated" });
    const seen = await sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
      const [row] = await tx<{ role: string; uid: string }[]>`select current_user as role, auth.uid()::text as uid`;
      const [{ locked }] = await tx<{ locked: boolean }[]>`select pg_try_advisory_xact_lock(20261206) as locked`;
      return { ...row, locked };
    });
    assert.deepEqual(seen, { role: "authenticated", uid: "11111111-1111-4111-8111-111111111111", locked: true });
    const [after] = await sql<{ role: string; claims: string | null }[]>`
      select current_user as role, nullif(current_setting('request.jwt.claims', true), '') as claims`;
    assert.deepEqual({ ...after }, { role: "postgres", claims: null }, "nothing leaks to the next transaction");
  });
});

Deno.test("the functions' pool options: 24 queries at once on 3 connections are all answered (no pipelining)", async () => {
  // postgres.js pipelines by default, and through a transaction-mode pooler the queries written
  // behind a busy one never get an answer (porsager/postgres#970): with max_pipeline 100 this hangs.
  const sql = postgres(testEnv.POOLER_URL, {
    ...poolOptions({ url: testEnv.POOLER_URL, pooled: true, poolSize: 3 }),
    idle_timeout: 1,
  });
  try {
    for (let round = 0; round < 10; round++) {
      const queries = Array.from({ length: 24 }, (_, i) =>
        i % 3 === 0
          ? sql`select pg_sleep(0.01), ${i}::int as x`
          : i % 3 === 1
          ? sql`select ${sql.json({ i })}::jsonb as j`
          : sql`select 1 as x`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const answered = await Promise.race([
        Promise.all(queries).then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5_000))),
      ]);
      clearTimeout(timer);
      assert.ok(answered, `round ${round}: queries still unanswered after 5 s`);
    }
  } finally {
    await sql.end({ timeout: 1 });
  }
});
