// The soak's verdict: every invariant checked against the database and the fake Apollo's log, and
// the counts that show what the run went through.
import type postgres from "postgres";
import type { ApolloRequest } from "./apollo-log.ts";
import type { Fixture } from "./fixture.ts";

interface JobRow {
  id: string;
  workspace_id: string;
  status: string;
  attempts: number;
  max_attempts: number;
  errors: Array<{ attempt: number; message: string; retryable: boolean }>;
  error_message: string | null;
  credits_used: number;
  result: { matched?: boolean; credits_used?: number } | null;
  scheduled_for: Date;
  account_id: string;
  domain: string;
  // from job_logs
  starts: number;
  releases: number;
  reaped: number;
  retries: number;
  last_message: string | null;
  last_level: string | null;
  attempts_logged: number[] | null;
}

export interface Verdict {
  failures: string[];
  counts: Record<string, number | string>;
}

const COMPLETED_LINES = new Set(["Account enrichment completed successfully", "Account enrichment completed: no Apollo match"]);

/** A failed job's last line: fail_job's "Job failed ..." or the reaper's "... No attempts left". */
const FAILED_LINE = /^(Job failed|.*No attempts left)/;

function tally(map: Map<string, number>, key: string, by = 1) {
  map.set(key, (map.get(key) ?? 0) + by);
}

export async function verify(sql: postgres.Sql, fixture: Fixture, apollo: ApolloRequest[]): Promise<Verdict> {
  const W = fixture.workspaceIds;
  const failures: string[] = [];
  const fail = (what: string, examples: unknown[] = []) => {
    failures.push(examples.length ? `${what} (e.g. ${JSON.stringify(examples.slice(0, 3))})` : what);
  };

  const jobs = await sql<JobRow[]>`
    with logs as (
      select l.job_id,
             count(*) filter (where l.message like 'Starting enrichment for account %')::int as starts,
             count(*) filter (where l.message like '%this attempt is not counted%')::int as releases,
             count(*) filter (where l.message like '%stopped responding%')::int as reaped,
             count(*) filter (where l.message ~ '^Attempt [0-9]+ of [0-9]+ failed')::int as retries,
             (array_agg(l.message order by l.id desc))[1] as last_message,
             (array_agg(l.log_level order by l.id desc))[1] as last_level,
             array_agg(distinct l.attempt) filter (where l.attempt is not null) as attempts_logged
      from public.job_logs l where l.workspace_id = any(${W}::uuid[])
      group by l.job_id
    )
    select j.id, j.workspace_id, j.status, j.attempts, j.max_attempts, j.errors, j.error_message, j.credits_used,
           j.result, j.scheduled_for, j.payload ->> 'account_id' as account_id, j.payload ->> 'domain' as domain,
           coalesce(l.starts, 0) as starts, coalesce(l.releases, 0) as releases, coalesce(l.reaped, 0) as reaped,
           coalesce(l.retries, 0) as retries, l.last_message, l.last_level, l.attempts_logged
    from public.jobs j left join logs l on l.job_id = j.id
    where j.workspace_id = any(${W}::uuid[])`;

  const applies = new Map<string, number>();
  for (const r of await sql<{ account_id: string; n: number }[]>`
    select account_id, count(*)::int as n from soak.account_applies where workspace_id = any(${W}::uuid[]) group by 1`) {
    applies.set(r.account_id, r.n);
  }
  const [appliesTotal] = await sql<{ n: number }[]>`
    select count(*)::int as n from soak.account_applies where workspace_id = any(${W}::uuid[])`;

  const accounts = new Map<string, { workspace_id: string; domain: string; enriched: boolean; apollo_domain: string | null }>();
  for (const a of await sql<{ id: string; workspace_id: string; domain: string; enriched: boolean; apollo_domain: string | null }[]>`
    select id, workspace_id, domain, enriched_at is not null as enriched, metadata -> 'apollo' ->> 'primary_domain' as apollo_domain
    from public.accounts where workspace_id = any(${W}::uuid[])`) {
    accounts.set(a.id, a);
  }
  const credits = await sql<{ workspace_id: string; credits: number }[]>`
    select workspace_id, enrichment_credits_used as credits from public.workspace_settings where workspace_id = any(${W}::uuid[])`;

  // The fake Apollo's log, for this run's organization lookups: single calls name one domain, bulk calls
  // (organizations/bulk_enrich) up to ten, and a 200 answers for every domain it names.
  const marker = `.soak-${fixture.run}.`;
  const isLookup = (path: string) => path.endsWith("organizations/enrich") || path.endsWith("organizations/bulk_enrich");
  const calls = apollo.filter((r) => isLookup(r.path) && (r.domain ?? "").includes(marker));
  const successByDomain = new Map<string, number>();
  const callsByStatus = new Map<string, number>();
  const keyOfWorkspace = new Map(fixture.workspaces.map((w) => [w.id, w.apolloKey.slice(-4)]));
  const keysByDomain = new Map<string, Set<string>>();
  for (const c of calls) {
    tally(callsByStatus, c.status === 0 ? "gave up (timeout)" : String(c.status));
    for (const domain of c.domain!.split(",")) {
      if (c.status === 200) tally(successByDomain, domain);
      const keys = keysByDomain.get(domain) ?? new Set();
      keys.add(c.key_last4 ?? "none");
      keysByDomain.set(domain, keys);
    }
  }

  // ---- per job
  const statuses = new Map<string, number>();
  const attemptsHistogram = new Map<string, number>();
  const failedKinds = new Map<string, number>();
  const stuck: unknown[] = [];
  const badFailed: unknown[] = [];
  const twice: unknown[] = [];
  const missingApply: unknown[] = [];
  const creditMismatch: unknown[] = [];
  const applyWithoutCall: unknown[] = [];
  const wrongData: unknown[] = [];
  const noStart: unknown[] = [];
  const badFinal: unknown[] = [];
  const attemptGaps: unknown[] = [];
  const foreignKey: unknown[] = [];
  let repeatCalls = 0;
  let matched = 0;
  let noMatch = 0;
  let releases = 0;
  let reaped = 0;
  let retries = 0;

  for (const j of jobs) {
    tally(statuses, j.status);
    tally(attemptsHistogram, String(j.attempts));
    releases += j.releases;
    reaped += j.reaped;
    retries += j.retries;
    const applied = applies.get(j.account_id) ?? 0;
    const successes = successByDomain.get(j.domain) ?? 0;
    if (successes > 1) repeatCalls++;

    if (j.status !== "completed" && j.status !== "failed") {
      stuck.push({ id: j.id, status: j.status, attempts: j.attempts, scheduled_for: j.scheduled_for });
    }
    if (j.status === "failed") {
      const last = j.errors[j.errors.length - 1];
      const permanent = last?.retryable === false;
      if (!(j.attempts === j.max_attempts || permanent)) {
        badFailed.push({ id: j.id, attempts: j.attempts, last });
      }
      const kind = permanent
        ? /rejected the API key|401/.test(j.error_message ?? "") ? "permanent: Apollo 401 (key rejected)" : "permanent: other"
        : /stopped responding/.test(j.error_message ?? "")
        ? "attempts exhausted (last: lease expired)"
        : "attempts exhausted";
      tally(failedKinds, kind);
    }
    if (applied > 1) twice.push({ job: j.id, account: j.account_id, applies: applied });
    if (j.status === "completed") {
      if (j.result?.matched === true) {
        matched++;
        if (applied !== 1) missingApply.push({ job: j.id, applies: applied });
      } else {
        noMatch++;
        if (applied !== 0) missingApply.push({ job: j.id, applies: applied, matched: false });
      }
    }
    if (j.credits_used !== applied) creditMismatch.push({ job: j.id, credits_used: j.credits_used, applies: applied });
    if (applied > successes) applyWithoutCall.push({ job: j.id, applies: applied, apollo_successes: successes });
    const account = accounts.get(j.account_id);
    if (applied > 0 && (!account?.enriched || account.apollo_domain !== j.domain)) {
      wrongData.push({ job: j.id, domain: j.domain, enriched: account?.enriched, apollo_domain: account?.apollo_domain });
    }
    const ownKey = keyOfWorkspace.get(j.workspace_id);
    const usedKeys = [...(keysByDomain.get(j.domain) ?? [])];
    if (usedKeys.some((k) => k !== ownKey)) foreignKey.push({ job: j.id, own: ownKey, used: usedKeys });

    // The story: a start line, every attempt in the log, and a last line that says how it ended.
    if (j.starts < 1) noStart.push({ job: j.id, status: j.status });
    const logged = new Set(j.attempts_logged ?? []);
    for (let k = 1; k <= j.attempts; k++) {
      if (!logged.has(k)) {
        attemptGaps.push({ job: j.id, attempt: k, logged: [...logged] });
        break;
      }
    }
    const finalOk = j.status === "completed"
      ? COMPLETED_LINES.has(j.last_message ?? "")
      : j.status === "failed"
      ? j.last_level === "error" && FAILED_LINE.test(j.last_message ?? "")
      : false;
    if (!finalOk && (j.status === "completed" || j.status === "failed")) {
      badFinal.push({ job: j.id, status: j.status, last: j.last_message, level: j.last_level });
    }
  }

  if (jobs.length !== fixture.workspaces.reduce((n, w) => n + w.accountIds.length, 0)) {
    fail(`expected one job per account, found ${jobs.length}`);
  }
  if (stuck.length) fail(`${stuck.length} job(s) not finished (processing, or pending)`, stuck);
  if (badFailed.length) fail(`${badFailed.length} failed job(s) with attempts left and a retryable error`, badFailed);
  if (twice.length) fail(`${twice.length} account(s) enriched more than once`, twice);
  if (missingApply.length) fail(`${missingApply.length} completed job(s) whose account was not enriched exactly as the result says`, missingApply);
  if (creditMismatch.length) fail(`${creditMismatch.length} job(s) whose credits_used differs from the enrichment written`, creditMismatch);
  if (applyWithoutCall.length) fail(`${applyWithoutCall.length} enrichment(s) written without a successful Apollo call`, applyWithoutCall);
  if (wrongData.length) fail(`${wrongData.length} account(s) holding data that is not their own domain's`, wrongData);
  if (foreignKey.length) fail(`${foreignKey.length} job(s) called Apollo with another workspace's key`, foreignKey);
  if (noStart.length) fail(`${noStart.length} job(s) without a start line in job_logs`, noStart);
  if (attemptGaps.length) fail(`${attemptGaps.length} job(s) with an attempt that left no line in job_logs`, attemptGaps);
  if (badFinal.length) fail(`${badFinal.length} job(s) whose last log line does not match their status`, badFinal);

  // ---- the faults really happened (a soak that met no 401 or no timeout proved nothing about them)
  const seen = (status: string) => callsByStatus.get(status) ?? 0;
  const missing = [
    seen("500") === 0 && "Apollo 500",
    seen("429") === 0 && "Apollo 429",
    seen("gave up (timeout)") === 0 && "Apollo timeout",
    seen("401") === 0 && "Apollo 401",
    releases === 0 && "a rate-limited job released uncounted",
    reaped === 0 && "a lease reaped from a dead worker",
    (failedKinds.get("permanent: Apollo 401 (key rejected)") ?? 0) === 0 && "a job failed for good by a 401",
  ].filter(Boolean);
  if (missing.length) fail(`the run never exercised: ${missing.join(", ")}`);

  // ---- credits, globally and per workspace
  const enriched = [...accounts.values()].filter((a) => a.enriched).length;
  const creditsTotal = credits.reduce((n, c) => n + c.credits, 0);
  const jobCredits = jobs.reduce((n, j) => n + j.credits_used, 0);
  if (!(creditsTotal === enriched && enriched === jobCredits && jobCredits === appliesTotal.n)) {
    fail(`credits do not add up: workspace credits ${creditsTotal}, enriched accounts ${enriched}, ` +
      `jobs' credits_used ${jobCredits}, enrichment writes ${appliesTotal.n}`);
  }
  const enrichedByWorkspace = new Map<string, number>();
  for (const a of accounts.values()) if (a.enriched) tally(enrichedByWorkspace, a.workspace_id);
  const perWorkspace = credits.filter((c) => c.credits !== (enrichedByWorkspace.get(c.workspace_id) ?? 0));
  if (perWorkspace.length) fail(`${perWorkspace.length} workspace(s) whose credits differ from their enriched accounts`, perWorkspace);

  const sorted = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => (Number(a[0]) - Number(b[0])) || a[0].localeCompare(b[0]))
      .map(([k, v]) => `${k}: ${v}`).join(", ");
  return {
    failures,
    counts: {
      "jobs": jobs.length,
      "by status": sorted(statuses),
      "completed, enriched": matched,
      "completed, no Apollo match": noMatch,
      "failed, by reason": sorted(failedKinds) || "none",
      "attempts per job": sorted(attemptsHistogram),
      "failed attempts retried (log lines)": retries,
      "rate-limited, released without counting the attempt": releases,
      "leases reaped from dead workers": reaped,
      "Apollo organization calls": calls.length,
      "Apollo answers": sorted(callsByStatus),
      "accounts with more than one successful Apollo call": repeatCalls,
      "enrichment writes (applies)": appliesTotal.n,
      "accounts enriched": enriched,
      "credits charged (workspaces)": creditsTotal,
      "credits charged (jobs)": jobCredits,
    },
  };
}
