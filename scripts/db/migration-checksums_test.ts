// The add-only rule for migrations, on a folder of its own: an edited, deleted, out-of-order or
// unlisted migration is reported; --add lists new files and never rewrites listed ones.
import assert from "node:assert/strict";
import { addNewMigrations, checkMigrations, readChecksums } from "./migration-checksums.ts";

function folder(files: Record<string, string>): { dir: string; list: string } {
  const root = Deno.makeTempDirSync();
  Deno.mkdirSync(`${root}/migrations`);
  for (const [name, text] of Object.entries(files)) Deno.writeTextFileSync(`${root}/migrations/${name}`, text);
  return { dir: `${root}/migrations`, list: `${root}/migrations.sha256` };
}

Deno.test("migrations: listed and unchanged passes; edits, deletions, late-dated and unlisted files fail", async () => {
  const { dir, list } = folder({ "001_a.sql": "create table a ();", "002_b.sql": "create table b ();" });
  assert.deepEqual(await addNewMigrations(dir, list), ["001_a.sql", "002_b.sql"]);
  assert.deepEqual(await checkMigrations(dir, list), []);

  Deno.writeTextFileSync(`${dir}/002_b.sql`, "create table b (id int);");
  assert.match((await checkMigrations(dir, list)).join("\n"), /002_b\.sql was shipped and has been edited/);
  Deno.writeTextFileSync(`${dir}/002_b.sql`, "create table b ();");

  Deno.removeSync(`${dir}/001_a.sql`);
  assert.match((await checkMigrations(dir, list)).join("\n"), /001_a\.sql was shipped and is gone/);
  Deno.writeTextFileSync(`${dir}/001_a.sql`, "create table a ();");

  Deno.writeTextFileSync(`${dir}/0015_between.sql`, "select 1;");
  assert.match((await checkMigrations(dir, list)).join("\n"), /0015_between\.sql sorts before the shipped 002_b\.sql/);
  Deno.removeSync(`${dir}/0015_between.sql`);

  Deno.writeTextFileSync(`${dir}/003_c.sql`, "select 1;");
  assert.match((await checkMigrations(dir, list)).join("\n"), /003_c\.sql is not in supabase\/migrations\.sha256 yet/);
  const before = Deno.readTextFileSync(list);
  assert.deepEqual(await addNewMigrations(dir, list), ["003_c.sql"]);
  assert.ok(Deno.readTextFileSync(list).startsWith(before), "--add only appends");
  assert.deepEqual([...readChecksums(list).keys()], ["001_a.sql", "002_b.sql", "003_c.sql"]);
  assert.deepEqual(await checkMigrations(dir, list), []);
});

Deno.test("migrations: the repository's folder matches its committed list", async () => {
  assert.deepEqual(await checkMigrations(), []);
});
