// The Docker-free local stack: `deno run -A scripts/stack/cli.ts <up|down|reset|status|start>`.
// See ARCHITECTURE.md ("Two targets, one codebase") for what each piece stands in for.
import { repoRoot, type StackConfig, stackConfig } from "./config.ts";
import { envBlock } from "./status-env.ts";
import {
  applyBootstrap,
  applyRealtimeSchema,
  applyStorageSchema,
  applySeed,
  checkNotSuperuser,
  editedMigrations,
  pendingMigrations,
  pushMigrations,
  recordMigrationChecksums,
  writeLocalSettings,
} from "./database.ts";
import { ensurePackages } from "./packages.ts";
import { cacheFunctionDependencies } from "./edge-runtime.ts";
import { clusterExists, clusterRunning, initCluster, startCluster, stopCluster } from "./postgres.ts";
import { daemonPid, daemonsStatus, startDaemons, stopDaemon, stopDaemons } from "./daemons.ts";
import { ensureKeys, type KeyMode, requestedKeyMode } from "./keys.ts";
import { saveDemoApolloKey } from "./demo-key.ts";
import { StackError } from "./shell.ts";

const log = (message: string) => console.error(`[stack] ${message}`);

async function up(config: StackConfig, { quiet = false } = {}) {
  const started = Date.now();
  await ensurePackages();
  const fresh = !clusterExists(config);
  if (fresh) {
    log(`creating a PostgreSQL 15 cluster in ${config.dataDir}`);
    await initCluster(config);
  }
  if (!(await clusterRunning(config))) {
    log(`starting Postgres on port ${config.ports.db}`);
    await startCluster(config);
  }
  if (fresh) {
    log("applying the Supabase-compatible bootstrap and the pg_net shim (as supabase_admin)");
    await applyBootstrap(config);
  }
  await checkNotSuperuser(config);
  await applyRealtimeSchema(config);
  await applyStorageSchema(config);
  const edited = await editedMigrations(config);
  if (edited.length > 0) {
    log(`warning: ${edited.join(", ")} changed after being applied; run npm run stack:reset to rebuild the database`);
  }
  const pending = await pendingMigrations(config);
  if (pending.length > 0) {
    log(`applying ${pending.length} migration(s) with supabase db push`);
    await pushMigrations(config);
  }
  if (pending.length > 0 || fresh) await recordMigrationChecksums(config);
  if (fresh) {
    log("seeding demo data");
    await applySeed(config);
  }
  await writeLocalSettings(config);
  await useKeys(config, requestedKeyMode());
  await cacheFunctionDependencies();
  await startDaemons(config, { fresh });
  if (fresh) {
    log("saving the mock Apollo key for the demo workspace (through apollo-settings)");
    // Not fatal: the stack is still usable, and the test suites check that the key is there.
    await saveDemoApolloKey(config).catch((error) => log(`warning: ${error.message}`));
  }
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!quiet) await printEnv(config);
}

const KEY_MODES: Record<KeyMode, string> = {
  "signing-keys": "publishable and secret API keys, user tokens signed ES256 (JWKS at /auth/v1/.well-known/jwks.json)",
  legacy: "legacy anon and service_role JWT keys, user tokens signed HS256 with the JWT secret (STACK_LEGACY_KEYS=1)",
};

/** The instance's keys in the mode asked for; a running gateway restarts when the mode changes. */
async function useKeys(config: StackConfig, mode: KeyMode | undefined) {
  const { keys, changed } = await ensureKeys(config, mode);
  if (changed && daemonPid(config, "gateway") !== null) {
    log(`switching to ${keys.mode} keys: restarting the gateway`);
    await stopDaemon(config, "gateway");
  }
  log(`API keys: ${KEY_MODES[keys.mode]}`);
}

async function down(config: StackConfig) {
  await stopDaemons(config);
  if (await clusterRunning(config)) {
    log("stopping Postgres");
    await stopCluster(config);
  }
  log("stopped");
}

async function reset(config: StackConfig) {
  await down(config);
  log(`removing ${config.dir}`);
  await Deno.remove(config.dir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await up(config);
}

async function printEnv(config: StackConfig) {
  for (const [key, value] of Object.entries(await envBlock(config))) console.log(`${key}="${value}"`);
}

/** Prints only KEY="value" lines (like `supabase status -o env`); --verbose adds process states on stderr. */
async function status(config: StackConfig) {
  const running = await clusterRunning(config);
  if (Deno.args.includes("--verbose")) {
    log(`instance ${config.instance}: Postgres ${running ? "running" : "stopped"} on ${config.ports.db}`);
    for (const line of await daemonsStatus(config)) log(line);
  }
  if (!running) {
    log(`the "${config.instance}" stack is not running: start it with npm run stack:up`);
    Deno.exitCode = 1;
    return;
  }
  await printEnv(config);
}

/** `npm start`: the stack plus the SPA's dev server in the foreground; Ctrl-C stops all of it. */
async function start(config: StackConfig) {
  await up(config, { quiet: true });
  const env = await envBlock(config);
  const hasSpa = (() => {
    try {
      return Deno.statSync(`${repoRoot}/web/package.json`).isFile;
    } catch {
      return false;
    }
  })();
  console.log(`
  Enrichment Jobs is running (stack instance "${config.instance}")

  App (SPA):      ${hasSpa ? config.spaUrl : "(web/ not built yet)"}
  API gateway:    ${config.apiUrl}   (/rest/v1, /auth/v1, /realtime/v1, /storage/v1, /functions/v1)
  Worker:         curl -X POST ${config.apiUrl}/functions/v1/job-worker -H "Authorization: Bearer ${config.workerSecretToken}"
  Database:       psql ${config.dbUrl}
  Fake Apollo:    ${config.fakeApolloUrl}
  Mailbox:        ${config.mailboxUrl}   (Auth's emails: sign-up confirmations, password resets)
  Demo login:     ${config.demo.email} / ${config.demo.password}   (mock Apollo key test-key-12345 saved)
  Second login:   ${config.other.email} / ${config.other.password}   (no Apollo key: shows "not configured")

  Press Ctrl-C to stop everything.
`);
  let spa: Deno.ChildProcess | undefined;
  if (hasSpa) {
    spa = new Deno.Command("npm", {
      args: ["run", "dev", "--workspace", "web", "--", "--host", "127.0.0.1", "--port", String(config.ports.spa), "--strictPort"],
      cwd: repoRoot,
      // A project with publishable keys gets VITE_SUPABASE_PUBLISHABLE_KEY; a legacy one the anon key.
      env: {
        VITE_SUPABASE_URL: env.API_URL,
        VITE_SUPABASE_PUBLISHABLE_KEY: env.PUBLISHABLE_KEY ?? "",
        VITE_SUPABASE_ANON_KEY: env.ANON_KEY ?? "",
      },
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  }
  const stopped = new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, () => resolve());
    spa?.status.then(() => resolve());
  });
  await stopped;
  log("stopping");
  try {
    spa?.kill("SIGTERM");
  } catch { /* already gone */ }
  await down(config);
  Deno.exit(0);
}

async function main() {
  const command = Deno.args[0] ?? "status";
  const config = stackConfig();
  switch (command) {
    case "up":
      return await up(config);
    case "down":
      return await down(config);
    case "reset":
      return await reset(config);
    case "status":
      return await status(config);
    case "start":
      return await start(config);
    default:
      throw new StackError(`unknown command "${command}"`, "use one of: up, down, reset, status, start");
  }
}

try {
  await main();
} catch (error) {
  if (error instanceof StackError) {
    console.error(`[stack] error: ${error.message}`);
    if (error.hint) console.error(`[stack] fix: ${error.hint}`);
    Deno.exit(1);
  }
  throw error;
}
