// verify:deploy: the testing guide's production checklist, run against one deployment.
//
//   npm run verify:deploy -- --url <SUPABASE_URL> --db-url <DB_URL> --worker-token <TOKEN>
//                            [--enrich-domain <domain> --workspace-id <uuid>] [options]
//
// Prints one PASS / WARN / FAIL line per item with the reason, and a summary. Exit status: 0 when
// nothing FAILed (and, with --strict, nothing WARNed), 1 otherwise, 2 for bad arguments.
// See docs/deploy.md ("Check the deployment") for what each item checks and how to fix it.
import { parseArgs as nodeParseArgs } from "node:util";
import { type Check, Context, describeDbUrl, type Options, type Outcome, type Status } from "./lib/context.ts";
import { CHECKS } from "./checks/index.ts";

const USAGE = `Usage: npm run verify:deploy -- --url <SUPABASE_URL> --db-url <DB_URL> --worker-token <TOKEN> [options]

  --url <url>              the project's API URL (https://<ref>.supabase.co, or the local stack's API_URL)
  --db-url <url>           a Postgres connection string for the postgres role (Dashboard -> Connect)
  --worker-token <token>   the job-worker's WORKER_SECRET_TOKEN (or set VERIFY_WORKER_TOKEN)
  --publishable-key <key>  the project's publishable key (a legacy project's anon key), to read Auth's settings
                           (or set VERIFY_PUBLISHABLE_KEY)
  --enrich-domain <domain> also run one enrichment of this domain end to end (spends one Apollo credit)
  --workspace-id <uuid>    the workspace whose Apollo key that enrichment uses
  --enrich-timeout <s>     how long to wait for that job (default 120)
  --no-probe               do not queue a worker call through pg_net, nor sign up a throwaway address
                           (verify-deploy+...@example.invalid, deleted after) to see which mailer Auth uses
  --only <ids>             run only these items (comma-separated ids, see below)
  --skip <ids>             skip these items
  --strict                 a WARN fails too (use it two minutes after a fresh deploy)
  --verbose                print the details of passing items too
  --json                   print one JSON document instead of lines

Items: ${CHECKS.map((c) => c.id).join(", ")}`;

class UsageError extends Error {}

const OPTIONS = {
  url: { type: "string" },
  "db-url": { type: "string" },
  "worker-token": { type: "string" },
  "publishable-key": { type: "string" },
  "enrich-domain": { type: "string" },
  "workspace-id": { type: "string" },
  "enrich-timeout": { type: "string" },
  only: { type: "string" },
  skip: { type: "string" },
  "no-probe": { type: "boolean" },
  strict: { type: "boolean" },
  json: { type: "boolean" },
  verbose: { type: "boolean" },
  help: { type: "boolean" },
} as const;

/** node:util's parseArgs, with its errors worded for this command's users. */
function readOptions(args: string[]) {
  try {
    return nodeParseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(--[^']+)'/.exec(message);
    if (unknown) throw new UsageError(`unknown option ${unknown[1]}`);
    const missingValue = /Option '(--[a-z-]+)[^']*' argument missing/.exec(message);
    if (missingValue) throw new UsageError(`${missingValue[1]} needs a value`);
    throw new UsageError(message);
  }
}

export function parseArgs(args: string[], env: { get(name: string): string | undefined } = Deno.env) {
  const parsed = readOptions(args);
  const values = parsed as Record<string, string>;
  const flags = new Set(Object.entries(parsed).filter(([, v]) => v === true).map(([k]) => k));
  if (flags.has("help")) return { help: true as const };
  const workerToken = values["worker-token"] ?? env.get("VERIFY_WORKER_TOKEN");
  const missing = [!values.url && "--url", !values["db-url"] && "--db-url", !workerToken && "--worker-token"].filter(
    Boolean,
  );
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(", ")}`);
  if (Boolean(values["enrich-domain"]) !== Boolean(values["workspace-id"])) {
    throw new UsageError("--enrich-domain and --workspace-id go together");
  }
  const list = (v?: string) => v?.split(",").map((s) => s.trim()).filter(Boolean);
  const ids = CHECKS.map((c) => c.id);
  for (const id of [...(list(values.only) ?? []), ...(list(values.skip) ?? [])]) {
    if (!ids.includes(id)) throw new UsageError(`unknown item "${id}" (items: ${ids.join(", ")})`);
  }
  const enrichTimeout = Number(values["enrich-timeout"] ?? 120);
  if (!Number.isFinite(enrichTimeout) || enrichTimeout <= 0) {
    throw new UsageError("--enrich-timeout must be a number of seconds");
  }
  try {
    new URL(values.url);
  } catch {
    throw new UsageError(`--url is not a URL: ${values.url}`);
  }
  const options: Options & { verbose: boolean } = {
    url: values.url,
    dbUrl: values["db-url"],
    workerToken: workerToken!,
    publishableKey: values["publishable-key"] ?? env.get("VERIFY_PUBLISHABLE_KEY"),
    enrichDomain: values["enrich-domain"],
    workspaceId: values["workspace-id"],
    enrichTimeout,
    probe: !flags.has("no-probe"),
    strict: flags.has("strict"),
    json: flags.has("json"),
    verbose: flags.has("verbose"),
    only: list(values.only),
    skip: list(values.skip),
  };
  return { help: false as const, options };
}

export interface ItemResult extends Outcome {
  id: string;
  title: string;
  seconds: number;
}

async function runCheck(check: Check, ctx: Context): Promise<ItemResult> {
  const started = performance.now();
  let outcome: Outcome;
  try {
    outcome = await check.run(ctx);
  } catch (error) {
    outcome = { status: "FAIL", summary: (error as Error).message.split("\n")[0] };
  }
  return { id: check.id, title: check.title, seconds: (performance.now() - started) / 1000, ...outcome };
}

export function exitCode(results: ItemResult[], strict: boolean): number {
  const bad: Status[] = strict ? ["FAIL", "WARN"] : ["FAIL"];
  return results.some((r) => bad.includes(r.status)) ? 1 : 0;
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(Deno.args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`verify:deploy: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  const { options } = parsed;
  const ctx = new Context(options);
  const selected = CHECKS.filter((c) =>
    (!options.only || options.only.includes(c.id)) && !options.skip?.includes(c.id)
  );
  const width = Math.max(...selected.map((c) => c.title.length));
  if (!options.json) {
    console.log(`verify:deploy ${ctx.apiUrl} (database ${describeDbUrl(options.dbUrl)})\n`);
  }
  const results: ItemResult[] = [];
  try {
    for (const check of selected) {
      const result = await runCheck(check, ctx);
      results.push(result);
      if (options.json) continue;
      console.log(`${result.status.padEnd(4)}  ${check.title.padEnd(width)}  ${result.summary}`);
      if (result.details && (result.status === "FAIL" || result.status === "WARN" || options.verbose)) {
        for (const line of result.details) console.log(`${" ".repeat(width + 8)}- ${line}`);
      }
    }
  } finally {
    await ctx.close();
  }
  const code = exitCode(results, options.strict);
  const count = (s: Status) => results.filter((r) => r.status === s).length;
  if (options.json) {
    console.log(JSON.stringify({ url: ctx.apiUrl, ok: code === 0, strict: options.strict, items: results }, null, 2));
  } else {
    console.log(
      `\n${code === 0 ? "PASS" : "FAIL"}: ${count("PASS")} passed, ${count("WARN")} warning(s), ${
        count("FAIL")
      } failed` +
        `${count("SKIP") ? `, ${count("SKIP")} skipped` : ""}${options.strict ? " (strict: warnings fail)" : ""}`,
    );
  }
  return code;
}

if (import.meta.main) Deno.exit(await main());
