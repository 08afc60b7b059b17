// verify:deploy's pieces that need no stack: what the repository expects (migrations, cron jobs
// parsed from them), argument parsing, exit status, and the hints its failures give.
import assert from "node:assert/strict";
import { advisorsDbUrl } from "../checks/advisors.ts";
import { judgeAuthSettings, judgeSignupProbe } from "../checks/auth-emails.ts";
import { judgeForgedAnswer } from "../checks/functions-auth.ts";
import { judgeJwks } from "../checks/signing-keys.ts";
import { hintFor } from "../checks/worker-calls.ts";
import { describeDbUrl, isLoopback, worst } from "../lib/context.ts";
import { expectedCronJobs, migrations, sameCommand, scheduleInterval } from "../lib/repo.ts";
import { exitCode, type ItemResult, parseArgs } from "../verify.ts";

const noEnv = { get: () => undefined };
const base = [
  "--url",
  "https://abcdefghijklmnopqrst.supabase.co",
  "--db-url",
  "postgresql://postgres:pw@db.example.com:5432/postgres",
];

Deno.test("the repository's migrations and the cron jobs they schedule", () => {
  const list = migrations();
  assert.ok(list.length >= 17);
  assert.deepEqual(list.map((m) => m.version), [...list.map((m) => m.version)].sort(), "oldest first");
  assert.ok(list.some((m) => m.name === "operator_views"));
  const jobs = expectedCronJobs();
  assert.deepEqual(
    jobs.map((j) => [j.name, j.schedule, j.command]).sort(),
    [
      ["job-reaper", "* * * * *", "select public.reap_expired_leases()"],
      ["job-retention", "17 3 * * *", "select private.purge_old_jobs()"],
      ["job-worker", "* * * * *", "select private.invoke_worker('cron')"],
      ["rate-limit-retention", "23 * * * *", "select private.purge_rate_limit_windows()"],
      ["refresh-stale-enrichments", "41 4 * * *", "select private.enqueue_stale_enrichments()"],
    ],
  );
});

Deno.test("cron jobs: a later cron.schedule replaces, cron.unschedule removes, comments are ignored", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(
      `${dir}/001_a.sql`,
      "select cron.schedule('a', '* * * * *', $$select 1$$);\nselect cron.schedule('b', '0 * * * *', 'select ''x''');",
    );
    Deno.writeTextFileSync(
      `${dir}/002_b.sql`,
      "-- select cron.schedule('c', '* * * * *', $$select 3$$);\nselect cron.unschedule('b');\nselect cron.schedule('a', '*/5 * * * *', $$select 2$$);",
    );
    const jobs = expectedCronJobs(migrations(dir));
    assert.deepEqual(jobs.map((j) => [j.name, j.schedule, j.command, j.migration]), [[
      "a",
      "*/5 * * * *",
      "select 2",
      "b",
    ]]);
    Deno.writeTextFileSync(`${dir}/003_c.sql`, "select cron.schedule('b', '0 * * * *', 'select ''x''');");
    assert.equal(expectedCronJobs(migrations(dir)).find((j) => j.name === "b")?.command, "select 'x'");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  assert.equal(sameCommand("select  private.invoke_worker('cron');", "select private.invoke_worker('cron')"), true);
  assert.equal(scheduleInterval("* * * * *"), "minute");
  assert.equal(scheduleInterval("17 3 * * *"), "day");
  assert.equal(scheduleInterval("*/5 * * * *"), undefined);
});

Deno.test("arguments: required ones, the token from VERIFY_WORKER_TOKEN, enrichment pairs, item names", () => {
  const parsed = parseArgs([...base, "--worker-token", "t".repeat(32), "--strict", "--only=cron-jobs,advisors"], noEnv);
  assert.equal(parsed.help, false);
  if (parsed.help) return;
  assert.equal(parsed.options.strict, true);
  assert.equal(parsed.options.probe, true);
  assert.deepEqual(parsed.options.only, ["cron-jobs", "advisors"]);
  assert.equal(parsed.options.enrichTimeout, 120);

  const fromEnv = parseArgs(base, { get: (k: string) => (k === "VERIFY_WORKER_TOKEN" ? "from-env" : undefined) });
  assert.equal(!fromEnv.help && fromEnv.options.workerToken, "from-env");

  assert.throws(() => parseArgs(["--url", "https://x.supabase.co"], noEnv), /missing --db-url, --worker-token/);
  assert.throws(
    () => parseArgs([...base, "--worker-token", "t", "--enrich-domain", "stripe.com"], noEnv),
    /go together/,
  );
  assert.throws(() => parseArgs([...base, "--worker-token", "t", "--only", "nope"], noEnv), /unknown item "nope"/);
  assert.throws(
    () => parseArgs([...base, "--worker-token", "t", "--frobnicate"], noEnv),
    /unknown option --frobnicate/,
  );
  assert.throws(
    () => parseArgs(["--url", "not a url", "--db-url", "x", "--worker-token", "t"], noEnv),
    /--url is not a URL/,
  );
  assert.equal(parseArgs(["--help"], noEnv).help, true);
});

Deno.test("exit status: FAIL fails; WARN fails only with --strict", () => {
  const result = (status: ItemResult["status"]): ItemResult => ({
    id: "x",
    title: "x",
    seconds: 0,
    status,
    summary: "",
  });
  assert.equal(exitCode([result("PASS"), result("SKIP")], false), 0);
  assert.equal(exitCode([result("PASS"), result("WARN")], false), 0);
  assert.equal(exitCode([result("PASS"), result("WARN")], true), 1);
  assert.equal(exitCode([result("FAIL")], false), 1);
  assert.equal(worst(["PASS", "WARN", "SKIP"]), "WARN");
  assert.equal(worst(["PASS", "FAIL", "WARN"]), "FAIL");
});

Deno.test("connection strings: never printed with their password; sslmode=disable only for a local database", () => {
  assert.equal(
    describeDbUrl("postgresql://postgres:secret@db.abc.supabase.co:5432/postgres"),
    "db.abc.supabase.co:5432/postgres",
  );
  const local = "postgresql://postgres:p@127.0.0.1:54322/postgres";
  assert.equal(advisorsDbUrl(local), `${local}?sslmode=disable`);
  for (
    const kept of [
      "postgresql://postgres:p@db.abc.supabase.co:5432/postgres",
      "postgresql://postgres:p@localhost:5432/postgres?sslmode=require",
    ]
  ) {
    assert.equal(advisorsDbUrl(kept), kept, "a hosted database's URL, or one naming its own sslmode, is left as it is");
  }
  assert.equal(isLoopback("http://127.0.0.1:54321"), true);
  assert.equal(isLoopback("https://abc.supabase.co"), false);
});

Deno.test("failed worker calls come with what to do", () => {
  assert.match(
    hintFor({ status_code: 401, outcome: "http_error", detail: '{"error":"Unauthorized"}' }),
    /Vault secret worker_secret_token/,
  );
  assert.match(
    hintFor({ status_code: 401, outcome: "http_error", detail: '{"msg":"Invalid JWT"}' }),
    /--no-verify-jwt/,
  );
  assert.match(hintFor({ status_code: 404, outcome: "http_error", detail: null }), /deploy it, or fix project_url/);
  assert.match(hintFor({ status_code: null, outcome: "no_response", detail: null }), /net\.worker_restart/);
  assert.match(hintFor({ status_code: null, outcome: "timeout", detail: null }), /60 s/);
});

const JWKS = "https://abcdefghijklmnopqrst.supabase.co/auth/v1/.well-known/jwks.json";
const publicKey = { kty: "EC", crv: "P-256", x: "x", y: "y", kid: "3a18cfe2-7226-43b0-bbb4-7c5242f2406e", alg: "ES256", use: "sig" };

Deno.test("signing keys: public ES256/RS256 keys pass; none is the legacy secret; private parts or junk fail", () => {
  const ok = judgeJwks(JWKS, 200, JSON.stringify({ keys: [publicKey] }));
  assert.equal(ok.status, "PASS");
  assert.match(ok.summary, /1 signing key\(s\) published, public parts only: ES256 kid 3a18cfe2/);

  const legacy = judgeJwks(JWKS, 200, '{"keys":[]}');
  assert.equal(legacy.status, "WARN");
  assert.match(legacy.summary, /legacy JWT secret \(HS256\).*Migrate to JWT signing keys/);

  for (const secret of [{ ...publicKey, d: "private scalar" }, { kty: "oct", k: "c2VjcmV0", kid: "legacy" }]) {
    const leak = judgeJwks(JWKS, 200, JSON.stringify({ keys: [secret] }));
    assert.equal(leak.status, "FAIL");
    assert.match(leak.summary, /publishes private key material .*Revoke that key now/);
  }
  assert.match(judgeJwks(JWKS, 200, JSON.stringify({ keys: [{ ...publicKey, kid: undefined }] })).summary, /none a function can verify/);
  assert.match(judgeJwks(JWKS, 404, '{"message":"no Route matched"}').summary, /answered HTTP 404: .*is --url the project's API URL/);
  assert.match(judgeJwks(JWKS, 200, "<html>").summary, /is not a JWKS/);
});

Deno.test("functions and a forged token: their own 401 passes; the platform's warns; anything else fails with what to do", () => {
  const own = judgeForgedAnswer("jobs", 401, '{"error":"The access token was not issued by this project."}');
  assert.equal(own.status, "PASS");
  const platform = judgeForgedAnswer("jobs", 401, '{"code":"UNAUTHORIZED_INVALID_JWT_FORMAT","message":"Invalid JWT"}');
  assert.equal(platform.status, "WARN");
  assert.match(platform.summary, /refused by the platform's JWT check .*--no-verify-jwt/);
  for (const [status, body] of [[200, "{}"], [403, '{"error":"You are not a member of this workspace."}'], [400, '{"error":"bad"}']] as const) {
    const through = judgeForgedAnswer("apollo-settings", status, body);
    assert.equal(through.status, "FAIL");
    assert.match(through.summary, /apollo-settings let a forged token through .*does not verify the caller's JWT/);
  }
  assert.match(judgeForgedAnswer("jobs", 404, '{"code":"NOT_FOUND"}').summary, /not deployed .*functions deploy jobs --no-verify-jwt/);
  assert.match(judgeForgedAnswer("jobs", 500, '{"error":"boom"}').summary, /failed on the forged token \(HTTP 500 boom\)/);
});

Deno.test("auth-emails: Auth's settings, then the throwaway sign-up, each answer with what to do", () => {
  const settings = (body: unknown, status = 200) => judgeAuthSettings(status, JSON.stringify(body));
  assert.equal(settings({ external: { email: true }, mailer_autoconfirm: false }), null, "fine: the sign-up decides");
  assert.equal(settings({ external: { email: true }, mailer_autoconfirm: true })?.status, "WARN");
  assert.match(settings({ external: { email: true }, mailer_autoconfirm: true })!.summary, /Confirm email/);
  assert.equal(settings({ external: { email: false }, mailer_autoconfirm: false })?.status, "FAIL");
  assert.match(settings({ message: "Invalid API key" }, 401)!.summary, /--publishable-key must be the project's publishable/);
  assert.equal(judgeAuthSettings(200, "<html>")?.status, "FAIL");

  const probe = (status: number, body: unknown, closed = false) => judgeSignupProbe(status, JSON.stringify(body), closed);
  assert.equal(probe(200, { id: "x", identities: [{}] }).status, "PASS");
  assert.equal(probe(400, { code: "email_address_invalid", message: 'Email address "x" is invalid' }).status, "PASS");
  const builtIn = probe(400, { code: "email_address_not_authorized", message: "Email address ... is not authorized" });
  assert.equal(builtIn.status, "WARN");
  assert.match(builtIn.summary, /built-in mailer.*docs\/deploy\.md, section 7/);
  assert.equal(probe(400, { code: 400, error_code: "email_address_not_authorized", msg: "..." }).status, "WARN", "the initial error format too");
  assert.equal(probe(422, { code: "signup_disabled", message: "Signups not allowed for this instance" }, true).status, "PASS");
  assert.match(probe(429, { code: "over_email_send_rate_limit", message: "email rate limit exceeded" }).summary, /allowance is spent/);
  assert.match(probe(500, { code: "unexpected_failure", message: "Error sending confirmation email" }).summary, /check the SMTP settings/);
});
