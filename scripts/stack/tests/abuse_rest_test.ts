// Abuse of /rest/v1: every table, view and function of the API, called by someone who should not
// (no key, a wrong key, forged, expired and doctored tokens, anon), with another workspace's ids,
// oversized bodies, wrong content types, broken and random JSON (fast-check, seeded), and SQL
// injection in every filter operator, logic tree, order, select, limit and header. The answer is
// always a 4xx with a JSON message (or, for a request that is merely empty-handed, a 2xx showing
// nothing), never a 5xx; and the database is fingerprinted before and after each step: unchanged.
import assert from "node:assert/strict";
import { answer, assertClientError, assertNotServerError, badTokens, unchanged } from "./abuse_helpers.ts";
import { anyJson, fc, fcOptions, NASTY_STRINGS, objectsNear, streamedBody } from "./abuse_inputs.ts";
import { createFixture, SEED, testEnv, testKeys } from "./rest_helpers.ts";

const REST = `${testEnv.API_URL}/rest/v1`;

interface Call {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  token?: string | null;
  apikey?: string | null;
}

async function call(c: Call) {
  const headers = new Headers(c.headers);
  if (c.apikey !== null) headers.set("apikey", c.apikey ?? testKeys.client);
  if (c.token) headers.set("authorization", `Bearer ${c.token}`);
  if (c.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return await answer(await fetch(`${REST}${c.path}`, { method: c.method, headers, body: c.body }));
}

const q = encodeURIComponent;

Deno.test("abuse: /rest/v1", async (t) => {
  const fx = await createFixture([{ name: "Alice Co", domain: "alice-abuse.com", metadata: { tier: "gold" } }]);
  const db = fx.db;
  const [aliceAccount] = await db`select id from public.accounts where workspace_id = ${fx.alice.workspaceId}`;
  const [bobAccount] = await db`
    insert into public.accounts (workspace_id, name, domain, city) values (${fx.bob.workspaceId}, 'Bob Secret', 'bob-abuse.com', 'Oslo')
    returning id`;
  const [bobContact] = await db`
    insert into public.contacts (workspace_id, account_id, first_name, last_name, email)
    values (${fx.bob.workspaceId}, ${bobAccount.id}, 'Bob', 'Builder', 'bob@bob-abuse.com') returning id`;
  // Jobs that are not due for a day, so no worker touches them while the tests run.
  const [bobJob] = await db`
    insert into public.jobs (workspace_id, job_type, payload, scheduled_for)
    values (${fx.bob.workspaceId}, 'enrich_account', ${db.json({ account_id: bobAccount.id, domain: "bob-abuse.com" })},
            now() + interval '1 day') returning id`;
  const [aliceJob] = await db`
    insert into public.jobs (workspace_id, job_type, payload, scheduled_for)
    values (${fx.alice.workspaceId}, 'enrich_account', ${db.json({ account_id: aliceAccount.id, domain: "alice-abuse.com" })},
            now() + interval '1 day') returning id`;
  await db`insert into public.job_logs (job_id, workspace_id, message) values
           (${bobJob.id}, ${fx.bob.workspaceId}, 'Bob''s secret log line'),
           (${aliceJob.id}, ${fx.alice.workspaceId}, 'Alice''s log line')`;
  const scope = { workspaceIds: [fx.alice.workspaceId, fx.bob.workspaceId], userIds: [fx.alice.id, fx.bob.id] };
  const alice = fx.alice.token;

  // What the API exposes, read from the catalog so a new table or function is covered too.
  const relations = (await db<{ name: string; kind: string }[]>`
    select c.relname as name, c.relkind::text as kind from pg_catalog.pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'v', 'm') order by 1`);
  const columnsOf = new Map<string, string[]>();
  for (const r of await db<{ table_name: string; columns: string[] }[]>`
    select table_name, array_agg(column_name::text order by ordinal_position) as columns
    from information_schema.columns where table_schema = 'public' group by table_name`) {
    columnsOf.set(r.table_name, r.columns);
  }
  const functions = await db<{ name: string; args: string[] }[]>`
    select p.proname as name, coalesce(p.proargnames[1:p.pronargs], '{}') as args
    from pg_catalog.pg_proc p where p.pronamespace = 'public'::regnamespace order by 1`;
  const tables = relations.filter((r) => r.kind === "r").map((r) => r.name);

  try {
    await t.step("no key, a wrong key, and every bad token: 401 with a JSON message on every route", async () => {
      const tokens = await badTokens({ id: fx.alice.id, email: fx.alice.email });
      const targets: Call[] = [
        ...relations.map((r) => ({ method: "GET", path: `/${r.name}?select=*` })),
        ...tables.map((name) => ({ method: "POST", path: `/${name}`, body: "{}" })),
        ...tables.map((name) => ({ method: "PATCH", path: `/${name}?id=eq.${bobAccount.id}`, body: '{"name":"x"}' })),
        ...tables.map((name) => ({ method: "DELETE", path: `/${name}?id=eq.${bobAccount.id}` })),
        ...functions.map((f) => ({ method: "POST", path: `/rpc/${f.name}`, body: "{}" })),
      ];
      await unchanged(db, scope, "bad credentials", async () => {
        for (const target of targets) {
          assertClientError(await call({ ...target, apikey: null }), `${target.method} ${target.path} without apikey`, [401]);
          assertClientError(
            await call({ ...target, apikey: "sb_publishable_not-a-real-key" }),
            `${target.method} ${target.path} with a wrong apikey`,
            [401],
          );
          for (const [label, token] of tokens) {
            assertClientError(await call({ ...target, token }), `${target.method} ${target.path} with a ${label} token`, [401]);
          }
        }
      });
    });

    await t.step("anon (the apikey alone) reaches no table, view or function", async () => {
      await unchanged(db, scope, "anon", async () => {
        for (const r of relations) assertClientError(await call({ method: "GET", path: `/${r.name}` }), `anon GET ${r.name}`, [401]);
        for (const name of tables) {
          // 401 (no privilege), or 400 when the table has no such column (PostgREST checks that first too).
          assertClientError(await call({ method: "POST", path: `/${name}`, body: '{"name":"anon"}' }), `anon POST ${name}`, [400, 401]);
        }
        for (const f of functions) {
          const a = await call({ method: "POST", path: `/rpc/${f.name}`, body: "{}" });
          assertClientError(a, `anon rpc ${f.name}`, [400, 401, 404]);
        }
      });
    });

    await t.step("another workspace's ids: a 4xx, or nothing seen and nothing changed", async () => {
      await unchanged(db, scope, "another workspace's ids", async () => {
        // Reads of Bob's rows show nothing.
        for (const [path, table] of [
          [`/accounts?id=eq.${bobAccount.id}`, "accounts"],
          [`/accounts?workspace_id=eq.${fx.bob.workspaceId}`, "accounts"],
          [`/contacts?id=eq.${bobContact.id}`, "contacts"],
          [`/jobs?id=eq.${bobJob.id}`, "jobs"],
          [`/job_logs?job_id=eq.${bobJob.id}`, "job_logs"],
          [`/workspace_settings?workspace_id=eq.${fx.bob.workspaceId}&select=workspace_id,enrichment_credits_used`, "settings"],
          [`/workspaces?id=eq.${fx.bob.workspaceId}`, "workspaces"],
          [`/workspace_members?workspace_id=eq.${fx.bob.workspaceId}`, "members"],
          [`/accounts_with_enrichment?id=eq.${bobAccount.id}`, "view"],
        ] as const) {
          const a = await call({ method: "GET", path, token: alice });
          assert.equal(a.status, 200, `${table}: ${a.text}`);
          assert.deepEqual(JSON.parse(a.text), [], `${table}: Bob's rows are invisible to Alice`);
        }
        // Writes to Bob's rows touch nothing, or are refused.
        for (
          const c of [
            { method: "PATCH", path: `/accounts?id=eq.${bobAccount.id}`, body: '{"name":"pwned"}' },
            { method: "DELETE", path: `/accounts?id=eq.${bobAccount.id}` },
            { method: "PATCH", path: `/contacts?id=eq.${bobContact.id}`, body: '{"title":"pwned"}' },
            { method: "DELETE", path: `/contacts?workspace_id=eq.${fx.bob.workspaceId}` },
            { method: "PATCH", path: `/workspaces?id=eq.${fx.bob.workspaceId}`, body: '{"name":"pwned"}' },
            { method: "PATCH", path: `/workspace_settings?workspace_id=eq.${fx.bob.workspaceId}`, body: '{"apollo_auto_enrich":true}' },
            { method: "PATCH", path: `/jobs?id=eq.${bobJob.id}`, body: '{"status":"cancelled"}' },
            { method: "DELETE", path: `/jobs?id=eq.${bobJob.id}` },
          ]
        ) {
          assertNotServerError(await call({ ...c, token: alice }), `${c.method} ${c.path}`);
        }
        const refused: Array<[Call, number[]]> = [
          [{ method: "POST", path: "/accounts", body: JSON.stringify({ workspace_id: fx.bob.workspaceId, name: "Intruder" }) }, [403]],
          [{ method: "POST", path: "/contacts", body: JSON.stringify({ workspace_id: fx.bob.workspaceId, email: "x@y.io" }) }, [403]],
          [{
            method: "POST",
            path: "/jobs",
            body: JSON.stringify({ workspace_id: fx.bob.workspaceId, job_type: "enrich_account", payload: { account_id: bobAccount.id } }),
          }, [403]],
          [{ method: "POST", path: "/job_actions", body: JSON.stringify({ job_id: bobJob.id, workspace_id: fx.bob.workspaceId, action: "cancel" }) }, [403]],
          [{ method: "POST", path: "/job_actions", body: JSON.stringify({ job_id: bobJob.id, workspace_id: fx.alice.workspaceId, action: "cancel" }) }, [403]],
          [{ method: "POST", path: "/workspace_members", body: JSON.stringify({ workspace_id: fx.bob.workspaceId, user_id: fx.alice.id }) }, [401, 403]],
          [{ method: "POST", path: "/rpc/enqueue_enrichment", body: JSON.stringify({ account_id: bobAccount.id }) }, [404]],
          [{ method: "POST", path: "/rpc/enqueue_contact_enrichment", body: JSON.stringify({ contact_id: bobContact.id }) }, [404]],
          [{ method: "POST", path: "/rpc/cancel_job", body: JSON.stringify({ job_id: bobJob.id }) }, [404]],
          [{ method: "POST", path: "/rpc/retry_job", body: JSON.stringify({ job_id: bobJob.id }) }, [404]],
          [{
            method: "POST",
            path: "/rpc/enqueue_job",
            body: JSON.stringify({ workspace_id: fx.bob.workspaceId, job_type: "enrich_account", payload: { account_id: bobAccount.id } }),
          }, [403]],
        ];
        for (const [c, statuses] of refused) {
          assertClientError(await call({ ...c, token: alice }), `${c.method} ${c.path} ${c.body}`, statuses);
        }
        // Bulk enqueue of Bob's accounts: they are invisible, so nothing is queued.
        const bulk = await call({
          method: "POST",
          path: "/rpc/enqueue_account_enrichments",
          body: JSON.stringify({ account_ids: [bobAccount.id] }),
          token: alice,
        });
        assert.equal(bulk.status, 200, bulk.text);
        assert.deepEqual(JSON.parse(bulk.text), []);
        // Worker functions are not for browsers.
        for (const name of ["claim_jobs", "complete_job", "fail_job", "apply_account_enrichment", "reap_expired_leases"]) {
          assertClientError(await call({ method: "POST", path: `/rpc/${name}`, body: "{}", token: alice }), `rpc ${name}`, [400, 403, 404]);
        }
      });
    });

    await t.step("oversized bodies: 413 with a JSON message, checked before anything is parsed", async () => {
      const big = JSON.stringify({ workspace_id: fx.alice.workspaceId, name: "x".repeat(1_200_000) });
      const many = JSON.stringify(Array.from({ length: 30_000 }, (_, i) => ({ workspace_id: fx.alice.workspaceId, name: `n${i}` })));
      await unchanged(db, scope, "oversized bodies", async () => {
        for (
          const c of [
            { method: "POST", path: "/accounts", body: big },
            { method: "POST", path: "/accounts", body: many },
            { method: "PATCH", path: `/accounts?id=eq.${aliceAccount.id}`, body: big },
            { method: "POST", path: "/rpc/enqueue_account_enrichments", body: big },
          ]
        ) {
          assertClientError(await call({ ...c, token: alice }), `${c.method} ${c.path} (${c.body.length} bytes)`, [413]);
        }
        // A Content-Length that lies about a big body, and one that is not a number.
        const lying = await fetch(`${REST}/accounts`, {
          method: "POST",
          headers: { apikey: testKeys.client, authorization: `Bearer ${alice}`, "content-type": "application/json" },
          body: streamedBody(40, 64 * 1024),
        });
        assertClientError(await answer(lying), "a streamed body of 2.5 MB", [413]);
      });
    });

    await t.step("wrong content types and broken JSON: 415 / 400 with a JSON message", async () => {
      const body = JSON.stringify({ workspace_id: fx.alice.workspaceId, name: "Should not exist" });
      await unchanged(db, scope, "content types", async () => {
        for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/csv", "image/png"]) {
          for (const path of ["/accounts", "/rpc/enqueue_enrichment"]) {
            assertClientError(
              await call({ method: "POST", path, body, headers: { "content-type": type }, token: alice }),
              `POST ${path} as ${type}`,
              [415],
            );
          }
        }
        for (
          const broken of [
            "{",
            '{"name": }',
            `${body}garbage`,
            '{"name": NaN}',
            "[".repeat(20_000) + "]".repeat(20_000),
            "\u0000",
            '{"name": "\\ud800"}',
            "nul",
          ]
        ) {
          assertClientError(
            await call({ method: "POST", path: "/accounts", body: broken, token: alice }),
            `broken JSON ${JSON.stringify(broken.slice(0, 20))}`,
            [400],
          );
        }
      });
    });

    await t.step("random JSON bodies (fast-check) on every write route: never a 5xx, nothing changes", async () => {
      // Bodies that never make a valid row of Alice's: random JSON anywhere, and field names of the
      // real columns with random values where a valid row needs Alice's workspace id (never generated).
      const targets: Array<[string, string, fc.Arbitrary<unknown>]> = [
        ...tables.map((name) => ["POST", `/${name}`, anyJson.filter((v) => !Array.isArray(v) || v.length > 0)] as [string, string, fc.Arbitrary<unknown>]),
        ...["accounts", "contacts", "jobs", "job_actions"].map((name) =>
          ["POST", `/${name}`, objectsNear((columnsOf.get(name) ?? []).filter((c) => c !== "workspace_id"))] as [string, string, fc.Arbitrary<unknown>]
        ),
        ["PATCH", `/accounts?id=eq.${bobAccount.id}`, objectsNear(columnsOf.get("accounts") ?? [])],
        ["PATCH", `/jobs?id=eq.${aliceJob.id}`, objectsNear(columnsOf.get("jobs") ?? [])],
        ["PATCH", `/workspace_settings?workspace_id=eq.${fx.alice.workspaceId}`, objectsNear(columnsOf.get("workspace_settings") ?? []).filter((o) => !("apollo_auto_enrich" in o))],
        ...functions.map((f) => ["POST", `/rpc/${f.name}`, fc.oneof(anyJson, objectsNear(f.args))] as [string, string, fc.Arbitrary<unknown>]),
      ];
      await unchanged(db, scope, "random JSON", async () => {
        for (const [method, path, body] of targets) {
          await fc.assert(
            fc.asyncProperty(body, async (value) => {
              const a = await call({ method, path, body: JSON.stringify(value), token: alice });
              assertNotServerError(a, `${method} ${path} ${JSON.stringify(value).slice(0, 200)}`);
              if (method === "POST" && !path.startsWith("/rpc/")) {
                assert.ok(a.status >= 400, `${method} ${path} must refuse ${JSON.stringify(value).slice(0, 200)}: ${a.status}`);
              }
            }),
            fcOptions,
          );
        }
      });
    });

    await t.step("SQL injection in every filter operator, logic tree, order, select, limit and header", async () => {
      const operators = [
        "eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "match", "imatch", "cs", "cd", "ov", "sl", "sr", "nxr",
        "nxl", "adj", "isdistinct", "fts", "plfts", "phfts", "wfts",
      ];
      const columns = ["name", "id", "employee_count", "metadata", "created_at", "metadata->>tier", "metadata->tier"];
      const seen = new Map<number, number>();
      const check = async (path: string, what: string) => {
        const a = await call({ method: "GET", path, token: alice });
        seen.set(a.status, (seen.get(a.status) ?? 0) + 1);
        assertNotServerError(a, what);
        if (a.status === 200) {
          const rows = JSON.parse(a.text) as Array<Record<string, unknown>>;
          for (const row of Array.isArray(rows) ? rows : [rows]) {
            if ("workspace_id" in row) assert.equal(row.workspace_id, fx.alice.workspaceId, `${what}: leaked a row of another workspace`);
          }
        }
      };
      await unchanged(db, scope, "SQL injection", async () => {
        for (const value of NASTY_STRINGS) {
          for (const column of columns) {
            for (const op of operators) {
              await check(`/accounts?select=id,workspace_id&${q(column)}=${q(`${op}.${value}`)}`, `${column}=${op}.${value.slice(0, 40)}`);
            }
            await check(`/accounts?select=id,workspace_id&${q(column)}=${q(`not.eq.${value}`)}`, `${column}=not.eq`);
            await check(`/accounts?select=id,workspace_id&${q(column)}=${q(`in.(${value},"${value}")`)}`, `${column}=in`);
            await check(`/accounts?select=id,workspace_id&${q(column)}=${q(`is.${value}`)}`, `${column}=is`);
          }
          await check(`/accounts?select=id,workspace_id&or=${q(`(name.eq.${value},id.eq.${value})`)}`, `or ${value.slice(0, 40)}`);
          await check(`/accounts?select=id,workspace_id&and=${q(`(name.eq.${value},or(city.eq.${value},city.is.null))`)}`, "and");
          await check(`/accounts?select=id,workspace_id&not.or=${q(`(name.eq.${value})`)}`, "not.or");
          await check(`/accounts?select=id,workspace_id&order=${q(value)}`, `order=${value.slice(0, 40)}`);
          await check(`/accounts?select=id,workspace_id&order=${q(`name.${value}`)}`, `order=name.${value.slice(0, 40)}`);
          await check(`/accounts?select=id,workspace_id&order=${q(`metadata->>${value}.desc`)}`, "order by a json key");
          await check(`/accounts?select=${q(value)}`, `select=${value.slice(0, 40)}`);
          await check(`/accounts?select=${q(`id,workspace_id,name::${value}`)}`, `cast to ${value.slice(0, 40)}`);
          await check(`/accounts?select=${q(`${value}:name,workspace_id`)}`, `alias ${value.slice(0, 40)}`);
          await check(`/accounts?select=id,workspace_id&limit=${q(value)}`, `limit=${value.slice(0, 40)}`);
          await check(`/accounts?select=id,workspace_id&offset=${q(value)}`, `offset=${value.slice(0, 40)}`);
          await check(`/jobs?select=id,workspace_id&payload->>account_id=${q(`eq.${value}`)}`, "jobs payload key");
          await check(`/job_logs?select=id,workspace_id&message=${q(`ilike.*${value}*`)}`, "job_logs message");
          await check(`/${q(value)}?select=*`, `table ${value.slice(0, 40)}`);
          await check(`/rpc/${q(value)}`, `rpc ${value.slice(0, 40)}`);
          for (const [header, headerValue] of [
            ["range", value],
            ["range", `0-${value}`],
            ["prefer", `count=${value}`],
            ["prefer", value],
            ["accept", value],
            ["accept-profile", value],
          ]) {
            // deno-lint-ignore no-control-regex
            if (/[\u0000-\u001f\u007f-\uffff]/.test(headerValue) || headerValue.length > 1000) continue; // not a valid header value
            const a = await call({ method: "GET", path: "/accounts?select=id,workspace_id", token: alice, headers: { [header]: headerValue } });
            assertNotServerError(a, `${header}: ${headerValue.slice(0, 40)}`);
          }
          // Writes with hostile filters: only Alice's rows can match, and values stay values.
          assertNotServerError(
            await call({ method: "PATCH", path: `/accounts?name=${q(`eq.${value}`)}`, body: JSON.stringify({ city: "x" }), token: alice }),
            "PATCH with an injected filter",
          );
          assertNotServerError(await call({ method: "DELETE", path: `/accounts?name=${q(`eq.${value}`)}`, token: alice }), "DELETE");
        }
      });
      console.log(`    answers: ${[...seen.entries()].sort().map(([s, n]) => `${s} x${n}`).join(", ")}`);
      const [{ exists }] = await db`select to_regclass('public.accounts') is not null and to_regclass('public.jobs') is not null as exists`;
      assert.equal(exists, true);
    });

    await t.step("the seed's workspaces stay out of reach throughout", async () => {
      for (const path of [`/accounts?workspace_id=eq.${SEED.demoWorkspace}`, `/jobs?workspace_id=eq.${SEED.otherWorkspace}`]) {
        const a = await call({ method: "GET", path, token: alice });
        assert.equal(a.status, 200);
        assert.deepEqual(JSON.parse(a.text), []);
      }
    });
  } finally {
    await fx.cleanup();
  }
});
