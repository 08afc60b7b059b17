// Abuse of /rest/v1 by a member of the workspace, through supabase-js as the SPA calls it: the
// server-owned columns of accounts, contacts and workspaces (ids, attribution, timestamps, the
// enrichment state the worker writes, the workspace a record belongs to) cannot be set on insert
// or update, so "enriched" records and other users' names cannot be forged; every attempt is a
// 403 42501 and the database fingerprint does not move. What the SPA sends still works. And a
// table or function a later migration adds to public is closed until that migration grants it.
import assert from "node:assert/strict";
import { unchanged } from "./abuse_helpers.ts";
import { anonClient, createFixture } from "./rest_helpers.ts";

const FORGED = "2001-01-01T00:00:00Z";

Deno.test("abuse: server-owned columns and objects added later", async (t) => {
  const fx = await createFixture([{ name: "Alice Co", domain: "alice-columns.com" }]);
  const db = fx.db;
  const alice = fx.alice.client;
  const workspaceId = fx.alice.workspaceId;
  const scope = { workspaceIds: [workspaceId, fx.bob.workspaceId], userIds: [fx.alice.id, fx.bob.id] };
  const [account] = await db`select id from public.accounts where workspace_id = ${workspaceId}`;
  const [contact] = await db`
    insert into public.contacts (workspace_id, account_id, first_name, email)
    values (${workspaceId}, ${account.id}, 'Ann', 'ann@alice-columns.com') returning id`;
  const refused = (what: string, r: { status: number; error: { code?: string } | null }) => {
    assert.equal(r.status, 403, `${what}: ${JSON.stringify(r.error)}`);
    assert.equal(r.error?.code, "42501", what);
  };
  const later = `abuse_later_${crypto.randomUUID().slice(0, 8)}`;

  try {
    await t.step("an account the way the SPA creates it (toAccountInsert, then select *) is stored", async () => {
      const { data, error, status } = await alice.from("accounts").insert({
        workspace_id: workspaceId,
        name: "Spa Shaped",
        domain: "spa-shaped.com",
        industry: "Retail",
        employee_count: 12,
        city: "Oslo",
        country: "Norway",
      }).select("*").single();
      assert.equal(error, null);
      assert.equal(status, 201);
      const row = data as Record<string, unknown>;
      assert.equal(row.created_by, fx.alice.id, "created_by comes from the caller's token");
      assert.equal(row.enriched_at, null);
      assert.deepEqual(row.metadata, {});
    });

    const accountForgeries: Array<[string, Record<string, unknown>]> = [
      ["already enriched", { enriched_at: FORGED }],
      ["with Apollo metadata", { metadata: { apollo: { name: "Forged Inc" }, apollo_enriched_at: FORGED } }],
      ["in another user's name", { created_by: fx.bob.id }],
      ["with a chosen id", { id: crypto.randomUUID() }],
      ["with forged timestamps", { created_at: FORGED, updated_at: FORGED }],
    ];
    for (const [what, extra] of accountForgeries) {
      await t.step(`inserting an account ${what}: 403 42501, nothing stored`, async () => {
        await unchanged(db, scope, what, async () => {
          refused(what, await alice.from("accounts").insert({ workspace_id: workspaceId, name: "Forged", ...extra }));
        });
      });
    }

    const accountUpdates: Array<[string, Record<string, unknown>]> = [
      ["marking it enriched", { enriched_at: FORGED }],
      ["rewriting its enrichment metadata", { metadata: { apollo: { forged: true } } }],
      ["moving it to another workspace", { workspace_id: fx.bob.workspaceId }],
      ["setting its workspace to the same one", { workspace_id: workspaceId }],
      ["changing its attribution", { created_by: fx.bob.id }],
      ["changing its id", { id: crypto.randomUUID() }],
      ["backdating it", { created_at: FORGED, updated_at: FORGED }],
      ["a real edit smuggling enriched_at", { city: "Bergen", enriched_at: FORGED }],
    ];
    for (const [what, patch] of accountUpdates) {
      await t.step(`updating an account, ${what}: 403 42501, unchanged`, async () => {
        await unchanged(db, scope, what, async () => {
          refused(what, await alice.from("accounts").update(patch).eq("id", account.id));
        });
      });
    }

    await t.step("editing an account's fields still works", async () => {
      const { data, error } = await alice.from("accounts").update({ city: "Bergen", description: "edited" })
        .eq("id", account.id).select("city,description,enriched_at").single();
      assert.equal(error, null);
      assert.deepEqual(data, { city: "Bergen", description: "edited", enriched_at: null });
    });

    await t.step("contacts: enrichment state, attribution and workspace are refused; fields are not", async () => {
      await unchanged(db, scope, "forged contacts", async () => {
        refused(
          "insert enriched",
          await alice.from("contacts").insert({ workspace_id: workspaceId, email: "x@alice-columns.com", enriched_at: FORGED }),
        );
        refused(
          "insert with metadata",
          await alice.from("contacts").insert({ workspace_id: workspaceId, email: "x@alice-columns.com", metadata: { apollo: {} } }),
        );
        refused("update enriched_at", await alice.from("contacts").update({ enriched_at: FORGED }).eq("id", contact.id));
        refused("update metadata", await alice.from("contacts").update({ metadata: { apollo: {} } }).eq("id", contact.id));
        refused("update workspace_id", await alice.from("contacts").update({ workspace_id: fx.bob.workspaceId }).eq("id", contact.id));
        refused("update created_by", await alice.from("contacts").update({ created_by: fx.bob.id }).eq("id", contact.id));
      });
      const edit = await alice.from("contacts").update({ title: "CTO", seniority: "c_suite" }).eq("id", contact.id).select("title");
      assert.equal(edit.error, null);
      assert.deepEqual(edit.data, [{ title: "CTO" }]);
    });

    await t.step("workspaces: a new one is named, nothing else", async () => {
      await unchanged(db, scope, "forged workspaces", async () => {
        refused("insert with an id", await alice.from("workspaces").insert({ id: crypto.randomUUID(), name: "Chosen id" }));
        refused("insert in Bob's name", await alice.from("workspaces").insert({ name: "Bob's now", created_by: fx.bob.id }));
        refused("insert backdated", await alice.from("workspaces").insert({ name: "Old", created_at: FORGED }));
      });
      const created = await alice.from("workspaces").insert({ name: "Named only" });
      assert.equal(created.error, null);
      assert.equal(created.status, 201);
    });

    await t.step("a table a later migration adds to public (RLS off, no grants) is closed to anon and members", async () => {
      await db.unsafe(`create table public.${later} (id bigint generated always as identity primary key, secret text);
                       insert into public.${later} (secret) values ('nobody may read this');`);
      const anon = anonClient();
      for (const [who, client, status] of [["anon", anon, 401], ["a member", alice, 403]] as const) {
        const read = await client.from(later).select("*");
        assert.equal(read.status, status, `${who} select: ${JSON.stringify(read.error)}`);
        assert.equal(read.error?.code, "42501");
        assert.equal(read.data, null);
        const insert = await client.from(later).insert({ secret: "planted" });
        assert.equal(insert.status, status, `${who} insert`);
        const update = await client.from(later).update({ secret: "changed" }).gt("id", 0);
        assert.equal(update.status, status, `${who} update`);
        const del = await client.from(later).delete().gt("id", 0);
        assert.equal(del.status, status, `${who} delete`);
      }
      const rows = await db.unsafe(`select secret from public.${later}`);
      assert.deepEqual(rows.map((r) => r.secret), ["nobody may read this"]);
    });

    await t.step("a function a later migration adds to public without a grant is not callable", async () => {
      await db.unsafe(`create function public.${later}_fn() returns text language sql set search_path = '' as $$ select 'secret' $$`);
      const byAnon = await anonClient().rpc(`${later}_fn`);
      assert.equal(byAnon.status, 401, JSON.stringify(byAnon.error));
      assert.equal(byAnon.error?.code, "42501");
      const byMember = await alice.rpc(`${later}_fn`);
      assert.equal(byMember.status, 403, JSON.stringify(byMember.error));
      assert.equal(byMember.error?.code, "42501");
    });
  } finally {
    await db.unsafe(`drop function if exists public.${later}_fn(); drop table if exists public.${later};`);
    await fx.cleanup();
  }
});
