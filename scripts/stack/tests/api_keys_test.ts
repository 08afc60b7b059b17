// API keys and JWTs through supabase-js, as a Supabase project has them: by default publishable
// and secret keys with user tokens signed by an asymmetric key published as a JWKS (a project
// created now), or with STACK_LEGACY_KEYS=1 the anon and service_role JWT keys and HS256 tokens (a
// project of a year ago; the gateway-legacy suite runs this file on such a stack). Which role each
// key gives, that Auth's tokens verify against the published keys, that a token signed by any other
// key is refused, that the JWKS holds public keys only, and that the other generation's keys fail.
import assert from "node:assert/strict";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import * as jose from "jose";
import { PRIVATE_JWK_MEMBERS, signHs256 } from "../jwt.ts";
import { closeClient, DEMO, newClient, subscribe } from "./auth_realtime_helpers.ts";
import { clientWithToken, createFixture, rest, testEnv, testKeys } from "./rest_helpers.ts";

const JWKS_URL = `${testEnv.API_URL}/auth/v1/.well-known/jwks.json`;
const clientOptions = { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } };

interface WhoAmI {
  role: string;
  uid: string | null;
  claims: Record<string, unknown> | null;
}

function header(token: string): jose.ProtectedHeaderParameters {
  return jose.decodeProtectedHeader(token);
}

Deno.test(`API keys and JWTs on a stack with ${testKeys.legacy ? "legacy keys" : "signing keys"}`, async (t) => {
  const fx = await createFixture();
  const probe = `keys_probe_${crypto.randomUUID().slice(0, 8)}`;
  await fx.db.unsafe(`
    create function public.${probe}() returns jsonb language sql stable as $$
      select jsonb_build_object('role', current_user, 'uid', auth.uid(),
                                'claims', current_setting('request.jwt.claims', true)::jsonb)
    $$;
    grant execute on function public.${probe}() to anon, authenticated, service_role;`);
  const whoami = async (client: SupabaseClient): Promise<WhoAmI> => {
    const { data, error } = await client.rpc(probe);
    assert.equal(error, null, JSON.stringify(error));
    return data as WhoAmI;
  };
  try {
    await t.step(
      "the client key (publishable; anon when legacy) makes the caller anon, before and after supabase-js's Bearer",
      async () => {
        const anon = await whoami(createClient(testEnv.API_URL, testKeys.client, clientOptions));
        assert.equal(anon.role, "anon");
        assert.equal(anon.uid, null);
        assert.equal(anon.claims?.role, "anon");
        // supabase-js sends the key as Bearer too before sign-in (REST); without Authorization it is the same caller.
        for (const token of [testKeys.client, undefined]) {
          const raw = await rest(`/rpc/${probe}`, {
            method: "POST",
            token,
            headers: { "content-type": "application/json" },
          });
          assert.equal(raw.status, 200, raw.text);
          assert.equal((raw.json() as WhoAmI).role, "anon");
        }
      },
    );

    await t.step(
      "the server key (secret; service_role when legacy) makes the caller service_role, past RLS",
      async () => {
        const server = createClient(testEnv.API_URL, testKeys.server, clientOptions);
        assert.equal((await whoami(server)).role, "service_role");
        const { data, error } = await server.from("workspaces").select("id").eq("id", fx.alice.workspaceId);
        assert.equal(error, null);
        assert.deepEqual(data, [{ id: fx.alice.workspaceId }]);
      },
    );

    await t.step(
      "a user's session: its token verifies against the JWKS (getClaims asks Auth only for HS256)",
      async () => {
        const calls: string[] = [];
        const recording: typeof fetch = (input, init) => {
          calls.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
          return fetch(input, init);
        };
        const client = createClient(testEnv.API_URL, testKeys.client, {
          ...clientOptions,
          global: { fetch: recording },
        });
        const { data: signIn, error } = await client.auth.signInWithPassword({
          email: DEMO.email,
          password: DEMO.password,
        });
        assert.equal(error, null);
        const token = signIn.session!.access_token;
        const me = await whoami(client);
        assert.equal(me.role, "authenticated");
        assert.equal(me.uid, DEMO.id);

        calls.length = 0;
        const { data, error: claimsError } = await client.auth.getClaims();
        assert.equal(claimsError, null);
        assert.equal(data?.claims.sub, DEMO.id);
        if (testKeys.legacy) {
          assert.deepEqual(header(token), { alg: "HS256", typ: "JWT" });
          assert.ok(calls.includes("/auth/v1/user"), `an HS256 token is checked by Auth: ${calls.join(", ")}`);
        } else {
          assert.deepEqual(header(token), { alg: "ES256", kid: testKeys.kid, typ: "JWT" });
          assert.ok(
            !calls.includes("/auth/v1/user"),
            `verified locally against the JWKS, not by Auth: ${calls.join(", ")}`,
          );
          const { payload } = await jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(JWKS_URL)));
          assert.equal(payload.sub, DEMO.id);
        }
        await client.auth.signOut();
      },
    );

    await t.step(
      "a token signed by another key is refused: 401 PGRST301 from REST, 403 bad_jwt from Auth",
      async () => {
        const claims = {
          sub: fx.alice.id,
          role: "authenticated",
          aud: "authenticated",
          exp: Math.floor(Date.now() / 1000) + 600,
        };
        const forged = await testKeys.signForeign(claims);
        if (!testKeys.legacy) assert.equal(header(forged).kid, testKeys.kid, "same kid: only the signature differs");
        const { status, error } = await clientWithToken(forged).from("accounts").select("id");
        assert.equal(status, 401);
        assert.equal(error?.code, "PGRST301");
        assert.match(error?.message ?? "", /JWT could not be verified: JWT signature is invalid/);

        const auth = createClient(testEnv.API_URL, testKeys.client, clientOptions);
        const user = await auth.auth.getUser(forged);
        assert.equal(user.error?.status, 403);
        assert.equal(user.error?.code, "bad_jwt");
        const claimsCheck = await auth.auth.getClaims(forged);
        assert.ok(claimsCheck.error, "getClaims refuses it too");
      },
    );

    await t.step("the JWKS is public (no apikey), cacheable, and holds public keys only", async () => {
      const response = await fetch(JWKS_URL);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("cache-control") ?? "", /max-age=600/);
      const { keys } = await response.json() as { keys: Array<Record<string, unknown>> };
      if (testKeys.legacy) {
        assert.deepEqual(keys, [], "the legacy JWT secret is never published");
        return;
      }
      assert.equal(keys.length, 1);
      const [key] = keys;
      assert.deepEqual(
        { kty: key.kty, crv: key.crv, alg: key.alg, kid: key.kid, use: key.use },
        { kty: "EC", crv: "P-256", alg: "ES256", kid: testKeys.kid, use: "sig" },
      );
      for (const member of PRIVATE_JWK_MEMBERS) {
        assert.ok(!(member in key), `no private member "${member}" in the JWKS`);
      }
    });

    await t.step("a client with no session subscribes to Realtime with the client key alone", async () => {
      const client = newClient();
      try {
        const channel = client.channel(`keys-${probe}`).on("postgres_changes", {
          event: "*",
          schema: "public",
          table: "jobs",
        }, () => {});
        const { status, error } = await subscribe(channel);
        assert.equal(status, "SUBSCRIBED", error?.message);
      } finally {
        await closeClient(client);
      }
    });

    if (testKeys.legacy) {
      await t.step("legacy stack: publishable and secret keys are not this project's keys", async () => {
        for (const apikey of [testKeys.newKeys.publishable, testKeys.newKeys.secret]) {
          const answer = await rest(`/rpc/${probe}`, {
            method: "POST",
            apikey,
            headers: { "content-type": "application/json" },
          });
          assert.equal(answer.status, 401);
          assert.equal((answer.json() as { message: string }).message, "Invalid API key");
        }
      });
    } else {
      await t.step(
        "signing keys: the legacy keys are disabled, HS256 tokens are refused, secret keys stay out of browsers",
        async () => {
          for (const apikey of [testKeys.legacyKeys.anonKey, testKeys.legacyKeys.serviceRoleKey]) {
            const { status, error } = await createClient(testEnv.API_URL, apikey, clientOptions).rpc(probe);
            assert.equal(status, 401);
            assert.equal(error?.message, "Legacy API keys are disabled");
          }
          const hs256 = await signHs256(
            { sub: fx.alice.id, role: "authenticated", aud: "authenticated", exp: Math.floor(Date.now() / 1000) + 600 },
            testKeys.legacyKeys.jwtSecret,
          );
          const legacyToken = await clientWithToken(hs256).from("accounts").select("id");
          assert.equal(legacyToken.status, 401);
          assert.equal(legacyToken.error?.code, "PGRST301");
          assert.match(legacyToken.error?.message ?? "", /HS256 .*not accepted/);

          const browser = await rest(`/rpc/${probe}`, {
            method: "POST",
            apikey: testKeys.server,
            headers: {
              "content-type": "application/json",
              "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0",
            },
          });
          assert.equal(browser.status, 401);
          assert.equal((browser.json() as { message: string }).message, "Forbidden use of secret API key in browser");

          const keyAsBearer = await rest(`/rpc/${probe}`, {
            method: "POST",
            token: testKeys.server,
            headers: { "content-type": "application/json" },
          });
          assert.equal(keyAsBearer.status, 401, "an API key in Authorization that is not the apikey");
          assert.equal((keyAsBearer.json() as { code: string }).code, "PGRST301");
        },
      );
    }
  } finally {
    await fx.db.unsafe(`drop function if exists public.${probe}()`);
    await fx.cleanup();
  }
});
