// bench/apollo.md: what `npm run bench -- --only=apollo` measured (scripts/bench/sections/apollo.ts).
// deno-lint-ignore-file no-explicit-any

export function apolloMarkdown(input: { generated_at: string; machine: any; apollo_paid?: any; apollo_free?: any }): string {
  const m = input.machine;
  const md: string[] = [`# Enriching a backlog within the customer's Apollo plan

Generated ${input.generated_at} by \`npm run bench -- --only=apollo --out=bench\` on ${
    m ? `${m.cores} cores, ${m.ram_gib} GiB, ${m.cpu_model}` : "this machine"
  }. The real worker (MAX_CONCURRENT 5, MAX_GLOBAL_CONCURRENCY 20; fan-out, hand-off, the pacer, bulk calls)
on the local stack; accounts queued 500 per \`enqueue_account_enrichments\` call as the SPA's bulk Enrich does; pg_cron's
minute call and the enqueue wake-ups on; the fake Apollo enforcing the plan per team and answering after 500 ms. CPU
per invocation is what the local functions host charged each request (it stops one at 2 s, as hosted does).`];
  const p = input.apollo_paid;
  if (p) {
    md.push(`## Paid plan: ${p.accounts.toLocaleString("en-US")} accounts, ${p.plan}

| | |
|---|---|
| time until all done | ${p.seconds} s (${(p.seconds / 60).toFixed(1)} min; goal <= 5.6 min) |
| records per minute | ${p.records_per_min} (${Math.round(p.share_of_plan * 100)}% of the plan's 1,000; goal >= 90%) |
| records per minute window (as Apollo counts them) | ${p.records_per_minute_window.join(", ")} |
| completed / failed | ${p.completed} / ${p.failed} |
| Apollo calls / answered 429 | ${p.apollo_calls} / ${p.apollo_calls_429} (${(p.share_429 * 100).toFixed(2)}%; goal <= 1%) |
| worker invocations (all pg_net calls) / with jobs / stopped at the CPU limit | ${p.worker_invocations} / ${p.invocations_with_jobs} / ${p.invocations_stopped_546} |
| CPU per job; per invocation mean / max | ${p.cpu_ms_per_job} ms; ${p.cpu_ms_per_invocation_mean} / ${p.cpu_ms_per_invocation_max} ms |
| jobs in flight, mean / max | ${p.jobs_in_flight_mean} / ${p.jobs_in_flight_max} |
| jobs in flight every 10 s | ${p.jobs_in_flight_per_10s.join(" ")} |`);
  }
  const f = input.apollo_free;
  if (f) {
    md.push(`## Free plan: ${f.accounts.toLocaleString("en-US")} accounts, ${f.plan}, windows ${f.window_scale}

| | |
|---|---|
| the day's 600 enriched after | ${f.day_filled_after_s} s |
| completed / failed / waiting | ${f.completed} / ${f.failed} / ${f.waiting} |
| what the waiting jobs say | ${f.waiting_reason ?? "(nothing)"} |
| records per "minute" window (limit 50) | ${f.records_per_minute_window.join(", ")} (${f.minute_windows_over_limit} over the limit) |
| records per "hour" window (limit 200) | ${f.records_per_hour_window.join(", ")} |
| records per "day" window (limit 600) | ${f.records_per_day_window.join(", ")} |
| Apollo calls / answered 429 | ${f.apollo_calls} / ${f.apollo_calls_429} |
| worker invocations / with jobs / stopped at the CPU limit | ${f.worker_invocations} / ${f.invocations_with_jobs} / ${f.invocations_stopped_546} |`);
  }
  return md.join("\n\n") + "\n";
}

/** results.md ends with what the last `--only=apollo` run measured, when bench/apollo.md is there. */
/** Where the Apollo section begins in results.md (apolloMarkdown's title, one level down). */
const SECTION_TITLE = "\n## Enriching a backlog";

/**
 * The latest Apollo figures (apollo.md, apollo.json: run on request, --only=apollo) into the full
 * report: results.md ends with them, in place of older ones, and results.json carries apollo_paid
 * and apollo_free. Called after either run, so whichever ran last, the report has both.
 */
export async function mergeApolloResults(outDir: string): Promise<void> {
  let apollo: string;
  let figures: Record<string, unknown>;
  let report: string;
  let results: Record<string, unknown>;
  try {
    apollo = await Deno.readTextFile(`${outDir}/apollo.md`);
    figures = JSON.parse(await Deno.readTextFile(`${outDir}/apollo.json`));
    report = await Deno.readTextFile(`${outDir}/results.md`);
    results = JSON.parse(await Deno.readTextFile(`${outDir}/results.json`));
  } catch {
    return; // one of the two runs has not happened here yet
  }
  const section = apollo.replace(/^# /, "## ").replace(/\n## /g, "\n### ");
  const cut = report.indexOf(SECTION_TITLE);
  await Deno.writeTextFile(`${outDir}/results.md`, `${cut === -1 ? report : report.slice(0, cut)}\n${section}`);
  const merged = {
    ...results,
    apollo_generated_at: figures.generated_at,
    apollo_paid: figures.apollo_paid,
    apollo_free: figures.apollo_free,
  };
  await Deno.writeTextFile(`${outDir}/results.json`, JSON.stringify(merged, null, 2) + "\n");
}
