// The Apollo-filled columns are defined once (_shared/apollo/field-map.ts); the SQL that writes
// them (apply_account_enrichment, apply_contact_enrichment) must write exactly those, each from
// the key of its own name, and private.apollo_field_groups (which keeps typed values) must list
// exactly those, in the same groups. A column added on one side only fails here.
import assert from "node:assert/strict";
import { ACCOUNT_FIELDS, CONTACT_FIELDS, FIELD_GROUP_LABELS, type FieldRule } from "../_shared/apollo/field-map.ts";
import { integration, sql } from "./helpers/stack.ts";

/** The columns the function sets from `fields ->> 'key'`, as [column, key] pairs. */
async function writtenColumns(fn: string): Promise<Array<[string, string]>> {
  const [{ body }] = await sql<{ body: string }[]>`select pg_get_functiondef(${fn}::regproc) as body`;
  // "col = coalesce(v_fields ->> 'key', ...)" or "col = coalesce((v_fields ->> 'key')::integer, ...)"
  const assignment = /(\w+)\s*=\s*coalesce\(\s*\(?\s*v_fields\s*->>\s*'(\w+)'/g;
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

integration("private.apollo_field_groups lists the field map's columns in the field map's groups", async () => {
  const rows = await sql<{ table_name: string; column_name: string; field_group: string }[]>`
    select table_name, column_name, field_group from private.apollo_field_groups order by 1, 2`;
  const expected = [
    ...ACCOUNT_FIELDS.map((r) => ({ table_name: "accounts", column_name: r.column, field_group: r.group })),
    ...CONTACT_FIELDS.map((r) => ({ table_name: "contacts", column_name: r.column, field_group: r.group })),
  ].sort((a, b) => `${a.table_name}.${a.column_name}`.localeCompare(`${b.table_name}.${b.column_name}`));
  assert.deepEqual(rows.map((r) => ({ ...r })), expected);
});

integration("the groups a workspace may choose are the field map's groups", async () => {
  const [{ definition }] = await sql<{ definition: string }[]>`
    select pg_get_constraintdef(oid) as definition from pg_constraint
    where conname = 'workspace_settings_apollo_overwrite_groups_check'`;
  const allowed = [...definition.matchAll(/'(\w+)'::text/g)].map((m) => m[1]).sort();
  assert.deepEqual(allowed, Object.keys(FIELD_GROUP_LABELS).sort());
});

Deno.test("every rule reads at least one Apollo field, and no column is mapped twice", () => {
  for (const rules of [ACCOUNT_FIELDS, CONTACT_FIELDS]) {
    assert.equal(new Set(rules.map((r) => r.column)).size, rules.length);
    for (const rule of rules) assert.ok(rule.from.length > 0, rule.column);
  }
});
