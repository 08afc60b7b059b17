// Signing in, refreshing, reading and updating the user, signing out — /auth/v1 through supabase-js,
// with GoTrue's rotation and reuse rules for refresh tokens and its error codes.
import assert from "node:assert/strict";
import { isAuthApiError, isAuthWeakPasswordError, type SupabaseClient } from "@supabase/supabase-js";
import type postgres from "postgres";
import { testEnv, testKeys } from "../../test/env.ts";
import { createConfirmedUser } from "../../test/users.ts";
import { db, DEMO, newClient } from "./auth_realtime_helpers.ts";

/** A fresh confirmed user (made through Auth's admin API), removed with its workspace afterwards. */
async function withNewUser(
  fn: (user: { id: string; email: string; password: string }, sql: postgres.Sql) => Promise<void>,
): Promise<void> {
  const sql = db();
  const email = `session-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const password = "first-password-123";
  const { id } = await createConfirmedUser(email, password);
  try {
    await fn({ id, email, password }, sql);
  } finally {
    await sql`delete from public.workspaces where created_by = ${id}`;
    await sql`delete from auth.users where id = ${id}`;
    await sql.end();
  }
}

async function signIn(email: string, password: string): Promise<SupabaseClient> {
  const client = newClient();
  const { error } = await client.auth.signInWithPassword({ email, password });
  assert.equal(error, null, `sign in as ${email}`);
  return client;
}

Deno.test("signInWithPassword as the seeded demo user: session, claims, last_sign_in_at", async () => {
  const sql = db();
  try {
    const [{ last_sign_in_at: before }] = await sql`select last_sign_in_at from auth.users where id = ${DEMO.id}`;
    const client = newClient();
    const { data, error } = await client.auth.signInWithPassword({ email: DEMO.email, password: DEMO.password });
    assert.equal(error, null);
    assert.equal(data.user?.id, DEMO.id);
    assert.equal(data.user?.email, DEMO.email);
    assert.equal(data.session?.expires_in, 3600);
    const claims = await testKeys.verify(data.session!.access_token);
    assert.equal(claims.sub, DEMO.id);
    assert.equal(claims.role, "authenticated");
    assert.equal(claims.aud, "authenticated");
    assert.equal(claims.email, DEMO.email);
    assert.equal(typeof claims.session_id, "string");
    const [{ last_sign_in_at: after, n }] = await sql`
      select u.last_sign_in_at,
             (select count(*)::int from auth.sessions s where s.id = ${claims.session_id as string}) as n
      from auth.users u where u.id = ${DEMO.id}`;
    assert.ok(!before || after > before, "last_sign_in_at moves forward");
    assert.equal(n, 1, "the session is stored");
    const { error: outError } = await client.auth.signOut({ scope: "local" });
    assert.equal(outError, null);
  } finally {
    await sql.end();
  }
});

Deno.test("a wrong password or an unknown email: 400 invalid_credentials", async () => {
  for (const [email, password] of [[DEMO.email, "wrong-password"], ["nobody@example.com", DEMO.password]]) {
    const { data, error } = await newClient().auth.signInWithPassword({ email, password });
    assert.ok(isAuthApiError(error), `expected AuthApiError for ${email}, got ${error}`);
    assert.equal(error.status, 400);
    assert.equal(error.code, "invalid_credentials");
    assert.equal(error.message, "Invalid login credentials");
    assert.equal(data.session, null);
  }
});

Deno.test("getUser returns the signed-in user; a tampered token is 403 bad_jwt", async () => {
  const client = await signIn(DEMO.email, DEMO.password);
  const { data, error } = await client.auth.getUser();
  assert.equal(error, null);
  assert.equal(data.user?.id, DEMO.id);
  assert.deepEqual(data.user?.app_metadata, { provider: "email", providers: ["email"] });
  assert.equal(data.user?.identities?.[0]?.provider, "email");

  const { data: { session } } = await client.auth.getSession();
  const tampered = session!.access_token.slice(0, -4) + "AAAA";
  const { error: badError } = await newClient().auth.getUser(tampered);
  assert.ok(isAuthApiError(badError), `expected AuthApiError, got ${badError}`);
  assert.equal(badError.status, 403);
  assert.equal(badError.code, "bad_jwt");
  await client.auth.signOut({ scope: "local" });
});

Deno.test("refresh_token grant rotates: a used token is revoked, reuse outside the window is refresh_token_already_used", async () => {
  await withNewUser(async (user, sql) => {
    const client = await signIn(user.email, user.password);
    const { data: { session: first } } = await client.auth.getSession();
    const r1 = first!.refresh_token;

    const { data: second, error } = await client.auth.refreshSession({ refresh_token: r1 });
    assert.equal(error, null);
    const r2 = second.session!.refresh_token;
    assert.notEqual(r2, r1, "a new refresh token");
    const a1 = await testKeys.verify(first!.access_token);
    const a2 = await testKeys.verify(second.session!.access_token);
    assert.equal(a2.session_id, a1.session_id, "same session");
    const rows =
      await sql`select token, revoked, parent from auth.refresh_tokens where token in (${r1}, ${r2}) order by id`;
    assert.deepEqual(rows.map((r) => ({ ...r })), [
      { token: r1, revoked: true, parent: null },
      { token: r2, revoked: false, parent: r1 },
    ]);

    // The client lost the answer and retries with r1: GoTrue hands back the active child, no new token.
    const { data: retry, error: retryError } = await newClient().auth.refreshSession({ refresh_token: r1 });
    assert.equal(retryError, null);
    assert.equal(retry.session!.refresh_token, r2);

    const { data: third } = await newClient().auth.refreshSession({ refresh_token: r2 });
    const r3 = third.session!.refresh_token;
    // r1 is now two generations old; once outside refresh_token_reuse_interval (10 s) its reuse is an attack.
    await sql`update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = ${r1}`;
    const { error: reuse } = await newClient().auth.refreshSession({ refresh_token: r1 });
    assert.ok(isAuthApiError(reuse), `expected AuthApiError, got ${reuse}`);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.code, "refresh_token_already_used");
    assert.equal(reuse.message, "Invalid Refresh Token: Already Used");
    // ...and the whole family is revoked with it.
    const { error: familyError } = await newClient().auth.refreshSession({ refresh_token: r3 });
    assert.ok(isAuthApiError(familyError));
    assert.equal(familyError.code, "refresh_token_already_used");

    const { error: unknown } = await newClient().auth.refreshSession({ refresh_token: "nosuchtoken1" });
    assert.ok(isAuthApiError(unknown));
    assert.equal(unknown.status, 400);
    assert.equal(unknown.code, "refresh_token_not_found");
  });
});

Deno.test("updateUser changes user_metadata and the password", async () => {
  await withNewUser(async (user) => {
    const client = await signIn(user.email, user.password);
    const { data, error } = await client.auth.updateUser({ data: { full_name: "Renamed" } });
    assert.equal(error, null);
    assert.equal(data.user?.user_metadata.full_name, "Renamed");
    assert.equal(data.user?.user_metadata.email, user.email, "existing keys are kept");

    const { error: same } = await client.auth.updateUser({ password: user.password });
    assert.ok(isAuthApiError(same));
    assert.equal(same.code, "same_password");
    const { error: weak } = await client.auth.updateUser({ password: "short" });
    assert.ok(isAuthWeakPasswordError(weak), `expected AuthWeakPasswordError, got ${weak}`);
    assert.equal(weak.code, "weak_password");

    const { error: pwError } = await client.auth.updateUser({ password: "second-password-456" });
    assert.equal(pwError, null);
    const { error: oldError } = await newClient().auth.signInWithPassword({
      email: user.email,
      password: user.password,
    });
    assert.equal(isAuthApiError(oldError) && oldError.code, "invalid_credentials");
    const { error: newError } = await newClient().auth.signInWithPassword({
      email: user.email,
      password: "second-password-456",
    });
    assert.equal(newError, null);
  });
});

Deno.test("signOut revokes the sessions: their refresh tokens then fail, and local/others scopes end only theirs", async () => {
  await withNewUser(async (user, sql) => {
    const a = await signIn(user.email, user.password);
    const b = await signIn(user.email, user.password);
    const c = await signIn(user.email, user.password);
    const tokenOf = async (client: SupabaseClient) => (await client.auth.getSession()).data.session!;
    const [sa, sb, sc] = [await tokenOf(a), await tokenOf(b), await tokenOf(c)];

    // others: every session but a's
    assert.equal((await a.auth.signOut({ scope: "others" })).error, null);
    for (const s of [sb, sc]) {
      const { error } = await newClient().auth.refreshSession({ refresh_token: s.refresh_token });
      assert.ok(isAuthApiError(error));
      assert.equal(error.code, "refresh_token_not_found");
    }
    const { error: stillOk } = await newClient().auth.refreshSession({ refresh_token: sa.refresh_token });
    assert.equal(stillOk, null, "a's session survives scope=others");

    // global (supabase-js's default): all of them
    const d = await signIn(user.email, user.password);
    assert.equal((await d.auth.signOut()).error, null);
    assert.equal((await d.auth.getSession()).data.session, null, "signed out locally too");
    const [{ n }] = await sql`select count(*)::int as n from auth.sessions where user_id = ${user.id}`;
    assert.equal(n, 0, "no session left");
    const { error: after } = await newClient().auth.refreshSession({ refresh_token: sa.refresh_token });
    assert.ok(isAuthApiError(after), `expected AuthApiError, got ${after}`);
    assert.equal(after.status, 400);
    assert.equal(after.code, "refresh_token_not_found");
    // The old access token still verifies but names a session that is gone.
    const { error: gone } = await newClient().auth.getUser(sa.access_token);
    assert.equal(gone?.name, "AuthSessionMissingError");
  });
});

Deno.test("the apikey is required, and clients without X-Supabase-Api-Version get GoTrue's initial error format", async () => {
  const url = `${testEnv.API_URL}/auth/v1/token?grant_type=password`;
  const body = JSON.stringify({ email: DEMO.email, password: "wrong-password" });
  const noKey = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } });
  assert.equal(noKey.status, 401);
  assert.equal((await noKey.json()).message, "No API key found in request");

  const legacy = await fetch(url, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", apikey: testKeys.client },
  });
  assert.equal(legacy.status, 400);
  assert.equal(legacy.headers.get("x-supabase-api-version"), null);
  assert.deepEqual(await legacy.json(), {
    code: 400,
    error_code: "invalid_credentials",
    msg: "Invalid login credentials",
  });

  const current = await fetch(url, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", apikey: testKeys.client, "x-supabase-api-version": "2024-01-01" },
  });
  assert.equal(current.headers.get("x-supabase-api-version"), "2024-01-01");
  assert.deepEqual(await current.json(), { code: "invalid_credentials", message: "Invalid login credentials" });

  const settings = await (await fetch(`${testEnv.API_URL}/auth/v1/settings`, { headers: { apikey: testKeys.client } }))
    .json();
  assert.equal(settings.external.email, true);
  assert.equal(settings.disable_signup, false);
  assert.equal(settings.mailer_autoconfirm, false, "config.toml: enable_confirmations = true");
});
