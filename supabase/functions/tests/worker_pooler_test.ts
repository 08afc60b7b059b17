// The stack's functions connect through its transaction pooler (DB_POOLER_URL), as hosted functions
// should go through Supavisor's port 6543, where no session state survives a transaction. A
// backlog that fans the worker out to every invocation it may start (4 with the defaults) is
// completed there, while the worker holds no more pooler connections than its budget (each
// invocation its own DB_POOL_SIZE, db.ts) and none straight to the database. The stack serves
// every invocation from one process, as a hosted instance may; the budget holds either way.
import assert from "node:assert/strict";
import { poolerSettings, showPooler } from "../../../scripts/stack/pooler.ts";
import { sampleUntilFinished, withBacklog } from "./helpers/backlog.ts";
import { enqueueAccounts, functionProcessPids, integration, job, runWorker, sql, testConfig } from "./helpers/stack.ts";
import { setTimeout as sleep } from "node:timers/promises";

/** Established TCP connections from these processes to a local port (ss sees the client side). */
async function connectionsTo(port: number, pids: number[]): Promise<number> {
  const out = await new Deno.Command("ss", { args: ["-Htnp", "state", "established", `( dport = :${port} )`] })
    .output();
  const lines = new TextDecoder().decode(out.stdout).split("\n");
  return lines.filter((line) => pids.some((pid) => line.includes(`pid=${pid},`))).length;
}

integration(
  "a 4-invocation fan-out runs through the transaction pooler, completes every job, and stays in its connection budget",
  async () => {
    // What the worker says of its connection (asserted below, after what it actually does).
    const { body: health } = await runWorker(undefined, "GET");
    const database = health.database ?? {};
    const invocations = 4; // ceil(MAX_GLOBAL_CONCURRENCY 20 / MAX_CONCURRENT 5), the defaults
    const poolSize = 3; // DB_POOL_SIZE's default (db.ts)
    const settings = poolerSettings();

    // one job, one Apollo call, so 30 jobs need more than one invocation's 5 slots
    const backlog = { name: "Pooler fan-out", apolloKey: "live-key-pooler-0001", accounts: 30, prefix: "pooler", latencyMs: 700 };
    await withBacklog(backlog, async (ws, accounts) => {
      const pids = await functionProcessPids("job-worker");
      assert.ok(pids.length > 0, "found the job-worker process");
      // An idle queue: no invocation of an earlier test still registered.
      for (let i = 0; i < 150; i++) {
        const [{ n }] = await sql<{ n: number }[]>`
        select count(*)::integer as n from private.worker_runs where expires_at > clock_timestamp()`;
        if (n === 0) break;
        await sleep(100);
      }
      const peak = { runs: 0, toPooler: 0, toDatabase: 0, servers: 0, waiting: 0 };
      const ids = await enqueueAccounts(ws.id, accounts); // one statement: one wake-up, then fan-out
      await sampleUntilFinished(ids, 45_000, async () => {
        const [{ runs }] = await sql<{ runs: number }[]>`
        select count(*)::integer as runs from private.worker_runs where expires_at > clock_timestamp()`;
        const pool = (await showPooler(testConfig, "POOLS")).find((p) =>
          p.database === "postgres" && p.user === "postgres"
        );
        peak.runs = Math.max(peak.runs, runs);
        peak.toPooler = Math.max(peak.toPooler, await connectionsTo(testConfig.ports.pooler, pids));
        peak.toDatabase = Math.max(peak.toDatabase, await connectionsTo(testConfig.ports.db, pids));
        if (pool) {
          const servers = ["sv_active", "sv_idle", "sv_used", "sv_tested", "sv_login"].reduce(
            (n, k) => n + Number(pool[k] ?? 0),
            0,
          );
          peak.servers = Math.max(peak.servers, servers);
          peak.waiting = Math.max(peak.waiting, Number(pool.cl_waiting ?? 0));
        }
      }, 50);
      for (const id of ids) {
        const row = await job(id);
        assert.equal(row.status, "completed", `${id}: ${row.error_message}`);
      }
      console.log(`    fan-out through the pooler: ${JSON.stringify(peak)}`);
      assert.equal(peak.runs, invocations, `the backlog fanned the worker out to ${invocations} invocations`);
      assert.ok(
        peak.toPooler >= 1 && peak.toPooler <= invocations * poolSize,
        `the worker held ${peak.toPooler} pooler connections, its budget is ${invocations} x DB_POOL_SIZE ${poolSize}`,
      );
      assert.equal(peak.toDatabase, 0, "no connection straight to the database");
      assert.ok(
        peak.servers <= settings.default_pool_size,
        `the pooler used ${peak.servers} of its ${settings.default_pool_size} server connections`,
      );
      assert.deepEqual(database, {
        connection: "pooler",
        port: testConfig.ports.pooler,
        pool_size: poolSize,
        max_invocations: invocations,
        max_clients: invocations * poolSize,
      }, "the health check reports the connection and its budget");
      assert.ok(invocations * poolSize <= settings.max_client_conn, "the budget fits the pooler's client limit");
    });
  },
);
