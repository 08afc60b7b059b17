// /rest/v1 security: RLS isolation between workspaces, column privileges (the Apollo key's
// ciphertext), keys and JWTs, schema exposure, and SQL injection attempts in every part of the
// query string — each followed by a look at the database to prove nothing changed.
// Run: STACK_INSTANCE=rest STACK_PORT_BASE=56000 node_modules/.bin/deno test -A scripts/stack/tests/
import assert from "node:assert/strict";
import {
  anonClient,
  clientWithToken,
  createFixture,
  rest,
  SEED,
  testEnv,
  testKeys,
  userToken,
} from "./rest_helpers.ts";

type Answer = { status: number; data: unknown; error: { code: string; message: string } | null };

/** Awaits each query and asserts it was refused: 400, and no rows. Returns the answers. */
async function allRefused(queries: PromiseLike<Answer>[]): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const query of queries) {
    const answer = await query;
    assert.equal(answer.status, 400);
    assert.equal(answer.data, null);
    answers.push(answer);
  }
  return answers;
}

Deno.test("rest: security", async (t) => {
  const fx = await createFixture([{ name: "Alice Co", domain: "alice-co.com" }]);
  const alice = fx.alice.client;
  const [bobAccount] = await fx.db`
    insert into public.accounts (workspace_id, name, domain, city)
    values (${fx.bob.workspaceId}, 'Bob Secret', 'bob-secret.com', 'Oslo') returning id`;
  const bobRow = async () => {
    const [row] = await fx.db`select name, city, workspace_id from public.accounts where id = ${bobAccount.id}`;
    return row ? { ...row } : null;
  };
  const bobOriginal = await bobRow();
  try {
    await t.step("RLS: Alice never sees Bob's workspace, its rows, or the seeded workspaces", async () => {
      const byWorkspace = await alice.from("accounts").select("id").eq("workspace_id", fx.bob.workspaceId);
      assert.equal(byWorkspace.error, null);
      assert.deepEqual(byWorkspace.data, []);
      const byId = await alice.from("accounts").select("id").eq("id", bobAccount.id);
      assert.deepEqual(byId.data, []);
      const seeded = await alice.from("accounts").select("id", { count: "exact", head: true }).eq(
        "workspace_id",
        SEED.otherWorkspace,
      );
      assert.equal(seeded.count, 0);
      const all = await alice.from("accounts").select("name,workspace_id");
      assert.deepEqual(all.data, [{ name: "Alice Co", workspace_id: fx.alice.workspaceId }]);
      const workspaces = await alice.from("workspaces").select("id");
      assert.deepEqual(workspaces.data, [{ id: fx.alice.workspaceId }]);
      const view = await alice.from("accounts_with_enrichment").select("name");
      assert.deepEqual(view.data, [{ name: "Alice Co" }]);
    });

    await t.step("RLS: Alice's update and delete of Bob's row affect 0 rows", async () => {
      const update = await alice.from("accounts").update({ name: "Hacked" }).eq("id", bobAccount.id).select("id");
      assert.equal(update.error, null);
      assert.deepEqual(update.data, []);
      const counted = await alice.from("accounts").update({ city: "Hacked" }, { count: "exact" }).eq(
        "workspace_id",
        fx.bob.workspaceId,
      );
      assert.equal(counted.status, 204);
      assert.equal(counted.count, 0);
      const del = await alice.from("accounts").delete().eq("id", bobAccount.id).select("id");
      assert.deepEqual(del.data, []);
      assert.deepEqual(await bobRow(), bobOriginal);
    });

    await t.step("RLS: inserting into Bob's workspace, or moving a row there, is 403 42501", async () => {
      const insert = await alice.from("accounts").insert({ workspace_id: fx.bob.workspaceId, name: "Intruder" });
      assert.equal(insert.status, 403);
      assert.equal(insert.error?.code, "42501");
      assert.match(String(insert.error?.message), /row-level security/);
      const move = await alice.from("accounts").update({ workspace_id: fx.bob.workspaceId }).eq("name", "Alice Co");
      assert.equal(move.status, 403);
      assert.equal(move.error?.code, "42501");
      const intruders = await fx
        .db`select 1 from public.accounts where workspace_id = ${fx.bob.workspaceId} and name <> 'Bob Secret'`;
      assert.equal(intruders.length, 0);
      const [mine] = await fx
        .db`select workspace_id from public.accounts where name = 'Alice Co' and workspace_id = ${fx.alice.workspaceId}`;
      assert.ok(mine);
    });

    await t.step("column privileges: the Apollo key ciphertext is never readable by a user", async () => {
      await fx
        .db`update public.workspace_settings set apollo_api_key_encrypted = 'v1:c2VjcmV0:c2VjcmV0', apollo_api_key_last4 = 'wxyz'
                  where workspace_id = ${fx.alice.workspaceId}`;
      const listed = await alice.from("workspace_settings").select("workspace_id,has_apollo_key,apollo_api_key_last4");
      assert.equal(listed.error, null);
      assert.deepEqual(listed.data, [{
        workspace_id: fx.alice.workspaceId,
        has_apollo_key: true,
        apollo_api_key_last4: "wxyz",
      }]);

      const attempts = [
        alice.from("workspace_settings").select("*"),
        alice.from("workspace_settings").select("apollo_api_key_encrypted"),
        alice.from("workspace_settings").select("key:apollo_api_key_encrypted"),
        alice.from("workspace_settings").select("workspace_id").like("apollo_api_key_encrypted", "v1:%"),
        alice.from("workspace_settings").select("workspace_id").order("apollo_api_key_encrypted"),
        alice.from("workspace_settings").select("workspace_id").or(
          "apollo_api_key_encrypted.is.null,workspace_id.is.null",
        ),
        alice.from("workspace_settings").update({ apollo_auto_enrich: true }).eq("workspace_id", fx.alice.workspaceId)
          .select("*"),
      ];
      for (const attempt of attempts) {
        const { data, error, status } = await attempt;
        assert.equal(status, 403);
        assert.equal(error?.code, "42501");
        assert.match(String(error?.message), /permission denied for table workspace_settings/);
        assert.equal(data, null);
      }
      const anon = await anonClient().from("workspace_settings").select("workspace_id");
      assert.equal(anon.status, 401);
      assert.equal(anon.error?.code, "42501");
      // The failed update with RETURNING * rolled back.
      const [row] = await fx
        .db`select apollo_auto_enrich from public.workspace_settings where workspace_id = ${fx.alice.workspaceId}`;
      assert.equal(row.apollo_auto_enrich, false);
    });

    await t.step("anon: no grants on the app's tables, so 401 42501", async () => {
      const { error, status } = await anonClient().from("accounts").select("id");
      assert.equal(status, 401);
      assert.equal(error?.code, "42501");
    });

    await t.step(
      "keys and JWTs: 401 for a missing or wrong apikey and for bad, expired or foreign tokens",
      async () => {
        const noKey = await fetch(`${testEnv.API_URL}/rest/v1/accounts`);
        assert.equal(noKey.status, 401);
        assert.equal((await noKey.json()).message, "No API key found in request");
        const wrongKey = await rest("/accounts", { apikey: "not-a-key" });
        assert.equal(wrongKey.status, 401);
        assert.equal((wrongKey.json() as { message: string }).message, "Invalid API key");

        const forged = await testKeys.signForeign({
          sub: fx.alice.id,
          role: "authenticated",
          exp: Math.floor(Date.now() / 1000) + 60,
        });
        const badSignature = await clientWithToken(forged).from("accounts").select("id");
        assert.equal(badSignature.status, 401);
        assert.equal(badSignature.error?.code, "PGRST301");

        const expired = await clientWithToken(
          await userToken(fx.alice.id, fx.alice.email, { exp: Math.floor(Date.now() / 1000) - 10 }),
        )
          .from("accounts").select("id");
        assert.equal(expired.status, 401);
        assert.equal(expired.error?.code, "PGRST303");

        const garbage = await clientWithToken("not.a.jwt").from("accounts").select("id");
        assert.equal(garbage.status, 401);

        const superuser = await clientWithToken(await userToken(fx.alice.id, fx.alice.email, { role: "postgres" }))
          .from("accounts").select("id");
        assert.equal(superuser.status, 401);
      },
    );

    await t.step("schemas: only public is exposed (406 PGRST106); unknown tables are 404 PGRST205", async () => {
      const auth = await alice.schema("auth").from("users").select("*");
      assert.equal(auth.status, 406);
      assert.equal(auth.error?.code, "PGRST106");
      assert.equal(auth.error?.message, "Invalid schema: auth");
      const privateRpc = await alice.schema("private").rpc("is_member", { workspace_id: fx.alice.workspaceId });
      assert.equal(privateRpc.status, 406);

      const unknown = await alice.from("acounts").select("*");
      assert.equal(unknown.status, 404);
      assert.equal(unknown.error?.code, "PGRST205");
      assert.equal(unknown.error?.message, "Could not find the table 'public.acounts' in the schema cache");
      assert.equal(unknown.error?.hint, "Perhaps you meant the table 'public.accounts'");
      const qualified = await alice.from("auth.users").select("*");
      assert.equal(qualified.status, 404);
    });

    await t.step("malformed queries are 400 with a message saying what is wrong", async () => {
      const cases = [
        alice.from("accounts").select("id").filter("name", "eqq", "x"),
        alice.from("accounts").select("id").or("name.ilike"),
        alice.from("accounts").select("id").or("name.eq.a,(broken"),
        alice.from("accounts").select("id").order("name.sideways"),
        alice.from("accounts").select("id, name::"),
        alice.from("accounts").select("id").is("city", "maybe"),
        alice.from("accounts").select("*, contacts(*)"),
      ];
      for (const { error } of await allRefused(cases)) {
        assert.equal(error?.code, "PGRST100");
        assert.ok(String(error?.message).length > 10);
      }
      const column = await alice.from("accounts").select("id").eq("no_such_column", "x");
      assert.equal(column.status, 400);
      assert.equal(column.error?.code, "42703");
      assert.equal(column.error?.message, "column accounts.no_such_column does not exist");
      const limit = await rest("/accounts?select=id&limit=1;select", { token: fx.alice.token });
      assert.equal(limit.status, 400);
    });

    await t.step("SQL injection: values are plain values, identifiers must exist, and nothing changes", async () => {
      const before = Number((await fx.db`select count(*) from public.accounts`)[0].count);
      const values = [
        "x'; drop table public.accounts; --",
        "' or '1'='1",
        "Alice Co' --",
        "\\'; delete from public.accounts; --",
        "$1",
        "Alice Co\u0000",
      ];
      for (const value of values) {
        const eq = await alice.from("accounts").select("name").eq("name", value);
        assert.ok(eq.status === 200 || eq.status === 400, `eq ${value}: ${eq.status}`);
        assert.deepEqual(eq.data ?? [], [], `eq ${value}`);
        const like = await alice.from("accounts").select("name").ilike("name", `%${value}%`);
        assert.deepEqual(like.data ?? [], [], `ilike ${value}`);
        const inList = await alice.from("accounts").select("name").in("name", [value, `${value}"`, "a)"]);
        assert.deepEqual(inList.data ?? [], [], `in ${value}`);
        const jsonKey = await alice.from("accounts").select("name").eq(`metadata->>"${value}"`, "x");
        assert.deepEqual(jsonKey.data ?? [], [], `json key ${value}`);
      }
      const orInjection = await alice.from("accounts").select("name").or("name.eq.x),id.not.is.null,or(name.eq.y");
      assert.equal(orInjection.status, 400);
      const orQuoted = await alice.from("accounts").select("name").or(`name.eq."x') or true --",city.eq.nowhere`);
      assert.deepEqual(orQuoted.data, []);

      const identifiers = [
        alice.from("accounts").select("name").eq('name"; drop table public.accounts; --', "x"),
        alice.from("accounts").select("name, (select email from auth.users)"),
        alice.from("accounts").select('name,"name"; drop table public.accounts; --"'),
        alice.from("accounts").select("name").order("name; drop table public.accounts"),
        alice.from("accounts").select("name").order("(select 1)"),
        alice.from("accounts").select("name::text);drop table public.accounts;--"),
        alice.from("accounts").select("name::text union select email from auth.users"),
        alice.from("accounts").select("name").eq("metadata->>x' or '1'='1", "y"),
        alice.from("accounts").select('"a\u0000":name'),
      ];
      await allRefused(identifiers);
      const table = await alice.from("accounts; drop table public.accounts").select("*");
      assert.equal(table.status, 404);
      const fn = await alice.rpc("enqueue_enrichment(null); drop table public.accounts; --", {});
      assert.equal(fn.status, 404);
      const argName = await alice.rpc("enqueue_enrichment", {
        'account_id" := null); drop table public.accounts; --': 1,
      });
      assert.equal(argName.status, 404);
      const body = await alice.from("accounts").insert({
        workspace_id: fx.alice.workspaceId,
        'name") values (1); --': "x",
      });
      assert.equal(body.status, 400);

      const [{ exists }] = await fx.db`select to_regclass('public.accounts') is not null as exists`;
      assert.equal(exists, true);
      assert.equal(Number((await fx.db`select count(*) from public.accounts`)[0].count), before);
      assert.deepEqual(await bobRow(), bobOriginal);
      const users = await fx.db`select count(*) from auth.users where id = any(${[
        fx.alice.id,
        fx.bob.id,
        SEED.demoUser,
      ]})`;
      assert.equal(Number(users[0].count), 3);
    });
  } finally {
    await fx.cleanup();
  }
});
