// Optional (--enrich-domain with --workspace-id): one real enrichment end to end. A throwaway
// account (no domain of its own, so it cannot clash with the workspace's accounts) is queued for
// enrichment of the given domain; the enqueue wakes the worker through pg_net; the job must
// complete with the seven log lines of a successful enrichment and write Apollo's data to the account. The account
// and its job are deleted afterwards. It spends one Apollo credit of that workspace (and counts it).
import { type Check, fail, pass, type Sql, warn } from "../lib/context.ts";
import { setTimeout as sleep } from "node:timers/promises";

/** The log lines of a successful enrich_account job, in order. */
export const EXPECTED_LOG_LINES: Array<{ label: string; pattern: (domain: string) => RegExp }> = [
  { label: "Starting enrichment for account <id>", pattern: () => /^Starting enrichment for account / },
  { label: "Fetching workspace settings...", pattern: () => /^Fetching workspace settings/ },
  { label: "Initializing Apollo client...", pattern: () => /^Initializing Apollo client/ },
  {
    label: "Enriching with domain <domain>...",
    pattern: (d) => new RegExp(`^Enriching with domain ${d.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
  },
  { label: "Processing enrichment data...", pattern: () => /^Processing enrichment data/ },
  { label: "Updating account record...", pattern: () => /^Updating account record/ },
  { label: "Account enrichment completed successfully", pattern: () => /^Account enrichment completed successfully/ },
];

interface JobRow {
  status: string;
  attempts: number;
  error_message: string | null;
  next_retry_at: Date | null;
  result: { matched?: boolean; apollo_organization_id?: string | null; fields_updated?: string[] } | null;
  credits_used: number;
}

async function waitForJob(sql: Sql, jobId: string, timeoutMs: number): Promise<JobRow | string> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const [job] = await sql<JobRow[]>`
      select status, attempts, error_message, next_retry_at, result, credits_used from public.jobs where id = ${jobId}`;
    if (!job) return "the job disappeared (deleted by someone else?)";
    if (["completed", "failed", "cancelled"].includes(job.status)) return job;
    // A failed attempt waits a minute or more for its retry: no point waiting for it.
    if (job.status === "pending" && job.attempts > 0 && job.error_message) {
      return `attempt ${job.attempts} failed: ${job.error_message} (a retry is scheduled)`;
    }
    if (Date.now() > deadline) {
      return `the job is still ${job.status} after ${timeoutMs / 1000} s` +
        (job.status === "pending"
          ? ": no worker took it (is the enqueue wake-up / cron call reaching the worker?)"
          : "");
    }
    await sleep(300);
  }
}

export const enrichmentCheck: Check = {
  id: "enrichment",
  title: "first real enrichment",
  async run(ctx) {
    const { enrichDomain: domain, workspaceId } = ctx.options;
    if (!domain || !workspaceId) {
      return { status: "SKIP", summary: "not asked for (--enrich-domain <domain> --workspace-id <id>)" };
    }
    const sql = await ctx.db();
    const [workspace] = await sql<{ name: string; has_apollo_key: boolean }[]>`
      select w.name, coalesce(s.has_apollo_key, false) as has_apollo_key
      from public.workspaces w left join public.workspace_settings s on s.workspace_id = w.id
      where w.id = ${workspaceId}`;
    if (!workspace) return fail(`no workspace ${workspaceId}`);

    const [account] = await sql<{ id: string }[]>`
      insert into public.accounts (workspace_id, name)
      values (${workspaceId}, ${`verify:deploy probe ${new Date().toISOString()}`}) returning id`;
    let jobId: string | undefined;
    try {
      const [job] = await sql<{ id: string }[]>`
        insert into public.jobs (workspace_id, job_type, payload)
        values (${workspaceId}, 'enrich_account', ${sql.json({ account_id: account.id, domain })}) returning id`;
      jobId = job.id;
      const outcome = await waitForJob(sql, job.id, ctx.options.enrichTimeout * 1000);
      const logs = await sql<{ message: string; log_level: string }[]>`
        select message, log_level from public.job_logs where job_id = ${job.id} order by created_at, id`;
      const logLines = logs.map((l) => `${l.log_level}: ${l.message}`);
      if (typeof outcome === "string") return fail(outcome, logLines);
      if (outcome.status !== "completed") {
        return fail(`the job ${outcome.status}: ${outcome.error_message ?? "no error message"}`, logLines);
      }
      let next = 0;
      const missing: string[] = [];
      for (const expected of EXPECTED_LOG_LINES) {
        const at = logs.findIndex((l, i) => i >= next && expected.pattern(domain).test(l.message));
        if (at < 0) missing.push(expected.label);
        else next = at + 1;
      }
      if (outcome.result?.matched === false) {
        return fail(`Apollo has no organization for ${domain}: try a well-known domain`, logLines);
      }
      if (missing.length > 0) {
        return fail(`the job completed, but ${missing.length} expected log line(s) are missing or out of order`, [
          ...missing.map((m) => `missing: ${m}`),
          ...logLines,
        ]);
      }
      const [enriched] = await sql<
        { enriched_at: Date | null; industry: string | null; employee_count: number | null }[]
      >`
        select enriched_at, industry, employee_count from public.accounts where id = ${account.id}`;
      if (!enriched?.enriched_at) {
        return fail("the job completed, but the account was not enriched (enriched_at is empty)", logLines);
      }
      const fields = outcome.result?.fields_updated ?? [];
      const summary = `${domain} enriched in workspace "${workspace.name}": ${fields.length} field(s) ` +
        `(industry ${enriched.industry ?? "-"}, ${
          enriched.employee_count ?? "?"
        } employees), ${logs.length} log lines, ` +
        `${outcome.credits_used} credit`;
      if (outcome.result?.apollo_organization_id === "mock-org-123") {
        return warn(
          `${summary}, but from the Apollo MOCK (workspace key test-key-12345 or USE_MOCK_APOLLO=true): save a real key`,
        );
      }
      return pass(summary, logLines);
    } finally {
      if (jobId) await sql`delete from public.jobs where id = ${jobId}`.catch(() => {});
      await sql`delete from public.accounts where id = ${account.id}`.catch(() => {});
    }
  },
};
