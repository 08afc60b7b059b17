// The chaos soak: thousands of enrichment jobs through the real stack while the fake Apollo fails
// on purpose, worker processes are killed mid-job, the gateway restarts and Postgres restarts; then
// every invariant of the queue is checked and the counts are printed. See scripts/soak/README.md.
//
//   npm run soak                       5,000 jobs, 50 workspaces, its own stack instance "soak" (reset first)
//   deno run -A scripts/soak/main.ts --short     200 jobs, 10 workspaces (npm test runs this on "test")
//   options: --jobs N --workspaces N --seed N --kills N --reset --no-reset --keep --cleanup
//   env: STACK_INSTANCE (and STACK_PORT_BASE) to run on an existing instance instead (left running).
// On its own instance the soak stops the stack at the end (its data stays on disk for inspection:
// STACK_INSTANCE=soak STACK_PORT_BASE=55421 npm run stack:up); --keep leaves it running.
import { repoRoot, stackConfig } from "../stack/config.ts";
import { envBlock } from "../stack/status-env.ts";
import { namedPool } from "../stack/pool.ts";
import { ApolloLog } from "./apollo-log.ts";
import {
  createFixture,
  enqueueWorkspace,
  type Fixture,
  installAudit,
  removeAudit,
  removeFixture,
  setBackoffBase,
} from "./fixture.ts";
import { profileFrom, rng, soakArgs } from "./profile.ts";
import { killWorker, restartGateway, restartPostgres, setKnobEnv } from "./stack-control.ts";
import { verify } from "./verify.ts";
import { setTimeout as sleep } from "node:timers/promises";

const args = soakArgs(Deno.args);
const profile = profileFrom(args);
const ownInstance = !Deno.env.get("STACK_INSTANCE");
if (ownInstance) {
  Deno.env.set("STACK_INSTANCE", "soak");
  if (!Deno.env.get("STACK_PORT_BASE")) Deno.env.set("STACK_PORT_BASE", "55421");
}
const config = stackConfig();
const env = await envBlock(config);
const reset = args.reset || (ownInstance && !args["no-reset"]);
// On a shared instance (npm test's) the soak leaves nothing behind; on its own, its workspaces stay
// for inspection (the next run resets the instance anyway).
const keep = args.keep || (ownInstance && !args.cleanup);
const random = rng(profile.seed);
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s`;
const log = (message: string) => console.log(`[soak ${elapsed()}] ${message}`);

const knobs = {
  WORKER_LEASE_SECONDS: String(profile.knobs.leaseSeconds),
  APOLLO_TIMEOUT_MS: String(profile.knobs.apolloTimeoutMs),
};

async function stackCli(command: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot}/scripts/stack/cli.ts`, command],
    cwd: repoRoot,
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  if (!(await child.status).success) throw new Error(`stack ${command} failed`);
}

// ---------------------------------------------------------------------------------------------- setup
log(`${profile.name} soak: ${profile.jobs} jobs in ${profile.workspaces} workspaces on stack "${config.instance}" ` +
  `(seed ${profile.seed})`);
log(`test knobs: retry backoff base ${profile.knobs.backoffBaseSeconds} s (production: 60 s), ` +
  `worker lease ${profile.knobs.leaseSeconds} s (60 s), Apollo timeout ${profile.knobs.apolloTimeoutMs} ms (15000 ms), ` +
  `reaper every ${profile.reapEveryMs / 1000} s and a worker call every ${profile.tickMs / 1000} s (pg_cron: every minute)`);
setKnobEnv(knobs);
if (reset) {
  log("resetting the stack (its functions start with the knobs above)");
  await stackCli("reset");
} else {
  await stackCli("up");
  log("restarting the gateway so the functions run with the knobs above (not the chaos restart)");
  await restartGateway(config);
}

const sql = namedPool(config.dbUrl, "soak", { max: 6, idle_timeout: 5, connect_timeout: 5 });
const apollo = new ApolloLog(config.fakeApolloUrl);
await apollo.admin("POST", "reset");
await apollo.admin("POST", "latency", { ms: profile.apolloLatencyMs });
await setBackoffBase(sql, profile.knobs.backoffBaseSeconds);
await installAudit(sql);
const fixture: Fixture = await createFixture(sql, config, profile, random.next);
await apollo.admin("POST", "faults", {
  seed: profile.seed,
  ...profile.faults,
  unauthorizedKey: fixture.unauthorizedWorkspace.apolloKey,
});
// 2 % of one workspace's ~100 requests may come out as no 401 at all (13 % of runs; most short
// runs): its first request is a 401 in any case, so every run takes the permanent-failure path.
await apollo.admin("POST", "scripts", { key: fixture.unauthorizedWorkspace.apolloKey, status: 401, times: 1 });
// Bulk calls carry ten lookups each, so a short run makes few calls and may draw no hang: one
// healthy workspace's first call hangs in any case, so every run takes the timeout path.
// The same for a 429 in another workspace.
const [hangingWorkspace, limitedWorkspace] = fixture.workspaces.filter((w) => w !== fixture.unauthorizedWorkspace);
await apollo.admin("POST", "scripts", { key: hangingWorkspace.apolloKey, status: "hang", times: 1 });
await apollo.admin("POST", "scripts", {
  key: limitedWorkspace.apolloKey,
  status: 429,
  times: 1,
  retryAfterSeconds: profile.faults.retryAfterSeconds,
});
log(`fake Apollo: ${profile.faults.error500 * 100}% 500, ${profile.faults.error429 * 100}% 429 (retry-after ` +
  `${profile.faults.retryAfterSeconds} s), ${profile.faults.timeout * 100}% hangs, ${profile.faults.unauthorized * 100}% 401 ` +
  `for workspace #${fixture.unauthorizedWorkspace.index}'s key (and its first request); ${profile.apolloLatencyMs} ms latency`);
apollo.start();

// --------------------------------------------------------------------------------------- background
const chaos = { kills: 0, killedProcesses: 0, gatewayRestarts: 0, postgresRestarts: 0 };
const calls = { fired: 0, inFlight: 0, outcomes: new Map<string, number>() };
let reapedByTicker = 0;
let running = true;

function fireWorker(reason: string) {
  calls.fired++;
  calls.inFlight++;
  fetch(`${config.apiUrl}/functions/v1/job-worker`, {
    method: "POST",
    headers: { Authorization: `Bearer ${env.WORKER_SECRET_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ reason }),
    signal: AbortSignal.timeout(90_000),
  }).then(async (response) => {
    await response.body?.cancel();
    return String(response.status);
  }, (error) => `no answer (${(error as Error).name})`)
    .then((outcome) => calls.outcomes.set(outcome, (calls.outcomes.get(outcome) ?? 0) + 1))
    .finally(() => calls.inFlight--);
}

async function ticker() {
  while (running) {
    if (calls.inFlight < profile.maxTickCalls) fireWorker("soak-tick");
    await sleep(profile.tickMs);
  }
}

async function reaper() {
  while (running) {
    await sleep(profile.reapEveryMs);
    try {
      const [{ n }] = await sql<{ n: number }[]>`select public.reap_expired_leases() as n`;
      reapedByTicker += n;
    } catch { /* Postgres is restarting */ }
  }
}

let enqueued = 0;
async function enqueuer() {
  for (const ws of fixture.workspaces) {
    for (;;) {
      try {
        enqueued += await enqueueWorkspace(sql, ws);
        break;
      } catch {
        await sleep(500); // Postgres is restarting
      }
    }
    await sleep(profile.enqueueEveryMs);
  }
}

interface Snapshot {
  finished: number;
  pending: number;
  due: number;
  processing: number;
  /** Processing with progress in the last second: a live worker is on them (not a dead one's leases). */
  live: number;
  completed: number;
  failed: number;
}

async function snapshot(): Promise<Snapshot | null> {
  try {
    const [row] = await sql<Snapshot[]>`
      select count(*) filter (where status in ('completed', 'failed', 'cancelled'))::int as finished,
             count(*) filter (where status = 'pending')::int as pending,
             count(*) filter (where status = 'pending' and scheduled_for <= now())::int as due,
             count(*) filter (where status = 'processing')::int as processing,
             count(*) filter (where status = 'processing'
                              and (progress ->> 'updated_at')::timestamptz > now() - interval '1 second')::int as live,
             count(*) filter (where status = 'completed')::int as completed,
             count(*) filter (where status = 'failed')::int as failed
      from public.jobs where workspace_id = any(${fixture.workspaceIds}::uuid[])`;
    return row;
  } catch {
    return null;
  }
}

// Kills at random points of the run; the gateway and Postgres restarts at fixed ones.
// Before the tail of the run, where a few retries may leave nothing in flight to kill.
const killAt = Array.from({ length: profile.kills }, () => random.between(0.05, 0.75)).sort((a, b) => a - b);
/** A restart at a fixed point of the run, counted in chaos[counter]. */
const restartEvent = (
  at: number,
  name: string,
  restart: () => Promise<void>,
  counter: "gatewayRestarts" | "postgresRestarts",
) => ({
  at,
  name,
  run: async () => {
    await restart();
    chaos[counter]++;
    return true;
  },
});
/** An event runs once done >= at and a live worker has jobs in flight; run() false: try again later. */
const events: Array<{ at: number; name: string; run: () => Promise<boolean> }> = [
  ...killAt.map((at) => ({
    at,
    name: "kill the job-worker process (SIGKILL)",
    run: async () => {
      const n = await killWorker(config);
      if (n === 0) return false; // the worker is being restarted after an earlier kill
      chaos.kills++;
      chaos.killedProcesses += n;
      return true;
    },
  })),
  restartEvent(
    profile.gatewayRestartAt,
    "restart the gateway (and every function with it)",
    () => restartGateway(config),
    "gatewayRestarts",
  ),
  restartEvent(
    profile.postgresRestartAt,
    "restart Postgres (fast shutdown, 2 s down)",
    () => restartPostgres(config),
    "postgresRestarts",
  ),
].sort((a, b) => a.at - b.at);

// -------------------------------------------------------------------------------------------- run
const background = [ticker(), reaper()];
const enqueueing = enqueuer();
let lastReport = 0;
let last: Snapshot | null = null;
let timedOut = false;
/** A chaos step that failed (the stack did not come back): the run stops, and teardown still happens. */
let chaosError: Error | null = null;
while (true) {
  const now = await snapshot();
  if (now) last = now;
  const done = last ? last.finished / profile.jobs : 0;
  const next = events[0];
  if (next && done >= next.at && (now?.live ?? 0) > 0) {
    const started = Date.now();
    try {
      if (await next.run()) {
        events.shift();
        log(`chaos at ${(done * 100).toFixed(0)}% done (${now?.live} jobs in flight): ${next.name} ` +
          `(${((Date.now() - started) / 1000).toFixed(1)} s)`);
      }
    } catch (error) {
      chaosError = error as Error;
      log(`chaos step "${next.name}" FAILED: ${chaosError.message}`);
      break;
    }
  }
  if (Date.now() - lastReport > 10_000 && last) {
    lastReport = Date.now();
    log(`enqueued ${enqueued}/${profile.jobs}  finished ${last.finished}  pending ${last.pending} (due ${last.due})  ` +
      `processing ${last.processing}  completed ${last.completed}  failed ${last.failed}  worker calls ${calls.fired}`);
  }
  if (enqueued === profile.jobs && last && last.pending === 0 && last.processing === 0) break;
  if (Date.now() - t0 > profile.deadlineMs) {
    timedOut = true;
    log(`DEADLINE: the run did not finish within ${profile.deadlineMs / 60_000} min`);
    break;
  }
  await sleep(500);
}
const runSeconds = (Date.now() - t0) / 1000;
running = false;
await enqueueing;
await Promise.all(background);
const settle = Date.now();
while (calls.inFlight > 0 && Date.now() - settle < 15_000) await sleep(200);
await apollo.stop();

// ------------------------------------------------------------------------------------------ verdict
const verdict = await verify(sql, fixture, apollo.requests).catch((error) => ({
  failures: [`the checks could not run: ${(error as Error).message}`],
  counts: {} as Record<string, number | string>,
}));
if (chaosError) verdict.failures.unshift(`a chaos step failed: ${chaosError.message}`);
if (timedOut) verdict.failures.unshift(`the run hit its deadline (${profile.deadlineMs / 60_000} min)`);
const leftover = events.map((e) => e.name);
if (leftover.length) verdict.failures.push(`chaos events that never happened: ${leftover.join("; ")}`);

const counts: Record<string, number | string> = {
  ...verdict.counts,
  "worker processes killed mid-job": chaos.killedProcesses,
  "gateway restarts": chaos.gatewayRestarts,
  "Postgres restarts": chaos.postgresRestarts,
  "worker calls by the soak's ticker": calls.fired,
  "their answers": [...calls.outcomes.entries()].sort().map(([k, v]) => `${k}: ${v}`).join(", "),
  "leases reaped by the soak's reaper ticks": reapedByTicker,
  "run time": `${runSeconds.toFixed(1)} s (until every job finished)`,
};
console.log("\n== soak counts");
const width = Math.max(...Object.keys(counts).map((k) => k.length));
for (const [key, value] of Object.entries(counts)) console.log(`  ${key.padEnd(width)}  ${value}`);

// ----------------------------------------------------------------------------------------- teardown
log("teardown: faults off, knobs back to production values, audit trigger dropped");
await apollo.admin("DELETE", "faults").catch(() => {});
await apollo.admin("POST", "latency", { ms: 0 }).catch(() => {});
const step = (what: string) => (error: Error) => log(`teardown: could not ${what}: ${error.message}`);
await setBackoffBase(sql, null).catch(step("remove the backoff knob"));
await removeAudit(sql).catch(step("drop the audit trigger"));
if (!keep) await removeFixture(sql, fixture).catch(step("delete the soak's workspaces"));
else log(`kept the soak's workspaces ("Soak ${fixture.run} #..") on stack "${config.instance}" for inspection`);
await sql.end({ timeout: 5 });
setKnobEnv(null);
if (ownInstance && !args.keep) {
  log(`stopping the "${config.instance}" stack (start it again to look around: ` +
    `STACK_INSTANCE=${config.instance} STACK_PORT_BASE=${Deno.env.get("STACK_PORT_BASE")} npm run stack:up)`);
  await stackCli("down");
} else {
  await restartGateway(config);
}

console.log("");
if (verdict.failures.length) {
  console.log(`SOAK FAILED (${verdict.failures.length} invariant(s) broken):`);
  for (const f of verdict.failures) console.log(`  - ${f}`);
  Deno.exit(1);
}
console.log(`SOAK PASSED: every invariant held (${profile.jobs} jobs, ${runSeconds.toFixed(0)} s, total ` +
  `${((Date.now() - t0) / 1000).toFixed(0)} s with setup and teardown)`);
Deno.exit(0);
