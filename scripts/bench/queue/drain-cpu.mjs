// Where a drain's CPU goes, read from /proc by the engine driver itself (plain JavaScript, so the
// Deno driver and the Node ones share it): the driver's own process (the engine's client side),
// the PostgreSQL backends connected to the engine's database, and the rest of the cluster (on the
// bench stack mostly the Realtime stand-in's slot reader, which decodes every database's WAL).
// Backends are told apart by their process title, "postgres: <user> <database> <host> ...".
//
// A snapshot counts live processes only: a backend that exits during the drain takes its share
// with it. Every driver opens its pool before the clock starts and keeps it to the end, so the
// engine's backends are all live at both snapshots.
import fs from "node:fs";
import process from "node:process";
import { procTimes } from "../lib/proc-times.mjs";

/** CPU ms so far: this process, the backends of `database`, and every other PostgreSQL process. */
export function cpuSnapshot(database) {
  const snapshot = { engine: procTimes(process.pid)?.self ?? 0, database: 0, rest_of_cluster: 0 };
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const title = fs.readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ");
      if (!title.startsWith("postgres")) continue;
      const [, , db] = title.split(" ");
      snapshot[db === database ? "database" : "rest_of_cluster"] += procTimes(name)?.self ?? 0;
    } catch {
      // exited meanwhile
    }
  }
  return snapshot;
}

/** Microseconds of CPU per job between two snapshots, by part. */
export function cpuPerJob(before, after, jobs) {
  const per = (key) => Math.round(((after[key] - before[key]) * 1000) / jobs);
  return { engine: per("engine"), database: per("database"), rest_of_cluster: per("rest_of_cluster") };
}
