// /rest/v1 reads through supabase-js: column lists, aliases, json paths, every filter, or/and
// trees, ordering, paging, counts, HEAD, single/maybeSingle, views.
// Run: STACK_INSTANCE=rest STACK_PORT_BASE=56000 node_modules/.bin/deno test -A scripts/stack/tests/
import assert from "node:assert/strict";
import { findRelation } from "../gateway/rest/lookup.ts";
import { parseQuery } from "../gateway/rest/query-parser.ts";
import { SchemaCache } from "../gateway/rest/schema-cache.ts";
import { buildRead } from "../gateway/rest/sql-builder.ts";
import { adminDb, createFixture, rest, SAMPLE_ACCOUNTS } from "./rest_helpers.ts";

const names = (rows: unknown) => (rows as Array<{ name: string }>).map((r) => r.name);

Deno.test("rest: reads", async (t) => {
  const fx = await createFixture(SAMPLE_ACCOUNTS);
  const db = fx.alice.client;
  const accounts = () => db.from("accounts");
  try {
    await t.step("select with a column list returns exactly those columns", async () => {
      const { data, error, status } = await accounts().select("name,domain").order("name");
      assert.equal(error, null);
      assert.equal(status, 200);
      assert.deepEqual(data, [
        { name: "Acme", domain: "acme.com" },
        { name: "Beta Labs", domain: "betalabs.io" },
        { name: "Cobalt", domain: "cobalt.dev" },
        { name: "Delta Corp", domain: "delta.co" },
        { name: "echo systems", domain: null },
      ]);
    });

    await t.step("select * returns every column with its JSON type", async () => {
      const { data, error } = await accounts().select("*").eq("name", "Acme");
      assert.equal(error, null);
      const [row] = data as Array<Record<string, unknown>>;
      assert.equal(row.workspace_id, fx.alice.workspaceId);
      assert.equal(row.employee_count, 120);
      assert.deepEqual(row.metadata, { tier: "gold", score: 9 });
      assert.match(String(row.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
      assert.ok("founded_year" in row && row.founded_year === null);
    });

    await t.step("aliases and json paths in select", async () => {
      const { data, error } = await accounts().select(
        "company:name, tier:metadata->>tier, metadata->score, metadata->>tier",
      )
        .eq("name", "Acme");
      assert.equal(error, null);
      assert.deepEqual(data, [{ company: "Acme", tier: "gold", score: 9 }]);
    });

    await t.step("json path in a filter", async () => {
      const { data, error } = await accounts().select("name").eq("metadata->>tier", "gold").order("name");
      assert.equal(error, null);
      assert.deepEqual(names(data), ["Acme", "Delta Corp"]);
    });

    await t.step("comparison filters: eq neq gt gte lt lte", async () => {
      const cases: Array<[string, () => PromiseLike<{ data: unknown; error: unknown }>, string[]]> = [
        ["eq", () => accounts().select("name").eq("employee_count", 120), ["Acme"]],
        ["neq", () => accounts().select("name").neq("country", "Germany").order("name"), ["Beta Labs", "Delta Corp"]],
        ["gt", () => accounts().select("name").gt("employee_count", 40).order("name"), ["Acme", "Delta Corp"]],
        ["gte", () => accounts().select("name").gte("employee_count", 40).order("name"), [
          "Acme",
          "Delta Corp",
          "echo systems",
        ]],
        ["lt", () => accounts().select("name").lt("employee_count", 40).order("name"), ["Beta Labs"]],
        ["lte", () => accounts().select("name").lte("employee_count", 40).order("name"), ["Beta Labs", "echo systems"]],
        ["filter()", () => accounts().select("name").filter("employee_count", "eq", "4000"), ["Delta Corp"]],
      ];
      for (const [label, run, expected] of cases) {
        const { data, error } = await run();
        assert.equal(error, null, label);
        assert.deepEqual(names(data), expected, label);
      }
    });

    await t.step("pattern filters: like (with % or *) and ilike", async () => {
      assert.deepEqual(names((await accounts().select("name").like("name", "%Corp")).data), ["Delta Corp"]);
      assert.deepEqual(names((await accounts().select("name").like("name", "*Lab*")).data), ["Beta Labs"]);
      assert.deepEqual(names((await accounts().select("name").like("name", "%labs%")).data), []);
      assert.deepEqual(names((await accounts().select("name").ilike("name", "%LABS%")).data), ["Beta Labs"]);
    });

    await t.step("in (with a value holding a comma), is, and not.", async () => {
      const inList = await accounts().select("name").in("name", ["Acme", "Cobalt", "Nope, Inc."]).order("name");
      assert.equal(inList.error, null);
      assert.deepEqual(names(inList.data), ["Acme", "Cobalt"]);
      assert.deepEqual(names((await accounts().select("name").in("name", [])).data), []);
      assert.deepEqual(names((await accounts().select("name").is("city", null)).data), ["Cobalt"]);
      assert.deepEqual(names((await accounts().select("name").is("domain", null)).data), ["echo systems"]);
      const notNull = await accounts().select("name").not("city", "is", null).order("name");
      assert.deepEqual(names(notNull.data), ["Acme", "Beta Labs", "Delta Corp", "echo systems"]);
      const notIn = await accounts().select("name").not("country", "in", "(Germany,France)");
      assert.deepEqual(names(notIn.data), ["Delta Corp"]);
      const notEq = await accounts().select("name").not("country", "eq", "Germany").order("name");
      assert.deepEqual(names(notEq.data), ["Beta Labs", "Delta Corp"]);
    });

    await t.step("or(): the app's search, nested and(), combined with other filters", async () => {
      const search = await accounts().select("name").or("name.ilike.%corp%,domain.ilike.%cobalt%").order("name");
      assert.equal(search.error, null);
      assert.deepEqual(names(search.data), ["Cobalt", "Delta Corp"]);

      const nested = await accounts().select("name").or("and(country.eq.Germany,employee_count.gt.100),city.eq.Paris")
        .order("name");
      assert.equal(nested.error, null);
      assert.deepEqual(names(nested.data), ["Acme", "Beta Labs"]);

      const combined = await accounts().select("name").eq("country", "Germany").or("city.eq.Berlin,city.is.null").order(
        "name",
      );
      assert.deepEqual(names(combined.data), ["Acme", "Cobalt", "echo systems"]);

      const quoted = await accounts().select("name").or('name.eq."Beta Labs",name.in.("Delta Corp",x)').order("name");
      assert.equal(quoted.error, null);
      assert.deepEqual(names(quoted.data), ["Beta Labs", "Delta Corp"]);

      const negated = await rest("/accounts?select=name&order=name&not.or=(city.eq.Berlin,city.is.null)", {
        token: fx.alice.token,
      });
      assert.equal(negated.status, 200);
      assert.deepEqual(names(negated.json()), ["Beta Labs", "Delta Corp"]);
    });

    await t.step("order by several columns, asc/desc, nullsfirst/nullslast, json path", async () => {
      const a = await accounts().select("name").order("country", { ascending: true })
        .order("employee_count", { ascending: false, nullsFirst: true });
      assert.equal(a.error, null);
      assert.deepEqual(names(a.data), ["Beta Labs", "Cobalt", "Acme", "echo systems", "Delta Corp"]);

      const b = await accounts().select("name").order("city", { ascending: true, nullsFirst: false }).order("name");
      assert.deepEqual(names(b.data), ["Delta Corp", "Acme", "echo systems", "Beta Labs", "Cobalt"]);

      const c = await accounts().select("name").order("city", { ascending: false, nullsFirst: false }).order("name", {
        ascending: false,
      });
      assert.deepEqual(names(c.data), ["Beta Labs", "echo systems", "Acme", "Delta Corp", "Cobalt"]);

      const d = await accounts().select("name").order("metadata->>tier", { nullsFirst: false }).order("name");
      assert.deepEqual(names(d.data), ["Acme", "Delta Corp", "Beta Labs", "Cobalt", "echo systems"]);
    });

    await t.step("limit, range() and the Range header", async () => {
      assert.deepEqual(names((await accounts().select("name").order("name").limit(2)).data), ["Acme", "Beta Labs"]);
      const page = await accounts().select("name").order("name").range(1, 2);
      assert.equal(page.error, null);
      assert.deepEqual(names(page.data), ["Beta Labs", "Cobalt"]);

      const header = await rest("/accounts?select=name&order=name", {
        token: fx.alice.token,
        headers: { range: "1-2" },
      });
      assert.equal(header.status, 200);
      assert.equal(header.headers.get("content-range"), "1-2/*");
      assert.deepEqual(names(header.json()), ["Beta Labs", "Cobalt"]);

      const inverted = await rest("/accounts?select=name", { token: fx.alice.token, headers: { range: "3-1" } });
      assert.equal(inverted.status, 416);
      assert.equal((inverted.json() as { code: string }).code, "PGRST103");
    });

    await t.step("count=exact: Content-Range total, 206 for a partial page, */0 when empty", async () => {
      const page = await accounts().select("name", { count: "exact" }).order("name").range(0, 1);
      assert.equal(page.error, null);
      assert.equal(page.count, 5);
      assert.equal(page.status, 206);
      assert.deepEqual(names(page.data), ["Acme", "Beta Labs"]);

      const raw = await rest("/accounts?select=name&order=name&limit=2", {
        token: fx.alice.token,
        headers: { prefer: "count=exact" },
      });
      assert.equal(raw.headers.get("content-range"), "0-1/5");

      const all = await rest("/accounts?select=name", { token: fx.alice.token });
      assert.equal(all.headers.get("content-range"), "0-4/*");

      const empty = await accounts().select("name", { count: "exact" }).eq("name", "no such account");
      assert.equal(empty.error, null);
      assert.equal(empty.count, 0);
      assert.deepEqual(empty.data, []);
      const emptyRaw = await rest("/accounts?select=name&name=eq.nothing", {
        token: fx.alice.token,
        headers: { prefer: "count=exact" },
      });
      assert.equal(emptyRaw.headers.get("content-range"), "*/0");

      const beyond = await rest("/accounts?select=name&offset=10", {
        token: fx.alice.token,
        headers: { prefer: "count=exact" },
      });
      assert.equal(beyond.status, 416);
      assert.equal((beyond.json() as { code: string }).code, "PGRST103");
    });

    await t.step("HEAD with count returns the count and no body", async () => {
      const { data, count, error, status } = await accounts().select("*", { count: "exact", head: true }).eq(
        "country",
        "Germany",
      );
      assert.equal(error, null);
      assert.equal(status, 200);
      assert.equal(data, null);
      assert.equal(count, 3);
      const raw = await rest("/accounts?select=*", {
        method: "HEAD",
        token: fx.alice.token,
        headers: { prefer: "count=exact" },
      });
      assert.equal(raw.status, 200);
      assert.equal(raw.text, "");
      assert.equal(raw.headers.get("content-range"), "0-4/5");
    });

    await t.step("single() and maybeSingle(), with PGRST116", async () => {
      const one = await accounts().select("name,city").eq("name", "Acme").single();
      assert.equal(one.error, null);
      assert.deepEqual(one.data, { name: "Acme", city: "Berlin" });

      const none = await accounts().select("name").eq("name", "nobody").single();
      assert.equal(none.status, 406);
      assert.equal(none.data, null);
      assert.equal(none.error?.code, "PGRST116");
      assert.equal(none.error?.message, "JSON object requested, multiple (or no) rows returned");
      assert.equal(none.error?.details, "The result contains 0 rows");

      const many = await accounts().select("name").single();
      assert.equal(many.status, 406);
      assert.equal(many.error?.code, "PGRST116");
      assert.equal(many.error?.details, "The result contains 5 rows");

      const maybeNone = await accounts().select("name").eq("name", "nobody").maybeSingle();
      assert.equal(maybeNone.error, null);
      assert.equal(maybeNone.data, null);
      const maybeOne = await accounts().select("name").eq("name", "Cobalt").maybeSingle();
      assert.deepEqual(maybeOne.data, { name: "Cobalt" });
      const maybeMany = await accounts().select("name").maybeSingle();
      assert.equal(maybeMany.error?.code, "PGRST116");
    });

    await t.step("views: accounts_with_enrichment under the caller's RLS", async () => {
      const { data, error } = await db.from("accounts_with_enrichment").select("name,enrichment_status,latest_job_id")
        .order("name").limit(2);
      assert.equal(error, null);
      assert.deepEqual(data, [
        { name: "Acme", enrichment_status: "never", latest_job_id: null },
        { name: "Beta Labs", enrichment_status: "never", latest_job_id: null },
      ]);
    });

    await t.step("an empty select returns empty objects (PostgREST's select=)", async () => {
      const raw = await rest("/accounts?select=&name=eq.Acme", { token: fx.alice.token });
      assert.equal(raw.status, 200);
      assert.deepEqual(raw.json(), [{}]);
    });

    await t.step("casts in select", async () => {
      const { data, error } = await accounts().select("name,employee_count::text").eq("name", "Acme");
      assert.equal(error, null);
      assert.deepEqual(data, [{ name: "Acme", employee_count: "120" }]);
    });
  } finally {
    await fx.cleanup();
  }
});

// PostgREST sends an in.() list as one parameter of unknown type (`= ANY($1)`), which Postgres types
// as the column's array: a custom plan then sees a constant, so a partial index whose predicate
// lists those values (the jobs list's Active filter, status in pending/processing) can be used.
// A text parameter cast to the array would not be a constant (array input is only stable).
Deno.test("rest: an in.() filter's values are one parameter of the column's array type", async () => {
  const db = adminDb();
  try {
    const cache = new SchemaCache(db);
    await cache.ready();
    const statement = buildRead(
      findRelation(cache, "jobs"),
      parseQuery(new URLSearchParams("status=in.(pending,processing)")),
      { offset: 0, limit: 20 },
      { body: "array", stripNulls: false, count: true },
    );
    const described = await db.unsafe(statement.text, statement.params).describe();
    const [{ text_array }] = await db`select 'text[]'::regtype::oid::int as text_array`;
    assert.deepEqual(described.types, [text_array]);
    assert.deepEqual(statement.params, ['{"pending","processing"}']);
  } finally {
    await db.end();
  }
});
