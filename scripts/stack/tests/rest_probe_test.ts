// /rest/v1 against objects this test creates for itself (uniquely named, dropped at the end):
// the schema cache picks up a table and functions created after the gateway started; the
// request GUCs PostgREST sets (role, claims, method, path, headers, search_path, read-only);
// scalar, setof scalar, TABLE and void return shapes.
// Run: STACK_INSTANCE=rest STACK_PORT_BASE=56000 node_modules/.bin/deno test -A scripts/stack/tests/
import assert from "node:assert/strict";
import { createFixture } from "./rest_helpers.ts";

Deno.test("rest: schema cache, request context, return shapes", async (t) => {
  const fx = await createFixture();
  const p = `rest_probe_${crypto.randomUUID().slice(0, 8)}`;
  const { client } = fx.alice;
  try {
    await t.step("a table created after start is found on the first request after it exists", async () => {
      const before = await client.from(p).select("*");
      assert.equal(before.status, 404);
      assert.equal(before.error?.code, "PGRST205");
      await fx.db.unsafe(`
        create table public.${p} (id int primary key, label text);
        alter table public.${p} enable row level security;
        create policy "probe readable" on public.${p} for select to authenticated using (true);
        grant select on public.${p} to authenticated;
        insert into public.${p} values (1, 'one'), (2, 'two');`);
      const after = await client.from(p).select("label").order("id");
      assert.equal(after.error, null);
      assert.deepEqual(after.data, [{ label: "one" }, { label: "two" }]);
    });

    await fx.db.unsafe(`
      create function public.${p}_context(label text default 'none') returns jsonb language sql stable as $$
        select jsonb_build_object(
          'label', label, 'role', current_user, 'uid', auth.uid(),
          'method', current_setting('request.method', true), 'path', current_setting('request.path', true),
          'headers', current_setting('request.headers', true)::jsonb,
          'claims', current_setting('request.jwt.claims', true)::jsonb,
          'search_path', current_setting('search_path'), 'read_only', current_setting('transaction_read_only'))
      $$;
      create function public.${p}_numbers(n int) returns setof int language sql immutable as $$ select generate_series(1, n) $$;
      create function public.${p}_pairs(n int) returns table (k int, label text) language sql stable as $$
        select i, 'n' || i from generate_series(1, n) as i
      $$;
      create function public.${p}_nothing() returns void language sql volatile as $$ select $$;
      create function public.${p}_fails() returns int language plpgsql volatile as $$
      begin raise exception 'probe conflict' using errcode = 'PT409', detail = 'some detail', hint = 'some hint'; end $$;
      grant execute on function public.${p}_context(text), public.${p}_numbers(int), public.${p}_pairs(int),
        public.${p}_nothing(), public.${p}_fails() to authenticated;`);

    await t.step("request GUCs as PostgREST sets them: GET runs read-only as the JWT's role", async () => {
      const { data, error } = await client.rpc(`${p}_context`, { label: "via get" }, { get: true });
      assert.equal(error, null);
      const ctx = data as {
        label: string;
        role: string;
        uid: string;
        method: string;
        path: string;
        claims: Record<string, unknown>;
        headers: Record<string, unknown>;
        search_path: string;
        read_only: string;
      };
      assert.equal(ctx.label, "via get");
      assert.equal(ctx.role, "authenticated");
      assert.equal(ctx.uid, fx.alice.id);
      assert.equal(ctx.method, "GET");
      assert.equal(ctx.path, `/rpc/${p}_context`);
      assert.equal(ctx.claims.sub, fx.alice.id);
      assert.equal(ctx.claims.email, fx.alice.email);
      assert.equal(ctx.headers.authorization, `Bearer ${fx.alice.token}`);
      assert.equal(typeof ctx.headers["x-client-info"], "string");
      assert.equal(ctx.search_path, '"public", "extensions"');
      assert.equal(ctx.read_only, "on");

      const post = await client.rpc(`${p}_context`);
      assert.equal(post.error, null);
      assert.equal((post.data as Record<string, unknown>).method, "POST");
      assert.equal((post.data as Record<string, unknown>).label, "none");
    });

    await t.step("setof scalar: an array of values, pageable", async () => {
      const all = await client.rpc(`${p}_numbers`, { n: 4 });
      assert.equal(all.error, null);
      assert.deepEqual(all.data, [1, 2, 3, 4]);
      const page = await client.rpc(`${p}_numbers`, { n: 4 }, { get: true, count: "exact" }).range(1, 2);
      assert.equal(page.error, null);
      assert.deepEqual(page.data, [2, 3]);
      assert.equal(page.count, 4);
      const filtered = await client.rpc(`${p}_numbers`, { n: 4 }).gt("n", 1);
      assert.equal(filtered.status, 400);
    });

    await t.step("returns table(...): rows, filterable and orderable by the output columns", async () => {
      const { data, error } = await client.rpc(`${p}_pairs`, { n: 3 }).select("k,label").gt("k", 1).order("k", {
        ascending: false,
      });
      assert.equal(error, null);
      assert.deepEqual(data, [{ k: 3, label: "n3" }, { k: 2, label: "n2" }]);
      const single = await client.rpc(`${p}_pairs`, { n: 3 }).select("label").eq("k", 2).single();
      assert.deepEqual(single.data, { label: "n2" });
      const unknown = await client.rpc(`${p}_pairs`, { n: 3 }).select("nope");
      assert.equal(unknown.status, 400);
      assert.equal(unknown.error?.code, "42703");
    });

    await t.step("void: 204 without a body", async () => {
      const { data, error, status } = await client.rpc(`${p}_nothing`);
      assert.equal(error, null);
      assert.equal(status, 204);
      assert.equal(data, null);
    });

    await t.step("RAISE with a custom PTxyz SQLSTATE answers HTTP xyz with detail and hint", async () => {
      const { error, status } = await client.rpc(`${p}_fails`);
      assert.equal(status, 409);
      assert.deepEqual(error, { code: "PT409", message: "probe conflict", details: "some detail", hint: "some hint" });
    });

    await t.step("a function dropped after it was cached is 404, not 500", async () => {
      assert.equal((await client.rpc(`${p}_numbers`, { n: 1 })).status, 200);
      await fx.db.unsafe(`drop function public.${p}_numbers(int)`);
      const gone = await client.rpc(`${p}_numbers`, { n: 1 });
      assert.equal(gone.status, 404);
    });
  } finally {
    await fx.db.unsafe(`
      drop table if exists public.${p};
      drop function if exists public.${p}_context(text);
      drop function if exists public.${p}_numbers(int);
      drop function if exists public.${p}_pairs(int);
      drop function if exists public.${p}_nothing();
      drop function if exists public.${p}_fails();`);
    await fx.cleanup();
  }
});
