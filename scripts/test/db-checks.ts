// The database's static checks, as Supabase runs them, against a running stack (instance "test"
// unless STACK_INSTANCE says otherwise):
//   supabase db lint      plpgsql_check over schemas public and private: any error or warning fails
//   supabase db advisors  Supabase's splinter lints (security and performance), level warn and up:
//                         any finding fails (INFO findings such as unused_index are not reported)
//   schema snapshot       supabase/schema.sql equals pg_dump of what the migrations built
//   database types        supabase/functions/_shared/database.types.ts equals what the catalog generates
//   add-only migrations   every shipped migration file is unchanged (supabase/migrations.sha256)
// Exits non-zero when either finds anything, printing each finding readably.
// Usage: deno run -A scripts/test/db-checks.ts
import { repoRoot } from "../stack/config.ts";
import { run } from "../stack/shell.ts";
import { checkMigrations } from "../db/migration-checksums.ts";
import { dumpSchema, SNAPSHOT } from "../db/schema-snapshot.ts";
import { committedDifference } from "../db/generated-file.ts";
import { generateTypes, TYPES_FILE } from "../db/database-types.ts";
import { testConfig, testEnv } from "./env.ts";

const SUPABASE = `${repoRoot}/node_modules/.bin/supabase`;
const LINT_SCHEMAS = "public,private";
const dbUrl = `${testEnv.DB_URL}?sslmode=disable`;
/** How to name this stack instance on a command line. */
const stackEnv = `STACK_INSTANCE=${testConfig.instance}${
  Deno.env.get("STACK_PORT_BASE") ? ` STACK_PORT_BASE=${Deno.env.get("STACK_PORT_BASE")}` : ""
}`;
const log = (message: string) => console.error(`[db-checks] ${message}`);

interface Check {
  name: string;
  ok: boolean;
  findings: string[];
}

interface LintIssue {
  level: string;
  message: string;
  sqlState?: string;
  hint?: string;
  detail?: string;
  statement?: { lineNumber?: string; text?: string };
  query?: { position?: string; text?: string };
}

interface Advisory {
  name: string;
  level: string;
  detail: string;
  remediation?: string;
}

function supabase(args: string[]) {
  return run(SUPABASE, [...args, "--db-url", dbUrl, "--workdir", repoRoot], {
    cwd: repoRoot,
    env: { SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", NO_COLOR: "1" },
  });
}

/** The JSON document the CLI printed on stdout (it prints nothing there when all is well). */
function parseJson<T>(stdout: string): T[] {
  const start = stdout.search(/[\[{]/);
  if (start < 0) return [];
  const parsed = JSON.parse(stdout.slice(start));
  return Array.isArray(parsed) ? parsed : [parsed];
}

async function lint(): Promise<Check> {
  const result = await supabase(["db", "lint", "--schema", LINT_SCHEMAS, "--level", "warning", "--fail-on", "warning"]);
  const findings: string[] = [];
  let reports: { function: string; issues: LintIssue[] }[] = [];
  try {
    reports = parseJson(result.stdout);
  } catch {
    findings.push(`unreadable output: ${result.stdout.trim().slice(0, 2000)}`);
  }
  for (const report of reports) {
    for (const issue of report.issues ?? []) {
      const where = issue.statement?.lineNumber ? ` (line ${issue.statement.lineNumber})` : "";
      const query = issue.query?.text ? `\n      in: ${issue.query.text.replace(/\s+/g, " ").trim()}` : "";
      const hint = issue.hint ? `\n      hint: ${issue.hint}` : "";
      findings.push(
        `${issue.level.toUpperCase()} ${report.function}${where}: ${issue.message}` +
          `${issue.sqlState && issue.sqlState !== "00000" ? ` [${issue.sqlState}]` : ""}${query}${hint}`,
      );
    }
  }
  if (result.code !== 0 && findings.length === 0) {
    findings.push(`supabase db lint failed (exit ${result.code}):\n${result.stderr.trim()}`);
  }
  return {
    name: `supabase db lint (${LINT_SCHEMAS}, warnings fail)`,
    ok: result.code === 0 && findings.length === 0,
    findings,
  };
}

async function advisors(): Promise<Check> {
  const result = await supabase(["db", "advisors", "--type", "all", "--level", "warn", "--fail-on", "warn"]);
  const findings: string[] = [];
  let advisories: Advisory[] = [];
  try {
    advisories = parseJson(result.stdout);
  } catch {
    findings.push(`unreadable output: ${result.stdout.trim().slice(0, 2000)}`);
  }
  for (const a of advisories) {
    findings.push(`${a.level} ${a.name}: ${a.detail}${a.remediation ? `\n      see ${a.remediation}` : ""}`);
  }
  if (result.code !== 0 && findings.length === 0) {
    findings.push(`supabase db advisors failed (exit ${result.code}):\n${result.stderr.trim()}`);
  }
  return { name: "supabase db advisors (all, warn and up)", ok: result.code === 0 && findings.length === 0, findings };
}

/**
 * A generated file must be what its script makes of this database: supabase/schema.sql, so that
 * every schema change is reviewed, and the database types, so the SPA and the functions type what is there.
 */
async function generatedFile(name: string, file: string, generated: string, script: string): Promise<Check> {
  const findings = await committedDifference(file, generated, 10);
  if (findings.length > 0) {
    findings.push(`regenerate it: ${stackEnv} deno run -A ${script} --write (then review and commit the diff)`);
  }
  return { name, ok: findings.length === 0, findings };
}

/** Shipped migrations are never edited (supabase db push would not re-apply them). */
async function addOnlyMigrations(): Promise<Check> {
  const findings = await checkMigrations();
  return { name: "migrations are add-only (supabase/migrations.sha256)", ok: findings.length === 0, findings };
}

async function main(): Promise<number> {
  const probe = await run("psql", [
    testEnv.DB_URL,
    "-X",
    "-At",
    "-c",
    "select count(*) from pg_catalog.pg_namespace where nspname = 'tests'",
  ], { env: { PGCONNECT_TIMEOUT: "5" } });
  if (probe.code !== 0) {
    log(`error: the database of stack instance "${testConfig.instance}" does not answer: ${probe.stderr.trim()}`);
    log(`fix: start it: ${stackEnv} npm run stack:up`);
    return 1;
  }
  if (probe.stdout.trim() !== "0") {
    // The advisors must see the product's schema only, never the pgTAP helpers.
    log("error: schema tests (the pgTAP helpers) is in the database: a pgTAP run is in progress or was interrupted");
    log("fix: let scripts/test/pgtap.ts finish (it drops the schema), or run: drop schema tests cascade");
    return 1;
  }

  const checks = [
    await lint(),
    await advisors(),
    await generatedFile(
      "supabase/schema.sql matches the migrations",
      SNAPSHOT,
      await dumpSchema(testEnv.DB_URL),
      "scripts/db/schema-snapshot.ts",
    ),
    await generatedFile(
      "supabase/functions/_shared/database.types.ts matches the database",
      TYPES_FILE,
      await generateTypes(testEnv.DB_URL),
      "scripts/db/database-types.ts",
    ),
    await addOnlyMigrations(),
  ];
  for (const check of checks) {
    console.log(
      `${check.ok ? "PASS" : "FAIL"}  ${check.name}${
        check.ok ? ": nothing found" : `: ${check.findings.length} finding(s)`
      }`,
    );
    for (const finding of check.findings) console.log(`    - ${finding}`);
  }
  const failed = checks.filter((c) => !c.ok);
  console.log(
    failed.length === 0
      ? "Database checks: all passed."
      : `Database checks: FAILED (${failed.map((c) => c.name.split(" (")[0]).join(", ")}).`,
  );
  return failed.length === 0 ? 0 : 1;
}

Deno.exit(await main());
