// Production or development is decided once (_shared/environment.ts) and every function agrees:
// the worker's configuration, its health check, the Apollo client factory and apollo-settings.
import assert from "node:assert/strict";
import { apolloClientFor, MOCK_API_KEY, MockApolloClient, TestKeyInProductionError } from "../_shared/apollo/index.ts";
import { deploymentOf, envFlag, isProduction, mockApolloEnabled, mockApolloRequested } from "../_shared/environment.ts";
import { DEVELOPMENT_TOKEN, loadConfig } from "../job-worker/config.ts";
import { configurationWarnings, readConfiguration } from "../job-worker/health-report.ts";
import { verdictOf } from "../_shared/jobs/errors.ts";
import { apolloClient } from "../job-worker/processors/workspace-apollo.ts";

const env = (values: Record<string, string>) => new Map(Object.entries(values));

Deno.test("production: ENVIRONMENT when it says production or development (any case), else SB_REGION", () => {
  const cases: Array<[Record<string, string>, "production" | "development"]> = [
    [{}, "development"],
    [{ SB_REGION: "eu-west-1" }, "production"],
    [{ ENVIRONMENT: "production" }, "production"],
    [{ ENVIRONMENT: " Production " }, "production"],
    [{ ENVIRONMENT: "development", SB_REGION: "eu-west-1" }, "development"],
    [{ ENVIRONMENT: "DEVELOPMENT" }, "development"],
    // a value that is neither cannot switch the guards off on a hosted project
    [{ ENVIRONMENT: "prod", SB_REGION: "eu-west-1" }, "production"],
    [{ ENVIRONMENT: "staging" }, "development"],
  ];
  for (const [values, expected] of cases) {
    assert.equal(deploymentOf(env(values)), expected, JSON.stringify(values));
    assert.equal(isProduction(env(values)), expected === "production");
    assert.equal(loadConfig(env({ ...values, WORKER_SECRET_TOKEN: "a".repeat(32) })).env, expected, "the worker agrees");
  }
  assert.match(
    loadConfig(env({ ENVIRONMENT: "Production", WORKER_SECRET_TOKEN: DEVELOPMENT_TOKEN })).misconfiguration ?? "",
    /WORKER_SECRET_TOKEN/,
    "the worker's production guard follows the same decision",
  );
});

Deno.test("USE_MOCK_APOLLO is parsed one way everywhere: true in any case, anything else false", () => {
  for (const [raw, on] of [["true", true], ["TRUE", true], [" True ", true], ["1", false], ["yes", false], ["false", false], ["", false]] as const) {
    const values = env({ USE_MOCK_APOLLO: raw });
    assert.equal(envFlag(values, "USE_MOCK_APOLLO"), on, raw);
    assert.equal(mockApolloRequested(values), on, raw);
    assert.equal(mockApolloEnabled(values), on, raw);
    assert.equal(readConfiguration(values, false).mock_apollo, on, `health check reads ${JSON.stringify(raw)} the same way`);
    assert.equal(apolloClientFor("real-key-abc", values) instanceof MockApolloClient, on, `client factory reads ${JSON.stringify(raw)}`);
  }
});

Deno.test("production never gets the mock: the test key throws, USE_MOCK_APOLLO is ignored and reported", () => {
  for (const production of [env({ SB_REGION: "eu-west-1" }), env({ ENVIRONMENT: "production" })]) {
    assert.throws(() => apolloClientFor(MOCK_API_KEY, production), (error: unknown) => {
      assert.ok(error instanceof TestKeyInProductionError);
      assert.equal(error.message, "The test key cannot be used in production: save your real Apollo API key");
      assert.equal(verdictOf(error).retryable, false);
      return true;
    });
    const withMockFlag = new Map([...production, ["USE_MOCK_APOLLO", "true"]]);
    assert.equal(mockApolloRequested(withMockFlag), true);
    assert.equal(mockApolloEnabled(withMockFlag), false);
    assert.ok(!(apolloClientFor("real-key-abc", withMockFlag) instanceof MockApolloClient), "the flag is ignored");
    assert.throws(() => apolloClientFor(MOCK_API_KEY, withMockFlag), TestKeyInProductionError);
    const warnings = configurationWarnings(readConfiguration(withMockFlag, false), deploymentOf(withMockFlag));
    assert.match(warnings[0], /USE_MOCK_APOLLO=true is set but ignored in production/);
  }
  // Outside production both still give the mock.
  assert.ok(apolloClientFor(MOCK_API_KEY, env({})) instanceof MockApolloClient);
  assert.ok(apolloClientFor("real-key-abc", env({ USE_MOCK_APOLLO: "true" })) instanceof MockApolloClient);
});

Deno.test("the worker turns a stored test key in production into a failure no retry can fix", () => {
  assert.throws(() => apolloClient(MOCK_API_KEY, env({ ENVIRONMENT: "production" })), (error: unknown) => {
    const verdict = verdictOf(error);
    assert.equal(verdict.retryable, false);
    assert.equal(
      verdict.message,
      "The test key cannot be used in production: save your real Apollo API key in Settings → API, then retry the job.",
    );
    return true;
  });
  assert.ok(apolloClient(MOCK_API_KEY, env({})) instanceof MockApolloClient);
});
