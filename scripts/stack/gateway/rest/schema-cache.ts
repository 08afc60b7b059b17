// What /rest/v1 may name: the tables, views and functions of schema `public`, read from pg_catalog
// once and kept, like PostgREST's schema cache (with the API roles' settings, role-settings.ts). Every identifier in a request is checked here before
// it reaches SQL; a miss reloads the cache (unless a load began after the request did), so objects
// created by new migrations are found on the first request that names them.
import type { Sql } from "../context.ts";
import { RestError } from "./errors.ts";
import { hoistedSettings, loadRoleSettings, RoleSettings, type Settings } from "./role-settings.ts";

export const EXPOSED_SCHEMA = "public";

export interface Column {
  name: string;
  /** format_type() of the column, usable in a column definition list (json_to_recordset). */
  type: string;
}

export interface Relation {
  name: string;
  kind: "table" | "view" | "materialized view" | "foreign table";
  columns: Map<string, Column>;
}

export interface RoutineParam {
  name: string;
  type: string;
  /** False when the parameter has a default, so it may be left out. */
  required: boolean;
}

export type ReturnShape =
  | { kind: "void" }
  | { kind: "scalar"; type: string }
  | { kind: "composite"; columns: Map<string, Column> }
  /** e.g. `returns record` without OUT parameters: PostgREST cannot describe it either. */
  | { kind: "unsupported"; type: string };

export interface Routine {
  name: string;
  params: RoutineParam[];
  volatility: "volatile" | "stable" | "immutable";
  returnsSet: boolean;
  returns: ReturnShape;
  /** Variadic or unnamed input parameters: not callable with named arguments. */
  namedCallable: boolean;
  /** Its own statement_timeout (`create function ... set statement_timeout = ...`), applied before the call. */
  settings: Settings;
}

const RELATION_KINDS: Record<string, Relation["kind"]> = {
  r: "table",
  p: "table",
  v: "view",
  m: "materialized view",
  f: "foreign table",
};

const RELATIONS_SQL = `
  select c.relname as name, c.relkind::text as kind,
    coalesce(json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod))
             order by a.attnum) filter (where a.attnum is not null), '[]')::text as columns
  from pg_catalog.pg_class c
  left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  where c.relnamespace = $1::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
  group by c.relname, c.relkind`;

// One row per function: its arguments (name, type, mode) in order, and for a composite return
// type the columns of that type.
const ROUTINES_SQL = `
  select p.proname as name, p.provolatile::text as volatility, p.proretset as returns_set,
    p.pronargs as nargs, p.pronargdefaults as ndefaults, p.provariadic <> 0 as variadic,
    format_type(p.prorettype, null) as return_type, t.typtype::text as return_typtype, p.proconfig,
    coalesce((
      select json_agg(json_build_object(
               'name', coalesce(p.proargnames[i], ''),
               'type', format_type(coalesce(p.proallargtypes[i], p.proargtypes[i - 1]), null),
               'mode', coalesce(p.proargmodes[i]::text, 'i')) order by i)
      from generate_series(1, coalesce(array_length(p.proallargtypes, 1), p.pronargs)) as i
    ), '[]')::text as args,
    coalesce((
      select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) order by a.attnum)
      from pg_catalog.pg_attribute a
      where t.typtype = 'c' and a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped
    ), '[]')::text as return_columns
  from pg_catalog.pg_proc p
  join pg_catalog.pg_type t on t.oid = p.prorettype
  where p.pronamespace = $1::regnamespace and p.prokind = 'f'`;

interface RoutineRow {
  name: string;
  volatility: string;
  returns_set: boolean;
  nargs: number;
  ndefaults: number;
  variadic: boolean;
  return_type: string;
  return_typtype: string;
  args: string;
  return_columns: string;
  proconfig: string[] | null;
}

function columnMap(columns: Column[]): Map<string, Column> {
  return new Map(columns.map((c) => [c.name, { name: c.name, type: c.type }]));
}

function toRoutine(row: RoutineRow): Routine {
  const args = JSON.parse(row.args) as Array<{ name: string; type: string; mode: string }>;
  const inputs = args.filter((a) => a.mode === "i" || a.mode === "b" || a.mode === "v");
  const outputs = args.filter((a) => a.mode === "o" || a.mode === "b" || a.mode === "t");
  // Defaults belong to the last `ndefaults` input parameters.
  const firstOptional = inputs.length - row.ndefaults;
  const params = inputs.map((a, i) => ({ name: a.name, type: a.type, required: i < firstOptional }));

  let returns: ReturnShape;
  if (row.return_type === "void") returns = { kind: "void" };
  else if (row.return_typtype === "c") {
    returns = { kind: "composite", columns: columnMap(JSON.parse(row.return_columns)) };
  } else if (row.return_type === "record" && outputs.length > 0) {
    returns = { kind: "composite", columns: columnMap(outputs) };
  } else if (row.return_typtype === "p") returns = { kind: "unsupported", type: row.return_type };
  else returns = { kind: "scalar", type: row.return_type };

  return {
    name: row.name,
    params,
    volatility: row.volatility === "i" ? "immutable" : row.volatility === "s" ? "stable" : "volatile",
    returnsSet: row.returns_set,
    returns,
    namedCallable: !row.variadic && params.every((p) => p.name !== ""),
    settings: hoistedSettings(row.proconfig),
  };
}

export class SchemaCache {
  relations = new Map<string, Relation>();
  routines = new Map<string, Routine[]>();
  /** The settings each API role runs with (its ALTER ROLE ... SET), read with the rest. */
  roleSettings = new RoleSettings([], new Map());
  /** When the load that produced the current cache began (0: never loaded). */
  private loadedAt = 0;
  private stale = false;
  private loading: Promise<void> | null = null;

  constructor(private readonly sql: Sql) {}

  /** Loads the cache if it never was (or was invalidated). */
  async ready(): Promise<void> {
    if (this.loadedAt === 0 || this.stale) await this.reload(Date.now());
  }

  /**
   * Makes the cache at least as fresh as the catalog at time `since` (when the request that missed
   * began): a load that began later is reused, so concurrent misses share one catalog query.
   */
  async reload(since: number): Promise<void> {
    while (this.loadedAt < since) {
      if (!this.loading) this.loading = this.load(Date.now()).finally(() => (this.loading = null));
      await this.loading;
    }
  }

  /** The next lookup reloads (after a 42P01/42703 from Postgres: the schema changed under us). */
  invalidate(): void {
    this.stale = true;
  }

  private async load(startedAt: number): Promise<void> {
    try {
      const [relationRows, routineRows, roleSettings] = await Promise.all([
        this.sql.unsafe<Array<{ name: string; kind: string; columns: string }>>(RELATIONS_SQL, [EXPOSED_SCHEMA]),
        this.sql.unsafe<RoutineRow[]>(ROUTINES_SQL, [EXPOSED_SCHEMA]),
        loadRoleSettings(this.sql),
      ]);
      const relations = new Map<string, Relation>();
      for (const row of relationRows) {
        relations.set(row.name, {
          name: row.name,
          kind: RELATION_KINDS[row.kind],
          columns: columnMap(JSON.parse(row.columns)),
        });
      }
      const routines = new Map<string, Routine[]>();
      for (const row of routineRows) {
        const list = routines.get(row.name) ?? [];
        list.push(toRoutine(row));
        routines.set(row.name, list);
      }
      this.relations = relations;
      this.routines = routines;
      this.roleSettings = roleSettings;
      this.loadedAt = startedAt;
      this.stale = false;
    } catch (error) {
      console.error("[rest] loading the schema cache failed:", error);
      throw new RestError(503, "PGRST002", "Could not query the database for the schema cache. Retrying.");
    }
  }
}

const caches = new WeakMap<object, SchemaCache>();

/** One cache per gateway context (per database pool). */
export function schemaCacheFor(owner: object, sql: Sql): SchemaCache {
  let cache = caches.get(owner);
  if (!cache) {
    cache = new SchemaCache(sql);
    caches.set(owner, cache);
  }
  return cache;
}
