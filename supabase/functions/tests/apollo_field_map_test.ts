// The Apollo-filled columns are defined once (_shared/apollo/field-map.ts); the SQL that writes
// them (apply_account_enrichment, apply_contact_enrichment) must write exactly those, each from
// the key of its own name. A column added on one side only fails here.
import assert from "node:assert/strict";
import { ACCOUNT_FIELDS, CONTACT_FIELDS, type FieldRule } from "../_shared/apollo/field-map.ts";
import { integration, sql } from "./helpers/stack.ts";

/** The columns the function sets from `fields ->> 'key'`, as [column, key] pairs. */
async function writtenColumns(fn: string): Promise<Array<[string, string]>> {
  const [{ body }] = await sql<{ body: string }[]>`select pg_get_functiondef(${fn}::regproc) as body`;
  // "col = coalesce(fields ->> 'key', ...)", "(fields ->> 'key')::integer", or "coalesce(c.col, nullif(fields ->> 'key', ''))"
  const assignment = /(\w+)\s*=\s*coalesce\(\s*(?:\w+\.\w+\s*,\s*)?(?:nullif\(\s*)?\(?\s*fields\s*->>\s*'(\w+)'/g;
  return [...body.matchAll(assignment)].map((m) => [m[1], m[2]]);
}

async function assertWritesExactly(fn: string, rules: readonly FieldRule[]) {
  const pairs = await writtenColumns(fn);
  for (const [column, key] of pairs) assert.equal(column, key, `${fn} writes ${column} from the key ${key}`);
  assert.deepEqual(pairs.map(([column]) => column).sort(), rules.map((r) => r.column).sort(),
    `${fn} writes the columns of the field map, no more, no fewer`);
}

integration("apply_account_enrichment writes exactly the account columns of the field map", async () => {
  await assertWritesExactly("public.apply_account_enrichment", ACCOUNT_FIELDS);
});

integration("apply_contact_enrichment writes exactly the contact columns of the field map", async () => {
  await assertWritesExactly("public.apply_contact_enrichment", CONTACT_FIELDS);
});

Deno.test("every rule reads at least one Apollo field, and no column is mapped twice", () => {
  for (const rules of [ACCOUNT_FIELDS, CONTACT_FIELDS]) {
    assert.equal(new Set(rules.map((r) => r.column)).size, rules.length);
    for (const rule of rules) assert.ok(rule.from.length > 0, rule.column);
  }
});
