// Abuse of /auth/v1 (GoTrue's subset): no or wrong apikey, bad tokens on /user and /logout,
// wrong passwords and refresh tokens, oversized bodies, wrong content types, broken and random
// JSON (fast-check, seeded). Always a 4xx with a JSON message, never a 5xx, and nothing in the
// database changes (no user, session, refresh token or sign-in time).
import assert from "node:assert/strict";
import { answer, assertClientError, assertNotServerError, badTokens, unchanged } from "./abuse_helpers.ts";
import { anyJson, fc, fcOptions, NASTY_STRINGS, objectsNear } from "./abuse_inputs.ts";
import { createFixture, testEnv, testKeys } from "./rest_helpers.ts";

const AUTH = `${testEnv.API_URL}/auth/v1`;

async function auth(
  path: string,
  init: { method?: string; body?: string; token?: string; apikey?: string | null; headers?: Record<string, string> } = {},
) {
  const headers = new Headers(init.headers);
  if (init.apikey !== null) headers.set("apikey", init.apikey ?? testKeys.client);
  headers.set("x-supabase-api-version", "2024-01-01");
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return await answer(await fetch(`${AUTH}${path}`, { method: init.method ?? "POST", headers, body: init.body }));
}

Deno.test("abuse: /auth/v1", async (t) => {
  const fx = await createFixture();
  const db = fx.db;
  // Alice gets a password (the fixture's users have none) so wrong-password attempts have a target.
  await db`update auth.users set encrypted_password = extensions.crypt('alice-password', extensions.gen_salt('bf', 4))
           where id = ${fx.alice.id}`;
  // A real session (the fixture's tokens name none), so PUT /user gets past authentication.
  const signIn = await auth("/token?grant_type=password", { body: JSON.stringify({ email: fx.alice.email, password: "alice-password" }) });
  assert.equal(signIn.status, 200, signIn.text);
  const aliceSession = JSON.parse(signIn.text).access_token as string;
  const scope = { workspaceIds: [fx.alice.workspaceId, fx.bob.workspaceId], userIds: [fx.alice.id, fx.bob.id] };
  const routes: Array<[string, string]> = [
    ["POST", "/signup"],
    ["POST", "/resend"],
    ["POST", "/recover"],
    ["POST", "/admin/users"],
    ["POST", "/token?grant_type=password"],
    ["POST", "/token?grant_type=refresh_token"],
    ["GET", "/user"],
    ["PUT", "/user"],
    ["POST", "/logout"],
    ["GET", "/settings"],
    ["GET", "/health"],
  ];
  try {
    await t.step("no apikey or a wrong one: 401 on every route; unknown routes 404, wrong methods 405", async () => {
      await unchanged(db, scope, "apikeys", async () => {
        for (const [method, path] of routes) {
          const body = method === "GET" ? undefined : "{}";
          assertClientError(await auth(path, { method, body, apikey: null }), `${method} ${path} without apikey`, [401]);
          assertClientError(await auth(path, { method, body, apikey: "wrong" }), `${method} ${path} wrong apikey`, [401]);
        }
        for (const path of ["/nope", "/admin/users/x", "/otp", "/magiclink", "/factors", "/../rest/v1/accounts", "/user/../admin"]) {
          assertClientError(await auth(path, { method: "GET" }), `GET ${path}`, [404]);
        }
        for (const [method, path] of [["GET", "/signup"], ["DELETE", "/user"], ["PATCH", "/token"], ["POST", "/settings"], ["GET", "/recover"], ["DELETE", "/verify"]]) {
          assertClientError(await auth(path, { method, body: method === "GET" ? undefined : "{}" }), `${method} ${path}`, [405]);
        }
      });
    });

    await t.step("bad tokens on /user and /logout: 401/403 with a message", async () => {
      const tokens = await badTokens({ id: fx.alice.id, email: fx.alice.email });
      await unchanged(db, scope, "bad tokens", async () => {
        for (const [label, token] of [...tokens, ["none", ""] as [string, string]]) {
          assertClientError(await auth("/user", { method: "GET", token }), `GET /user (${label})`, [401, 403]);
          assertClientError(await auth("/user", { method: "PUT", token, body: '{"data":{"x":1}}' }), `PUT /user (${label})`, [401, 403]);
          assertClientError(await auth("/logout", { token }), `POST /logout (${label})`, [401, 403]);
        }
      });
    });

    await t.step("wrong passwords, unknown users, made-up refresh tokens: 400 and no sign-in recorded", async () => {
      await unchanged(db, scope, "credentials", async () => {
        for (const password of ["", "wrong", "alice-password ", "ALICE-PASSWORD", ...NASTY_STRINGS]) {
          assertClientError(
            await auth("/token?grant_type=password", { body: JSON.stringify({ email: fx.alice.email, password }) }),
            `password ${JSON.stringify(password.slice(0, 20))}`,
            [400],
          );
        }
        for (const email of [`${fx.alice.email.toUpperCase()}x`, "nobody@example.com", ...NASTY_STRINGS]) {
          assertClientError(
            await auth("/token?grant_type=password", { body: JSON.stringify({ email, password: "alice-password" }) }),
            `email ${JSON.stringify(email.slice(0, 20))}`,
            [400],
          );
        }
        for (const refresh of ["", "x", "' or '1'='1", ...NASTY_STRINGS]) {
          assertClientError(
            await auth("/token?grant_type=refresh_token", { body: JSON.stringify({ refresh_token: refresh }) }),
            `refresh ${JSON.stringify(refresh.slice(0, 20))}`,
            [400],
          );
        }
        for (const grant of ["", "client_credentials", "id_token", "pkce", "password%00", "' or 1=1"]) {
          assertClientError(await auth(`/token?grant_type=${encodeURIComponent(grant)}`, { body: "{}" }), `grant ${grant}`, [400]);
        }
        // Signing up again with an existing address neither adds a user nor tells a stranger anything:
        // with confirmations on, the same 200 as a new sign-up, with a made-up user and no session.
        const again = await auth("/signup", { body: JSON.stringify({ email: fx.alice.email, password: "another-password" }) });
        assert.equal(again.status, 200, again.text);
        const fake = JSON.parse(again.text);
        assert.deepEqual([fake.identities, fake.access_token], [[], undefined]);
        assert.notEqual(fake.id, fx.alice.id);
        // Nor does the admin route let a browser's key in.
        assertClientError(
          await auth("/admin/users", { token: testKeys.client, body: JSON.stringify({ email: "admin-abuse@example.com", email_confirm: true }) }),
          "admin/users with the publishable key",
          [401, 403],
        );
        assertClientError(
          await auth("/admin/users", { token: aliceSession, body: JSON.stringify({ email: "admin-abuse@example.com", email_confirm: true }) }),
          "admin/users with a user's token",
          [403],
        );
      });
    });

    await t.step("oversized bodies 413, wrong content types 415, broken JSON 400", async () => {
      const big = JSON.stringify({ email: "big@example.com", password: "p".repeat(1_200_000) });
      const good = JSON.stringify({ email: "content-type@example.com", password: "content-type-password" });
      await unchanged(db, scope, "bodies", async () => {
        for (const path of ["/signup", "/token?grant_type=password", "/token?grant_type=refresh_token"]) {
          assertClientError(await auth(path, { body: big }), `${path} with ${big.length} bytes`, [413]);
          for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"]) {
            assertClientError(await auth(path, { body: good, headers: { "content-type": type } }), `${path} as ${type}`, [415]);
          }
          for (const broken of ["{", '{"email": }', "[1,", "nul", "\u0000", "[".repeat(50_000)]) {
            assertClientError(await auth(path, { body: broken }), `${path} with ${JSON.stringify(broken.slice(0, 10))}`, [400]);
          }
        }
        assertClientError(await auth("/user", { method: "PUT", token: aliceSession, body: big }), "PUT /user, big", [413]);
      });
    });

    await t.step("random JSON (fast-check) to signup, token and PUT /user: a 4xx with a message, nothing changes", async () => {
      await unchanged(db, scope, "random JSON", async () => {
        const targets: Array<[string, string, fc.Arbitrary<unknown>, string | undefined]> = [
          ["POST", "/signup", fc.oneof(anyJson, objectsNear(["email", "password", "data", "phone"])), undefined],
          ["POST", "/token?grant_type=password", fc.oneof(anyJson, objectsNear(["email", "password", "phone"])), undefined],
          ["POST", "/token?grant_type=refresh_token", fc.oneof(anyJson, objectsNear(["refresh_token"])), undefined],
          // PUT /user with a body that is not an object, or whose fields have the wrong types.
          [
            "PUT",
            "/user",
            fc.oneof(
              fc.oneof(fc.array(fc.jsonValue({ maxDepth: 2 })), fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
              fc.record({ password: fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string())) }),
              fc.record({ data: fc.oneof(fc.string(), fc.integer(), fc.array(fc.integer())) }),
              fc.record({ email: fc.oneof(fc.integer(), fc.constant("someone-else@example.com")) }),
            ),
            aliceSession,
          ],
        ];
        for (const [method, path, arbitrary, token] of targets) {
          await fc.assert(
            fc.asyncProperty(arbitrary, async (value) => {
              assertClientError(await auth(path, { method, token, body: JSON.stringify(value) }), `${method} ${path} ${JSON.stringify(value).slice(0, 200)}`);
            }),
            fcOptions,
          );
        }
        // The emailed-link routes answer an unknown address with the same 200 as a known one: never a 5xx.
        const linkRoutes: Array<[string, fc.Arbitrary<unknown>]> = [
          ["/resend", fc.oneof(anyJson, objectsNear(["type", "email", "phone"]))],
          ["/recover", fc.oneof(anyJson, objectsNear(["email"]))],
          ["/verify", fc.oneof(anyJson, objectsNear(["type", "token", "token_hash", "email"]))],
        ];
        for (const [path, arbitrary] of linkRoutes) {
          await fc.assert(
            fc.asyncProperty(arbitrary, async (value) => {
              assertNotServerError(await auth(path, { body: JSON.stringify(value) }), `POST ${path} ${JSON.stringify(value).slice(0, 200)}`);
            }),
            // A third of the runs: these routes read the same bodies through the same checks as signup.
            { ...fcOptions, numRuns: Math.ceil(fcOptions.numRuns / 3) },
          );
        }
      });
    });
  } finally {
    await db`delete from auth.sessions where user_id = ${fx.alice.id}`;
    await fx.cleanup();
  }
});

Deno.test("abuse: /auth/v1 still signs a real user in afterwards (the refusals above were not a broken service)", async () => {
  const response = await fetch(`${AUTH}/token?grant_type=password`, {
    method: "POST",
    headers: { apikey: testKeys.client, "content-type": "application/json" },
    body: JSON.stringify({ email: testEnv.DEMO_EMAIL, password: testEnv.DEMO_PASSWORD }),
  });
  assert.equal(response.status, 200);
  assert.ok((await response.json()).access_token);
});
