// MockApolloClient (the testing guide's Test 10 shapes) and apolloClientFor's choice between mock and real
// (its abort: apollo_abort_test.ts).
import assert from "node:assert/strict";
import { startFakeApollo } from "../../../scripts/stack/fake-apollo/server.ts";
import { apolloClientFor, DEFAULT_MOCK_DELAY_MS, MOCK_API_KEY, MockApolloClient } from "../_shared/apollo/index.ts";

const noEnv = new Map<string, string>();

Deno.test("mock enrichOrganization: Test 10's shape after the configured delay", async () => {
  const mock = new MockApolloClient({ delayMs: 40, env: noEnv });
  const started = performance.now();
  const result = await mock.enrichOrganization({ domain: "acme.com" });
  assert.ok(performance.now() - started >= 35, "the simulated delay is applied");
  assert.deepEqual(result, {
    organization: {
      x_sample_data: true, // the mark that makes the account page say "sample data, not from Apollo"
      id: "mock-org-123",
      name: "Mock Company for acme.com",
      website_url: "https://acme.com",
      primary_domain: "acme.com",
      industry: "Technology",
      estimated_num_employees: 50,
      city: "San Francisco",
      state: "CA",
      country: "USA",
      linkedin_url: "https://linkedin.com/company/acme.com",
    },
    credits_used: 1,
    rateLimit: {},
  });
});

Deno.test("mock enrichPerson: John Doe with the request's email", async () => {
  const mock = new MockApolloClient({ delayMs: 0, env: noEnv });
  const result = await mock.enrichPerson({ email: "jane@acme.com" });
  assert.equal(result.credits_used, 1);
  assert.deepEqual(
    result.person,
    {
      x_sample_data: true,
      id: "mock-person-123",
      first_name: "John",
      last_name: "Doe",
      name: "John Doe",
      email: "jane@acme.com",
      title: "Software Engineer",
      linkedin_url: "https://linkedin.com/in/johndoe",
    },
  );
});

Deno.test("mock delay: 1000 ms by default, MOCK_APOLLO_DELAY_MS overrides, the option wins", () => {
  assert.equal(DEFAULT_MOCK_DELAY_MS, 1000);
  assert.equal(new MockApolloClient({ env: noEnv }).delayMs, 1000);
  assert.equal(new MockApolloClient({ env: new Map([["MOCK_APOLLO_DELAY_MS", "25"]]) }).delayMs, 25);
  assert.equal(new MockApolloClient({ delayMs: 5, env: new Map([["MOCK_APOLLO_DELAY_MS", "25"]]) }).delayMs, 5);
  assert.throws(
    () => new MockApolloClient({ env: new Map([["MOCK_APOLLO_DELAY_MS", "soon"]]) }),
    /MOCK_APOLLO_DELAY_MS/,
  );
});

Deno.test("mock checkConnection: ok, mock: true, and says it is the mock", async () => {
  const check = await new MockApolloClient({ delayMs: 0, env: noEnv }).checkConnection();
  assert.equal(check.ok, true);
  assert.equal(check.mock, true);
  assert.match(check.message, /mock/i);
});

Deno.test("apolloClientFor: the mock for USE_MOCK_APOLLO=true or the test key, else the real client", async () => {
  assert.equal(MOCK_API_KEY, "test-key-12345");
  assert.ok(apolloClientFor("real-key-abc", new Map([["USE_MOCK_APOLLO", "true"]])) instanceof MockApolloClient);
  assert.ok(apolloClientFor("", new Map([["USE_MOCK_APOLLO", "TRUE"]])) instanceof MockApolloClient);
  assert.ok(apolloClientFor(MOCK_API_KEY, noEnv) instanceof MockApolloClient);
  assert.ok(!(apolloClientFor("real-key-abc", new Map([["USE_MOCK_APOLLO", "false"]])) instanceof MockApolloClient));
  assert.ok(!(apolloClientFor("real-key-abc", noEnv) instanceof MockApolloClient));

  const mock = apolloClientFor(MOCK_API_KEY, new Map([["MOCK_APOLLO_DELAY_MS", "0"]]));
  assert.equal((mock as MockApolloClient).delayMs, 0, "the env reaches the mock");

  // The real client honours APOLLO_BASE_URL from the same env: it really calls the (fake) server.
  const fake = startFakeApollo();
  try {
    const real = apolloClientFor("real-key-abc", new Map([["APOLLO_BASE_URL", fake.apiUrl]]));
    const result = await real.enrichOrganization({ domain: "vercel.com" });
    assert.equal(result.organization?.name, "Vercel");
    assert.equal(fake.fake.requests()[0]?.key_last4, "-abc");
    const check = await real.checkConnection();
    assert.equal(check.mock, false);
  } finally {
    await fake.close();
  }
});
