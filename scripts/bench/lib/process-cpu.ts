// CPU time spent by the bench stack's PostgreSQL (every process of the cluster, split by what the
// backend is for) and by its gateway, read from /proc. pg_stat_statements is not loaded on the stack
// (shared_preload_libraries is pg_cron only) and would miss the slot's decoding and the trigger's
// share of an UPDATE anyway; process CPU counts every instruction the database ran.
//
// Accounting: a snapshot is utime + stime of the postmaster and each live child, plus the
// postmaster's cutime + cstime (children that exited and were reaped). The difference of two
// snapshots is what the cluster used in between, whether backends came, went or stayed. Each
// backend's share goes to a group named after its application_name (pg_stat_activity).
import type { StackConfig } from "../../stack/config.ts";
import type { Sql } from "./db.ts";
import { procTimes } from "./proc-times.mjs";

export interface CpuSnapshot {
  /** ms of CPU per group since each process started (the postmaster's reaped children under "exited") */
  postgres: Map<string, number>;
  gateway: number;
}

export interface CpuProbe {
  snapshot(): Promise<CpuSnapshot>;
}

/**
 * A probe of the stack's cluster and gateway. `group` names a backend from its application_name
 * and backend type; backends not in pg_stat_activity (e.g. exited since) count as "other".
 */
export function cpuProbe(
  sql: Sql,
  config: StackConfig,
  group: (applicationName: string, backendType: string) => string,
): CpuProbe {
  const postmaster = Number(Deno.readTextFileSync(`${config.dataDir}/postmaster.pid`).split("\n")[0]);
  const gatewayPid = Number(Deno.readTextFileSync(`${config.dir}/run/gateway.pid`).trim());
  return {
    async snapshot() {
      const activity = await sql<{ pid: number; application_name: string; backend_type: string }[]>`
        select pid, coalesce(application_name, '') as application_name, coalesce(backend_type, '') as backend_type
        from pg_catalog.pg_stat_activity`;
      const groupOf = new Map(activity.map((a) => [a.pid, group(a.application_name, a.backend_type)]));
      const postgres = new Map<string, number>();
      const add = (name: string, ms: number) => postgres.set(name, (postgres.get(name) ?? 0) + ms);
      const main = procTimes(postmaster);
      if (!main) throw new Error(`the bench stack's postmaster (pid ${postmaster}) is not running`);
      add("postmaster", main.self);
      add("exited", main.children);
      for (const entry of Deno.readDirSync("/proc")) {
        const pid = Number(entry.name);
        if (!Number.isInteger(pid) || pid === postmaster) continue;
        const t = procTimes(pid);
        if (t?.ppid === postmaster) add(groupOf.get(pid) ?? "other", t.self);
      }
      return { postgres, gateway: procTimes(gatewayPid)?.self ?? NaN };
    },
  };
}

/** CPU ms used between two snapshots: the cluster's per group and in total, and the gateway's. */
export function cpuUsed(before: CpuSnapshot, after: CpuSnapshot) {
  const groups: Record<string, number> = {};
  let total = 0;
  for (const name of new Set([...before.postgres.keys(), ...after.postgres.keys()])) {
    // a group whose backends all exited shrinks while "exited" grows by as much: only the total is exact
    const used = (after.postgres.get(name) ?? 0) - (before.postgres.get(name) ?? 0);
    groups[name] = used;
    total += used;
  }
  return { postgres_ms: total, by_group_ms: groups, gateway_ms: after.gateway - before.gateway };
}
