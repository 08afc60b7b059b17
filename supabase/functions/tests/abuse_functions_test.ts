// Abuse of the Edge Functions through the gateway (/functions/v1): job-worker with every wrong
// token (wrong, a prefix, longer, other lengths, other schemes, the API keys), apollo-settings and
// jobs with missing/forged/expired tokens, another workspace's ids, oversized bodies, wrong content
// types and random JSON (fast-check, seeded). Always a 4xx with a JSON message, never a 5xx, and
// the database fingerprinted before and after: unchanged.
import assert from "node:assert/strict";
import {
  answer,
  assertClientError,
  badTokens,
  fingerprint,
  unchanged,
} from "../../../scripts/stack/tests/abuse_helpers.ts";
import {
  anyJson,
  fc,
  fcOptions,
  NASTY_STRINGS,
  objectsNear,
  streamedBody,
} from "../../../scripts/stack/tests/abuse_inputs.ts";
import { withSettings } from "./helpers/ops.ts";
import {
  createAccount, fakeApollo, integration, job, runWorker, setApolloKey, signUp, sql, testEnv, testKeys, WORKER_URL, withCronPaused,
} from "./helpers/stack.ts";
import { setTimeout as sleep } from "node:timers/promises";

const FUNCTIONS = `${testEnv.API_URL}/functions/v1`;

async function fn(
  path: string,
  init: { method?: string; token?: string | null; body?: string; headers?: Record<string, string> } = {},
) {
  const headers = new Headers(init.headers);
  headers.set("apikey", testKeys.client);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return await answer(await fetch(`${FUNCTIONS}/${path}`, { method: init.method ?? "POST", headers, body: init.body }));
}

integration("abuse: job-worker refuses every token but its own (wrong, prefix, longer, other lengths, other schemes)", async () => {
  const owner = await signUp("abuse-worker");
  const token = testEnv.WORKER_SECRET_TOKEN;
  try {
    await withCronPaused(async () => {
      // A due job that no wake-up announced: any call that got in would claim it.
      const accountId = await createAccount(owner.workspaceId, "abuse-worker.example");
      const [{ id: jobId }] = await sql<{ id: string }[]>`
        insert into public.jobs (workspace_id, job_type, payload, scheduled_for)
        values (${owner.workspaceId}, 'enrich_account', ${sql.json({ account_id: accountId })}, now() + interval '1 hour')
        returning id`;
      await sql`update public.jobs set scheduled_for = now() where id = ${jobId}`;

      const wrong: string[] = [
        "",
        "wrong",
        ...Array.from({ length: token.length - 1 }, (_, n) => token.slice(0, n + 1)), // every prefix
        token + "x",
        token + token,
        "x" + token,
        token.slice(1),
        token.toUpperCase(),
        ...Array.from(token, (c, i) => token.slice(0, i) + (c === "a" ? "b" : "a") + token.slice(i + 1)), // one character off
        testKeys.client,
        testKeys.server,
        testKeys.legacyKeys.anonKey,
        testKeys.legacyKeys.serviceRoleKey,
        owner.token,
        // deno-lint-ignore no-control-regex
        ...NASTY_STRINGS.filter((s) => !/[\u0000-\u001f\u007f-\uffff]/.test(s) && s.length < 200),
      ];
      const headerVariants = (t: string): Array<Record<string, string>> => [
        { authorization: `Bearer ${t}` },
        { authorization: `bearer ${t}` },
        { authorization: `Basic ${btoa(`worker:${t}`)}` },
        { authorization: `Token ${t}` },
        { authorization: t },
      ];
      const scope = { workspaceIds: [owner.workspaceId], userIds: [owner.userId] };
      await unchanged(sql, scope, "wrong worker tokens", async () => {
        for (const t of wrong) {
          for (const headers of headerVariants(t)) {
            for (const method of ["POST", "GET", "DELETE"]) {
              const a = await answer(await fetch(WORKER_URL, { method, headers }));
              assertClientError(a, `${method} with ${JSON.stringify(headers).slice(0, 80)}`, [401]);
              assert.deepEqual(JSON.parse(a.text), { error: "Unauthorized" });
            }
          }
        }
        // The right token elsewhere than the Authorization header does not count either.
        const elsewhere: RequestInit[] = [
          { headers: { apikey: token } },
          { headers: { "x-worker-token": token } },
          { headers: { "content-type": "application/json" }, body: JSON.stringify({ token, authorization: `Bearer ${token}` }) },
        ];
        for (const init of elsewhere) {
          assertClientError(await answer(await fetch(`${WORKER_URL}?token=${token}`, { method: "POST", ...init })), "token elsewhere", [401]);
        }
        // Tokens of every other length and content (fast-check).
        await fc.assert(
          fc.asyncProperty(fc.string({ minLength: 0, maxLength: 64, unit: "grapheme-ascii" }), async (t) => {
            fc.pre(t.trim() !== token);
            const a = await answer(await fetch(WORKER_URL, { method: "POST", headers: { authorization: `Bearer ${t}` } }));
            assertClientError(a, `random token ${JSON.stringify(t)}`, [401]);
          }),
          fcOptions,
        );
      });
      const untouched = await job(jobId);
      assert.equal(untouched.status, "pending", "no refused call claimed the due job");
      assert.equal(untouched.attempts, 0);

      // The right token is let in (and claims the job), so the refusals above meant something.
      const ok = await runWorker(token);
      assert.equal(ok.status, 200);
      assert.ok(ok.body.claimed >= 1);
      assert.notEqual((await job(jobId)).attempts, 0);
    });
  } finally {
    await owner.cleanup();
  }
});

interface People {
  owner: Awaited<ReturnType<typeof signUp>>;
  member: Awaited<ReturnType<typeof signUp>>;
  stranger: Awaited<ReturnType<typeof signUp>>;
  scope: { workspaceIds: string[]; userIds: string[] };
  ownerAccount: string;
  strangerAccount: string;
}

/** An owner with a saved key and an account, a plain member of the owner's workspace, and a stranger. */
async function people(): Promise<People> {
  const owner = await signUp("abuse-owner");
  const member = await signUp("abuse-member");
  const stranger = await signUp("abuse-stranger");
  await sql`insert into public.workspace_members (workspace_id, user_id, role) values (${owner.workspaceId}, ${member.userId}, 'member')`;
  await setApolloKey(owner.workspaceId, "test-key-12345");
  await setApolloKey(stranger.workspaceId, "live-key-stranger-0001");
  const ownerAccount = await createAccount(owner.workspaceId, "abuse-owner.example");
  const strangerAccount = await createAccount(stranger.workspaceId, "abuse-stranger.example");
  return {
    owner,
    member,
    stranger,
    ownerAccount,
    strangerAccount,
    scope: {
      workspaceIds: [owner.workspaceId, member.workspaceId, stranger.workspaceId],
      userIds: [owner.userId, member.userId, stranger.userId],
    },
  };
}

/** Runs fn with people(), who are deleted after whatever fn does. */
async function withPeople(fn: (p: People) => Promise<void>) {
  const p = await people();
  try {
    await fn(p);
  } finally {
    await p.owner.cleanup();
    await p.member.cleanup();
    await p.stranger.cleanup();
  }
}

/** Tokens GoTrue would not vouch for: bad ones, the API keys (no user), a deleted user's, a dead session's. */
async function refusedTokens(p: People): Promise<Array<[string, string]>> {
  const gone = await signUp("abuse-gone");
  await gone.cleanup();
  const now = Math.floor(Date.now() / 1000);
  const deadSession = await testKeys.sign({
    sub: p.owner.userId, role: "authenticated", aud: "authenticated", email: p.owner.email,
    session_id: crypto.randomUUID(), iat: now, exp: now + 600,
  });
  return [
    ...(await badTokens({ id: p.owner.userId, email: p.owner.email })),
    ["the client API key", testKeys.client],
    ["the server API key", testKeys.server],
    ["the legacy anon key", testKeys.legacyKeys.anonKey],
    ["the legacy service role key", testKeys.legacyKeys.serviceRoleKey],
    ["a deleted user's token", gone.token],
    ["a token naming a session that does not exist", deadSession],
  ];
}

const ROUTES: Array<{ method: string; path: (p: People) => string; body?: (p: People) => unknown }> = [
  { method: "GET", path: (p) => `apollo-settings?workspace_id=${p.owner.workspaceId}` },
  { method: "POST", path: () => "apollo-settings", body: (p) => ({ workspace_id: p.owner.workspaceId, api_key: "test-key-12345" }) },
  { method: "POST", path: () => "apollo-settings/test", body: (p) => ({ workspace_id: p.owner.workspaceId }) },
  { method: "DELETE", path: (p) => `apollo-settings?workspace_id=${p.owner.workspaceId}` },
  {
    method: "POST",
    path: () => "jobs",
    body: (p) => ({ workspace_id: p.owner.workspaceId, job_type: "enrich_account", payload: { account_id: p.ownerAccount } }),
  },
];

integration("abuse: apollo-settings and jobs refuse missing, forged, expired and unbacked tokens with 401", async () => {
  await withPeople(async (p) => {
    const tokens = await refusedTokens(p);
    await unchanged(sql, p.scope, "refused tokens", async () => {
      for (const route of ROUTES) {
        const body = route.body ? JSON.stringify(route.body(p)) : undefined;
        assertClientError(await fn(route.path(p), { method: route.method, body }), `${route.method} ${route.path(p)} without a token`, [401]);
        for (const [label, token] of tokens) {
          assertClientError(
            await fn(route.path(p), { method: route.method, body, token }),
            `${route.method} ${route.path(p)} with ${label}`,
            [401],
          );
        }
      }
    });
  });
});

integration("abuse: another workspace's ids get 403/404/422, a plain member cannot change the key", async () => {
  await withPeople(async (p) => {
    const mine = p.owner.token;
    const theirs = p.stranger.workspaceId;
    const cases: Array<[string, string, string | undefined, string, number[]]> = [
      ["GET", `apollo-settings?workspace_id=${theirs}`, undefined, mine, [404]],
      ["POST", "apollo-settings", JSON.stringify({ workspace_id: theirs, api_key: "test-key-12345" }), mine, [404]],
      ["POST", "apollo-settings/test", JSON.stringify({ workspace_id: theirs }), mine, [404]],
      ["DELETE", `apollo-settings?workspace_id=${theirs}`, undefined, mine, [404]],
      ["POST", "apollo-settings", JSON.stringify({ workspace_id: p.owner.workspaceId, api_key: "test-key-12345" }), p.member.token, [403]],
      ["DELETE", `apollo-settings?workspace_id=${p.owner.workspaceId}`, undefined, p.member.token, [403]],
      // Testing shows the Apollo account behind a key: members may not, with the stored key or a typed one.
      ["POST", "apollo-settings/test", JSON.stringify({ workspace_id: p.owner.workspaceId }), p.member.token, [403]],
      [
        "POST",
        "apollo-settings/test",
        JSON.stringify({ workspace_id: p.owner.workspaceId, api_key: "live-key-leaked-0001" }),
        p.member.token,
        [403],
      ],
      ["POST", "apollo-settings/test", JSON.stringify({ workspace_id: theirs, api_key: "live-key-leaked-0002" }), mine, [404]],
      [
        "POST",
        "jobs",
        JSON.stringify({ workspace_id: theirs, job_type: "enrich_account", payload: { account_id: p.strangerAccount } }),
        mine,
        [403],
      ],
      [
        "POST",
        "jobs",
        JSON.stringify({ workspace_id: p.owner.workspaceId, job_type: "enrich_account", payload: { account_id: p.strangerAccount } }),
        mine,
        [422],
      ],
      [
        "POST",
        "jobs",
        JSON.stringify({ workspace_id: p.stranger.workspaceId, job_type: "enrich_account", payload: { account_id: p.ownerAccount } }),
        mine,
        [403],
      ],
    ];
    await unchanged(sql, p.scope, "another workspace's ids", async () => {
      for (const [method, path, body, token, statuses] of cases) {
        const a = await fn(path, { method, body, token });
        assertClientError(a, `${method} ${path} ${body ?? ""}`, statuses);
        assert.ok(!a.text.includes("live-key-stranger"), "the stranger's key never shows");
      }
    });
  });
});

integration("abuse: oversized bodies 413, wrong content types 415, broken JSON 400, unknown routes 404/405", async () => {
  await withPeople(async (p) => {
    const mine = p.owner.token;
    const big = JSON.stringify({ workspace_id: p.owner.workspaceId, api_key: "k".repeat(70_000) });
    await unchanged(sql, p.scope, "bodies and routes", async () => {
      for (const path of ["apollo-settings", "apollo-settings/test", "jobs"]) {
        assertClientError(await fn(path, { body: big, token: mine }), `${path} with ${big.length} bytes`, [413]);
        const streamed = await fetch(`${FUNCTIONS}/${path}`, {
          method: "POST",
          headers: { apikey: testKeys.client, authorization: `Bearer ${mine}`, "content-type": "application/json" },
          body: streamedBody(20, 16 * 1024),
        });
        assertClientError(await answer(streamed), `${path} with a streamed 320 KB body`, [413]);
        for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", ""]) {
          const body = JSON.stringify({ workspace_id: p.owner.workspaceId, api_key: "test-key-12345" });
          assertClientError(await fn(path, { body, token: mine, headers: { "content-type": type } }), `${path} as "${type}"`, [415]);
        }
        for (const broken of ["{", '{"workspace_id": }', "[1,2", "nul", "\u0000", "[".repeat(50_000)]) {
          assertClientError(await fn(path, { body: broken, token: mine }), `${path} with ${JSON.stringify(broken.slice(0, 12))}`, [400, 413]);
        }
      }
      for (
        const [method, path] of [
          ["GET", "apollo-settings"],
          ["GET", "apollo-settings?workspace_id=not-a-uuid"],
          ["GET", `apollo-settings?workspace_id=${encodeURIComponent("' or 1=1 --")}`],
          ["DELETE", "apollo-settings"],
          ["POST", "apollo-settings/unknown"],
          ["GET", "apollo-settings/test/deeper"],
          ["PUT", "apollo-settings"],
          ["PATCH", "apollo-settings"],
          ["GET", "jobs"],
          ["PUT", "jobs"],
          ["DELETE", "jobs"],
          ["GET", "no-such-function"],
          ["POST", "no-such-function/x"],
        ]
      ) {
        assertClientError(await fn(path, { method, token: mine }), `${method} ${path}`, [400, 404, 405]);
      }
    });
  });
});

/**
 * A body of `totalBytes` made only as the sender pulls it; `pulled()` says how much was sent. After
 * the answer, `end()` ends it: Deno's fetch keeps pulling a request body the server no longer reads.
 */
function lazyUpload(totalBytes: number) {
  let pulled = 0;
  let ended = false;
  const chunk = new Uint8Array(64 * 1024).fill("x".charCodeAt(0));
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (ended || pulled >= totalBytes) return controller.close();
      pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => pulled, end: () => (ended = true) };
}

integration("abuse: a 160 MB body streamed without Content-Length is refused after a few MB, not read whole", async () => {
  const total = 160 * 1024 * 1024;
  // What may be in flight when the answer comes: the 64 KB the function reads, plus the socket
  // buffers between the client, the gateway and the function (about 14 MB here). Reading the body
  // whole, in the function or in the gateway, pulls all 160 MB.
  const inFlight = 48 * 1024 * 1024;
  await withPeople(async (p) => {
    await unchanged(sql, p.scope, "streamed oversized bodies", async () => {
      const cases: Array<[string, string, number[]]> = [
        ["apollo-settings", p.owner.token, [413]],
        ["apollo-settings/test", p.owner.token, [413]],
        ["jobs", p.owner.token, [413]],
        ["job-worker", "not-the-worker-token", [401]],
      ];
      for (const [path, token, statuses] of cases) {
        const upload = lazyUpload(total);
        const response = await fetch(`${FUNCTIONS}/${path}`, {
          method: "POST",
          headers: { apikey: testKeys.client, authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: upload.stream,
        });
        const a = await answer(response);
        const sent = upload.pulled();
        upload.end();
        assertClientError(a, `${path} with a streamed 160 MB body`, statuses);
        if (statuses.includes(413)) {
          assert.deepEqual(JSON.parse(a.text), { error: "The request body is too large (max 65536 bytes)." });
        }
        assert.ok(sent < inFlight, `${path}: ${sent} bytes were sent before the answer`);
      }
      // The worker never reads its POST body: with the right token it runs, and the upload stops too.
      const upload = lazyUpload(total);
      const ran = await fetch(WORKER_URL, {
        method: "POST",
        headers: { authorization: `Bearer ${testEnv.WORKER_SECRET_TOKEN}`, "content-type": "application/json" },
        body: upload.stream,
      });
      const ranBody = await ran.json();
      const sent = upload.pulled();
      upload.end();
      assert.equal(ran.status, 200);
      assert.equal(ranBody.success, true);
      assert.ok(sent < inFlight, `job-worker: ${sent} bytes were sent before the answer`);
    });
  });
});

integration("abuse: API keys Apollo could never have issued (NUL, control or non-ASCII characters) are a 400, not a 5xx", async () => {
  await withPeople(async (p) => {
    await unchanged(sql, p.scope, "odd api keys", async () => {
      for (const apiKey of ["abcdefgh\u0000", "abcd\u0007efgh", "ключключключ", "key-with-émoji-🙂-1234", "abc\u202edefgh", "tab\tinside-key"]) {
        for (const path of ["apollo-settings", "apollo-settings/test"]) {
          const a = await fn(path, { body: JSON.stringify({ workspace_id: p.owner.workspaceId, api_key: apiKey }), token: p.owner.token });
          assertClientError(a, `${path} with api_key ${JSON.stringify(apiKey)}`, [400]);
          assert.match(JSON.parse(a.text).error, /api_key/);
        }
      }
    });
  });
});

integration("abuse: random JSON (fast-check) to apollo-settings and jobs is a 4xx with a message; nothing changes", async () => {
  await withPeople(async (p) => {
    const mine = p.owner.token;
    const before = await fingerprint(sql, p.scope);
    const bodies: Array<[string, fc.Arbitrary<unknown>]> = [
      ["apollo-settings", fc.oneof(anyJson, objectsNear(["workspace_id", "api_key"]))],
      ["apollo-settings/test", fc.oneof(anyJson, objectsNear(["workspace_id", "api_key"]))],
      ["jobs", fc.oneof(anyJson, objectsNear(["workspace_id", "job_type", "payload", "priority"]))],
    ];
    for (const [path, arbitrary] of bodies) {
      await fc.assert(
        fc.asyncProperty(arbitrary, async (value) => {
          assertClientError(await fn(path, { body: JSON.stringify(value), token: mine }), `${path} ${JSON.stringify(value).slice(0, 200)}`);
        }),
        fcOptions,
      );
    }
    // Query strings for the GET/DELETE routes.
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom(...NASTY_STRINGS)), async (value) => {
        for (const method of ["GET", "DELETE"]) {
          const a = await fn(`apollo-settings?workspace_id=${encodeURIComponent(value)}`, { method, token: mine });
          assertClientError(a, `${method} workspace_id=${JSON.stringify(value).slice(0, 60)}`, [400, 404]);
        }
      }),
      fcOptions,
    );
    assert.deepEqual(await fingerprint(sql, p.scope), before, "random JSON changed the database");
  });
});

integration("abuse: trying keys one after another (fast-check) reaches Apollo at most the per-user limit, then 429", async () => {
  const limit = 5;
  await withPeople(async (p) => {
    await withSettings({ apollo_key_tests_per_10_minutes: String(limit) }, async () => {
      // All hits must land in one fixed 10-minute window: wait out the end of the current one if near.
      const [{ left }] = await sql<{ left: number }[]>`
        select 600 - mod(extract(epoch from clock_timestamp())::numeric, 600)::float8 as left`;
      if (left < 60) await sleep(left * 1000 + 500);
      await fakeApollo.reset();
      let answered = 0;
      let refused = 0;
      await unchanged(sql, p.scope, "key trying", async () => {
        await fc.assert(
          fc.asyncProperty(
            // keys Apollo rejects (fake-key-401-*), so a save that got through would still store nothing
            fc.string({ minLength: 1, maxLength: 40, unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-_") }),
            fc.constantFrom("apollo-settings/test", "apollo-settings"),
            async (suffix, path) => {
              const body = JSON.stringify({ workspace_id: p.stranger.workspaceId, api_key: `fake-key-401-${suffix}` });
              const a = await fn(path, { body, token: p.stranger.token });
              if (a.status === 429) {
                refused++;
                assertClientError(a, `${path} over the limit`, [429]);
                assert.match(a.headers.get("retry-after") ?? "", /^[1-9][0-9]*$/);
                assert.match(JSON.parse(a.text).error, /^Too many Apollo API key checks/);
                return;
              }
              answered++;
              assert.ok(answered <= limit, `${path}: answer ${answered} is past the limit of ${limit}: HTTP ${a.status} ${a.text.slice(0, 200)}`);
            },
          ),
          fcOptions,
        );
      });
      assert.equal(answered, limit);
      assert.ok(refused > 0);
      const checks = (await fakeApollo.requests()).filter((r) => r.path.includes("users/api_profile"));
      assert.equal(checks.length, limit, "Apollo saw exactly the limit");
    });
  });
});

integration("abuse: a stored key that no longer decrypts (encryption key rotated) is a 409 saying what to do", async () => {
  await withPeople(async (p) => {
    // A ciphertext in the right format that the configured key cannot open (as after rotating
    // APOLLO_KEY_ENCRYPTION_KEY without APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS).
    await sql`update public.workspace_settings set apollo_api_key_encrypted = 'v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAA'
              where workspace_id = ${p.owner.workspaceId}`;
    await unchanged(sql, p.scope, "undecryptable key", async () => {
      const a = await fn("apollo-settings/test", { body: JSON.stringify({ workspace_id: p.owner.workspaceId }), token: p.owner.token });
      assertClientError(a, "test with an undecryptable stored key", [409]);
      assert.match(JSON.parse(a.text).error, /save the key again/i);
    });
  });
});
