// The soak's hands on the stack: kill the job-worker process mid-job, restart the gateway (and with
// it every function), restart Postgres. Each is what happens on a bad day in production: an edge
// runtime killing an invocation (CPU or wall-clock limit, a deploy), the API gateway restarting, a
// database failover.
import type { StackConfig } from "../stack/config.ts";
import { daemonPid, startDaemons, stopDaemon } from "../stack/daemons.ts";
import { FunctionSupervisor } from "../stack/gateway/functions/supervisor.ts";
import { startCluster, stopCluster } from "../stack/postgres.ts";
import { setTimeout as sleep } from "node:timers/promises";

/** The functions' env the soak sets (read by the gateway's supervisor when it starts the functions). */
export const KNOB_ENV = ["WORKER_LEASE_SECONDS", "APOLLO_TIMEOUT_MS"] as const;

/** The port the gateway gives job-worker: functionsBase + its index among the functions, sorted. */
function workerPort(config: StackConfig): number {
  const index = FunctionSupervisor.discover().indexOf("job-worker");
  if (index < 0) throw new Error("supabase/functions/job-worker not found");
  return config.ports.functionsBase + index;
}

/** Pids of this instance's job-worker process (the gateway restarts it when it dies). */
export async function workerPids(config: StackConfig): Promise<number[]> {
  const port = workerPort(config);
  const out = await new Deno.Command("pgrep", { args: ["-af", `runner.ts job-worker ${port}`] }).output();
  return new TextDecoder().decode(out.stdout).trim().split("\n").filter(Boolean)
    .map((line) => line.match(/^(\d+) .*runner\.ts job-worker (\d+)$/))
    .filter((m): m is RegExpMatchArray => m !== null && Number(m[2]) === port)
    .map((m) => Number(m[1]));
}

/** SIGKILL: the invocations in that process die mid-job, leases and all; returns how many processes. */
export async function killWorker(config: StackConfig): Promise<number> {
  const pids = await workerPids(config);
  for (const pid of pids) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* already gone */ }
  }
  return pids.length;
}

/**
 * Stops and starts the gateway, which stops and starts every function with it. The functions get
 * this process's env, so set or clear the knobs (KNOB_ENV) before calling.
 */
export async function restartGateway(config: StackConfig): Promise<void> {
  await stopDaemon(config, "gateway");
  await startDaemons(config);
  if (daemonPid(config, "gateway") === null) throw new Error("the gateway did not come back");
}

export function setKnobEnv(values: Partial<Record<typeof KNOB_ENV[number], string>> | null) {
  for (const name of KNOB_ENV) {
    const value = values?.[name];
    if (value === undefined) Deno.env.delete(name);
    else Deno.env.set(name, value);
  }
}

/** A fast shutdown (open transactions are aborted, clients disconnected), a pause, and a start. */
export async function restartPostgres(config: StackConfig, downMs = 2000): Promise<void> {
  await stopCluster(config, "fast");
  await sleep(downMs);
  await startCluster(config);
}
