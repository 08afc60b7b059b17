// What Realtime needs to know about tables: which ones publication supabase_realtime holds (re-read
// before each decoding, so `alter publication ... add table` takes effect without a restart), their
// columns with pg_type names (the `columns` of a payload), primary key, whether RLS is on, and which
// columns a role may select (has_column_privilege, as realtime's apply_rls filters them).
import type postgres from "postgres";

export const PUBLICATION = "supabase_realtime";
const TTL_MS = 5_000;

export interface TableColumn {
  name: string;
  /** pg_type.typname: "int4", "timestamptz", "jsonb", "_text"... (what realtime-js converts by). */
  typname: string;
  typeoid: number;
  /** Position in the primary key (1-based), or 0. */
  pkPosition: number;
}

export interface TableMeta {
  oid: number;
  schema: string;
  table: string;
  columns: TableColumn[];
  pk: TableColumn[];
  rlsEnabled: boolean;
  loadedAt: number;
}

export class Catalog {
  #publication = new Set<string>();
  #publicationLoadedAt = 0;
  #tables = new Map<string, TableMeta>();
  #selectable = new Map<string, { columns: Set<string>; loadedAt: number }>();
  #typeNames = new Map<number, string>();

  constructor(private readonly sql: postgres.Sql) {}

  /** "schema.table" of every published table, re-read when `fresh` or older than a few seconds. */
  async publication(fresh = false): Promise<Set<string>> {
    if (fresh || Date.now() - this.#publicationLoadedAt > TTL_MS) {
      const rows = await this.sql<Array<{ schemaname: string; tablename: string }>>`
        select schemaname, tablename from pg_catalog.pg_publication_tables where pubname = ${PUBLICATION}`;
      this.#publication = new Set(rows.map((r) => `${r.schemaname}.${r.tablename}`));
      this.#publicationLoadedAt = Date.now();
    }
    return this.#publication;
  }

  isPublished(schema: string, table: string): boolean {
    return this.#publication.has(`${schema}.${table}`);
  }

  /** Published tables of a schema (for bindings with table "*" or none). */
  publishedTablesOf(schema: string): string[] {
    return [...this.#publication].filter((t) => t.startsWith(`${schema}.`)).map((t) => t.slice(schema.length + 1));
  }

  async table(schema: string, table: string): Promise<TableMeta | null> {
    const key = `${schema}.${table}`;
    const cached = this.#tables.get(key);
    if (cached && Date.now() - cached.loadedAt < TTL_MS) return cached;
    const rows = await this.sql<Array<{ oid: number; rls: boolean; columns: TableColumn[] }>>`
      select c.oid::int as oid, c.relrowsecurity as rls,
             json_agg(json_build_object(
               'name', a.attname, 'typname', t.typname, 'typeoid', a.atttypid::int,
               'pkPosition', coalesce(array_position(pk.conkey, a.attnum), 0)
             ) order by a.attnum) as columns
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      join pg_catalog.pg_type t on t.oid = a.atttypid
      left join pg_catalog.pg_constraint pk on pk.conrelid = c.oid and pk.contype = 'p'
      where n.nspname = ${schema} and c.relname = ${table} and c.relkind in ('r', 'p')
      group by c.oid, c.relrowsecurity`;
    if (rows.length === 0) {
      this.#tables.delete(key); // a missing table is not cached: it may be created any moment
      return null;
    }
    const { oid, rls, columns } = rows[0];
    const meta: TableMeta = {
      oid,
      schema,
      table,
      columns,
      pk: columns.filter((c) => c.pkPosition > 0).sort((a, b) => a.pkPosition - b.pkPosition),
      rlsEnabled: rls,
      loadedAt: Date.now(),
    };
    this.#tables.set(key, meta);
    return meta;
  }

  /** Columns the role may select; empty when the role does not exist or has no access. */
  async selectableColumns(meta: TableMeta, role: string): Promise<Set<string>> {
    const key = `${meta.oid}:${role}`;
    const cached = this.#selectable.get(key);
    if (cached && Date.now() - cached.loadedAt < TTL_MS) return cached.columns;
    let columns = new Set<string>();
    try {
      const rows = await this.sql<Array<{ attname: string }>>`
        select a.attname from pg_catalog.pg_attribute a
        where a.attrelid = ${meta.oid} and a.attnum > 0 and not a.attisdropped
          and pg_catalog.has_column_privilege(${role}, a.attrelid, a.attnum, 'SELECT')`;
      columns = new Set(rows.map((r) => r.attname));
    } catch {
      // An unknown role: it may select nothing.
    }
    this.#selectable.set(key, { columns, loadedAt: Date.now() });
    return columns;
  }

  /** regtype text of type oids (for casts), loaded on first use. */
  async loadTypeNames(oids: Iterable<number>): Promise<void> {
    const missing = [...new Set(oids)].filter((oid) => oid > 0 && !this.#typeNames.has(oid));
    if (missing.length === 0) return;
    const rows = await this.sql<Array<{ oid: number; name: string }>>`
      select oid::int as oid, oid::regtype::text as name from pg_catalog.pg_type where oid = any(${missing}::oid[])`;
    for (const r of rows) this.#typeNames.set(r.oid, r.name);
  }

  typeName(oid: number): string | undefined {
    return this.#typeNames.get(oid);
  }

  /** Forget everything (after a reconnect to a possibly different database state). */
  clear(): void {
    this.#publicationLoadedAt = 0;
    this.#tables.clear();
    this.#selectable.clear();
  }
}
