// Unit tests of the /rest/v1 building blocks that need no database: the query-string parser,
// PostgREST's SQLSTATE -> HTTP table, Content-Range and paging arithmetic.
import assert from "node:assert/strict";
import { RestError, statusForSqlState, toRestError } from "../gateway/rest/errors.ts";
import { parseQuery } from "../gateway/rest/query-parser.ts";
import { pageWindow } from "../gateway/rest/request.ts";
import { contentRange } from "../gateway/rest/response.ts";

const q = (query: string, args: string[] = []) => parseQuery(new URLSearchParams(query), new Set(args));

function assertRestError(fn: () => unknown, status: number, code: string, message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RestError, String(error));
    assert.equal(error.status, status);
    assert.equal(error.code, code);
    if (message) assert.match(error.message + " " + error.details, message);
    return true;
  });
}

Deno.test("parser: select items", () => {
  assert.deepEqual(q("select=id, alias:name,payload->>account_id,data->0->>x,n::text").select, [
    { kind: "column", field: { name: "id", path: [] }, alias: null, cast: null },
    { kind: "column", field: { name: "name", path: [] }, alias: "alias", cast: null },
    {
      kind: "column",
      field: { name: "payload", path: [{ arrow: "->>", key: "account_id", index: false }] },
      alias: null,
      cast: null,
    },
    {
      kind: "column",
      field: { name: "data", path: [{ arrow: "->", key: "0", index: true }, { arrow: "->>", key: "x", index: false }] },
      alias: null,
      cast: null,
    },
    { kind: "column", field: { name: "n", path: [] }, alias: null, cast: "text" },
  ]);
  assert.deepEqual(q("").select, [{ kind: "star" }]);
  assert.deepEqual(q("select=").select, []);
  assert.deepEqual(q('select="weird, name"').select, [{
    kind: "column",
    field: { name: "weird, name", path: [] },
    alias: null,
    cast: null,
  }]);
  assertRestError(() => q("select=*,contacts(*)"), 400, "PGRST100", /embedding/);
  assertRestError(() => q("select=count()"), 400, "PGRST123");
  assertRestError(() => q("select=id,"), 400, "PGRST100", /select parameter/);
  assertRestError(() => q("select=id;drop"), 400, "PGRST100");
});

Deno.test("parser: filters, lists, negation", () => {
  assert.deepEqual(q("name=eq.a.b.c").where, [
    {
      kind: "filter",
      filter: { field: { name: "name", path: [] }, negate: false, operation: { op: "eq", value: "a.b.c" } },
    },
  ]);
  assert.deepEqual(q('id=not.in.(1,"a,b","q\\"x")').where, [
    {
      kind: "filter",
      filter: { field: { name: "id", path: [] }, negate: true, operation: { op: "in", values: ["1", "a,b", 'q"x'] } },
    },
  ]);
  assert.deepEqual(q("id=in.()").where[0], {
    kind: "filter",
    filter: { field: { name: "id", path: [] }, negate: false, operation: { op: "in", values: [] } },
  });
  assert.deepEqual(q("city=is.NULL").where[0], {
    kind: "filter",
    filter: { field: { name: "city", path: [] }, negate: false, operation: { op: "is", value: "null" } },
  });
  assertRestError(() => q("city=is.maybe"), 400, "PGRST100", /trilean/);
  assertRestError(() => q("name=eqq.x"), 400, "PGRST100", /unknown single value operator eqq/);
  assertRestError(() => q("name=eq(any).{a,b}"), 400, "PGRST100", /quantifiers/);
  assertRestError(() => q("name=fts.cat"), 400, "PGRST100", /Full-text/);
  assertRestError(() => q("name=x"), 400, "PGRST100");
  assertRestError(() => q("contacts.name=eq.x"), 400, "PGRST100", /embedded/);
  assertRestError(() => q("limit=-1"), 400, "PGRST100");
  // The apikey query parameter belongs to the gateway, not to the filters.
  assert.deepEqual(q("apikey=abc&limit=5&offset=10"), { ...q(""), limit: 5, offset: 10 });
});

Deno.test("parser: and/or trees", () => {
  const [tree] = q('or=(name.ilike.*a*,and(x.gt.1,y.not.is.null),not.and(z.eq."a,b)",w.in.(1,2)))').where;
  assert.deepEqual(tree, {
    kind: "logic",
    negate: false,
    operator: "or",
    children: [
      {
        kind: "filter",
        filter: { field: { name: "name", path: [] }, negate: false, operation: { op: "ilike", value: "*a*" } },
      },
      {
        kind: "logic",
        negate: false,
        operator: "and",
        children: [
          {
            kind: "filter",
            filter: { field: { name: "x", path: [] }, negate: false, operation: { op: "gt", value: "1" } },
          },
          {
            kind: "filter",
            filter: { field: { name: "y", path: [] }, negate: true, operation: { op: "is", value: "null" } },
          },
        ],
      },
      {
        kind: "logic",
        negate: true,
        operator: "and",
        children: [
          {
            kind: "filter",
            filter: { field: { name: "z", path: [] }, negate: false, operation: { op: "eq", value: "a,b)" } },
          },
          {
            kind: "filter",
            filter: { field: { name: "w", path: [] }, negate: false, operation: { op: "in", values: ["1", "2"] } },
          },
        ],
      },
    ],
  });
  assert.equal((q("not.or=(a.eq.1,b.eq.2)").where[0] as { negate: boolean }).negate, true);
  assertRestError(() => q("or=(a.eq.1"), 400, "PGRST100");
  assertRestError(() => q("or=(a.eqq.1,b.eq.2)"), 400, "PGRST100", /unknown single value operator eqq/);
  assertRestError(() => q("or=()"), 400, "PGRST100");
});

Deno.test("parser: order and rpc arguments", () => {
  assert.deepEqual(q("order=a.desc.nullslast,b,payload->>x.asc").order, [
    { field: { name: "a", path: [] }, direction: "desc", nulls: "last" },
    { field: { name: "b", path: [] }, direction: null, nulls: null },
    { field: { name: "payload", path: [{ arrow: "->>", key: "x", index: false }] }, direction: "asc", nulls: null },
  ]);
  assertRestError(() => q("order=a.sideways"), 400, "PGRST100");
  assertRestError(() => q("order=contacts(name)"), 400, "PGRST100");
  const call = q("account_id=eq.5&status=eq.pending", ["account_id"]);
  assert.deepEqual(call.args, { account_id: "eq.5" });
  assert.equal(call.where.length, 1);
});

Deno.test("errors: PostgREST's SQLSTATE -> HTTP status table", () => {
  const cases: Array<[string, boolean, number]> = [
    ["23503", true, 409],
    ["23505", true, 409],
    ["42501", true, 403],
    ["42501", false, 401],
    ["P0001", true, 400],
    ["P0002", true, 500],
    ["PT404", true, 404],
    ["PT409", true, 409],
    ["PTxyz", true, 500],
    ["42P01", true, 404],
    ["42883", true, 404],
    ["08006", true, 503],
    ["08P01", true, 503],
    ["40001", true, 500],
    ["53300", true, 503],
    ["53400", true, 500],
    ["57014", true, 500],
    ["57P01", true, 503],
    ["25006", true, 405],
    ["22P02", true, 400],
    ["23514", true, 400],
    ["28000", true, 403],
    ["XX000", true, 500],
    ["42P17", true, 500],
    ["0P000", true, 403],
  ];
  for (const [code, authenticated, status] of cases) {
    assert.equal(statusForSqlState(code, "m", authenticated), status, code);
  }
  assert.equal(statusForSqlState("21000", "UPDATE requires a WHERE clause", true), 400);
  assert.equal(statusForSqlState("21000", "more than one row returned by a subquery", true), 500);
});

Deno.test("errors: unexpected failures are a 500 JSON body, connection loss a 503", () => {
  const original = console.error;
  console.error = () => {};
  try {
    const unexpected = toRestError(new TypeError("boom"), true);
    assert.equal(unexpected.status, 500);
    assert.equal(unexpected.details, "boom");
    const lost = toRestError(Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" }), true);
    assert.equal(lost.status, 503);
  } finally {
    console.error = original;
  }
});

Deno.test("ranges: Content-Range and the page window", () => {
  assert.equal(contentRange(0, 24, 3573458), "0-24/3573458");
  assert.equal(contentRange(0, -1, 0), "*/0");
  assert.equal(contentRange(0, 4, null), "0-4/*");
  assert.equal(contentRange(1, 0, null), "*/*");
  assert.equal(contentRange(1, 0, 3), "*/3");
  assert.deepEqual(pageWindow(null, null, null), { offset: 0, limit: null });
  assert.deepEqual(pageWindow(null, 10, 20), { offset: 20, limit: 10 });
  assert.deepEqual(pageWindow({ lower: 5, upper: 9 }, null, null), { offset: 5, limit: 5 });
  assert.deepEqual(pageWindow({ lower: 5, upper: 100 }, 10, 0), { offset: 5, limit: 5 });
  assert.deepEqual(pageWindow({ lower: 0, upper: null }, 3, 2), { offset: 2, limit: 3 });
});
