// verify:deploy's auth-emails item against the stack: PASS with confirmations on and a mailer that
// mails anyone (the stack's mailbox, as a custom SMTP server would); WARN for the built-in mailer's
// allow list (email_address_not_authorized) and for confirmations off; its throwaway sign-up leaves no
// user behind. The verdicts on every other answer: scripts/deploy/tests/checks_test.ts.
import assert from "node:assert/strict";
import { withAuthOverrides } from "../../test/auth-overrides.ts";
import { integration, sql, testEnv } from "../../../supabase/functions/tests/helpers/stack.ts";
import { item, verify } from "./helpers/verify.ts";

const probeUsers = async () =>
  (await sql<{ n: number }[]>`select count(*)::int as n from auth.users where email like 'verify-deploy+%@example.invalid'`)[0].n;

integration("verify:deploy auth-emails: confirmation on and a mailer for everyone is a PASS, and the probe user is gone", async () => {
  const { code, items } = await verify(["--only", "auth-emails"]);
  const emails = item(items, "auth-emails");
  assert.equal(emails.status, "PASS", emails.summary);
  assert.match(emails.summary, /email confirmation is on, and a sign-up to a non-member address was accepted/);
  assert.match(emails.details?.[0] ?? "", /^signed up verify-deploy\+[0-9a-f-]+@example\.invalid .*\(deleted afterwards\)$/);
  assert.equal(code, 0);
  assert.equal(await probeUsers(), 0);
});

integration("verify:deploy auth-emails: the built-in mailer (only members get mail) is a WARN that says to set SMTP", async () => {
  await withAuthOverrides({ built_in_mailer: true }, async () => {
    const { code, items } = await verify(["--only", "auth-emails"]);
    const emails = item(items, "auth-emails");
    assert.equal(emails.status, "WARN", emails.summary);
    assert.match(emails.summary, /still uses Supabase's built-in mailer.*email_address_not_authorized.*custom SMTP server/);
    assert.equal(code, 0, "a WARN passes without --strict");
    assert.equal((await verify(["--only", "auth-emails", "--strict"])).code, 1, "and fails with it");
  });
  assert.equal(await probeUsers(), 0);
});

integration("verify:deploy auth-emails: confirmation off is a WARN; without the key it says what to pass", async () => {
  await withAuthOverrides({ enable_confirmations: false }, async () => {
    const emails = item((await verify(["--only", "auth-emails"])).items, "auth-emails");
    assert.equal(emails.status, "WARN", emails.summary);
    assert.match(emails.summary, /email confirmation is off \(mailer_autoconfirm\)/);
  });
  assert.equal(await probeUsers(), 0);
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run", "-A", "scripts/deploy/verify.ts", "--url", testEnv.API_URL, "--db-url", testEnv.DB_URL,
      "--worker-token", testEnv.WORKER_SECRET_TOKEN, "--only", "auth-emails", "--json",
    ],
    env: { VERIFY_PUBLISHABLE_KEY: "" },
    stdout: "piped",
  }).output();
  const noKey = item(JSON.parse(new TextDecoder().decode(output.stdout)).items, "auth-emails");
  assert.equal(noKey.status, "WARN");
  assert.match(noKey.summary, /pass --publishable-key/);
});
