// `npm test`: every suite against a fresh stack instance ("test", its own ports), so it runs
// while `npm start` is up. Prints a summary and exits non-zero if any suite failed.
//   deno run -A scripts/test/run-all.ts [suite ...]      (default: all suites)
// Env: KEEP_STACK=1 leaves the test stack running afterwards; STACK_INSTANCE overrides "test".
import { repoRoot } from "../stack/config.ts";

const instance = Deno.env.get("STACK_INSTANCE") ?? "test";
const deno = Deno.execPath();
const env = { STACK_INSTANCE: instance };

interface Suite {
  name: string;
  what: string;
  cmd: string[];
  /** Files that must exist for the suite to run at all. */
  needs?: string;
  /** False for suites that need no running stack (checks, unit tests): running only those resets nothing. */
  stack?: boolean;
}

const SUITES: Suite[] = [
  // `deno run` does not type-check: this is where a type error in the gateway or a function shows.
  // The functions are checked again as deployed: on the edge Deno (2.1), each with its own deno.json.
  { name: "types", what: "deno check (stack, functions, scripts; functions on the edge Deno)", cmd: [deno, "run", "-A", "scripts/test/types.ts"], stack: false },
  { name: "lint", what: "deno lint (and bare imports only in the functions)", cmd: [deno, "run", "-A", "scripts/test/lint.ts"], stack: false },
  { name: "db", what: "pgTAP + concurrency (pg_prove)", cmd: [deno, "run", "-A", "scripts/test/pgtap.ts"], needs: "scripts/test/pgtap.ts" },
  { name: "db-checks", what: "supabase db lint + advisors, schema snapshot, add-only migrations", cmd: [deno, "run", "-A", "scripts/test/db-checks.ts"], needs: "scripts/test/db-checks.ts" },
  { name: "scripts", what: "unit tests of the database scripts (the add-only rule)", cmd: [deno, "test", "-A", "-q", "scripts/db/"], needs: "scripts/db", stack: false },
  { name: "functions", what: "Edge Functions (deno test)", cmd: [deno, "test", "-A", "supabase/functions/tests/"], needs: "supabase/functions/tests" },
  // verify:deploy and the key re-encryption against this stack; it unschedules a cron job for a moment, so it runs alone
  { name: "deploy", what: "verify:deploy against the stack (passes, then broken on purpose), its checks, the key re-encryption", cmd: [deno, "test", "-A", "scripts/deploy/tests/"], needs: "scripts/deploy/tests" },
  { name: "gateway", what: "the local stack's own tests: gateway contracts (supabase-js), the fake Apollo", cmd: [deno, "test", "-A", "scripts/stack/tests/", "scripts/stack/fake-apollo/tests/"], needs: "scripts/stack/tests" },
  // the key-dependent gateway and functions tests again, on the stack switched to legacy keys; it then switches back
  { name: "gateway-legacy", what: "API key and JWT tests with legacy keys (STACK_LEGACY_KEYS=1)", cmd: [deno, "run", "-A", "scripts/test/legacy-keys.ts"], needs: "scripts/test/legacy-keys.ts" },
  { name: "node-client", what: "supabase-js from Node: sign in, enqueue, watch over Realtime", cmd: ["node", "examples/watch-enrichment.mjs"], needs: "examples/watch-enrichment.mjs" },
  { name: "web", what: "SPA unit tests (Vitest)", cmd: ["npm", "run", "--silent", "test", "--workspace", "web"], needs: "web/package.json", stack: false },
  { name: "e2e", what: "end to end in Chromium (Playwright)", cmd: ["npm", "run", "--silent", "test:e2e", "--workspace", "web"], needs: "web/e2e" },
  // last: it restarts the gateway and Postgres of the test stack on purpose
  { name: "soak", what: "short chaos soak (200 jobs; faults, kills, restarts)", cmd: [deno, "run", "-A", "scripts/soak/main.ts", "--short"], needs: "scripts/soak/main.ts" },
];

function exists(path: string) {
  try {
    Deno.statSync(`${repoRoot}/${path}`);
    return true;
  } catch {
    return false;
  }
}

async function run(cmd: string[], extraEnv: Record<string, string> = {}): Promise<number> {
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: repoRoot,
    env: { ...env, ...extraEnv },
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  return (await child.status).code;
}

const selected = Deno.args.length ? SUITES.filter((s) => Deno.args.includes(s.name)) : SUITES;
const started = Date.now();
const needsStack = selected.some((s) => s.stack !== false);
if (needsStack) {
  console.log(`\n== test stack "${instance}": reset`);
  if ((await run([deno, "run", "-A", "scripts/stack/cli.ts", "reset"])) !== 0) {
    console.error("The test stack could not be started; see the error above.");
    Deno.exit(1);
  }
}

const results: Array<{ suite: Suite; status: "passed" | "FAILED" | "skipped"; seconds: number }> = [];
for (const suite of selected) {
  if (suite.needs && !exists(suite.needs)) {
    results.push({ suite, status: "skipped", seconds: 0 });
    continue;
  }
  console.log(`\n== ${suite.name}: ${suite.what}`);
  const t0 = Date.now();
  const code = await run(suite.cmd);
  results.push({ suite, status: code === 0 ? "passed" : "FAILED", seconds: (Date.now() - t0) / 1000 });
}

if (needsStack && Deno.env.get("KEEP_STACK") !== "1") await run([deno, "run", "-A", "scripts/stack/cli.ts", "down"]);

console.log("\n== summary");
const width = Math.max(...results.map((r) => r.suite.name.length));
for (const r of results) {
  console.log(`  ${r.status.padEnd(7)} ${r.suite.name.padEnd(width)} ${r.seconds.toFixed(1).padStart(6)} s  ${r.suite.what}`);
}
const failed = results.filter((r) => r.status === "FAILED").length;
const passed = results.filter((r) => r.status === "passed").length;
const skipped = results.filter((r) => r.status === "skipped").length;
console.log(
  `\n${failed === 0 ? "PASS" : "FAIL"}: ${passed} suite(s) passed, ${failed} failed, ${skipped} skipped ` +
    `in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
Deno.exit(failed === 0 ? 0 : 1);
