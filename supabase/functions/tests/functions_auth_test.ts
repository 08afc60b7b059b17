// apollo-settings and jobs are deployed with verify_jwt = false, as Supabase recommends with JWT
// signing keys: the gateway lets every request through, and the function itself must refuse a
// token the project did not sign (another key, even under the project's kid), an expired one, one
// that is not a user's, an API key in its place, and a signed-out session's, each with a 401 and a
// JSON error that says what happened. Runs on a stack with signing keys and (gateway-legacy suite)
// on one with legacy keys, where Auth checks the HS256 tokens.
import assert from "node:assert/strict";
import { AUTH_MESSAGES } from "../_shared/signed-in-user.ts";
import { signHs256 } from "../../../scripts/stack/jwt.ts";
import { callFunction, integration, testEnv, testKeys, withUser } from "./helpers/stack.ts";

const ROUTES = [
  {
    name: "apollo-settings",
    call: (token: string | undefined, ws: string) =>
      callFunction("apollo-settings", { method: "GET", token, query: `?workspace_id=${ws}` }),
  },
  {
    name: "jobs",
    call: (token: string | undefined, ws: string) =>
      callFunction("jobs", { token, body: { workspace_id: ws, job_type: "enrich_account", payload: {} } }),
  },
];

const base64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

integration(
  "apollo-settings and jobs verify the caller themselves: 401 with a clear JSON error for every bad token",
  async () => {
    await withUser("fn-auth", async (user) => {
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: `${testEnv.API_URL}/auth/v1`,
        sub: user.userId,
        aud: "authenticated",
        role: "authenticated",
        email: user.email,
        session_id: crypto.randomUUID(),
        iat: now,
        exp: now + 600,
      };
      const [, body, signature] = user.token.split(".");
      const refused: Array<[string, string | undefined, string]> = [
        ["no Authorization", undefined, AUTH_MESSAGES.missing],
        ["a token signed with another key", await testKeys.signForeign(claims), AUTH_MESSAGES.untrusted],
        ["an expired token", await testKeys.sign({ ...claims, iat: now - 7200, exp: now - 60 }), AUTH_MESSAGES.expired],
        ["not a JWT", "abc.def.ghi", AUTH_MESSAGES.malformed],
        ["the client API key", testKeys.client, AUTH_MESSAGES.apiKey],
        [
          "a token for the anon role",
          await testKeys.sign({ iss: "supabase", role: "anon", iat: now, exp: now + 600 }),
          AUTH_MESSAGES.notAUser,
        ],
        ["a token naming a session that does not exist", await testKeys.sign(claims), AUTH_MESSAGES.sessionEnded],
      ];
      if (!testKeys.legacy) {
        refused.push(
          [
            "an HS256 token signed with the legacy JWT secret",
            await signHs256(claims, testKeys.legacyKeys.jwtSecret),
            AUTH_MESSAGES.untrusted,
          ],
          [
            "a kid that is not in the JWKS",
            `${base64url({ alg: "ES256", kid: crypto.randomUUID(), typ: "JWT" })}.${body}.${signature}`,
            AUTH_MESSAGES.untrusted,
          ],
        );
      }
      for (const route of ROUTES) {
        for (const [label, token, message] of refused) {
          const answer = await route.call(token, user.workspaceId);
          // The function's own answer ({error}), not the gateway's ({code, message}): nothing checked it before.
          assert.deepEqual(
            { status: answer.status, body: answer.body },
            { status: 401, body: { error: message } },
            `${route.name} with ${label}`,
          );
        }
        const accepted = await route.call(user.token, user.workspaceId);
        assert.notEqual(accepted.status, 401, `${route.name} accepts the session's token: ${accepted.text}`);
      }
    });
  },
);

integration(
  "a session that signed out is refused by the functions, though its token is still correctly signed",
  async () => {
    await withUser("fn-auth-out", async (user) => {
      const before = await ROUTES[0].call(user.token, user.workspaceId);
      assert.equal(before.status, 200, before.text);
      const logout = await fetch(`${testEnv.API_URL}/auth/v1/logout`, {
        method: "POST",
        headers: { apikey: testKeys.client, authorization: `Bearer ${user.token}` },
      });
      assert.equal(logout.status, 204);
      for (const route of ROUTES) {
        const after = await route.call(user.token, user.workspaceId);
        assert.deepEqual({ status: after.status, body: after.body }, {
          status: 401,
          body: { error: AUTH_MESSAGES.sessionEnded },
        }, route.name);
      }
    });
  },
);
