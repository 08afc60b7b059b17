// /auth/v1/signup through supabase-js, as on a new hosted project (email confirmation on): the user
// gets no session but a confirmation email (in the stack's mailbox) whose link confirms the address
// and lands on the app with the session in the URL fragment; GoTrue's answers to a repeated sign-up,
// a spent or expired link, the built-in mailer's allow list and the email allowances; and, with
// confirmations off (an older project), a session at once.
import assert from "node:assert/strict";
import { isAuthApiError, isAuthWeakPasswordError } from "@supabase/supabase-js";
import type postgres from "postgres";
import { withAuthOverrides } from "../../test/auth-overrides.ts";
import { testConfig, testEnv, testKeys } from "../../test/env.ts";
import { fragmentOf, mailbox, openLink, verifyLinkIn } from "../../test/mailbox.ts";
import { db, DEMO, newClient } from "./auth_realtime_helpers.ts";

const uniqueEmail = (what: string) => `${what}-${crypto.randomUUID().slice(0, 8)}@example.com`;
const PASSWORD = "correct-horse-battery";
/** Where the SPA asks to land after the link (an allowed redirect: the Site URL's origin). */
const LANDING = `${testConfig.spaUrl}/auth/confirm`;

async function removeUser(sql: postgres.Sql, email: string) {
  const users = await sql<{ id: string }[]>`select id from auth.users where email = ${email.toLowerCase()}`;
  for (const { id } of users) {
    await sql`delete from public.workspaces where created_by = ${id}`;
    await sql`delete from auth.users where id = ${id}`;
  }
}

/** A test with a fresh address, whose user (if any) and mail are removed afterwards. */
async function withAddress(what: string, fn: (email: string, sql: postgres.Sql) => Promise<void>) {
  const sql = db();
  const email = uniqueEmail(what);
  try {
    await fn(email, sql);
  } finally {
    await removeUser(sql, email);
    await mailbox.purge(email);
    await sql.end();
  }
}

Deno.test("signUp with confirmations on: the user and no session, a confirmation email; signing in first is 400 email_not_confirmed", async () => {
  await withAddress("Confirm", async (email, sql) => {
    const { data, error } = await newClient().auth.signUp({
      email,
      password: PASSWORD,
      options: { emailRedirectTo: LANDING, data: { workspace_name: "Confirm test workspace" } },
    });
    assert.equal(error, null);
    assert.equal(data.session, null, "no session before the address is confirmed");
    const user = data.user!;
    assert.equal(user.email, email.toLowerCase());
    assert.equal(user.email_confirmed_at, undefined);
    assert.ok(user.confirmation_sent_at);
    assert.equal(user.identities?.length, 1, "a real new user has its email identity");
    assert.equal(user.user_metadata.email_verified, false);

    const mails = await mailbox.list(email);
    assert.equal(mails.length, 1);
    const mail = await mailbox.latest(email);
    assert.equal(mail.subject, "Confirm your email address");
    assert.deepEqual(mail.to, [email.toLowerCase()]);
    assert.match(mail.body.html, /Follow the link below to confirm this email address/);
    const link = verifyLinkIn(mail, "signup");
    assert.equal(link.origin, testEnv.API_URL);
    assert.match(link.searchParams.get("token")!, /^[0-9a-f]{56}$/, "the sha224 token hash, as GoTrue");
    assert.equal(link.searchParams.get("redirect_to"), LANDING);

    const [row] = await sql`select confirmation_token, email_confirmed_at from auth.users where id = ${user.id}`;
    assert.equal(row.confirmation_token, link.searchParams.get("token"));
    assert.equal(row.email_confirmed_at, null);
    const [{ n }] = await sql`select count(*)::int as n from public.workspaces where created_by = ${user.id}`;
    assert.equal(n, 1, "the personal workspace exists already");

    const signIn = await newClient().auth.signInWithPassword({ email, password: PASSWORD });
    assert.ok(isAuthApiError(signIn.error), `expected AuthApiError, got ${signIn.error}`);
    assert.equal(signIn.error.status, 400);
    assert.equal(signIn.error.code, "email_not_confirmed");
    assert.equal(signIn.error.message, "Email not confirmed");
  });
});

Deno.test("the emailed link confirms the address: 303 to redirect_to with the session in the fragment; used twice, the error instead", async () => {
  await withAddress("link", async (email, sql) => {
    const { data } = await newClient().auth.signUp({ email, password: PASSWORD, options: { emailRedirectTo: LANDING } });
    const link = verifyLinkIn(await mailbox.latest(email), "signup");

    const first = await openLink(link);
    assert.equal(first.status, 303);
    assert.ok(first.location.startsWith(`${LANDING}#`), first.location);
    const fragment = fragmentOf(first.location);
    assert.deepEqual(
      fragment.map(([k]) => k),
      ["access_token", "expires_at", "expires_in", "refresh_token", "sb", "token_type", "type"],
      "GoTrue's keys, sorted as Go encodes them",
    );
    const values = Object.fromEntries(fragment);
    assert.equal(values.token_type, "bearer");
    assert.equal(values.type, "signup");
    assert.equal(values.expires_in, "3600");
    assert.equal(values.sb, "");
    assert.match(values.refresh_token, /^[a-z0-9]{12}$/);
    const claims = await testKeys.verify(values.access_token);
    assert.equal(claims.sub, data.user!.id);
    assert.equal((claims.amr as Array<{ method: string }>)[0].method, "otp", "signed in by an emailed link");
    assert.equal((claims.user_metadata as Record<string, unknown>).email_verified, true);

    // The session in the fragment is a real one: supabase-js reads the user with it.
    const { data: me, error: meError } = await newClient().auth.getUser(values.access_token);
    assert.equal(meError, null);
    assert.ok(me.user?.email_confirmed_at);
    const [row] = await sql`
      select u.email_confirmed_at is not null as confirmed, u.confirmation_token, u.last_sign_in_at is not null as signed_in,
             (select identity_data ->> 'email_verified' from auth.identities i where i.user_id = u.id) as identity_verified
      from auth.users u where u.id = ${data.user!.id}`;
    assert.deepEqual({ ...row }, { confirmed: true, confirmation_token: "", signed_in: true, identity_verified: "true" });

    const signIn = await newClient().auth.signInWithPassword({ email, password: PASSWORD });
    assert.equal(signIn.error, null, "the confirmed user signs in with the password");

    const again = await openLink(link);
    assert.equal(again.status, 303);
    assert.equal(
      again.location,
      `${LANDING}#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired&sb=`,
    );
  });
});

Deno.test("a link asking to land somewhere not allowed lands on the Site URL; a link that is too old says otp_expired", async () => {
  await withAddress("redirect", async (email, sql) => {
    await newClient().auth.signUp({ email, password: PASSWORD, options: { emailRedirectTo: "https://evil.example.com/x" } });
    const link = verifyLinkIn(await mailbox.latest(email), "signup");
    assert.equal(link.searchParams.get("redirect_to"), testConfig.spaUrl, "not in the allow list: the Site URL instead");

    // The link was sent two hours ago; it lives otp_expiry (3600 s).
    await sql`update auth.users set confirmation_sent_at = now() - interval '2 hours' where email = ${email.toLowerCase()}`;
    const { status, location } = await openLink(link);
    assert.equal(status, 303);
    const values = Object.fromEntries(fragmentOf(location));
    assert.deepEqual(values, {
      error: "access_denied",
      error_code: "otp_expired",
      error_description: "Email link is invalid or has expired",
      sb: "",
    });
    assert.ok(location.startsWith(`${testConfig.spaUrl}#`), location);
    const [row] = await sql`select email_confirmed_at from auth.users where email = ${email.toLowerCase()}`;
    assert.equal(row.email_confirmed_at, null, "an expired link confirms nothing");

    // The way out: another email (the last one is older than max_frequency), whose link works.
    const { error } = await newClient().auth.resend({ type: "signup", email, options: { emailRedirectTo: LANDING } });
    assert.equal(error, null);
    assert.equal((await mailbox.list(email)).length, 2);
    const fresh = await openLink(verifyLinkIn(await mailbox.latest(email), "signup"));
    assert.equal(Object.fromEntries(fragmentOf(fresh.location)).type, "signup", fresh.location);
  });
});

Deno.test("GET /verify needs no apikey (a browser opens it from an email); without a type or token it is 400", async () => {
  const response = await fetch(`${testEnv.API_URL}/auth/v1/verify?type=signup`, {
    headers: { "x-supabase-api-version": "2024-01-01" },
  });
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), { code: "validation_failed", message: "Verify requires a token or a token hash" });
  const unknown = await openLink(`${testEnv.API_URL}/auth/v1/verify?token=${"0".repeat(56)}&type=signup`);
  assert.equal(unknown.status, 303);
  assert.equal(Object.fromEntries(fragmentOf(unknown.location)).error_code, "otp_expired");
});

Deno.test("a repeated sign-up of a confirmed address: 200 with a made-up user (no identities, no session), nothing sent", async () => {
  const before = (await mailbox.list(DEMO.email)).length;
  const { data, error } = await newClient().auth.signUp({
    email: DEMO.email.toUpperCase(),
    password: "another-password",
    options: { data: { full_name: "Someone" } },
  });
  assert.equal(error, null, "no error: the answer must not tell whether the address has an account");
  assert.equal(data.session, null);
  const user = data.user!;
  assert.notEqual(user.id, DEMO.id, "a random id, not the account's");
  assert.deepEqual(user.identities, [], "the tell-tale of GoTrue's obfuscated user");
  assert.equal(user.email, DEMO.email);
  assert.equal(user.role, "");
  assert.deepEqual(user.user_metadata, { full_name: "Someone" });
  assert.equal(user.email_confirmed_at, undefined);
  assert.equal((await mailbox.list(DEMO.email)).length, before, "no email to the account's owner");
  const signIn = await newClient().auth.signInWithPassword({ email: DEMO.email, password: DEMO.password });
  assert.equal(signIn.error, null, "the account and its password are untouched");
});

Deno.test("signing up again before confirming: 429 within max_frequency; later the email again, and only the newest link works", async () => {
  await withAddress("again", async (email, sql) => {
    const first = await newClient().auth.signUp({ email, password: PASSWORD, options: { emailRedirectTo: LANDING } });
    assert.equal(first.error, null);
    const firstLink = verifyLinkIn(await mailbox.latest(email), "signup");

    const soon = await newClient().auth.signUp({ email, password: "a-different-password" });
    assert.ok(isAuthApiError(soon.error), `expected AuthApiError, got ${soon.error}`);
    assert.equal(soon.error.status, 429);
    assert.equal(soon.error.code, "over_email_send_rate_limit");
    const wait = soon.error.message.match(/^For security purposes, you can only request this after (\d+) seconds\.$/);
    assert.ok(wait && Number(wait[1]) > 0 && Number(wait[1]) <= 60, soon.error.message);

    await withAuthOverrides({ max_frequency: "0s" }, async () => {
      const later = await newClient().auth.signUp({ email, password: "a-different-password" });
      assert.equal(later.error, null);
      assert.equal(later.data.user?.id, first.data.user?.id, "the same, real user");
      assert.equal(later.data.user?.identities?.length, 1);
      assert.equal(later.data.session, null);
    });
    assert.equal((await mailbox.list(email)).length, 2);
    assert.equal(Object.fromEntries(fragmentOf((await openLink(firstLink)).location)).error_code, "otp_expired");
    const newest = await openLink(verifyLinkIn(await mailbox.latest(email), "signup"));
    assert.equal(Object.fromEntries(fragmentOf(newest.location)).type, "signup");

    const withFirst = await newClient().auth.signInWithPassword({ email, password: PASSWORD });
    assert.equal(withFirst.error, null, "signing up again does not change the password");
    const withSecond = await newClient().auth.signInWithPassword({ email, password: "a-different-password" });
    assert.equal(withSecond.error?.code, "invalid_credentials");
    const [{ n }] = await sql`select count(*)::int as n from auth.users where email = ${email.toLowerCase()}`;
    assert.equal(n, 1);
  });
});

Deno.test("resend type signup: the email again; for an unknown or confirmed address the same empty 200 and nothing sent", async () => {
  await withAddress("resend", async (email) => {
    await newClient().auth.signUp({ email, password: PASSWORD });
    const soon = await newClient().auth.resend({ type: "signup", email });
    assert.equal(soon.error?.status, 429);
    assert.equal(soon.error?.code, "over_email_send_rate_limit");
    await withAuthOverrides({ max_frequency: "0s" }, async () => {
      const { data, error } = await newClient().auth.resend({ type: "signup", email, options: { emailRedirectTo: LANDING } });
      assert.equal(error, null);
      assert.deepEqual(data, { user: null, session: null });
      assert.equal((await mailbox.list(email)).length, 2);

      const unknown = uniqueEmail("nobody");
      assert.equal((await newClient().auth.resend({ type: "signup", email: unknown })).error, null);
      assert.equal((await mailbox.list(unknown)).length, 0);
      const demoBefore = (await mailbox.list(DEMO.email)).length;
      assert.equal((await newClient().auth.resend({ type: "signup", email: DEMO.email })).error, null);
      assert.equal((await mailbox.list(DEMO.email)).length, demoBefore);
    });
  });
});

Deno.test("the built-in mailer (no custom SMTP) mails only the organisation's members: 400 email_address_not_authorized, no user", async () => {
  await withAddress("stranger", async (email, sql) => {
    await withAuthOverrides({ built_in_mailer: true, authorized_addresses: ["team@example.com"] }, async () => {
      const { data, error } = await newClient().auth.signUp({ email, password: PASSWORD });
      assert.ok(isAuthApiError(error), `expected AuthApiError, got ${error}`);
      assert.equal(error.status, 400);
      assert.equal(error.code, "email_address_not_authorized");
      assert.equal(error.message, `Email address "${email.toLowerCase()}" cannot be used as it is not authorized`);
      assert.equal(data.user, null);
      const [{ n }] = await sql`select count(*)::int as n from auth.users where email = ${email.toLowerCase()}`;
      assert.equal(n, 0, "the sign-up is rolled back");
      assert.equal((await mailbox.list(email)).length, 0);

      // A member's address, +label and all, gets the email.
      const member = `team+${crypto.randomUUID().slice(0, 8)}@example.com`;
      try {
        const ok = await newClient().auth.signUp({ email: member, password: PASSWORD });
        assert.equal(ok.error, null);
        assert.equal((await mailbox.list(member)).length, 1);
      } finally {
        await removeUser(sql, member);
        await mailbox.purge(member);
      }
    });
  });
});

Deno.test("over the project's hourly email allowance: 429 over_email_send_rate_limit and the sign-up is rolled back", async () => {
  const sql = db();
  const [first, second] = [uniqueEmail("allowance1"), uniqueEmail("allowance2")];
  try {
    await withAuthOverrides({ email_sent: 1 }, async () => {
      assert.equal((await newClient().auth.signUp({ email: first, password: PASSWORD })).error, null);
      const { error } = await newClient().auth.signUp({ email: second, password: PASSWORD });
      assert.ok(isAuthApiError(error), `expected AuthApiError, got ${error}`);
      assert.equal(error.status, 429);
      assert.equal(error.code, "over_email_send_rate_limit");
      assert.equal(error.message, "email rate limit exceeded");
      const [{ n }] = await sql`select count(*)::int as n from auth.users where email = ${second}`;
      assert.equal(n, 0);
    });
  } finally {
    for (const email of [first, second]) {
      await removeUser(sql, email);
      await mailbox.purge(email);
    }
    await sql.end();
  }
});

Deno.test("with confirmations off (an older project): a confirmed user with a session at once, GoTrue's claims and rows", async () => {
  await withAuthOverrides({ enable_confirmations: false }, async () => {
    await withAddress("Signup", async (email, sql) => {
      const client = newClient();
      const before = Math.floor(Date.now() / 1000);
      const { data, error } = await client.auth.signUp({
        email,
        password: PASSWORD,
        options: { data: { workspace_name: "Signup test workspace", full_name: "Sign Up" } },
      });
      assert.equal(error, null);
      const { session, user } = data;
      assert.ok(session && user, "auto-confirmed signup returns a session");
      assert.equal((await mailbox.list(email)).length, 0, "nothing to confirm, nothing sent");

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
      assert.equal(user.user_metadata.email_verified, true);
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
               (select count(*)::int from auth.sessions s where s.id = ${claims.session_id as string} and s.user_id = u.id) as sessions,
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
    });
  });
});

Deno.test("with confirmations off, an address already registered: 422 user_already_exists", async () => {
  await withAuthOverrides({ enable_confirmations: false }, async () => {
    const { data, error } = await newClient().auth.signUp({ email: DEMO.email.toUpperCase(), password: "another-password" });
    assert.ok(isAuthApiError(error), `expected AuthApiError, got ${error}`);
    assert.equal(error.status, 422);
    assert.equal(error.code, "user_already_exists");
    assert.equal(error.message, "User already registered");
    assert.equal(data.session, null);
  });
});

Deno.test("signUp with a password shorter than config.toml's minimum (8): 422 weak_password", async () => {
  await withAddress("weak", async (email, sql) => {
    const { error } = await newClient().auth.signUp({ email, password: "short7!" });
    assert.ok(isAuthWeakPasswordError(error), `expected AuthWeakPasswordError, got ${error}`);
    assert.equal(error.status, 422);
    assert.equal(error.code, "weak_password");
    assert.deepEqual(error.reasons, ["length"]);
    assert.equal(error.message, "Password should be at least 8 characters.");
    const [{ n }] = await sql`select count(*)::int as n from auth.users where email = ${email}`;
    assert.equal(n, 0, "no user is created");
    assert.equal((await mailbox.list(email)).length, 0);
  });
});

Deno.test("signUp with a malformed email: 400 validation_failed", async () => {
  const { error } = await newClient().auth.signUp({ email: "not-an-email", password: "long-enough-password" });
  assert.ok(isAuthApiError(error), `expected AuthApiError, got ${error}`);
  assert.equal(error.status, 400);
  assert.equal(error.code, "validation_failed");
  assert.equal(error.message, "Unable to validate email address: invalid format");
});

Deno.test("GET /auth/v1/settings says confirmations are on (mailer_autoconfirm false), and follows the setting", async () => {
  const settings = async () =>
    await (await fetch(`${testEnv.API_URL}/auth/v1/settings`, { headers: { apikey: testKeys.client } })).json();
  assert.equal((await settings()).mailer_autoconfirm, false);
  await withAuthOverrides({ enable_confirmations: false }, async () => {
    assert.equal((await settings()).mailer_autoconfirm, true);
  });
});
