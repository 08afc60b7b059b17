// The Docker-free local stack: `deno run -A scripts/stack/cli.ts <up|down|reset|status|start>`.
// See ARCHITECTURE.md ("Two targets, one codebase") for what each piece stands in for.
import { envBlock, type StackConfig, stackConfig } from "./config.ts";
import { applyBootstrap, applySeed, pendingMigrations, pushMigrations, writeLocalSettings } from "./database.ts";
import { ensurePackages } from "./packages.ts";
import { clusterExists, clusterRunning, initCluster, startCluster, stopCluster } from "./postgres.ts";
import { daemonsStatus, startDaemons, stopDaemons } from "./daemons.ts";
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
    log("applying the Supabase-compatible bootstrap and the pg_net shim");
    await applyBootstrap(config);
  }
  const pending = await pendingMigrations(config);
  if (pending.length > 0) {
    log(`applying ${pending.length} migration(s) with supabase db push`);
    await pushMigrations(config);
  }
  if (fresh) {
    log("seeding demo data");
    await applySeed(config);
  }
  await writeLocalSettings(config);
  await startDaemons(config, { fresh });
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!quiet) await printEnv(config);
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

async function status(config: StackConfig) {
  const running = await clusterRunning(config);
  if (!Deno.args.includes("--env")) {
    log(`instance ${config.instance}: Postgres ${running ? "running" : "stopped"} on ${config.ports.db}`);
    for (const line of await daemonsStatus(config)) log(line);
  }
  await printEnv(config);
  if (!running) Deno.exitCode = 1;
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
    default:
      throw new StackError(`unknown command "${command}"`, "use one of: up, down, reset, status");
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
