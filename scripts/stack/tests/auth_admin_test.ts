// POST /auth/v1/admin/users through supabase-js's admin client: how tests and trusted scripts make a
// user who can sign in at once on a project where sign-ups must confirm their email. Only the
// service_role (the secret key, or the legacy service_role key) may call it.
import assert from "node:assert/strict";
import { createClient, isAuthApiError } from "@supabase/supabase-js";
import { testEnv, testKeys } from "../../test/env.ts";
import { mailbox } from "../../test/mailbox.ts";
import { db, DEMO, newClient, signedInClient } from "./auth_realtime_helpers.ts";

const admin = () =>
  createClient(testEnv.API_URL, testKeys.server, { auth: { autoRefreshToken: false, persistSession: false } }).auth.admin;

Deno.test("auth.admin.createUser with email_confirm: a confirmed user who signs in at once, with a workspace, and no email", async () => {
  const sql = db();
  const email = `admin-${crypto.randomUUID().slice(0, 8)}@example.com`;
  let id: string | undefined;
  try {
    const { data, error } = await admin().createUser({
      email,
      password: "admin-made-password",
      email_confirm: true,
      user_metadata: { full_name: "Made By Admin" },
    });
    assert.equal(error, null);
    id = data.user!.id;
    assert.ok(data.user?.email_confirmed_at);
    assert.equal(data.user?.identities?.length, 1);
    assert.equal(data.user?.user_metadata.full_name, "Made By Admin");
    assert.equal(data.user?.user_metadata.email_verified, true);
    assert.equal((await mailbox.list(email)).length, 0);
    const client = await signedInClient({ email, password: "admin-made-password" });
    assert.equal((await client.auth.getUser()).data.user?.id, id);
    const [{ n }] = await sql`select count(*)::int as n from public.workspaces where created_by = ${id}`;
    assert.equal(n, 1);

    const duplicate = await admin().createUser({ email, password: "whatever-password", email_confirm: true });
    assert.ok(isAuthApiError(duplicate.error));
    assert.equal(duplicate.error.status, 422);
    assert.equal(duplicate.error.code, "email_exists");
  } finally {
    if (id) {
      await sql`delete from public.workspaces where created_by = ${id}`;
      await sql`delete from auth.users where id = ${id}`;
    }
    await sql.end();
  }
});

Deno.test("auth.admin.createUser without email_confirm: the user must still confirm", async () => {
  const sql = db();
  const email = `admin-unconfirmed-${crypto.randomUUID().slice(0, 8)}@example.com`;
  try {
    const { data, error } = await admin().createUser({ email, password: "admin-made-password" });
    assert.equal(error, null);
    assert.equal(data.user?.email_confirmed_at, undefined);
    const signIn = await newClient().auth.signInWithPassword({ email, password: "admin-made-password" });
    assert.equal(signIn.error?.code, "email_not_confirmed");
  } finally {
    const rows = await sql`select id from auth.users where email = ${email}`;
    for (const { id } of rows) {
      await sql`delete from public.workspaces where created_by = ${id}`;
      await sql`delete from auth.users where id = ${id}`;
    }
    await sql.end();
  }
});

Deno.test("admin/users refuses the browser's key (403 not_admin), a user's token (403 not_admin) and no token (401)", async () => {
  const url = `${testEnv.API_URL}/auth/v1/admin/users`;
  const body = JSON.stringify({ email: "never-created@example.com", password: "x".repeat(12), email_confirm: true });
  const post = (headers: Record<string, string>) =>
    fetch(url, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-supabase-api-version": "2024-01-01", ...headers },
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  assert.deepEqual(await post({ apikey: testKeys.client, authorization: `Bearer ${testKeys.client}` }), {
    status: 403,
    body: { code: "not_admin", message: "User not allowed" },
  });
  const user = await signedInClient(DEMO);
  const token = (await user.auth.getSession()).data.session!.access_token;
  assert.deepEqual(await post({ apikey: testKeys.client, authorization: `Bearer ${token}` }), {
    status: 403,
    body: { code: "not_admin", message: "User not allowed" },
  });
  assert.equal((await post({ apikey: testKeys.server })).status, 401);
  const sql = db();
  try {
    const [{ n }] = await sql`select count(*)::int as n from auth.users where email = 'never-created@example.com'`;
    assert.equal(n, 0);
  } finally {
    await sql.end();
  }
});
