// /auth/v1/signup through supabase-js: a confirmed user with a session and GoTrue's JWT claims,
// stored in auth.users/identities/sessions/refresh_tokens, with a personal workspace; and the
// errors supabase-js surfaces as AuthApiError with GoTrue's codes.
import assert from "node:assert/strict";
import { isAuthApiError, isAuthWeakPasswordError } from "npm:@supabase/supabase-js@2.119.1";
import { testEnv, testKeys } from "../../test/env.ts";
import { db, DEMO, newClient } from "./auth_realtime_helpers.ts";

const uniqueEmail = (what: string) => `${what}-${crypto.randomUUID().slice(0, 8)}@example.com`;

Deno.test("signUp: a confirmed user with a session, GoTrue's claims, rows in auth.* and a personal workspace", async () => {
  const sql = db();
  const email = uniqueEmail("Signup");
  let userId: string | undefined;
  try {
    const client = newClient();
    const before = Math.floor(Date.now() / 1000);
    const { data, error } = await client.auth.signUp({
      email,
      password: "correct-horse-battery",
      options: { data: { workspace_name: "Signup test workspace", full_name: "Sign Up" } },
    });
    assert.equal(error, null);
    const { session, user } = data;
    assert.ok(session && user, "auto-confirmed signup returns a session");
    userId = user.id;

    assert.equal(session.token_type, "bearer");
    assert.equal(session.expires_in, 3600);
    assert.ok(Math.abs(session.expires_at! - (before + 3600)) <= 5);
    assert.match(session.refresh_token, /^[a-z0-9]{12}$/);
    assert.equal(user.email, email.toLowerCase(), "GoTrue stores emails lower-cased");
    assert.equal(user.aud, "authenticated");
    assert.equal(user.role, "authenticated");
    assert.ok(user.email_confirmed_at && user.confirmed_at && user.last_sign_in_at);
    assert.deepEqual(user.app_metadata, { provider: "email", providers: ["email"] });
    assert.equal(user.user_metadata.full_name, "Sign Up");
    assert.equal(user.user_metadata.sub, user.id);
    assert.equal(user.is_anonymous, false);
    assert.equal(user.identities?.length, 1);
    assert.equal(user.identities![0].provider, "email");
    assert.equal(user.identities![0].id, user.id);

    const claims = await testKeys.verify(session.access_token);
    assert.deepEqual(Object.keys(claims).sort(), [
      "aal",
      "amr",
      "app_metadata",
      "aud",
      "email",
      "exp",
      "iat",
      "is_anonymous",
      "iss",
      "phone",
      "role",
      "session_id",
      "sub",
      "user_metadata",
    ]);
    assert.equal(claims.sub, user.id);
    assert.equal(claims.aud, "authenticated");
    assert.equal(claims.role, "authenticated");
    assert.equal(claims.email, user.email);
    assert.equal(claims.phone, "");
    assert.equal(claims.aal, "aal1");
    assert.equal(claims.iss, `${testEnv.API_URL}/auth/v1`);
    assert.equal(claims.is_anonymous, false);
    assert.equal((claims.exp as number) - (claims.iat as number), 3600);
    assert.equal((claims.amr as Array<{ method: string }>)[0].method, "password");
    assert.deepEqual(claims.app_metadata, user.app_metadata);

    const [row] = await sql`
      select u.encrypted_password, u.email_confirmed_at is not null as confirmed,
             (select count(*)::int from auth.identities i where i.user_id = u.id and i.provider = 'email') as identities,
             (select count(*)::int from auth.sessions s where s.id = ${claims
      .session_id as string} and s.user_id = u.id) as sessions,
             (select count(*)::int from auth.refresh_tokens r where r.token = ${session.refresh_token} and not r.revoked) as tokens
      from auth.users u where u.id = ${user.id}`;
    assert.match(row.encrypted_password, /^\$2a\$10\$/, "bcrypt, cost 10, as GoTrue");
    assert.equal(row.confirmed, true);
    assert.equal(row.identities, 1);
    assert.equal(row.sessions, 1);
    assert.equal(row.tokens, 1);

    const workspaces = await sql`
      select w.name, m.role from public.workspaces w
      join public.workspace_members m on m.workspace_id = w.id and m.user_id = ${user.id}
      where w.created_by = ${user.id}`;
    assert.deepEqual(workspaces.map((w) => ({ ...w })), [{ name: "Signup test workspace", role: "owner" }]);

    const { data: me, error: meError } = await client.auth.getUser();
    assert.equal(meError, null);
    assert.equal(me.user?.id, user.id);
  } finally {
    if (userId) {
      await sql`delete from public.workspaces where created_by = ${userId}`;
      await sql`delete from auth.users where id = ${userId}`;
    }
    await sql.end();
  }
});

Deno.test("signUp with an email already registered: 422 user_already_exists", async () => {
  const { data, error } = await newClient().auth.signUp({
    email: DEMO.email.toUpperCase(),
    password: "another-password",
  });
  assert.ok(isAuthApiError(error), `expected AuthApiError, got ${error}`);
  assert.equal(error.status, 422);
  assert.equal(error.code, "user_already_exists");
  assert.equal(error.message, "User already registered");
  assert.equal(data.session, null);
});

Deno.test("signUp with a password shorter than config.toml's minimum (8): 422 weak_password", async () => {
  const sql = db();
  const email = uniqueEmail("weak");
  try {
    const { error } = await newClient().auth.signUp({ email, password: "short7!" });
    assert.ok(isAuthWeakPasswordError(error), `expected AuthWeakPasswordError, got ${error}`);
    assert.equal(error.status, 422);
    assert.equal(error.code, "weak_password");
    assert.deepEqual(error.reasons, ["length"]);
    assert.equal(error.message, "Password should be at least 8 characters.");
    const [{ n }] = await sql`select count(*)::int as n from auth.users where email = ${email}`;
    assert.equal(n, 0, "no user is created");
  } finally {
    await sql.end();
  }
});

Deno.test("signUp with a malformed email: 400 validation_failed", async () => {
  const { error } = await newClient().auth.signUp({ email: "not-an-email", password: "long-enough-password" });
  assert.ok(isAuthApiError(error), `expected AuthApiError, got ${error}`);
  assert.equal(error.status, 400);
  assert.equal(error.code, "validation_failed");
  assert.equal(error.message, "Unable to validate email address: invalid format");
});
