// The API roles' timeouts through /rest/v1, as on a hosted project: anon's statement_timeout is
// 3 s, authenticated's 8 s, and authenticator's (which service_role falls back to) 8 s with a
// lock_timeout of 8 s. PostgREST applies the switched-to role's settings to each request (SET ROLE
// alone would not), and a function's own statement_timeout before calling it; a statement over its
// limit is cancelled and answered as PostgREST answers SQLSTATE 57014: HTTP 500 with the error.
// Probe functions are created for the test and dropped after it.
import assert from "node:assert/strict";
import { adminDb, anonClient, createFixture, serviceClient } from "./rest_helpers.ts";

const PROBES = `
  create function public.stack_test_role_settings() returns jsonb
  language sql stable set search_path = '' as $$
    select jsonb_build_object('role', current_user, 'statement_timeout', current_setting('statement_timeout'),
                              'lock_timeout', current_setting('lock_timeout'))
  $$;
  create function public.stack_test_sleep(seconds double precision) returns double precision
  language sql volatile set search_path = '' as $$
    select stack_test_sleep.seconds from pg_catalog.pg_sleep(stack_test_sleep.seconds)
  $$;
  create function public.stack_test_sleep_allowed_5s(seconds double precision) returns double precision
  language sql volatile set search_path = '' set statement_timeout = '5s' as $$
    select stack_test_sleep_allowed_5s.seconds from pg_catalog.pg_sleep(stack_test_sleep_allowed_5s.seconds)
  $$;
  grant execute on function public.stack_test_role_settings(), public.stack_test_sleep(double precision),
    public.stack_test_sleep_allowed_5s(double precision) to anon, authenticated, service_role;`;

const DROP_PROBES = `
  drop function if exists public.stack_test_role_settings();
  drop function if exists public.stack_test_sleep(double precision);
  drop function if exists public.stack_test_sleep_allowed_5s(double precision);`;

Deno.test("rest: the API roles' settings (statement_timeout, lock_timeout) apply per request", async (t) => {
  const db = adminDb();
  await db.unsafe(DROP_PROBES);
  await db.unsafe(PROBES);
  const fx = await createFixture();
  try {
    await t.step("each role runs with its own timeouts, authenticator's where it has none", async () => {
      const seen = async (client: ReturnType<typeof anonClient>) => {
        const { data, error } = await client.rpc("stack_test_role_settings");
        assert.equal(error, null);
        return data;
      };
      assert.deepEqual(await seen(anonClient()), { role: "anon", statement_timeout: "3s", lock_timeout: "8s" });
      assert.deepEqual(await seen(fx.alice.client), {
        role: "authenticated",
        statement_timeout: "8s",
        lock_timeout: "8s",
      });
      assert.deepEqual(await seen(serviceClient()), {
        role: "service_role",
        statement_timeout: "8s",
        lock_timeout: "8s",
      });
    });

    await t.step("anon: a statement over 3 s is cancelled, answered 500 with SQLSTATE 57014", async () => {
      const { data, error, status } = await anonClient().rpc("stack_test_sleep", { seconds: 4 });
      assert.equal(data, null);
      assert.equal(status, 500);
      assert.deepEqual(error, {
        code: "57014",
        message: "canceling statement due to statement timeout",
        details: null,
        hint: null,
      });
    });

    await t.step("a function's own statement_timeout governs its call", async () => {
      const { data, error } = await anonClient().rpc("stack_test_sleep_allowed_5s", { seconds: 3.5 });
      assert.equal(error, null);
      assert.equal(data, 3.5);
    });

    await t.step("the settings stay in their request: the same pool serves others with theirs", async () => {
      const results = await Promise.all([
        anonClient().rpc("stack_test_role_settings"),
        serviceClient().rpc("stack_test_role_settings"),
        anonClient().rpc("stack_test_role_settings"),
        serviceClient().rpc("stack_test_role_settings"),
      ]);
      assert.deepEqual(results.map((r) => (r.data as { statement_timeout: string }).statement_timeout), [
        "3s",
        "8s",
        "3s",
        "8s",
      ]);
      const [{ statement_timeout }] = await db`select current_setting('statement_timeout') as statement_timeout`;
      assert.equal(statement_timeout, "0", "postgres's own sessions have no timeout");
    });
  } finally {
    await fx.cleanup();
    await db.unsafe(DROP_PROBES);
    await db.end();
  }
});
