// Row level security for changes: may this subscriber see this row? Checked as the subscriber —
// `set_config('role', ...)` and `set_config('request.jwt.claims', ...)` in a read-only transaction,
// then the rows selected by primary key — like realtime's apply_rls. One transaction per distinct
// subscriber identity per batch, one statement per table in it (pipelined), whatever the number of
// changes: a burst of 500 job updates costs one query per watching user, not 500.
import type postgres from "postgres";
import type { Catalog, TableMeta } from "./catalog.ts";

export interface Viewer {
  role: string;
  claims: Record<string, unknown>;
}

export interface RowRef {
  meta: TableMeta;
  /** Primary-key values as Postgres text, in primary-key order. */
  pk: string[];
}

export const viewerKey = (v: Viewer) => `${v.role}\u0000${JSON.stringify(v.claims)}`;
export const rowKey = (r: RowRef) => `${r.meta.oid}\u0000${JSON.stringify(r.pk)}`;

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Which of `refs` the viewer can select now (as keys from rowKey). */
export async function visibleRows(
  sql: postgres.Sql,
  catalog: Catalog,
  viewer: Viewer,
  refs: RowRef[],
): Promise<Set<string>> {
  const byTable = new Map<number, { meta: TableMeta; refs: RowRef[] }>();
  for (const ref of refs) {
    const entry = byTable.get(ref.meta.oid) ?? { meta: ref.meta, refs: [] };
    entry.refs.push(ref);
    byTable.set(ref.meta.oid, entry);
  }
  await catalog.loadTypeNames([...byTable.values()].flatMap((t) => t.meta.pk.map((c) => c.typeoid)));

  const statements: Array<{ text: string; params: string[][]; refs: RowRef[] }> = [];
  for (const { meta, refs: tableRefs } of byTable.values()) {
    const pkTypes = meta.pk.map((c) => catalog.typeName(c.typeoid));
    if (pkTypes.some((t) => !t)) continue;
    const keys = meta.pk.map((_, i) => `k.v${i}`);
    const unnest = meta.pk.map((_, i) => `$${i + 1}::text[]`).join(", ");
    const match = meta.pk.map((c, i) => `t.${ident(c.name)} = ${keys[i]}::${pkTypes[i]}`).join(" and ");
    statements.push({
      text: `select k.i::int as i from unnest(${unnest}) with ordinality as k(${
        meta.pk.map((_, i) => `v${i}`).join(", ")
      }, i)
             where exists (select 1 from ${ident(meta.schema)}.${ident(meta.table)} t where ${match})`,
      params: meta.pk.map((_, i) => tableRefs.map((r) => r.pk[i])),
      refs: tableRefs,
    });
  }
  if (statements.length === 0) return new Set();

  const results = await sql.begin("read only", (tx) => [
    tx`select set_config('role', ${viewer.role}, true), set_config('request.jwt.claims', ${
      JSON.stringify(viewer.claims)
    }, true)`,
    ...statements.map((s) => tx.unsafe(s.text, s.params as never)),
  ]);
  const visible = new Set<string>();
  statements.forEach((s, n) => {
    for (const row of results[n + 1] as unknown as Array<{ i: number }>) visible.add(rowKey(s.refs[row.i - 1]));
  });
  return visible;
}
