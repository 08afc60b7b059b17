// /rest/v1 insert, update and delete through supabase-js, with and without .select(), and the
// request-body rules (size limit, JSON, content type). Every check of "what happened" reads the
// database directly.
// Run: STACK_INSTANCE=rest STACK_PORT_BASE=56000 node_modules/.bin/deno test -A scripts/stack/tests/
import assert from "node:assert/strict";
import { createFixture, rest } from "./rest_helpers.ts";

Deno.test("rest: insert, update, delete", async (t) => {
  const fx = await createFixture([{ name: "Seeded", domain: "seeded.com" }]);
  const { client, workspaceId } = fx.alice;
  const countAccounts = async () =>
    Number((await fx.db`select count(*) from public.accounts where workspace_id = ${workspaceId}`)[0].count);
  try {
    await t.step(
      "insert one object without select(): 201, empty body, row stored with created_by = auth.uid()",
      async () => {
        const { data, error, status } = await client.from("accounts").insert({
          workspace_id: workspaceId,
          name: "  Minimal  ",
          domain: "HTTPS://www.Minimal.io/x",
        });
        assert.equal(error, null);
        assert.equal(status, 201);
        assert.equal(data, null);
        const [row] = await fx
          .db`select name, domain, created_by from public.accounts where workspace_id = ${workspaceId} and name = 'Minimal'`;
        assert.deepEqual({ ...row }, { name: "Minimal", domain: "minimal.io", created_by: fx.alice.id });
      },
    );

    await t.step("insert with select() returns the stored row (after triggers)", async () => {
      const { data, error, status } = await client.from("accounts")
        .insert({ workspace_id: workspaceId, name: "Represented", domain: "www.represented.com", employee_count: 7 })
        .select("id,name,domain,employee_count,metadata").single();
      assert.equal(error, null);
      assert.equal(status, 201);
      const row = data as Record<string, unknown>;
      assert.match(String(row.id), /^[0-9a-f-]{36}$/);
      assert.deepEqual({ ...row, id: undefined }, {
        id: undefined,
        name: "Represented",
        domain: "represented.com",
        employee_count: 7,
        metadata: {},
      });
    });

    await t.step("insert an array (supabase-js sends ?columns=): missing keys become null", async () => {
      const { data, error } = await client.from("accounts").insert([
        { workspace_id: workspaceId, name: "Bulk A", domain: "bulk-a.com", city: "Oslo" },
        { workspace_id: workspaceId, name: "Bulk B", domain: "bulk-b.com" },
      ]).select("name,city");
      assert.equal(error, null);
      assert.deepEqual(data, [{ name: "Bulk A", city: "Oslo" }, { name: "Bulk B", city: null }]);
    });

    await t.step("insert with count=exact reports the rows inserted", async () => {
      const { error, count, status } = await client.from("accounts").insert([
        { workspace_id: workspaceId, name: "Counted 1" },
        { workspace_id: workspaceId, name: "Counted 2" },
      ], { count: "exact" });
      assert.equal(error, null);
      assert.equal(status, 201);
      assert.equal(count, 2);
    });

    await t.step("unique violation is 409 23505 and nothing is stored", async () => {
      const before = await countAccounts();
      const { error, status } = await client.from("accounts").insert([
        { workspace_id: workspaceId, name: "Dup 1", domain: "dup.com" },
        { workspace_id: workspaceId, name: "Dup 2", domain: "dup.com" },
      ]);
      assert.equal(status, 409);
      assert.equal(error?.code, "23505");
      assert.match(String(error?.message), /accounts_workspace_domain_key/);
      assert.equal(await countAccounts(), before);
    });

    await t.step("check constraint is 400 23514; unknown column is 400 PGRST204", async () => {
      const check = await client.from("accounts").insert({
        workspace_id: workspaceId,
        name: "Neg",
        employee_count: -1,
      });
      assert.equal(check.status, 400);
      assert.equal(check.error?.code, "23514");
      const unknown = await client.from("accounts").insert({ workspace_id: workspaceId, name: "X", nope: 1 });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.error?.code, "PGRST204");
      assert.equal(unknown.error?.message, "Could not find the 'nope' column of 'accounts' in the schema cache");
    });

    await t.step("foreign key violation is 409 23503", async () => {
      const { error, status } = await client.from("contacts").insert({
        workspace_id: workspaceId,
        account_id: crypto.randomUUID(),
        email: "fk@example.com",
      });
      assert.equal(status, 409);
      assert.equal(error?.code, "23503");
    });

    await t.step("update without select(): 204; with select(): 200 and the new rows", async () => {
      const plain = await client.from("accounts").update({ city: "Lisbon" }).eq("name", "Minimal");
      assert.equal(plain.error, null);
      assert.equal(plain.status, 204);
      assert.equal(plain.data, null);
      const [row] = await fx
        .db`select city from public.accounts where workspace_id = ${workspaceId} and name = 'Minimal'`;
      assert.equal(row.city, "Lisbon");

      const rep = await client.from("accounts").update({ country: "Portugal", founded_year: 1999 })
        .in("name", ["Minimal", "Represented"]).select("name,country,founded_year,metadata").order("name");
      assert.equal(rep.error, null);
      assert.equal(rep.status, 200);
      assert.deepEqual(rep.data, [
        { name: "Minimal", country: "Portugal", founded_year: 1999, metadata: {} },
        { name: "Represented", country: "Portugal", founded_year: 1999, metadata: {} },
      ]);
    });

    await t.step("update with count=exact and .single() that matches two rows rolls back (PGRST116)", async () => {
      const counted = await client.from("accounts").update({ state: "X" }, { count: "exact" }).like("name", "Bulk%");
      assert.equal(counted.error, null);
      assert.equal(counted.count, 2);

      const { error, status } = await client.from("accounts").update({ state: "ROLLED" }).like("name", "Bulk%").select(
        "name",
      ).single();
      assert.equal(status, 406);
      assert.equal(error?.code, "PGRST116");
      const rows = await fx
        .db`select state from public.accounts where workspace_id = ${workspaceId} and name like 'Bulk%'`;
      assert.deepEqual(rows.map((r) => r.state), ["X", "X"]);
    });

    await t.step("update with an empty object changes nothing", async () => {
      const { data, error, status } = await client.from("accounts").update({}).eq("name", "Minimal").select("name");
      assert.equal(error, null);
      assert.equal(status, 200);
      assert.deepEqual(data, []);
      const [row] = await fx
        .db`select city from public.accounts where workspace_id = ${workspaceId} and name = 'Minimal'`;
      assert.equal(row.city, "Lisbon");
    });

    await t.step("update or delete without a filter is refused (pg-safeupdate, as on Supabase)", async () => {
      const before = await countAccounts();
      const update = await client.from("accounts").update({ city: "Everywhere" });
      assert.equal(update.status, 400);
      assert.equal(update.error?.code, "21000");
      const del = await client.from("accounts").delete();
      assert.equal(del.status, 400);
      assert.equal(del.error?.message, "DELETE requires a WHERE clause");
      assert.equal(await countAccounts(), before);
      const everywhere = await fx.db`select 1 from public.accounts where city = 'Everywhere'`;
      assert.equal(everywhere.length, 0);
    });

    await t.step("delete without select(): 204; with select(): 200 and the deleted rows", async () => {
      const plain = await client.from("accounts").delete().eq("name", "Counted 1");
      assert.equal(plain.error, null);
      assert.equal(plain.status, 204);
      const rep = await client.from("accounts").delete().eq("name", "Counted 2").select("name");
      assert.equal(rep.error, null);
      assert.equal(rep.status, 200);
      assert.deepEqual(rep.data, [{ name: "Counted 2" }]);
      const left = await fx
        .db`select 1 from public.accounts where workspace_id = ${workspaceId} and name like 'Counted%'`;
      assert.equal(left.length, 0);
    });

    await t.step("column grants: only apollo_auto_enrich of workspace_settings is updatable", async () => {
      const ok = await client.from("workspace_settings").update({ apollo_auto_enrich: true }).eq(
        "workspace_id",
        workspaceId,
      )
        .select("workspace_id,apollo_auto_enrich");
      assert.equal(ok.error, null);
      assert.deepEqual(ok.data, [{ workspace_id: workspaceId, apollo_auto_enrich: true }]);
      const denied = await client.from("workspace_settings").update({ enrichment_credits_used: 99 }).eq(
        "workspace_id",
        workspaceId,
      );
      assert.equal(denied.status, 403);
      assert.equal(denied.error?.code, "42501");
      const [row] = await fx
        .db`select enrichment_credits_used from public.workspace_settings where workspace_id = ${workspaceId}`;
      assert.equal(row.enrichment_credits_used, 0);
    });

    await t.step("body rules: bad JSON 400 PGRST102, over 1 MB 413, wrong content type 415", async () => {
      const token = fx.alice.token;
      const json = { "content-type": "application/json" };
      const bad = await rest("/accounts", { method: "POST", token, headers: json, body: "{name: nope" });
      assert.equal(bad.status, 400);
      assert.equal((bad.json() as { code: string }).code, "PGRST102");

      const empty = await rest("/accounts", { method: "POST", token, headers: json, body: "" });
      assert.equal(empty.status, 400);

      const huge = JSON.stringify({ workspace_id: workspaceId, name: "Huge", description: "x".repeat(1024 * 1024) });
      const tooBig = await rest("/accounts", { method: "POST", token, headers: json, body: huge });
      assert.equal(tooBig.status, 413);
      assert.equal(typeof (tooBig.json() as { message: string }).message, "string");

      const form = await rest("/accounts", {
        method: "POST",
        token,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "name=x",
      });
      assert.equal(form.status, 415);

      const notObjects = await rest("/accounts", { method: "POST", token, headers: json, body: "[1,2]" });
      assert.equal(notObjects.status, 400);
      assert.equal((notObjects.json() as { code: string }).code, "PGRST102");

      const mismatched = await rest("/accounts", {
        method: "POST",
        token,
        headers: json,
        body: JSON.stringify([{ workspace_id: workspaceId, name: "K1" }, {
          workspace_id: workspaceId,
          name: "K2",
          city: "c",
        }]),
      });
      assert.equal(mismatched.status, 400);
      assert.equal((mismatched.json() as { message: string }).message, "All object keys must match");
      const stored = await fx
        .db`select 1 from public.accounts where workspace_id = ${workspaceId} and name in ('Huge', 'x', 'K1', 'K2')`;
      assert.equal(stored.length, 0);
    });

    await t.step("unsupported writes are refused with 400: upsert, PUT, limit on update", async () => {
      const upsert = await client.from("accounts").upsert({
        workspace_id: workspaceId,
        name: "Upserted",
        domain: "seeded.com",
      }, { onConflict: "workspace_id,domain" });
      assert.equal(upsert.status, 400);
      assert.match(String(upsert.error?.message), /not supported/);
      const put = await rest(`/accounts?name=eq.Seeded`, {
        method: "PUT",
        token: fx.alice.token,
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      assert.equal(put.status, 400);
      const limited = await rest(`/accounts?name=eq.Seeded&limit=1`, {
        method: "PATCH",
        token: fx.alice.token,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ city: "Nowhere" }),
      });
      assert.equal(limited.status, 400);
      const [row] = await fx
        .db`select city from public.accounts where workspace_id = ${workspaceId} and name = 'Seeded'`;
      assert.equal(row.city, null);
    });
  } finally {
    await fx.cleanup();
  }
});
