// One domain rule: the same table of cases through the database (private.normalize_domain and
// the CHECK on accounts.domain) and through the TypeScript every other part imports
// (_shared/domain.ts: the SPA's form, the jobs API's payloads, the Apollo client, the fake Apollo).
import assert from "node:assert/strict";
import { DOMAIN_PATTERN, isValidDomain, normalizeDomain } from "../_shared/domain.ts";
import { enrichAccountPayload } from "../_shared/jobs/payloads.ts";
import { integration, sql } from "./helpers/stack.ts";

/** [typed, stored ("" for nothing), valid once normalized] */
const CASES: Array<[string, string, boolean]> = [
  ["stripe.com", "stripe.com", true],
  ["  Stripe.COM. ", "stripe.com", true],
  ["\tacme.io\n", "acme.io", true],
  ["https://www.stripe.com/about?x=1#y", "stripe.com", true],
  ["HTTP://WWW.Acme.com", "acme.com", true],
  ["http://www2.stripe.com:8080", "stripe.com", true],
  ["//www.notion.so/", "notion.so", true],
  ["jane@figma.com", "figma.com", true],
  ["mailto:jane@figma.com", "figma.com", true],
  ["https://user:secret@acme.com:443/x", "acme.com", true],
  ["www.com", "www.com", true],
  ["www.www.acme.com", "acme.com", true],
  ["sub.domain.co.uk/path", "sub.domain.co.uk", true],
  ["acme.com...", "acme.com", true],
  ["xn--mnchen-3ya.de", "xn--mnchen-3ya.de", true],
  ["a-b.c-d.io", "a-b.c-d.io", true],
  ["", "", false],
  ["   ", "", false],
  ["https://", "", false],
  ["localhost", "localhost", false],
  ["not a domain", "not", false],
  ["acme-.com", "acme-.com", false],
  ["-bad.com", "-bad.com", false],
  ["acme..com", "acme..com", false],
  ["acme_corp.com", "acme_corp.com", false],
  ["münchen.de", "münchen.de", false],
  ["acme.com:", "acme.com", true],
  ["ftp://files.acme.com/x", "files.acme.com", true],
];

Deno.test("TypeScript: each case normalizes and validates as the table says", () => {
  for (const [typed, stored, valid] of CASES) {
    assert.equal(normalizeDomain(typed), stored, JSON.stringify(typed));
    assert.equal(isValidDomain(stored), valid, `${JSON.stringify(stored)} valid`);
    // the jobs API takes a bare domain only: a stored one
    assert.equal(enrichAccountPayload.safeParse({ account_id: crypto.randomUUID(), domain: stored }).success, valid,
      `payload domain ${JSON.stringify(stored)}`);
  }
});

integration("the database: the same cases, through private.normalize_domain and accounts_domain_check", async () => {
  const [{ check }] = await sql<{ check: string }[]>`
    select pg_get_constraintdef(oid) as check from pg_constraint where conname = 'accounts_domain_check'`;
  const pattern = /~\s*'(.*)'::text/.exec(check)?.[1];
  assert.equal(pattern, DOMAIN_PATTERN, "the CHECK's pattern is the TypeScript one");
  for (const [typed, stored, valid] of CASES) {
    const rows: Array<{ normalized: string | null; passes: boolean }> = await sql`
      select private.normalize_domain(${typed}) as normalized,
             coalesce(private.normalize_domain(${typed}), '') ~ ${pattern!} as passes`;
    assert.equal(rows[0].normalized ?? "", stored, `normalize_domain(${JSON.stringify(typed)})`);
    assert.equal(rows[0].passes, valid, `${JSON.stringify(stored)} passes the CHECK`);
  }
});
