// supabase/functions/_shared/database.types.ts: TypeScript types of schema public, generated from
// the catalog of a database the migrations built, in the shape `supabase gen types typescript`
// prints (that command needs Docker here), plus the values each CHECK (col = ANY (ARRAY[...]))
// allows, so the string unions the SPA and the functions use come from the database too.
//   deno run -A scripts/db/database-types.ts --write   regenerate it from a stack (after stack:up)
//   deno run -A scripts/db/database-types.ts           check it (npm test does, in db-checks)
// STACK_INSTANCE picks the stack (default "test"; use dev after npm run stack:up).
import postgres from "postgres";
import { repoRoot } from "../stack/config.ts";
import { writeOrCheck } from "./generated-file.ts";

export const TYPES_FILE = `${repoRoot}/supabase/functions/_shared/database.types.ts`;

interface ColumnRow {
  relname: string;
  relkind: string;
  attname: string;
  typname: string;
  typtype: string;
  typcategory: string;
  elemname: string | null;
  notnull: boolean;
  hasdefault: boolean;
  identity: string;
  generated: string;
}

interface ForeignKeyRow {
  conname: string;
  relname: string;
  columns: string[];
  refname: string;
  refcolumns: string[];
  one_to_one: boolean;
}

interface FunctionRow {
  proname: string;
  argnames: string[] | null;
  argtypes: string[];
  argmodes: string[] | null;
  ndefaults: number;
  retset: boolean;
  rettype: string;
  retrel: string | null;
}

interface CheckRow {
  relname: string;
  def: string;
}

const SCALARS: Record<string, string> = {
  bool: "boolean",
  int2: "number",
  int4: "number",
  int8: "number",
  float4: "number",
  float8: "number",
  numeric: "number",
  oid: "number",
  json: "Json",
  jsonb: "Json",
  void: "undefined",
};
const STRINGS = new Set([
  "text", "varchar", "bpchar", "uuid", "date", "time", "timetz", "timestamp", "timestamptz", "interval", "inet",
  "cidr", "citext", "bytea", "name", "regclass",
]);

function tsType(typname: string, category = "", elem: string | null = null): string {
  if (category === "A" && elem) return `${tsType(elem)}[]`;
  if (typname in SCALARS) return SCALARS[typname];
  if (STRINGS.has(typname)) return "string";
  return "unknown";
}

const key = (name: string) => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : JSON.stringify(name));
const indent = (text: string, by: number) => text.split("\n").map((l) => (l ? " ".repeat(by) + l : l)).join("\n");

function objectType(fields: Array<[string, string, boolean]>): string {
  if (fields.length === 0) return "Record<PropertyKey, never>";
  return `{\n${fields.map(([name, type, optional]) => `  ${key(name)}${optional ? "?" : ""}: ${type};`).join("\n")}\n}`;
}

async function readCatalog(sql: postgres.Sql) {
  const columns = await sql<ColumnRow[]>`
    select c.relname, c.relkind::text, a.attname, t.typname, t.typtype::text, t.typcategory::text, et.typname as elemname,
           a.attnotnull as notnull, a.atthasdef as hasdefault, a.attidentity::text as identity, a.attgenerated::text as generated
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    join pg_catalog.pg_type t on t.oid = a.atttypid
    left join pg_catalog.pg_type et on et.oid = t.typelem and t.typcategory = 'A'
    where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm')
    order by c.relname, a.attnum`;
  const foreignKeys = await sql<ForeignKeyRow[]>`
    select k.conname, c.relname, r.relname as refname,
           array(select a.attname::text from unnest(k.conkey) with ordinality u(n, i)
                 join pg_catalog.pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.n order by u.i) as columns,
           array(select a.attname::text from unnest(k.confkey) with ordinality u(n, i)
                 join pg_catalog.pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.n order by u.i) as refcolumns,
           exists (select 1 from pg_catalog.pg_index i
                   where i.indrelid = k.conrelid and i.indisunique and i.indpred is null
                     and (i.indkey::int2[])::int2[] @> k.conkey and cardinality(k.conkey) = i.indnkeyatts) as one_to_one
    from pg_catalog.pg_constraint k
    join pg_catalog.pg_class c on c.oid = k.conrelid
    join pg_catalog.pg_class r on r.oid = k.confrelid
    where k.contype = 'f' and k.connamespace = 'public'::regnamespace
    order by c.relname, k.conname`;
  const functions = await sql<FunctionRow[]>`
    select p.proname, p.proargnames::text[] as argnames,
           array(select t.typname::text from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality u(o, i)
                 join pg_catalog.pg_type t on t.oid = u.o order by u.i) as argtypes,
           p.proargmodes::text[] as argmodes, p.pronargdefaults as ndefaults, p.proretset as retset,
           rt.typname as rettype, rr.relname as retrel
    from pg_catalog.pg_proc p
    join pg_catalog.pg_type rt on rt.oid = p.prorettype
    left join pg_catalog.pg_class rr on rr.oid = rt.typrelid and rr.relnamespace = 'public'::regnamespace
    where p.pronamespace = 'public'::regnamespace and p.prokind = 'f' and rt.typname <> 'trigger'
    order by p.proname`;
  const checks = await sql<CheckRow[]>`
    select c.relname, pg_catalog.pg_get_constraintdef(k.oid) as def
    from pg_catalog.pg_constraint k join pg_catalog.pg_class c on c.oid = k.conrelid
    where k.contype = 'c' and k.connamespace = 'public'::regnamespace
    order by c.relname, k.conname`;
  return { columns, foreignKeys, functions, checks };
}

/** The values CHECK (col = ANY (ARRAY['a'::text, ...])) allows, by table and column. */
function checkedValues(checks: CheckRow[]): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  for (const { relname, def } of checks) {
    const m = /^CHECK \(\((\w+) = ANY \(ARRAY\[(.*)\]\)\)\)$/.exec(def);
    if (!m) continue;
    const values = [...m[2].matchAll(/'((?:[^']|'')*)'::text/g)].map((v) => v[1].replaceAll("''", "'"));
    if (!out.has(relname)) out.set(relname, new Map());
    out.get(relname)!.set(m[1], values);
  }
  return out;
}

export function render(catalog: Awaited<ReturnType<typeof readCatalog>>): string {
  const relations = new Map<string, ColumnRow[]>();
  for (const c of catalog.columns) relations.set(c.relname, [...(relations.get(c.relname) ?? []), c]);
  const relationships = (name: string) => {
    const fks = catalog.foreignKeys.filter((f) => f.relname === name);
    if (fks.length === 0) return "[]";
    return `[\n${
      fks.map((f) =>
        indent(
          `{\n  foreignKeyName: ${JSON.stringify(f.conname)};\n  columns: ${JSON.stringify(f.columns)};\n  isOneToOne: ${f.one_to_one};\n` +
            `  referencedRelation: ${JSON.stringify(f.refname)};\n  referencedColumns: ${JSON.stringify(f.refcolumns)};\n}`,
          2,
        )
      ).join(",\n")
    },\n]`;
  };
  const type = (c: ColumnRow) => tsType(c.typname, c.typcategory, c.elemname);
  const tables: string[] = [];
  const views: string[] = [];
  for (const [name, cols] of relations) {
    const isTable = cols[0].relkind === "r" || cols[0].relkind === "p";
    // views: every column may be null, as supabase gen types has them
    const row = objectType(cols.map((c) => [c.attname, isTable && c.notnull ? type(c) : `${type(c)} | null`, false]));
    if (isTable) {
      const writable = cols.filter((c) => c.generated === "" && c.identity !== "a");
      const insert = objectType(writable.map((c) => [
        c.attname,
        c.notnull ? type(c) : `${type(c)} | null`,
        !c.notnull || c.hasdefault || c.identity !== "",
      ]));
      const update = objectType(writable.map((c) => [c.attname, c.notnull ? type(c) : `${type(c)} | null`, true]));
      tables.push(
        `${key(name)}: {\n  Row: ${indent(row, 2).trimStart()};\n  Insert: ${indent(insert, 2).trimStart()};\n` +
          `  Update: ${indent(update, 2).trimStart()};\n  Relationships: ${indent(relationships(name), 2).trimStart()};\n};`,
      );
    } else {
      views.push(`${key(name)}: {\n  Row: ${indent(row, 2).trimStart()};\n  Relationships: ${indent(relationships(name), 2).trimStart()};\n};`);
    }
  }
  const functions = catalog.functions.map((f) => {
    const modes = f.argmodes ?? f.argtypes.map(() => "i");
    const inputs = f.argtypes.map((t, i) => ({ name: f.argnames?.[i] ?? `arg${i}`, type: t, mode: modes[i] }))
      .filter((a) => a.mode === "i" || a.mode === "b");
    const firstDefault = inputs.length - f.ndefaults;
    const args = objectType(inputs.map((a, i) => [a.name, tsType(a.type.replace(/^_/, ""), a.type.startsWith("_") ? "A" : "", a.type.replace(/^_/, "")), i >= firstDefault]));
    const outputs = f.argtypes.map((t, i) => ({ name: f.argnames?.[i] ?? `out${i}`, type: t, mode: modes[i] })).filter((a) => a.mode === "t" || a.mode === "o");
    let returns: string;
    if (f.retrel) returns = `Database["public"]["Tables"][${JSON.stringify(f.retrel)}]["Row"]`;
    else if (outputs.length > 0) returns = objectType(outputs.map((o) => [o.name, `${tsType(o.type.replace(/^_/, ""), o.type.startsWith("_") ? "A" : "", o.type.replace(/^_/, ""))} | null`, false]));
    else returns = tsType(f.rettype.replace(/^_/, ""), f.rettype.startsWith("_") ? "A" : "", f.rettype.replace(/^_/, ""));
    if (f.retset) returns = returns.includes("\n") ? `Array<${returns}>` : `${returns}[]`;
    return `${key(f.proname)}: {\n  Args: ${indent(args, 2).trimStart()};\n  Returns: ${indent(returns, 2).trimStart()};\n};`;
  });
  const checked = [...checkedValues(catalog.checks)].map(([table, columns]) =>
    `${key(table)}: {\n${[...columns].map(([column, values]) => `  ${key(column)}: [${values.map((v) => JSON.stringify(v)).join(", ")}],`).join("\n")}\n},`
  );
  return `// Generated by scripts/db/database-types.ts from the database the migrations build: do not edit by hand.
// The shape is supabase gen types typescript's; CHECKED lists the values each CHECK (col = ANY (...)) allows.

export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];

export type Database = {
  public: {
    Tables: {
${indent(tables.join("\n"), 6)}
    };
    Views: {
${indent(views.join("\n"), 6)}
    };
    Functions: {
${indent(functions.join("\n"), 6)}
    };
    Enums: Record<PropertyKey, never>;
    CompositeTypes: Record<PropertyKey, never>;
  };
};

type PublicSchema = Database["public"];

/** A table's or a view's row. */
export type Tables<Name extends keyof PublicSchema["Tables"] | keyof PublicSchema["Views"]> = Name extends
  keyof PublicSchema["Tables"] ? PublicSchema["Tables"][Name]["Row"]
  : Name extends keyof PublicSchema["Views"] ? PublicSchema["Views"][Name]["Row"]
  : never;
export type TablesInsert<Name extends keyof PublicSchema["Tables"]> = PublicSchema["Tables"][Name]["Insert"];
export type TablesUpdate<Name extends keyof PublicSchema["Tables"]> = PublicSchema["Tables"][Name]["Update"];

/** The values a CHECK constraint allows, by table and column. */
export const CHECKED = {
${indent(checked.join("\n"), 2)}
} as const;
`;
}

export async function generateTypes(dbUrl: string): Promise<string> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    return render(await readCatalog(sql));
  } finally {
    await sql.end({ timeout: 2 });
  }
}

if (import.meta.main) {
  const { testEnv } = await import("../test/env.ts");
  await writeOrCheck(TYPES_FILE, await generateTypes(testEnv.DB_URL), {
    write: Deno.args.includes("--write"),
    rewrite: "deno run -A scripts/db/database-types.ts --write",
  });
}
