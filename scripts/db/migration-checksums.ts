// Migrations are add-only: `supabase db push` never re-applies a file it has applied, so an edited
// migration silently differs between a fresh database and every deployed one. The SHA-256 of each
// shipped migration is committed in supabase/migrations.sha256 (sha256sum's format); this checks
// the folder against it:
//   deno run -A scripts/db/migration-checksums.ts          check (npm test does, in db-checks)
//   deno run -A scripts/db/migration-checksums.ts --add    list new migrations (never rewrites a listed one)
// A listed file that changed or disappeared fails, as does a new file that sorts before a listed
// one (deployed databases would apply it out of order) or one that is not listed yet.
import { repoRoot } from "../stack/config.ts";

export const CHECKSUMS = `${repoRoot}/supabase/migrations.sha256`;
const MIGRATIONS_DIR = `${repoRoot}/supabase/migrations`;

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function migrationFiles(dir = MIGRATIONS_DIR): string[] {
  return [...Deno.readDirSync(dir)].filter((e) => e.isFile && e.name.endsWith(".sql")).map((e) => e.name).sort();
}

/** The committed list: file name -> checksum, in file order. */
export function readChecksums(path = CHECKSUMS): Map<string, string> {
  let text = "";
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const listed = new Map<string, string>();
  for (const line of text.split("\n").filter((l) => l.trim() !== "")) {
    const match = line.match(/^([0-9a-f]{64}) {2}(\S+\.sql)$/);
    if (!match) throw new Error(`${path}: not a "<sha256>  <file>" line: ${line}`);
    listed.set(match[2], match[1]);
  }
  return listed;
}

/** What is wrong with the migrations folder against the list; empty when nothing is. */
export async function checkMigrations(dir = MIGRATIONS_DIR, listPath = CHECKSUMS): Promise<string[]> {
  const listed = readChecksums(listPath);
  const files = migrationFiles(dir);
  const problems: string[] = [];
  for (const [name, sum] of listed) {
    if (!files.includes(name)) {
      problems.push(`${name} was shipped and is gone: restore it (undo its effect in a new migration instead)`);
    } else if ((await sha256(`${dir}/${name}`)) !== sum) {
      problems.push(`${name} was shipped and has been edited: restore it and put the change in a new migration`);
    }
  }
  const newest = [...listed.keys()].sort().at(-1) ?? "";
  for (const name of files.filter((f) => !listed.has(f))) {
    if (name < newest) {
      problems.push(`${name} sorts before the shipped ${newest}: give it a later timestamp (deployed databases would apply it out of order)`);
    } else {
      problems.push(`${name} is not in supabase/migrations.sha256 yet: run deno run -A scripts/db/migration-checksums.ts --add`);
    }
  }
  return problems;
}

/** Appends the new migrations to the list; listed ones are left exactly as they are. */
export async function addNewMigrations(dir = MIGRATIONS_DIR, listPath = CHECKSUMS): Promise<string[]> {
  const listed = readChecksums(listPath);
  const added: string[] = [];
  let text = "";
  for (const name of migrationFiles(dir).filter((f) => !listed.has(f))) {
    text += `${await sha256(`${dir}/${name}`)}  ${name}\n`;
    added.push(name);
  }
  if (added.length > 0) await Deno.writeTextFile(listPath, text, { append: true });
  return added;
}

if (import.meta.main) {
  if (Deno.args.includes("--add")) {
    const added = await addNewMigrations();
    console.log(added.length ? `listed ${added.join(", ")}` : "no new migrations");
    const problems = await checkMigrations();
    for (const p of problems) console.error(`error: ${p}`);
    Deno.exit(problems.length ? 1 : 0);
  }
  const problems = await checkMigrations();
  for (const p of problems) console.error(`error: ${p}`);
  console.log(problems.length ? `FAIL  migrations are add-only: ${problems.length} problem(s)` : "PASS  migrations are add-only");
  Deno.exit(problems.length ? 1 : 0);
}
