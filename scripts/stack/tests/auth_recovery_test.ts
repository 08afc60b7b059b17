// Password recovery through supabase-js: resetPasswordForEmail emails a type=recovery link (to the
// stack's mailbox); the link signs the user in with type=recovery in the fragment; updateUser sets the
// new password, which spends the link and ends the user's other sessions. verifyOtp checks a link's
// token hash from code.
import assert from "node:assert/strict";
import { isAuthApiError } from "@supabase/supabase-js";
import { withAuthOverrides } from "../../test/auth-overrides.ts";
import { testConfig } from "../../test/env.ts";
import { fragmentOf, mailbox, openLink, verifyLinkIn } from "../../test/mailbox.ts";
import { createConfirmedUser, type TestUser } from "../../test/users.ts";
import { db, newClient } from "./auth_realtime_helpers.ts";

const RESET_PAGE = `${testConfig.spaUrl}/reset-password`;

async function withUser(fn: (user: TestUser) => Promise<void>) {
  const sql = db();
  const user = await createConfirmedUser(`recover-${crypto.randomUUID().slice(0, 8)}@example.com`, "old-password-123");
  try {
    await fn(user);
  } finally {
    await sql`delete from public.workspaces where created_by = ${user.id}`;
    await sql`delete from auth.users where id = ${user.id}`;
    await mailbox.purge(user.email);
    await sql.end();
  }
}

Deno.test("resetPasswordForEmail: a reset email whose link signs in (type=recovery); updateUser sets the new password", async () => {
  await withUser(async (user) => {
    const elsewhere = newClient();
    assert.equal((await elsewhere.auth.signInWithPassword(user)).error, null, "a session on another device");

    const { data, error } = await newClient().auth.resetPasswordForEmail(user.email, { redirectTo: RESET_PAGE });
    assert.equal(error, null);
    assert.deepEqual(data, {});
    const mail = await mailbox.latest(user.email);
    assert.equal(mail.subject, "Reset your password");
    assert.match(mail.body.text, /We received a request to reset your password/);
    const link = verifyLinkIn(mail, "recovery");
    assert.equal(link.searchParams.get("redirect_to"), RESET_PAGE);

    const { status, location } = await openLink(link);
    assert.equal(status, 303);
    assert.ok(location.startsWith(`${RESET_PAGE}#`), location);
    const values = Object.fromEntries(fragmentOf(location));
    assert.equal(values.type, "recovery");

    const client = newClient();
    const { error: sessionError } = await client.auth.setSession({
      access_token: values.access_token,
      refresh_token: values.refresh_token,
    });
    assert.equal(sessionError, null);
    const updated = await client.auth.updateUser({ password: "new-password-456" });
    assert.equal(updated.error, null);

    const old = await newClient().auth.signInWithPassword({ email: user.email, password: user.password });
    assert.equal(old.error?.code, "invalid_credentials", "the old password no longer works");
    const fresh = await newClient().auth.signInWithPassword({ email: user.email, password: "new-password-456" });
    assert.equal(fresh.error, null);
    const { error: otherDevice } = await elsewhere.auth.refreshSession();
    assert.ok(isAuthApiError(otherDevice), "the other device's session ended with the password change");
    assert.equal(Object.fromEntries(fragmentOf((await openLink(link)).location)).error_code, "otp_expired", "the link is spent");
  });
});

Deno.test("resetPasswordForEmail: an unknown address gets the same 200 and no mail; twice within max_frequency is 429", async () => {
  const unknown = `nobody-${crypto.randomUUID().slice(0, 8)}@example.com`;
  assert.equal((await newClient().auth.resetPasswordForEmail(unknown)).error, null);
  assert.equal((await mailbox.list(unknown)).length, 0);
  await withUser(async (user) => {
    assert.equal((await newClient().auth.resetPasswordForEmail(user.email)).error, null);
    const { error } = await newClient().auth.resetPasswordForEmail(user.email);
    assert.ok(isAuthApiError(error), `expected AuthApiError, got ${error}`);
    assert.equal(error.status, 429);
    assert.equal(error.code, "over_email_send_rate_limit");
    assert.equal((await mailbox.list(user.email)).length, 1);
    await withAuthOverrides({ built_in_mailer: true, authorized_addresses: ["team@example.com"], max_frequency: "0s" }, async () => {
      const refused = await newClient().auth.resetPasswordForEmail(user.email);
      assert.equal(refused.error?.code, "email_address_not_authorized", "the built-in mailer mails members only");
    });
  });
});

Deno.test("verifyOtp with a recovery link's token_hash (POST /verify): a session as JSON; the hash then is spent", async () => {
  await withUser(async (user) => {
    await newClient().auth.resetPasswordForEmail(user.email);
    const hash = verifyLinkIn(await mailbox.latest(user.email), "recovery").searchParams.get("token")!;
    const client = newClient();
    const { data, error } = await client.auth.verifyOtp({ token_hash: hash, type: "recovery" });
    assert.equal(error, null);
    assert.equal(data.user?.id, user.id);
    assert.ok(data.session?.access_token);
    const again = await newClient().auth.verifyOtp({ token_hash: hash, type: "recovery" });
    assert.ok(isAuthApiError(again.error));
    assert.equal(again.error.status, 403);
    assert.equal(again.error.code, "otp_expired");
    assert.equal(again.error.message, "Email link is invalid or has expired");
  });
});
