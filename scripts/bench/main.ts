// `npm run bench`: our Postgres job queue measured on this machine, side by side with
// graphile-worker and pg-boss, plus pickup latency (one job, and a burst), enrichment end to end,
// fair share between users, the claim at scale and Realtime delivery (one subscriber; and 1,000 signed-in
// subscribers, Broadcast against Postgres Changes, ~1.5 min). Writes bench/results.md,
// bench/results.json and bench/explain-claim-1e6.txt.
// Benchmarks are not tests: nothing here runs in `npm test`.
//
//   npm run bench                        every section but apollo, full size (15-18 min)
//   npm run bench -- --quick             every section, small (~4 min), written to bench/tmp/
//   npm run bench -- --only=queue,scale  sections: queue, cron, pickup, enrichment, fairness, scale, realtime, browser, import
//   npm run bench -- --only=apollo --out=bench   the Apollo plans (~10 min, only on request): apollo.md, apollo.json
//   npm run bench -- --skip=cron         all but these
//   npm run bench -- --n=50000 --runs=5  queue size and repetitions (default 20000 and 3)
//   npm run bench -- --keep-stack        leave the bench stack running afterwards
//   npm run bench -- --out=DIR           where to write (default bench/; bench/tmp/ with --quick, --only or --skip)
//
// It runs on a stack instance of its own ("bench", ports from 56700, BENCH_STACK_PORT_BASE to
// change them), reset at the start, stopped and removed at the end; never on dev or test.
import { repoRoot, type StackConfig, stackConfig } from "../stack/config.ts";
import { connect } from "./lib/db.ts";
import { BENCH_REALTIME_LIMITS, BENCH_WORKER, createBenchWorkspace } from "./lib/fixtures.ts";
import { loadAverage, machineInfo } from "./lib/machine.ts";
import { DENO, runJsonLines } from "./lib/proc.ts";
import { ON_REQUEST, parseFlags, type Section } from "./lib/flags.ts";
import { writeReport } from "./lib/report.ts";
import { round } from "./lib/stats.ts";
import { enrichmentRun } from "./sections/enrichment.ts";
import { fairnessSection } from "./sections/fairness.ts";
import { pickupBurst, pickupCronOnly, pickupWake } from "./sections/pickup.ts";
import { dropQueueDatabases, queueSection, setupQueueDatabases } from "./sections/queue.ts";
import { realtimeSection } from "./sections/realtime.ts";
import { realtimeFanoutSection } from "./sections/realtime-fanout.ts";
import { apolloFree, apolloPaid } from "./sections/apollo.ts";
import { apolloMarkdown, mergeApolloResults } from "./lib/apollo-report.ts";
import { browserQueriesMarkdown, type BrowserQueriesResult, browserQueriesSection } from "./sections/browser-queries.ts";
import { type ImportBenchResult, importMarkdown, importSection } from "./sections/import.ts";

const INSTANCE = "bench";
const PORT_BASE = Number(Deno.env.get("BENCH_STACK_PORT_BASE") ?? 56700);

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;
const log = (line: string) => console.log(`[bench ${elapsed()}] ${line}`);

/** The bench stack's own environment: its instance and ports, and the worker's settings as the issue fixes them. */
function stackEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  for (
    const key of [
      "USE_MOCK_APOLLO",
      "MOCK_APOLLO_DELAY_MS",
      "WORKER_TIME_BUDGET_MS",
      "APOLLO_TIMEOUT_MS",
      "DB_POOL_SIZE",
    ]
  ) {
    delete env[key];
  }
  return {
    ...env,
    STACK_INSTANCE: INSTANCE,
    STACK_PORT_BASE: String(PORT_BASE),
    MAX_CONCURRENT: String(BENCH_WORKER.maxConcurrent),
    MAX_GLOBAL_CONCURRENCY: String(BENCH_WORKER.maxGlobalConcurrency),
    ...BENCH_REALTIME_LIMITS,
  };
}

async function stack(command: "reset" | "down"): Promise<void> {
  const child = new Deno.Command(DENO, {
    args: ["run", "-A", "scripts/stack/cli.ts", command],
    cwd: repoRoot,
    env: stackEnv(),
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const out = await child.output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) throw new Error(`stack ${command} failed:\n${stderr.trim().split("\n").slice(-15).join("\n")}`);
}

async function main() {
  const flags = parseFlags(Deno.args);
  if (!flags) return; // --help
  if (PORT_BASE === 54321 || PORT_BASE === 55321) throw new Error("the bench stack must not use the dev or test ports");
  Deno.env.set("STACK_INSTANCE", INSTANCE);
  Deno.env.set("STACK_PORT_BASE", String(PORT_BASE));
  const config: StackConfig = stackConfig(INSTANCE);
  const has = (s: Section) => flags.sections.includes(s);
  log(
    `sections: ${flags.sections.join(", ")}${flags.quick ? " (quick)" : ""}; results go to ${
      flags.out.replace(repoRoot + "/", "")
    }/`,
  );
  log(
    `resetting the "${INSTANCE}" stack (ports ${PORT_BASE}-${
      PORT_BASE + 20
    }; MAX_CONCURRENT ${BENCH_WORKER.maxConcurrent}, ` +
      `MAX_GLOBAL_CONCURRENCY ${BENCH_WORKER.maxGlobalConcurrency})`,
  );
  await stack("reset");

  const sql = connect(config.dbUrl, 4);
  const results: Record<string, unknown> = {};
  const loadBefore = loadAverage();
  try {
    const machine = await machineInfo(sql);
    log(`${machine.cores} cores, ${machine.ram_gib} GiB, ${machine.cpu_model}; ${machine.versions.postgres}`);
    const workspaceId = await createBenchWorkspace(sql, config, "Bench workspace");

    if (has("queue") || has("scale")) {
      log("creating the engines' databases (bench_ours: our migrations; bench_graphile; bench_pgboss)");
      await setupQueueDatabases(config);
    }

    // Cron-only pickup takes minutes of waiting for ticks: it runs while the queue benchmark
    // runs in its own databases (its jobs and ticks are tiny next to a drain).
    let cron: Promise<unknown> | undefined;
    if (has("cron")) {
      const jobs = flags.quick ? 3 : 12;
      const minutes = flags.quick ? 1 : 2;
      log(`cron only (wake-up trigger off): ${jobs} jobs at random moments over ${minutes} min, in the background`);
      const cronSql = connect(config.dbUrl, 2);
      cron = pickupCronOnly(cronSql, config, workspaceId, jobs, minutes, log).finally(() =>
        cronSql.end({ timeout: 2 })
      );
      cron.catch(() => {}); // awaited below
    }

    if (has("queue")) {
      log(`queue throughput: n = ${flags.n}, ${flags.runs} run(s) each, concurrency 5, 10, 50`);
      const drain = await queueSection(config, {
        n: flags.n,
        runs: flags.runs,
        concurrencies: [5, 10, 50],
        pgBossBatches: flags.quick ? [100, 1000] : [10, 100, 1000],
        pgBossCapMs: flags.quick ? 3000 : 6000,
        log,
      });
      results.queue_drain = drain;
    }

    if (has("scale")) {
      const sizes = flags.quick ? [1_000, 100_000] : [1_000, 100_000, 1_000_000];
      const unclaimable = flags.quick ? 30_000 : 300_000;
      log(
        `scale: claim latency and throughput with ${sizes.join(", ")} completed jobs in the table, then ` +
          `${unclaimable} pending jobs that cannot be claimed beside the largest`,
      );
      const { lines } = await runJsonLines(DENO, [
        "run",
        "-A",
        "scripts/bench/queue/scale-ours.ts",
        JSON.stringify({ sizes, pending: 2000, samples: 200, reps: flags.quick ? 1 : 3, unclaimable }),
        // as the cluster's superuser: fixtures are written with triggers off and the claim explained
        // with auto_explain, neither of which postgres (not a superuser, as on hosted) may do
      ], {
        env: { SUPABASE_DB_URL: config.adminDbUrl.replace(/\/[^/]*$/, "/bench_ours"), DB_POOL_SIZE: "12" },
        timeoutMs: 600_000,
      });
      results.claim_scale = lines.filter((l) => "rows" in l && !("unclaimable" in l)).map((l) => ({
        rows: l.rows,
        completed_history: l.completed_history,
        pending: l.pending,
        claim_samples: l.claim_samples,
        claim_ms_p50: round(l.claim_ms_p50 as number, 2),
        claim_ms_p95: round(l.claim_ms_p95 as number, 2),
        jobs_per_s: round(l.jobs_per_s as number),
        jobs_per_s_min: round(l.jobs_per_s_min as number),
        jobs_per_s_max: round(l.jobs_per_s_max as number),
        reps: l.reps,
        runner_early_stops: l.early_stops,
      }));
      for (const s of results.claim_scale as Array<Record<string, unknown>>) {
        log(
          `  ${String(s.rows).padStart(8)} rows: claim p50 ${s.claim_ms_p50} ms, ${s.jobs_per_s} jobs/s${
            s.runner_early_stops ? ` (the runner stopped early ${s.runner_early_stops} time(s) with jobs due)` : ""
          }`,
        );
      }
      const u = lines.find((l) => "unclaimable" in l);
      if (u) {
        const without = (results.claim_scale as Array<Record<string, number>>).at(-1)!;
        results.claim_unclaimable = {
          rows: u.rows,
          completed_history: u.completed_history,
          pending: u.pending,
          unclaimable: u.unclaimable,
          scheduled_a_year_ahead: u.scheduled_later,
          of_a_disabled_type: u.disabled_type,
          unclaimable_workspaces: u.unclaimable_workspaces,
          claim_samples: u.claim_samples,
          claim_ms_p50: round(u.claim_ms_p50 as number, 2),
          claim_ms_p95: round(u.claim_ms_p95 as number, 2),
          jobs_per_s: round(u.jobs_per_s as number),
          jobs_per_s_min: round(u.jobs_per_s_min as number),
          jobs_per_s_max: round(u.jobs_per_s_max as number),
          reps: u.reps,
          runner_early_stops: u.early_stops,
          without_unclaimable: {
            rows: without.rows,
            claim_ms_p50: without.claim_ms_p50,
            claim_ms_p95: without.claim_ms_p95,
            jobs_per_s: without.jobs_per_s,
          },
        };
        log(
          `  ${String(u.rows).padStart(8)} rows (${u.unclaimable} not claimable): claim p50 ${
            round(u.claim_ms_p50 as number, 2)
          } ms, p95 ${round(u.claim_ms_p95 as number, 2)} ms, ${round(u.jobs_per_s as number)} jobs/s`,
        );
      }
      results.explain_claim = lines.find((l) => "explain" in l)?.explain ?? "";
    }
    if (has("queue") || has("scale")) await dropQueueDatabases(config);

    if (cron) {
      log("waiting for the cron-only measurement to finish");
      results.cron_only = await cron;
    }

    if (has("pickup")) {
      const count = flags.quick ? 20 : 50;
      log(`pickup latency through the wake-up path: ${count} jobs, one at a time into an idle queue`);
      results.pickup_wake = await pickupWake(sql, config, workspaceId, count, log);
      log("pickup of a burst: 20 single-row enqueues back to back, the fake Apollo answering in 0 ms, then 1 s");
      results.pickup_burst = [
        await pickupBurst(sql, config, workspaceId, 20, 0, log),
        await pickupBurst(sql, config, workspaceId, 20, 1000, log),
      ];
    }

    if (has("enrichment")) {
      const runs: Awaited<ReturnType<typeof enrichmentRun>>[] = [];
      const reps = flags.quick ? 1 : 3;
      for (let i = 1; i <= reps; i++) {
        const r = await enrichmentRun(sql, config, workspaceId, 20, 1000, `enrich20-${i}`);
        log(
          `  20 jobs x 1 s Apollo latency, MAX_CONCURRENT 5: ${r.seconds} s (${r.worker_invocations} worker call(s))`,
        );
        runs.push(r);
      }
      results.enrichment_20x1s = runs;
      const many = flags.quick ? 200 : 1000;
      const big = await enrichmentRun(sql, config, workspaceId, many, 50, `enrich${many}`);
      log(
        `  ${many} jobs x 50 ms Apollo latency: ${big.seconds} s, ${big.jobs_per_s} jobs/s (${big.worker_invocations} worker call(s))`,
      );
      results.enrichment_many = big;
    }

    if (has("fairness")) {
      const runs = flags.quick ? 1 : 3;
      log(
        `fair share: a victim's 10 accounts alone, then beside an attacker's 1,000 in 40 workspaces (${runs} run(s))`,
      );
      results.fairness = await fairnessSection(sql, config, runs, log);
      const f = results.fairness as { alone_s: number; loaded_s: number; ratio: number };
      log(`  median: ${f.alone_s} s alone, ${f.loaded_s} s beside the attacker: ${f.ratio}x`);
    }

    if (has("realtime")) {
      const count = flags.quick ? 50 : 200;
      log(`Realtime delivery: ${count} updates of one job, followed with supabase-js`);
      results.realtime_single = await realtimeSection(sql, config, count, log);
      const fanout = flags.quick
        ? { workspaces: 20, membersPerWorkspace: 5, jobsPerWorkspace: 10, outsiders: 5 }
        : { workspaces: 100, membersPerWorkspace: 10, jobsPerWorkspace: 10, outsiders: 10 };
      log(
        `Realtime fan-out: ${fanout.workspaces} workspaces x ${fanout.membersPerWorkspace} signed-in members, ` +
          `${fanout.workspaces * fanout.jobsPerWorkspace} jobs updated at 100/s, Broadcast then Postgres Changes`,
      );
      results.realtime = await realtimeFanoutSection(
        sql,
        config,
        { ...fanout, changesPerSecond: 100, drainMs: flags.quick ? 10_000 : 20_000 },
        log,
      );
    }

    if (has("browser")) {
      const accounts = flags.quick ? 20_000 : 100_000;
      log(`browser queries: the SPA's queries as a member, ${accounts.toLocaleString("en-US")} accounts in the workspace`);
      results.browser_queries = await browserQueriesSection(sql, config, { accounts, reps: flags.quick ? 3 : 5 }, log);
    }

    if (has("import")) {
      const rows = flags.quick ? 10_000 : 100_000;
      log(`import: ${rows.toLocaleString("en-US")} account rows from a CSV in Storage, one worker invocation at a time`);
      results.import = await importSection(sql, config, rows, log);
      log(`  ${JSON.stringify(results.import)}`);
    }

    if (has("apollo")) {
      const paid = flags.quick ? 1_000 : 5_000;
      log(`Apollo, paid plan: ${paid} accounts, 1,000 enrichments/min, 500 ms answers`);
      results.apollo_paid = await apolloPaid(sql, config, paid, log);
      log(`  ${JSON.stringify(results.apollo_paid)}`);
      log("Apollo, free plan with windows 60x shorter: 1,000 accounts, 50/min, 200/hour, 600/day");
      results.apollo_free = await apolloFree(sql, config, 1_000, log);
      log(`  ${JSON.stringify(results.apollo_free)}`);
    }

    results.machine = machine;
  } finally {
    await sql.end({ timeout: 2 }).catch(() => {});
    if (!flags.keepStack) {
      log(`stopping and removing the "${INSTANCE}" stack`);
      await stack("down").catch((e) => log(`warning: ${e.message}`));
      await Deno.remove(config.dir, { recursive: true }).catch(() => {});
    }
  }

  const runtimeS = (Date.now() - started) / 1000;
  if (results.apollo_paid || results.apollo_free) {
    // its own files: run on request, it must not replace the other sections' report
    await Deno.mkdir(flags.out, { recursive: true });
    const apollo = { generated_at: new Date(started).toISOString(), machine: results.machine, apollo_paid: results.apollo_paid, apollo_free: results.apollo_free };
    await Deno.writeTextFile(`${flags.out}/apollo.json`, JSON.stringify(apollo, null, 2) + "\n");
    await Deno.writeTextFile(`${flags.out}/apollo.md`, apolloMarkdown(apollo));
    if (flags.sections.every((s) => ON_REQUEST.includes(s))) {
      await mergeApolloResults(flags.out);
      log(`done in ${(runtimeS / 60).toFixed(1)} min: ${flags.out.replace(repoRoot + "/", "")}/apollo.md, apollo.json`);
      return;
    }
  }
  await writeReport(flags.out, {
    results,
    flags,
    runtimeS,
    load: { before: loadBefore, after: loadAverage() },
    startedAt: new Date(started).toISOString(),
  });
  if (results.browser_queries) {
    const table = browserQueriesMarkdown(results.browser_queries as BrowserQueriesResult);
    await Deno.writeTextFile(`${flags.out}/results.md`, `\n${table}\n`, { append: true });
  }
  if (results.import) {
    await Deno.writeTextFile(`${flags.out}/results.md`, `\n${importMarkdown(results.import as ImportBenchResult)}\n`, { append: true });
  }
  await mergeApolloResults(flags.out); // run on its own (--only=apollo); its latest figures close the report
  log(`done in ${(runtimeS / 60).toFixed(1)} min: ${flags.out.replace(repoRoot + "/", "")}/results.md, results.json`);
}

try {
  await main();
} catch (error) {
  console.error(`[bench] failed: ${(error as Error).stack ?? error}`);
  Deno.exit(1);
}

