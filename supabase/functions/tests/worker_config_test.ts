// job-worker: authorization, configuration and the production guard (no database needed).
import assert from "node:assert/strict";
import { isAuthorized, tokensMatch } from "../job-worker/worker-token.ts";
import { DEVELOPMENT_TOKEN, loadConfig, newWorkerId } from "../job-worker/config.ts";

const env = (values: Record<string, string>) => ({ get: (k: string) => values[k] });

Deno.test("tokensMatch accepts only the exact token", () => {
  const secret = "s3cret-token-of-some-length";
  assert.equal(tokensMatch(secret, secret), true);
  assert.equal(tokensMatch(secret.slice(0, -1), secret), false, "a prefix is refused");
  assert.equal(tokensMatch(secret + "x", secret), false, "a longer token is refused");
  assert.equal(tokensMatch("S3cret-token-of-some-length", secret), false, "case matters");
  assert.equal(tokensMatch("", secret), false);
  assert.equal(tokensMatch("", ""), false, "an empty configured token never matches");
});

Deno.test("isAuthorized reads a Bearer token from Authorization", () => {
  const req = (header?: string) =>
    new Request("http://x/job-worker", { method: "POST", headers: header ? { authorization: header } : {} });
  assert.equal(isAuthorized(req("Bearer dev-secret-token"), "dev-secret-token"), true);
  assert.equal(isAuthorized(req("bearer dev-secret-token"), "dev-secret-token"), true);
  assert.equal(isAuthorized(req("dev-secret-token"), "dev-secret-token"), false);
  assert.equal(isAuthorized(req("Basic dev-secret-token"), "dev-secret-token"), false);
  assert.equal(isAuthorized(req(), "dev-secret-token"), false);
});

Deno.test("defaults: 5 concurrent jobs (20 across workers), 50 s budget, 60 s lease, local development", () => {
  const config = loadConfig(env({ WORKER_SECRET_TOKEN: DEVELOPMENT_TOKEN }));
  assert.equal(config.maxConcurrent, 5);
  assert.equal(config.maxGlobalConcurrency, 20);
  assert.equal(config.timeBudgetMs, 50_000);
  assert.equal(config.leaseSeconds, 60);
  assert.equal(config.claimAhead, 500, "short jobs: up to 500 claimed ahead of free slots");
  assert.equal(loadConfig(env({ WORKER_SECRET_TOKEN: "x", WORKER_CLAIM_AHEAD: "0" })).claimAhead, 0);
  assert.deepEqual({ region: config.region, env: config.env }, { region: "local", env: "development" });
  assert.equal(config.misconfiguration, undefined);
  assert.match(newWorkerId(config), /^supabase-local-\d{13}-[0-9a-f]{8}$/);
});

Deno.test("production refuses the development token, a short token, or none", () => {
  for (const token of [DEVELOPMENT_TOKEN, "short", ""]) {
    const config = loadConfig(env({ SB_REGION: "eu-west-1", WORKER_SECRET_TOKEN: token }));
    assert.equal(config.env, "production");
    assert.match(config.misconfiguration ?? "", /WORKER_SECRET_TOKEN/);
  }
  const good = loadConfig(env({ SB_REGION: "eu-west-1", WORKER_SECRET_TOKEN: "a".repeat(64) }));
  assert.equal(good.misconfiguration, undefined);
  assert.equal(good.region, "eu-west-1");
});

Deno.test("bad numbers in the environment are reported, not guessed", () => {
  assert.throws(() => loadConfig(env({ WORKER_SECRET_TOKEN: "x", MAX_CONCURRENT: "0" })), /MAX_CONCURRENT must be an integer between 1 and 100/);
  assert.throws(() => loadConfig(env({ WORKER_SECRET_TOKEN: "x", MAX_CONCURRENT: "five" })), /MAX_CONCURRENT/);
});
