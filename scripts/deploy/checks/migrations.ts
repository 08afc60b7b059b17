// Every migration of this clone is recorded in supabase_migrations.schema_migrations, the table
// `supabase db push` writes (a missing one means db push was not run, or failed half-way).
import { type Check, fail, pass, warn, withTable } from "../lib/context.ts";
import { migrations } from "../lib/repo.ts";

const NEVER_PUSHED =
  "supabase_migrations.schema_migrations does not exist: no migration was ever pushed (run supabase db push)";

export const migrationsCheck: Check = {
  id: "migrations",
  title: "migrations applied",
  run: withTable("supabase_migrations.schema_migrations", NEVER_PUSHED, async (sql) => {
    const expected = migrations();
    const rows = await sql<{ version: string; name: string | null }[]>`
      select version, name from supabase_migrations.schema_migrations order by version`;
    const applied = new Set(rows.map((r) => r.version));
    const known = new Set(expected.map((m) => m.version));
    const missing = expected.filter((m) => !applied.has(m.version));
    const extra = rows.filter((r) => !known.has(r.version));
    const latest = expected.at(-1);
    if (missing.length > 0) {
      return fail(
        `${missing.length} of ${expected.length} migration(s) not applied: run supabase db push (supabase db push --dry-run lists them)`,
        missing.map((m) => `not applied: ${m.version}_${m.name}`),
      );
    }
    if (extra.length > 0) {
      return warn(
        `all ${expected.length} migrations applied, but the database has ${extra.length} this clone does not know (pull the repository?)`,
        extra.map((r) => `unknown here: ${r.version}${r.name ? `_${r.name}` : ""}`),
      );
    }
    return pass(
      `all ${expected.length} migrations applied (latest ${latest ? `${latest.version}_${latest.name}` : "none"})`,
    );
  }),
};
