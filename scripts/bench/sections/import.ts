// Section import: 100,000 account rows (about 9 MB of CSV) uploaded to Storage as the demo user and
// imported by the worker, as the SPA starts it (start_import). The worker is called by hand in a
// loop (pg_cron's call and the enqueue wake-up off); an invocation that has done its share hands
// off to a successor as in production, so many of the loop's calls find the job held. Each
// invocation's CPU is the functions host's x-stack-cpu-ms (hosted stops a request at 2 s); the
// job-worker process's peak memory is its VmHWM. Then the same file again: nothing new is created.
import { createClient } from "@supabase/supabase-js";
import { type StackConfig } from "../../stack/config.ts";
import { envBlock } from "../../stack/status-env.ts";
import type { Sql } from "../lib/db.ts";
import { setCronWorker, setWakeUp } from "../lib/fixtures.ts";
import { round } from "../lib/stats.ts";

const DEMO_WORKSPACE = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const CITIES = ["Berlin", "Paris", "Oslo", "Lisbon", "Austin", "Toronto", "Osaka", "Lagos", "Lima", "Perth"];
const INDUSTRIES = ["Software", "Retail", "Logistics", "Fintech", "Health", "Energy", "Media", "Travel"];

export interface ImportBenchResult {
  rows: number;
  bytes: number;
  seconds: number;
  rows_per_second: number;
  invocations: number;
  cpu_ms_per_invocation_max: number;
  cpu_ms_per_invocation_median: number;
  wall_ms_per_invocation_max: number;
  worker_peak_rss_mb: number | null;
  created: number;
  second_import_created: number;
  second_import_skipped: number;
}

/** The CSV: a header and `rows` made-up companies with fake domains, a stamp keeping them unique per run. */
export function sampleCsv(rows: number, stamp: string): string {
  const lines = ["Company,Website,Industry,Employees,City,Country"];
  for (let i = 0; i < rows; i++) {
    lines.push(`"Bench ${i}, Inc",https://www.bench-${stamp}-${i}.example,${INDUSTRIES[i % INDUSTRIES.length]},${(i % 5000) + 1},${CITIES[i % CITIES.length]},Nowhere`);
  }
  return lines.join("\n") + "\n";
}

/** The job-worker function process's peak resident memory (MB), from /proc (null if not found). */
async function workerPeakRssMb(): Promise<number | null> {
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
      if (!cmdline.includes("functions/job-worker/deno.json")) continue;
      const status = await Deno.readTextFile(`/proc/${entry.name}/status`);
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
      return Number.isFinite(kb) ? round(kb / 1024, 1) : null;
    } catch {
      continue;
    }
  }
  return null;
}

async function runImport(sql: Sql, config: StackConfig, csv: string, name: string, log: (s: string) => void) {
  const env = await envBlock(config);
  const supabase = createClient(env.API_URL, env.PUBLISHABLE_KEY ?? env.ANON_KEY, { auth: { persistSession: false, autoRefreshToken: false } });
  const { error: signInError } = await supabase.auth.signInWithPassword({ email: env.DEMO_EMAIL, password: env.DEMO_PASSWORD });
  if (signInError) throw new Error(`import: sign-in failed: ${signInError.message}`);
  const path = `${DEMO_WORKSPACE}/${crypto.randomUUID()}/${name}`;
  const uploaded = await supabase.storage.from("imports").upload(path, new Blob([csv], { type: "text/csv" }));
  if (uploaded.error) throw new Error(`import: upload failed: ${uploaded.error.message}`);
  const started = performance.now();
  const { data, error } = await supabase.rpc("start_import", {
    object_path: path, file_name: name,
    mapping: { name: "Company", domain: "Website", industry: "Industry", employee_count: "Employees", city: "City", country: "Country" },
  });
  if (error) throw new Error(`import: start_import failed: ${error.message}`);
  const importId = (data as { id: string }).id;
  const jobId = (data as { job_id: string }).job_id;
  const cpu: number[] = [];
  const wall: number[] = [];
  // Until the job ends (or 5 minutes, far past the goal): a loaded machine needs more calls, not fewer rows.
  for (let i = 0; performance.now() - started < 300_000; i++) {
    const t = performance.now();
    const response = await fetch(`${env.API_URL}/functions/v1/job-worker`, {
      method: "POST",
      headers: { Authorization: `Bearer ${env.WORKER_SECRET_TOKEN}`, "Content-Type": "application/json" },
      body: "{}",
    });
    await response.body?.cancel();
    wall.push(performance.now() - t);
    cpu.push(Number(response.headers.get("x-stack-cpu-ms") ?? NaN));
    if (response.status === 546) throw new Error(`import: invocation ${i + 1} was stopped by the functions host (546 WORKER_LIMIT)`);
    const [job] = await sql<{ status: string; error_message: string | null }[]>`select status, error_message from public.jobs where id = ${jobId}`;
    if (job.status === "completed") break;
    if (job.status === "failed") throw new Error(`import: the job failed: ${job.error_message}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const [imp] = await sql<{ created_count: number; skipped_count: number; rows_done: number }[]>`
    select created_count, skipped_count, rows_done from public.imports where id = ${importId}`;
  await supabase.auth.signOut();
  log(`import ${name}: ${imp.rows_done} rows in ${seconds.toFixed(1)} s over ${cpu.length} invocation(s), CPU ms ${cpu.join(", ")}`);
  return { seconds, cpu, wall, imp };
}

export async function importSection(sql: Sql, config: StackConfig, rows: number, log: (s: string) => void): Promise<ImportBenchResult> {
  const stamp = Date.now().toString(36);
  const csv = sampleCsv(rows, stamp);
  await setCronWorker(sql, false);
  await setWakeUp(sql, false);
  try {
    const first = await runImport(sql, config, csv, "bench-accounts.csv", log);
    const second = await runImport(sql, config, csv, "bench-accounts-again.csv", log);
    const cpus = first.cpu.filter(Number.isFinite).sort((a, b) => a - b);
    return {
      rows,
      bytes: new TextEncoder().encode(csv).length,
      seconds: round(first.seconds, 1),
      rows_per_second: round(rows / first.seconds),
      invocations: first.cpu.length,
      cpu_ms_per_invocation_max: round(cpus.at(-1) ?? NaN),
      cpu_ms_per_invocation_median: round(cpus[Math.floor(cpus.length / 2)] ?? NaN),
      wall_ms_per_invocation_max: round(Math.max(...first.wall)),
      worker_peak_rss_mb: await workerPeakRssMb(),
      created: first.imp.created_count,
      second_import_created: second.imp.created_count,
      second_import_skipped: second.imp.skipped_count,
    };
  } finally {
    await sql`delete from public.accounts where workspace_id = ${DEMO_WORKSPACE} and domain like ${`bench-${stamp}-%`}`;
    await setWakeUp(sql, true);
    await setCronWorker(sql, true);
  }
}

export function importMarkdown(r: ImportBenchResult): string {
  return [
    "## Import (CSV, `--only=import`)",
    "",
    `${r.rows.toLocaleString("en")} account rows (${(r.bytes / 1e6).toFixed(1)} MB) uploaded to Storage as the demo user and imported by`,
    "the worker, called by hand in a loop (pg_cron and wake-ups off; invocations hand off to successors as in production, so",
    "many calls find the job held: the CPU median is theirs). Goal: <= 30 s, <= 150 MB per function process, under 2 s of",
    "CPU per invocation (the max is an invocation that did two shares of 10,000 rows), nothing created twice.",
    "",
    "| rows | seconds | rows/s | invocations | CPU ms per invocation (median / max) | wall ms per invocation (max) | worker peak RSS | created | same file again: created / skipped |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    `| ${r.rows.toLocaleString("en")} | ${r.seconds} | ${r.rows_per_second.toLocaleString("en")} | ${r.invocations} | ${r.cpu_ms_per_invocation_median} / ${r.cpu_ms_per_invocation_max} | ${r.wall_ms_per_invocation_max} | ${r.worker_peak_rss_mb ?? "?"} MB | ${r.created.toLocaleString("en")} | ${r.second_import_created} / ${r.second_import_skipped.toLocaleString("en")} |`,
    "",
  ].join("\n");
}
