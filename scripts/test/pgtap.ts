// The database test suite, against a running stack (instance "test" unless STACK_INSTANCE says
// otherwise): installs the pgTAP helpers (schema tests), runs pg_prove over
// supabase/tests/*.test.sql, drops the helpers again, then runs the concurrency tests
// (supabase/tests/concurrency/, Deno, real parallel connections). Exits non-zero on any failure.
//
// Usage: deno run -A scripts/test/pgtap.ts [--no-concurrency] [name-filter ...]
//   A name filter runs only the pgTAP files whose names contain it (and no concurrency test),
//   e.g. STACK_INSTANCE=dev deno run -A scripts/test/pgtap.ts 003 fairness
import { repoRoot } from "../stack/config.ts";
import { run } from "../stack/shell.ts";
import { testConfig, testEnv } from "./env.ts";

const TESTS_DIR = `${repoRoot}/supabase/tests`;
const HELPERS = `${TESTS_DIR}/helpers/tests_schema.sql`;
const CONCURRENCY_DIR = `${TESTS_DIR}/concurrency`;
const dbUrl = testEnv.DB_URL;
/** How to name this stack instance on a command line. */
const stackEnv = `STACK_INSTANCE=${testConfig.instance}${
  Deno.env.get("STACK_PORT_BASE") ? ` STACK_PORT_BASE=${Deno.env.get("STACK_PORT_BASE")}` : ""
}`;
const log = (message: string) => console.error(`[pgtap] ${message}`);

class SetupError extends Error {
  constructor(message: string, readonly fix: string) {
    super(message);
  }
}

async function psql(sql: string): Promise<{ ok: boolean; output: string }> {
  const result = await run("psql", [dbUrl, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], {
    env: { PGCONNECT_TIMEOUT: "5", PGOPTIONS: "-c client_min_messages=warning" },
  });
  return { ok: result.code === 0, output: (result.stdout + result.stderr).trim() };
}

/** Runs a command with its output shown as it comes and also returned. */
async function runShown(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const child = new Deno.Command(cmd, { args, env, cwd: repoRoot, stdout: "piped", stderr: "piped" }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  const pump = async (stream: ReadableStream<Uint8Array>, sink: typeof Deno.stdout) => {
    for await (const chunk of stream) {
      output += decoder.decode(chunk, { stream: true });
      await sink.write(chunk);
    }
  };
  const [status] = await Promise.all([child.status, pump(child.stdout, Deno.stdout), pump(child.stderr, Deno.stderr)]);
  return { code: status.code, output };
}

async function checkPrerequisites() {
  const reachable = await psql("select 1");
  if (!reachable.ok) {
    const where = dbUrl.replace(/:[^:@/]+@/, ":***@");
    throw new SetupError(
      `the database of stack instance "${testConfig.instance}" (${where}) does not answer:\n${reachable.output}`,
      `start it: ${stackEnv} npm run stack:up`,
    );
  }
  const pgtap = await psql("select count(*) from pg_catalog.pg_extension where extname = 'pgtap'");
  if (pgtap.output !== "1") {
    throw new SetupError(
      "the pgTAP extension is not installed in the database",
      `reset the stack: ${stackEnv} npm run stack:reset`,
    );
  }
  const prove = await run("pg_prove", ["--version"]).catch(() => ({ code: 127, stdout: "", stderr: "" }));
  if (prove.code !== 0) {
    throw new SetupError("pg_prove is not installed", "apt-get install -y libtap-parser-sourcehandler-pgtap-perl");
  }
}

/** Removes the helpers schema and any committed fixtures a killed run may have left. */
async function cleanUp(): Promise<boolean> {
  const result = await psql(`
    drop schema if exists tests cascade;
    delete from public.workspaces where name like 'pgtap %' and created_by is null;
    delete from public.job_types t where t.description = 'Test type: pgTAP'
      and not exists (select 1 from public.jobs j where j.job_type = t.name);`);
  if (!result.ok) log(`could not remove the pgTAP helpers: ${result.output}`);
  return result.ok;
}

async function installHelpers() {
  // The helpers' dblink connections need the password (postgres is not a superuser).
  const password = decodeURIComponent(new URL(dbUrl).password);
  const result = await run("psql", [dbUrl, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", `db_password=${password}`, "-f", HELPERS], {
    env: { PGCONNECT_TIMEOUT: "5", PGOPTIONS: "-c client_min_messages=warning" },
  });
  if (result.code !== 0) {
    throw new SetupError(
      `installing the pgTAP helpers failed:\n${result.stderr.trim()}`,
      `fix ${HELPERS.replace(`${repoRoot}/`, "")}`,
    );
  }
}

function testFiles(filters: string[]): string[] {
  return [...Deno.readDirSync(TESTS_DIR)]
    .filter((e) => e.isFile && /^\d{3}_[a-z0-9_]+\.test\.sql$/.test(e.name))
    .map((e) => e.name)
    .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
    .sort()
    .map((name) => `supabase/tests/${name}`); // relative to repoRoot, pg_prove's working directory
}

interface Outcome {
  name: string;
  ok: boolean;
  detail: string;
  seconds: number;
}

async function runPgProve(files: string[]): Promise<Outcome> {
  const started = performance.now();
  let result: { code: number; output: string };
  try {
    await installHelpers();
    result = await runShown("pg_prove", ["--dbname", dbUrl, "--ext", ".sql", "--failures", ...files], {
      PGCONNECT_TIMEOUT: "5",
      // notices (e.g. "drop cascades to ...") are not test output
      PGOPTIONS: "-c client_min_messages=warning",
    });
  } finally {
    await cleanUp();
  }
  // pg_prove's report: "Files=19, Tests=492, ..." and, per failing file, "<file> (Wstat: 0 Tests: 22 Failed: 1)"
  const summary = result.output.match(/Files=(\d+), Tests=(\d+)/);
  const failedFiles = [...result.output.matchAll(/^(\S+\.test\.sql)\s+\(Wstat: .*?Tests: \d+ Failed: (\d+)\)/gm)];
  const failedTests = failedFiles.reduce((n, m) => n + Number(m[2]), 0);
  const ok = result.code === 0 && /^Result: PASS/m.test(result.output);
  const broken = failedFiles.map((m) => m[1].replace(/^.*\//, "")).join(", ") || "see above";
  let detail = `pg_prove exited with ${result.code}`;
  if (summary && ok) detail = `${summary[1]} files, ${summary[2]} tests, all passed`;
  if (summary && !ok) {
    detail = `${summary[1]} files, ${summary[2]} tests run, ${failedTests} failed; ` +
      `failures, a wrong plan or an error in: ${broken}`;
  }
  return { name: "pgTAP", ok, detail, seconds: (performance.now() - started) / 1000 };
}

async function runConcurrency(): Promise<Outcome> {
  const started = performance.now();
  log("concurrency tests (real parallel connections)");
  const result = await runShown(Deno.execPath(), ["test", "-A", CONCURRENCY_DIR], { NO_COLOR: "1" });
  const summary = result.output.match(/(ok|FAILED) \| (\d+) passed.*?\| (\d+) failed/);
  const detail = summary ? `${summary[2]} passed, ${summary[3]} failed` : `deno test exited with ${result.code}`;
  return { name: "concurrency", ok: result.code === 0, detail, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<number> {
  const args = Deno.args.filter((a) => a !== "--no-concurrency");
  const withConcurrency = !Deno.args.includes("--no-concurrency") && args.length === 0;
  const files = testFiles(args);
  if (files.length === 0) throw new SetupError(`no test file matches ${args.join(", ")}`, `see ${TESTS_DIR}`);

  await checkPrerequisites();
  await cleanUp();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, async () => {
      await cleanUp(); // never leave the helpers behind for the advisors to find
      Deno.exit(130);
    });
  }

  log(`${files.length} pgTAP file(s) against stack instance "${testConfig.instance}"`);
  const outcomes = [await runPgProve(files)];
  if (withConcurrency) outcomes.push(await runConcurrency());

  const helpersLeft = await psql("select count(*) from pg_catalog.pg_namespace where nspname = 'tests'");
  if (helpersLeft.output !== "0") {
    outcomes.push({ name: "cleanup", ok: false, detail: "schema tests is still there", seconds: 0 });
  }

  console.log("");
  for (const o of outcomes) {
    console.log(`${o.ok ? "PASS" : "FAIL"}  ${o.name}: ${o.detail} (${o.seconds.toFixed(1)} s)`);
  }
  const failed = outcomes.filter((o) => !o.ok);
  console.log(
    failed.length === 0
      ? "Database tests: all passed."
      : `Database tests: FAILED (${failed.map((o) => o.name).join(", ")}).`,
  );
  return failed.length === 0 ? 0 : 1;
}

try {
  Deno.exit(await main());
} catch (error) {
  if (error instanceof SetupError) {
    log(`error: ${error.message}`);
    log(`fix: ${error.fix}`);
    Deno.exit(1);
  }
  throw error;
}
