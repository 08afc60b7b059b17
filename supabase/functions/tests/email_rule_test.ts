// The email rule is written once in TypeScript (_shared/email.ts) and once as the CHECK on
// contacts.email: the same pattern, and the same verdict on a table of cases.
import assert from "node:assert/strict";
import { EMAIL_PATTERN, isValidEmail } from "../_shared/email.ts";
import { integration, sql } from "./helpers/stack.ts";

const CASES: Array<[string, boolean]> = [
  ["maya@stripe.com", true],
  ["first.last+tag@sub.example.co.uk", true],
  ["no-at-sign.com", false],
  ["two@@example.com", false],
  ["spaces in@example.com", false],
  ["nodot@example", false],
  ["", false],
];

integration("contacts.email's CHECK is the pattern of _shared/email.ts", async () => {
  const [{ definition }] = await sql<{ definition: string }[]>`
    select pg_get_constraintdef(oid) as definition from pg_constraint where conname = 'contacts_email_check'`;
  assert.ok(definition.includes(`'${EMAIL_PATTERN.source}'`), `${definition} has ${EMAIL_PATTERN.source}`);
});

integration("SQL and TypeScript give the same verdict on every case", async () => {
  for (const [email, valid] of CASES) {
    assert.equal(isValidEmail(email), valid, `TypeScript: ${email}`);
    const [{ matches }] = await sql<{ matches: boolean }[]>`select ${email} ~ ${EMAIL_PATTERN.source} as matches`;
    assert.equal(matches, valid, `SQL: ${email}`);
  }
});
