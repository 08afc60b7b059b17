// The database can call the worker: the Vault secrets exist, and the last worker calls made
// through pg_net answered 2xx. pg_net deletes a request once sent and its answers carry only the
// request id, so the calls are identified by the record private.invoke_worker keeps
// (private.worker_calls, shown by ops.worker_invocations). Unless --no-probe, one call is queued
// now (reason "verify": the same POST the cron job sends, so it runs a batch) and awaited.
import { ago, type Check, type Context, fail, pass, type Sql, tableExists, warn } from "../lib/context.ts";
import { setTimeout as sleep } from "node:timers/promises";

interface Invocation {
  request_id: string;
  reason: string;
  requested_at: Date;
  status_code: number | null;
  outcome: string;
  round_trip_ms: number | null;
  detail: string | null;
  age_seconds: number;
}

const PROBE_TIMEOUT_MS = 75_000; // the call's own timeout is 60 s

const FAILED = new Set(["http_error", "timeout", "error", "no_response"]);

/** What an operator should do about a failed call. */
export function hintFor(call: Pick<Invocation, "status_code" | "outcome" | "detail">): string {
  if (call.status_code === 401) {
    return /jwt/i.test(call.detail ?? "")
      ? "the Functions gateway wants a JWT: deploy job-worker with --no-verify-jwt"
      : "the Vault secret worker_secret_token is not the function's WORKER_SECRET_TOKEN";
  }
  if (call.status_code === 404) {
    return "no job-worker function at the Vault secret project_url: deploy it, or fix project_url";
  }
  if (call.status_code === 500) return `the worker refuses to run: ${call.detail ?? "see its logs"}`;
  if (call.status_code === 503) return "the worker could not run its batch: see its logs";
  if (call.outcome === "timeout") return "no answer within 60 s";
  if (call.outcome === "no_response") {
    return "pg_net recorded no answer: is its background worker running? (select net.worker_restart())";
  }
  return call.detail ?? "the worker could not be reached: check the Vault secret project_url";
}

function describe(call: Invocation): string {
  const answer = call.status_code !== null ? `${call.status_code}` : call.outcome;
  const time = call.round_trip_ms !== null ? ` in ${call.round_trip_ms} ms` : "";
  return `#${call.request_id} ${call.reason} ${ago(call.age_seconds)}: ${answer}${time}`;
}

async function probe(sql: Sql): Promise<Invocation | string> {
  const [{ id }] = await sql<{ id: string | null }[]>`select private.invoke_worker('verify')::text as id`;
  if (id === null) {
    return "private.invoke_worker queued nothing: the Vault secrets project_url or worker_secret_token are missing";
  }
  const deadline = Date.now() + PROBE_TIMEOUT_MS;
  while (true) {
    const [call] = await sql<Invocation[]>`
      select request_id::text, reason, requested_at, status_code, outcome, round_trip_ms, detail,
             extract(epoch from now() - requested_at)::float8 as age_seconds
      from ops.worker_invocations
      where request_id = ${id}::bigint and reason = 'verify'
      order by requested_at desc limit 1`;
    if (call && call.outcome !== "waiting") return call;
    if (Date.now() > deadline) return `the verify call #${id} got no answer within ${PROBE_TIMEOUT_MS / 1000} s`;
    await sleep(250);
  }
}

export const workerCallsCheck: Check = {
  id: "worker-calls",
  title: "last worker calls answered 2xx",
  async run(ctx: Context) {
    const sql = await ctx.db();
    if (!(await tableExists(sql, "ops.worker_invocations"))) return fail("ops.worker_invocations is missing: apply the migrations (supabase db push)");

    const [settings] = await sql<{ project_url: string | null; has_token: boolean; failed_calls: number }[]>`
      select private.setting('project_url') as project_url,
             private.setting('worker_secret_token') is not null as has_token,
             (select alert_failed_calls from ops.alert_thresholds()) as failed_calls`;
    const missing = [!settings.project_url && "project_url", !settings.has_token && "worker_secret_token"].filter(
      Boolean,
    );
    if (missing.length > 0) {
      return fail(
        `the Vault secret(s) ${missing.join(", ")} are missing, so pg_cron cannot call the worker`,
        [
          `select vault.create_secret('${ctx.apiUrl}', 'project_url');`,
          "select vault.create_secret('<WORKER_SECRET_TOKEN>', 'worker_secret_token');",
        ],
      );
    }
    const notes: string[] = [];
    const vaultUrl = settings.project_url!.replace(/\/+$/, "");
    if (vaultUrl !== ctx.apiUrl) notes.push(`the Vault secret project_url is ${vaultUrl}, not --url ${ctx.apiUrl}`);

    let probed: Invocation | undefined;
    if (ctx.options.probe) {
      const result = await probe(sql);
      if (typeof result === "string") return fail(result);
      probed = result;
    }

    const n = settings.failed_calls;
    const calls = await sql<Invocation[]>`
      select request_id::text, reason, requested_at, status_code, outcome, round_trip_ms, detail,
             extract(epoch from now() - requested_at)::float8 as age_seconds
      from (select * from ops.worker_invocations limit 200) w
      where outcome not in ('waiting', 'expired')
      order by requested_at desc
      limit ${n}`;
    if (calls.length === 0) {
      return warn("no worker calls recorded yet (pg_cron makes one a minute): run again in two minutes", notes);
    }
    const lines = calls.map((c) => `${describe(c)}${FAILED.has(c.outcome) ? ` (${hintFor(c)})` : ""}`);
    const [latest] = calls;
    const failed = calls.filter((c) => FAILED.has(c.outcome));
    if (FAILED.has(latest.outcome)) {
      return fail(
        `${probed ? "the verify call" : "the latest call"} (#${latest.request_id}) answered ` +
          `${latest.status_code ?? latest.outcome}: ${hintFor(latest)}`,
        [...lines, ...notes],
      );
    }
    if (failed.length > 0) {
      return warn(
        `the latest call answered ${latest.status_code}, but ${failed.length} of the last ${calls.length} failed ` +
          `(${failed[0].status_code ?? failed[0].outcome}: ${hintFor(failed[0])}); fine if you just fixed it`,
        [...lines, ...notes],
      );
    }
    const summary = `the last ${calls.length} call(s) answered 2xx` +
      (probed ? ` (verify call #${probed.request_id}: ${probed.status_code} in ${probed.round_trip_ms} ms)` : "");
    return notes.length > 0 ? warn(`${summary}, but ${notes[0]}`, lines) : pass(summary, lines);
  },
};
