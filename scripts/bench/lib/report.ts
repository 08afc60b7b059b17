// bench/results.json (every figure, machine-readable) and bench/results.md (a table per section).
import type { Flags } from "./flags.ts";
import type { FairnessResult } from "../sections/fairness.ts";
import type { PickupBurst } from "../sections/pickup.ts";
import type { DrainResult } from "../sections/queue.ts";
import { median, round } from "./stats.ts";
import type { FanoutResult } from "../sections/realtime-fanout.ts";
import { realtimeFanoutMarkdown } from "./realtime-report.ts";

interface Latency {
  n: number;
  p50: number;
  p95: number;
  max: number;
  min: number;
}

interface Input {
  results: Record<string, unknown>;
  flags: Flags;
  runtimeS: number;
  load: { before: number[]; after: number[] };
  startedAt: string;
}

const HEADLINE_OURS = (d: DrainResult) => d.engine === "ours" && d.max_in_flight === null;
const CAPPED_OURS = (d: DrainResult) => d.engine === "ours" && d.max_in_flight === 20;
const GW_PLAIN = (d: DrainResult) => d.engine === "graphile-worker" && d.batching === false;
const GW_BATCH = (d: DrainResult) => d.engine === "graphile-worker" && d.batching === true;

/** pg-boss's best batch size at a concurrency (the one with the most runs: chosen after round 1). */
function pgBossBest(drain: DrainResult[], k: number): DrainResult | undefined {
  const sweep = drain.filter((d) => d.engine === "pg-boss" && d.concurrency === k);
  return sweep.sort((a, b) => b.runs - a.runs || b.jobs_per_s_median - a.jobs_per_s_median)[0];
}

const ratio = (a?: number, b?: number) => (a && b ? round(a / b, 2) : null);
const fmt = (
  v: unknown,
) => (v === null || v === undefined ? "–" : typeof v === "number" ? v.toLocaleString("en-US") : String(v));
const row = (cells: unknown[]) => `| ${cells.map(fmt).join(" | ")} |`;
const table = (head: string[], rows: unknown[][]) =>
  [row(head), `|${head.map(() => "---").join("|")}|`, ...rows.map(row)].join("\n");

export async function writeReport(outDir: string, input: Input) {
  const { results, flags } = input;
  await Deno.mkdir(outDir, { recursive: true });
  const drain = (results.queue_drain ?? []) as DrainResult[];
  const concurrencies = [...new Set(drain.map((d) => d.concurrency))].sort((a, b) => a - b);
  const pick = (k: number, f: (d: DrainResult) => boolean) => drain.find((d) => d.concurrency === k && f(d));

  const queueRatios = concurrencies.map((k) => {
    const ours = pick(k, HEADLINE_OURS);
    const capped = pick(k, CAPPED_OURS);
    const gw = pick(k, GW_PLAIN);
    const gwb = pick(k, GW_BATCH);
    const boss = pgBossBest(drain, k);
    return {
      concurrency: k,
      ours_jobs_per_s: ours?.jobs_per_s_median,
      ours_max_in_flight_20_jobs_per_s: capped?.jobs_per_s_median,
      "graphile-worker_jobs_per_s": gw?.jobs_per_s_median,
      "graphile-worker_batching_jobs_per_s": gwb?.jobs_per_s_median,
      "pg-boss_best_jobs_per_s": boss?.jobs_per_s_median,
      "pg-boss_best_batch_size": boss?.batch_size,
      "ours_vs_graphile-worker": ratio(ours?.jobs_per_s_median, gw?.jobs_per_s_median),
      "ours_vs_graphile-worker_batching": ratio(ours?.jobs_per_s_median, gwb?.jobs_per_s_median),
      "ours_vs_pg-boss_best": ratio(ours?.jobs_per_s_median, boss?.jobs_per_s_median),
    };
  });
  const enqueueBy = (engine: string) => {
    const values = drain.filter((d) => d.engine === engine).map((d) => d.enqueue_jobs_per_s_median);
    return values.length ? round(median(values)) : null;
  };

  const pickupWake = results.pickup_wake as { client: Latency; server: Latency } | undefined;
  const cronOnly = results.cron_only as { server: Latency; jobs: number; minutes: number } | undefined;
  const enrich20 = (results.enrichment_20x1s ?? []) as Array<Record<string, number>>;
  const enrichMany = results.enrichment_many as Record<string, number> | undefined;
  const scale = (results.claim_scale ?? []) as Array<Record<string, number>>;
  const unclaimable = results.claim_unclaimable as
    | Record<string, number> & { without_unclaimable: Record<string, number> }
    | undefined;
  const bursts = (results.pickup_burst ?? []) as PickupBurst[];
  const fairness = results.fairness as FairnessResult | undefined;
  const realtime = results.realtime_single as (Latency & { missed: number }) | undefined;
  const fanout = results.realtime as FanoutResult | undefined;
  const machine = results.machine as Record<string, unknown> & { versions: Record<string, string> } | undefined;
  const explain = (results.explain_claim ?? "") as string;

  const json = {
    generated_at: input.startedAt,
    runtime_s: round(input.runtimeS),
    mode: flags.quick ? "quick" : "full",
    sections: flags.sections,
    machine,
    load_average: input.load,
    queue_drain: drain,
    queue_ratios: queueRatios,
    enqueue_jobs_per_s: enqueueBy("ours"),
    enqueue_jobs_per_s_by_engine: drain.length
      ? { ours: enqueueBy("ours"), "graphile-worker": enqueueBy("graphile-worker"), "pg-boss": enqueueBy("pg-boss") }
      : undefined,
    pickup_latency_ms: {
      wake: pickupWake ? { ...pickupWake.client, database_clock: pickupWake.server } : undefined,
      cron_only: cronOnly ? { ...cronOnly.server, jobs_over_minutes: cronOnly.minutes } : undefined,
    },
    pickup_burst: bursts.length ? bursts : undefined,
    enrichment_20x1s_seconds: enrich20.length ? round(median(enrich20.map((r) => r.seconds)), 2) : undefined,
    enrichment_20x1s_runs: enrich20.length ? enrich20 : undefined,
    [`enrichment_${enrichMany?.jobs ?? 1000}x50ms_jobs_per_s`]: enrichMany?.jobs_per_s,
    enrichment_many: enrichMany,
    claim_scale: scale.length ? scale : undefined,
    claim_unclaimable: unclaimable,
    fairness,
    realtime_ms: realtime,
    realtime: fanout,
  };
  await Deno.writeTextFile(`${outDir}/results.json`, JSON.stringify(json, null, 2) + "\n");
  if (explain) {
    // captured beside the unclaimable jobs when that was measured, else at the largest size
    const at = unclaimable ?? scale.at(-1);
    const fmtN = (v?: number) => v?.toLocaleString("en-US") ?? "?";
    await Deno.writeTextFile(
      `${outDir}/explain-claim-1e6.txt`,
      `EXPLAIN (ANALYZE, BUFFERS) of every statement claim_jobs runs, captured with auto_explain\n` +
        `(log_nested_statements) during claim_jobs('bench-explain', 5, 60, job types, max_in_flight => 20)\n` +
        `with ${fmtN(at?.rows)} rows in public.jobs (${fmtN(at?.completed_history)} completed, ${
          fmtN(at?.pending)
        } due pending over 10 workspaces${
          unclaimable
            ? `, and in the same workspaces ${fmtN(unclaimable.unclaimable)} pending that cannot be claimed: ${
              fmtN(unclaimable.scheduled_a_year_ahead)
            } scheduled a year ahead, ${fmtN(unclaimable.of_a_disabled_type)} of a disabled job type`
            : ""
        }).\n` +
        `The plans are the generic ones claim_jobs reuses on every call (plan_cache_mode = force_generic_plan).\n` +
        `Generated by npm run bench (scripts/bench/queue/scale-ours.ts) on ${input.startedAt}.\n\n${explain}\n`,
    );
  }

  // ---- results.md
  const md: string[] = [];
  const v = machine?.versions ?? {};
  md.push(`# Benchmarks

Generated by \`npm run bench${flags.quick ? " -- --quick" : ""}\` (scripts/bench/) on ${
    input.startedAt.slice(0, 16).replace("T", " ")
  } UTC in ${
    (input.runtimeS / 60).toFixed(1)
  } min. Every engine ran on the same PostgreSQL instance in the same run, each in a database of its own.
How it is measured and what is not equal between the engines: [README.md](README.md).`);
  if (machine) {
    md.push(`## Machine and versions

${
      table(["", ""], [
        ["CPU", `${machine.cpu_model} (${machine.cores} cores)`],
        ["RAM", `${machine.ram_gib} GiB`],
        ["OS", `${machine.os}, Linux ${machine.kernel}`],
        ["Load average (1/5/15 min) before / after", `${input.load.before.join(" ")} / ${input.load.after.join(" ")}`],
        ["PostgreSQL", v.postgres],
        [
          "PostgreSQL settings",
          Object.entries(machine.postgres_settings as Record<string, string>).map(([k, x]) => `${k}=${x}`).join(", "),
        ],
        ["Deno (our worker and drivers)", v.deno],
        ["Node (graphile-worker, pg-boss)", v.node],
        ["graphile-worker", v["graphile-worker"]],
        ["pg-boss", v["pg-boss"]],
        ["@supabase/supabase-js", v["@supabase/supabase-js"]],
        [
          "postgres.js (our driver) / pg (theirs)",
          `${v["postgres (postgres.js, our worker's driver)"]} / ${
            v["pg (node-postgres, graphile-worker's and pg-boss's driver)"]
          }`,
        ],
      ])
    }`);
  }

  if (drain.length) {
    md.push(`## 1. Queue throughput

N = ${drain[0].n.toLocaleString("en-US")} no-op jobs, bulk-enqueued, then drained; jobs/s = N / time from starting the
workers to the last job completed in the database. Median of ${flags.runs} run(s) (pg-boss: of its fastest batch size; the
other batch sizes ran once). Pool: concurrency + 2 connections for graphile-worker and pg-boss (their advice), the worker's default DB_POOL_SIZE (3) for ours.

Headline: ours = the job-worker's own runner with \`max_in_flight\` unset (a no-op job calls no Apollo, which is what
the cap protects); the same with the worker's default cap of 20 is shown as well.

${
      table(
        [
          "concurrency",
          "ours",
          "graphile-worker",
          "ours / graphile-worker",
          "graphile-worker, batching",
          "ours / batching",
          "pg-boss (best batch)",
          "ours / pg-boss",
        ],
        queueRatios.map((r) => [
          r.concurrency,
          r.ours_jobs_per_s,
          r["graphile-worker_jobs_per_s"],
          r["ours_vs_graphile-worker"],
          r["graphile-worker_batching_jobs_per_s"],
          r["ours_vs_graphile-worker_batching"],
          r["pg-boss_best_jobs_per_s"]
            ? `${fmt(r["pg-boss_best_jobs_per_s"])} (batch ${r["pg-boss_best_batch_size"]})`
            : null,
          r["ours_vs_pg-boss_best"],
        ]),
      )
    }

Every run, jobs/s:

${
      table(
        ["engine", "variant", "concurrency", "N", "runs", "median", "min", "max", "ours / this"],
        [...drain]
          .sort((a, b) => a.concurrency - b.concurrency || a.engine.localeCompare(b.engine))
          .map((d) => [
            d.engine,
            d.variant + (d.completed_median !== undefined ? ` — time cap hit: ${fmt(d.completed_median)} done` : "") +
            (d.runner_early_stops ? ` — runner stopped early ${d.runner_early_stops}× with jobs due` : ""),
            d.concurrency,
            d.n,
            d.runs,
            d.jobs_per_s_median,
            d.jobs_per_s_min,
            d.jobs_per_s_max,
            HEADLINE_OURS(d) ? "1" : ratio(pick(d.concurrency, HEADLINE_OURS)?.jobs_per_s_median, d.jobs_per_s_median),
          ]),
      )
    }${
      drain.some((d) => d.runner_early_stops)
        ? `

"Runner stopped early": a call of our runner returned while jobs were still due (it stops only when nothing is;
in production those jobs would wait for the next wake-up or pg_cron's minute call). The driver called it again at
once, so the figure includes no such wait.`
        : ""
    }

Where the CPU goes over a drain, in microseconds per job (median of the runs; each engine's driver reads /proc at the
start and end of its drain, \`scripts/bench/queue/drain-cpu.mjs\`): the engine's own process, the PostgreSQL backends
of its database, and the rest of the cluster (mostly the Realtime stand-in's slot reader, which decodes every
database's WAL). All of it shares the machine's cores: at full load, jobs/s is about the cores' microseconds per
second divided by the total.

${
      table(
        ["concurrency", "engine", "variant", "engine process", "its database", "rest of the cluster", "total"],
        concurrencies.flatMap((k) =>
          [pick(k, HEADLINE_OURS), pick(k, GW_BATCH), pgBossBest(drain, k)]
            .filter((d): d is DrainResult => d?.cpu_us_per_job_median !== undefined)
            .map((d) => {
              const cpu = d.cpu_us_per_job_median;
              const total = cpu.engine + cpu.database + cpu.rest_of_cluster;
              return [k, d.engine, d.variant, cpu.engine, cpu.database, cpu.rest_of_cluster, total];
            })
        ),
      )
    }

Bulk enqueue of N jobs in one statement (median over every run of the engine):

${
      table(["engine", "how", "N", "jobs/s"], [
        [
          "ours",
          "one INSERT … SELECT from a JSON array (the wake-up trigger fires once)",
          drain[0].n,
          enqueueBy("ours"),
        ],
        ["graphile-worker", "WorkerUtils.addJobs (add_jobs)", drain[0].n, enqueueBy("graphile-worker")],
        ["pg-boss", "boss.insert", drain[0].n, enqueueBy("pg-boss")],
      ])
    }`);
  }

  if (pickupWake || cronOnly) {
    const rows: unknown[][] = [];
    if (pickupWake) {
      rows.push([
        "wake-up (enqueue trigger → pg_net → gateway → worker), seen by the client",
        pickupWake.client.n,
        pickupWake.client.p50,
        pickupWake.client.p95,
        pickupWake.client.max,
      ]);
      rows.push([
        "same jobs, database clock (started_at − created_at)",
        pickupWake.server.n,
        pickupWake.server.p50,
        pickupWake.server.p95,
        pickupWake.server.max,
      ]);
    }
    if (cronOnly) {
      rows.push([
        `wake-up off: pg_cron's every-minute call only (jobs queued at random moments over ${cronOnly.minutes} min)`,
        cronOnly.server.n,
        cronOnly.server.p50,
        cronOnly.server.p95,
        cronOnly.server.max,
      ]);
    }
    md.push(`## 2. Pickup latency

One job into an idle queue (no job processing, no worker call in flight, no worker invocation registered as running)
until it is \`processing\`, in ms. The client polls the job every 2 ms; the database clock line is the claim's start
minus the insert's. Wake-up off = the \`wake_worker\` trigger disabled; fewer jobs there, each waits for the next
minute.

${table(["path", "jobs", "p50", "p95", "max"], rows)}`);
  }
  if (bursts.length) {
    const k = bursts[0].jobs;
    md.push(`### Burst: ${k} single-row enqueues back to back

${k} INSERT statements of one job each, one after another, into an idle queue (as a member clicking Enrich on ${k}
accounts). Wake-up calls: \`private.worker_calls\` with reason \`enqueue\` since the burst began (one per statement
before wake-ups were debounced: ${k}); fan-out: the calls a busy worker made to start another invocation for the
backlog. Pickup: \`started_at − created_at\` of each job (database clock), in ms.

${
      table(
        [
          "fake Apollo latency",
          "jobs",
          "enqueueing took",
          "wake-up calls",
          "fan-out calls",
          "pickup p50",
          "p95",
          "max",
          "all completed after",
        ],
        bursts.map((b) => [
          `${b.apollo_latency_ms.toLocaleString("en-US")} ms`,
          b.jobs,
          `${b.enqueue_ms} ms`,
          b.wakeup_calls,
          b.fan_out_calls,
          b.pickup_ms.p50,
          b.pickup_ms.p95,
          b.pickup_ms.max,
          `${b.all_done_s} s`,
        ]),
      )
    }`);
  }

  if (enrich20.length || enrichMany) {
    const rows: unknown[][] = [];
    if (enrich20.length) {
      const secs = enrich20.map((r) => r.seconds);
      rows.push([
        "20 accounts, Apollo 1 s",
        enrich20[0].jobs,
        `${round(median(secs), 2)} s (min ${Math.min(...secs)}, max ${Math.max(...secs)}, ${secs.length} runs)`,
        round(median(enrich20.map((r) => r.jobs_per_s)), 1),
        enrich20.map((r) => r.worker_invocations).join(", "),
        "spec 10-15 s; ideal 4 s (20 / 5 × 1 s); issue: < 5 s",
      ]);
    }
    if (enrichMany) {
      rows.push([
        `${enrichMany.jobs.toLocaleString("en-US")} accounts, Apollo 50 ms`,
        enrichMany.jobs,
        `${enrichMany.seconds} s`,
        enrichMany.jobs_per_s,
        enrichMany.worker_invocations,
        `one invocation's ceiling: 5 / 0.05 s = 100 jobs/s`,
      ]);
    }
    md.push(`## 3. Enrichment end to end

\`enqueue_account_enrichments\` (the SPA's bulk call, ≤ 500 accounts per call, at most one wake-up per call) → the
real worker (MAX_CONCURRENT 5, MAX_GLOBAL_CONCURRENCY 20; a busy invocation starts more for the backlog) → the fake
Apollo answering after a fixed latency → accounts updated and jobs completed. Timed from the enqueue call until every
job is completed. pg_cron's minute call paused meanwhile.

${
      table(
        ["workload", "jobs", "time to all completed", "jobs/s", "worker calls (wake-up + fan-out)", "expectation"],
        rows,
      )
    }`);
  }

  if (scale.length) {
    const rows: unknown[][] = scale.map((s) => [
      s.rows,
      s.completed_history,
      s.pending,
      0,
      s.claim_samples,
      s.claim_ms_p50,
      s.claim_ms_p95,
      s.jobs_per_s,
      s.jobs_per_s_min,
      s.jobs_per_s_max,
      s.reps,
    ]);
    if (unclaimable) {
      rows.push([
        unclaimable.rows,
        unclaimable.completed_history,
        unclaimable.pending,
        `**${unclaimable.unclaimable.toLocaleString("en-US")}**`,
        unclaimable.claim_samples,
        `**${unclaimable.claim_ms_p50}**`,
        `**${unclaimable.claim_ms_p95}**`,
        unclaimable.jobs_per_s,
        unclaimable.jobs_per_s_min,
        unclaimable.jobs_per_s_max,
        unclaimable.reps,
      ]);
    }
    const n = (v: number) => v.toLocaleString("en-US");
    const explainAt = unclaimable ? ", beside the jobs no claim may take" : "";
    const besideText = unclaimable
      ? `

Last row: ${n(unclaimable.unclaimable)} pending jobs that no claim may take added beside the largest history, in the
same 10 workspaces as the due ones: ${n(unclaimable.scheduled_a_year_ahead)} scheduled a year ahead and
${n(unclaimable.of_a_disabled_type)} of a job type the worker runs but an operator disabled. Before claims kept such
jobs out of their index (20261205000400_claim_only_due_work.sql), 300,000 of them made the same claim take 87-240 ms.`
      : "";
    md.push(`## 4. Claim at scale

Our claim with completed history in \`public.jobs\` (100 workspaces, 30 days) plus ${scale[0].pending} due jobs over 10
workspaces. Claim latency: one-job claims in a row (\`claim_jobs(…, 1, …, max_in_flight => 20)\` round trip, client
clock). Throughput: the worker's runner draining the rest at concurrency 10. Claims are timed for at most 30 s and
repetitions stop after 60 s of draining, so a slow claim cannot make the benchmark overrun. EXPLAIN (ANALYZE, BUFFERS)
of the claim's statements at the largest size${explainAt}: [explain-claim-1e6.txt](explain-claim-1e6.txt).${besideText}

${
      table(
        [
          "rows in jobs",
          "completed history",
          "pending, due",
          "pending, not claimable",
          "claims timed",
          "claim p50 ms",
          "claim p95 ms",
          "jobs/s (median)",
          "min",
          "max",
          "runs",
        ],
        rows,
      )
    }${
      [...scale, ...(unclaimable ? [unclaimable] : [])].some((s) => s.runner_early_stops)
        ? `

Throughput runs where the runner stopped early (returned with jobs still due; called again at once): ${
          [...scale, ...(unclaimable ? [unclaimable] : [])].filter((s) => s.runner_early_stops).map((s) =>
            `${s.rows.toLocaleString("en-US")} rows: ${s.runner_early_stops}×`
          ).join(", ")
        }.`
        : ""
    }`);
  }

  if (realtime || fanout) {
    md.push(`## 5. Realtime delivery`);
  }
  if (realtime) {
    md.push(`One subscriber: from an UPDATE's commit (as the updating client sees it) to the supabase-js \`postgres_changes\`
callback of a signed-in member following that job (\`filter: id=eq.<id>\`), in ms.

${
      table(["updates", "p50", "p95", "max", "not delivered"], [[
        realtime.n,
        realtime.p50,
        realtime.p95,
        realtime.max,
        realtime.missed,
      ]])
    }`);
  }
  if (fanout) md.push(realtimeFanoutMarkdown(fanout));

  if (fairness) {
    const f = fairness;
    const n = (v: number) => v.toLocaleString("en-US");
    md.push(`## 6. Fair share between users

A victim user's ${f.victim_jobs} accounts, queued in one statement (\`enqueue_account_enrichments\`), timed until
its last job completed: on an idle queue, then while an attacker user who owns ${f.attacker_workspaces} workspaces has
queued ${n(f.attacker_jobs)} accounts (one statement per workspace) and holds the worker's capacity. Real worker
(MAX_CONCURRENT ${f.max_concurrent}, MAX_GLOBAL_CONCURRENCY ${f.max_global_concurrency}), fake Apollo answering in
${f.apollo_latency_ms / 1000} s, pg_cron's minute call paused. Goal: the victim within ${f.goal_ratio}x of its time
alone.

${
      table(["", "alone", "beside the attacker", "ratio", "attacker's jobs running / still pending"], [
        ...fairness.runs.map((r, i) => [
          `run ${i + 1}`,
          `${r.alone_s} s`,
          `${r.loaded_s} s`,
          `${r.ratio}x`,
          `${r.attacker_processing_at_enqueue} / ${r.attacker_pending_after.toLocaleString("en-US")}`,
        ]),
        [
          `**median of ${fairness.runs.length}**`,
          `**${fairness.alone_s} s**`,
          `**${fairness.loaded_s} s**`,
          `**${fairness.ratio}x**`,
          "",
        ],
      ])
    }`);
  }

  await Deno.writeTextFile(`${outDir}/results.md`, md.join("\n\n") + "\n");
}
