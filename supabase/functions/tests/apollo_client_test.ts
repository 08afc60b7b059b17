// The real Apollo client against the fake Apollo server (own instance per test, random port):
// success paths, every error kind with its retryable flag, rate-limit headers, the key never leaking
// (a caller's abort: apollo_abort_test.ts).
import assert from "node:assert/strict";
import { withFakeApollo } from "../../../scripts/stack/fake-apollo/server.ts";
import { ApolloError, createApolloClient } from "../_shared/apollo/index.ts";
import type { ApolloErrorKind } from "../_shared/apollo/types.ts";

const KEY = "sk-test-Secret-Key-Value-9f3a";

/** Runs fn, which must throw an ApolloError, and checks the error never carries the key. */
async function apolloFailure(fn: () => Promise<unknown>, key = KEY): Promise<ApolloError> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof ApolloError, `expected an ApolloError, got ${error}`);
    assertNoKey(error, key);
    return error;
  }
  assert.fail("expected the call to throw");
}

function assertNoKey(error: ApolloError, key: string): void {
  const views = [
    error.message,
    String(error),
    error.stack ?? "",
    JSON.stringify(error),
    Deno.inspect(error, { depth: 10, showHidden: true }),
    Deno.inspect(error.cause, { depth: 10, showHidden: true }),
  ];
  for (const view of views) assert.ok(!view.includes(key), `the API key leaked into: ${view.slice(0, 300)}`);
}

function expectKind(error: ApolloError, kind: ApolloErrorKind, retryable: boolean, status?: number): void {
  assert.equal(error.kind, kind, error.message);
  assert.equal(error.retryable, retryable, `${kind} retryable`);
  if (status !== undefined) assert.equal(error.status, status);
}

Deno.test("enrichOrganization: a well-known domain, normalised, with credits and rate limits", async () => {
  await withFakeApollo({}, async (fake) => {
    const client = createApolloClient(KEY, { baseUrl: fake.apiUrl });
    const result = await client.enrichOrganization({ domain: "https://www.Stripe.com/about?x=1" });
    assert.equal(result.organization?.name, "Stripe");
    assert.equal(result.organization?.primary_domain, "stripe.com");
    assert.equal(result.organization?.industry, "financial services");
    assert.equal(typeof result.organization?.estimated_num_employees, "number");
    assert.equal(result.credits_used, 1);
    assert.equal(result.rateLimit.hourlyLimit, 600);
    assert.equal(result.rateLimit.hourlyLeft, 599);
    assert.equal(result.rateLimit.dailyLimit, 6000, "observed x-rate-limit-24-hour header");
    const [logged] = fake.fake.requests();
    assert.equal(logged.domain, "stripe.com", "the domain is sent bare");
    assert.equal(logged.key_last4, KEY.slice(-4));
  });
});

Deno.test("enrichOrganization: no match as {} and as {organization: null} costs nothing", async () => {
  await withFakeApollo({}, async (fake) => {
    const client = createApolloClient(KEY, { baseUrl: fake.apiUrl });
    for (const domain of ["no-match.test", "unknown-widgets.com", "acme.invalid", "null-match.test"]) {
      const result = await client.enrichOrganization({ domain });
      assert.equal(result.organization, null, domain);
      assert.equal(result.credits_used, 0, domain);
    }
  });
});

Deno.test("enrichOrganization: annual_revenue sent as a float (345600000.0) is accepted", async () => {
  await withFakeApollo({}, async (fake) => {
    const raw = await fetch(`${fake.apiUrl}/organizations/enrich?domain=float-revenue.test`, {
      headers: { "x-api-key": KEY },
    }).then((r) => r.text());
    assert.match(raw, /"annual_revenue":345600000\.0/, "the fake really sends the float form");
    const client = createApolloClient(KEY, { baseUrl: fake.apiUrl });
    const result = await client.enrichOrganization({ domain: "float-revenue.test" });
    assert.equal(result.organization?.annual_revenue, 345600000);
  });
});

Deno.test("enrichOrganization: an unusable domain fails locally as bad_request without calling Apollo", async () => {
  await withFakeApollo({}, async (fake) => {
    const client = createApolloClient(KEY, { baseUrl: fake.apiUrl });
    for (const domain of ["", "   ", "https://", "localhost", "not a domain"]) {
      const error = await apolloFailure(() => client.enrichOrganization({ domain }));
      expectKind(error, "bad_request", false);
    }
    assert.equal(fake.fake.requests().length, 0);
  });
});

Deno.test("enrichPerson: a match by email posts a JSON body and returns the person", async () => {
  await withFakeApollo({}, async (fake) => {
    const client = createApolloClient(KEY, { baseUrl: fake.apiUrl });
    const result = await client.enrichPerson({ email: "maya.lindqvist@stripe.com", first_name: "", domain: undefined });
    assert.equal(result.person?.first_name, "Maya");
    assert.equal(result.person?.last_name, "Lindqvist");
    assert.equal(result.person?.email, "maya.lindqvist@stripe.com");
    assert.equal((result.person?.organization as { name?: string } | null)?.name, "Stripe");
    assert.equal(result.credits_used, 1);
    const [logged] = fake.fake.requests();
    assert.equal(logged.method, "POST");
    assert.equal(logged.path, "/api/v1/people/match");
  });
});

Deno.test("enrichPerson: {person: null} is no match and costs nothing; an empty request fails locally", async () => {
  await withFakeApollo({}, async (fake) => {
    const client = createApolloClient(KEY, { baseUrl: fake.apiUrl });
    const none = await client.enrichPerson({ email: "unknown.person@stripe.com" });
    assert.equal(none.person, null);
    assert.equal(none.credits_used, 0);
    const error = await apolloFailure(() => client.enrichPerson({ email: "  " }));
    expectKind(error, "bad_request", false);
    assert.equal(fake.fake.requests().length, 1);
  });
});

Deno.test("errors: 401 text/plain and 401 JSON are unauthorized, permanent, and say what to do", async () => {
  await withFakeApollo({}, async (fake) => {
    for (const key of ["fake-key-401", "fake-key-401-json"]) {
      const client = createApolloClient(key, { baseUrl: fake.apiUrl });
      const error = await apolloFailure(() => client.enrichOrganization({ domain: "stripe.com" }), key);
      expectKind(error, "unauthorized", false, 401);
      assert.match(error.message, /Invalid access credentials/);
      assert.match(error.message, /Settings → API/);
      assert.equal(error.retryAfterSeconds, undefined);
    }
  });
});

Deno.test("errors: 403 is forbidden and permanent", async () => {
  await withFakeApollo({}, async (fake) => {
    const client = createApolloClient("fake-key-403", { baseUrl: fake.apiUrl });
    const error = await apolloFailure(() => client.enrichOrganization({ domain: "stripe.com" }), "fake-key-403");
    expectKind(error, "forbidden", false, 403);
    assert.match(error.message, /API_INACCESSIBLE/);
    assert.match(error.message, /plan|master/);
  });
});

Deno.test("errors: 422 insufficient credits is permanent; 422 missing parameter is bad_request", async () => {
  await withFakeApollo({}, async (fake) => {
    const broke = createApolloClient("fake-key-no-credits", { baseUrl: fake.apiUrl });
    const credits = await apolloFailure(() => broke.enrichPerson({ email: "a.b@stripe.com" }), "fake-key-no-credits");
    expectKind(credits, "insufficient_credits", false, 422);
    assert.match(credits.message, /out of credits/);

    const client = createApolloClient(KEY, { baseUrl: fake.apiUrl });
    const missing = await apolloFailure(() => client.enrichOrganization({ domain: "status-422.test" }));
    expectKind(missing, "bad_request", false, 422);
    assert.match(missing.message, /Required parameter 'domain' missing/);

    const byDomain = await apolloFailure(() => client.enrichOrganization({ domain: "no-credits.test" }));
    expectKind(byDomain, "insufficient_credits", false, 422);
  });
});

Deno.test("errors: 429 is rate_limited with retryAfterSeconds from retry-after", async () => {
  await withFakeApollo({}, async (fake) => {
    const client = createApolloClient("fake-key-429-7", { baseUrl: fake.apiUrl });
    const error = await apolloFailure(() => client.enrichOrganization({ domain: "stripe.com" }), "fake-key-429-7");
    expectKind(error, "rate_limited", true, 429);
    assert.equal(error.retryAfterSeconds, 7);
    assert.match(error.message, /rate limit/);
    assert.equal(error.rateLimit?.hourlyLimit, 600, "the rate-limit headers of the 429 are kept");

    const byDomain = await apolloFailure(() =>
      createApolloClient(KEY, { baseUrl: fake.apiUrl }).enrichOrganization({ domain: "status-429.test" })
    );
    assert.equal(byDomain.retryAfterSeconds, 1);
  });
});

Deno.test("errors: 429 with an HTTP-date retry-after, and without one (fallback from the spent window)", async () => {
  const now = Date.now();
  const date = new Date(now + 30_000).toUTCString();
  const fakeFetch = (headers: Record<string, string>): typeof fetch => () =>
    Promise.resolve(new Response(JSON.stringify({ message: "slow down" }), { status: 429, headers }));
  const dated = await apolloFailure(() =>
    createApolloClient(KEY, { baseUrl: "https://apollo.invalid/api/v1", fetch: fakeFetch({ "retry-after": date }) })
      .enrichOrganization({ domain: "stripe.com" })
  );
  assert.ok(dated.retryAfterSeconds! >= 28 && dated.retryAfterSeconds! <= 31, `${dated.retryAfterSeconds}`);

  const bare = await apolloFailure(() =>
    createApolloClient(KEY, {
      baseUrl: "https://apollo.invalid/api/v1",
      fetch: fakeFetch({ "x-minute-requests-left": "0", "x-hourly-requests-left": "10" }),
    }).enrichOrganization({ domain: "stripe.com" })
  );
  assert.equal(bare.retryAfterSeconds, 60);
  assert.equal(bare.retryable, true);
});

Deno.test("errors: 500 JSON and 503 HTML are server_error and retryable", async () => {
  await withFakeApollo({}, async (fake) => {
    const client = createApolloClient(KEY, { baseUrl: fake.apiUrl });
    const e500 = await apolloFailure(() => client.enrichOrganization({ domain: "status-500.test" }));
    expectKind(e500, "server_error", true, 500);
    const e503 = await apolloFailure(() => client.enrichPerson({ email: "x.y@status-503.test" }));
    expectKind(e503, "server_error", true, 503);
    assert.match(e503.message, /503 Service Unavailable/);
    assert.doesNotMatch(e503.message, /<html>/);
  });
});

Deno.test("errors: a slow answer beyond timeoutMs is a retryable timeout, and the request is abandoned", async () => {
  await withFakeApollo({}, async (fake) => {
    const client = createApolloClient(KEY, { baseUrl: fake.apiUrl, timeoutMs: 150 });
    const started = Date.now();
    const error = await apolloFailure(() => client.enrichOrganization({ domain: "slow-5000.test" }));
    expectKind(error, "timeout", true);
    assert.equal(error.status, undefined);
    assert.ok(Date.now() - started < 2000, "gave up at the timeout, not when the server answered");
    assert.match(error.message, /0\.1|0\.2/);

    // A hang that would end (as a 504) after 3 s, so a broken timeout fails the test instead of hanging it.
    fake.fake.script({ domain: "stripe.com", status: "hang", hangMs: 3000, times: 1 });
    const hang = await apolloFailure(() => client.enrichOrganization({ domain: "stripe.com" }));
    expectKind(hang, "timeout", true);
  });
});

Deno.test("timeout and base URL come from APOLLO_TIMEOUT_MS / APOLLO_BASE_URL when not given", async () => {
  await withFakeApollo({}, async (fake) => {
    const env = new Map([["APOLLO_BASE_URL", `${fake.apiUrl}/`], ["APOLLO_TIMEOUT_MS", "100"]]);
    const client = createApolloClient(KEY, { env });
    assert.equal((await client.enrichOrganization({ domain: "figma.com" })).organization?.name, "Figma");
    const error = await apolloFailure(() => client.enrichOrganization({ domain: "slow-3000.test" }));
    expectKind(error, "timeout", true);
  });
});

Deno.test("errors: a 200 whose body is not JSON, or not Apollo's shape, is a retryable bad_response", async () => {
  await withFakeApollo({}, async (fake) => {
    const client = createApolloClient(KEY, { baseUrl: fake.apiUrl });
    const html = await apolloFailure(() => client.enrichOrganization({ domain: "bad-json.test" }));
    expectKind(html, "bad_response", true, 200);
    assert.match(html.message, /not JSON/);
    const shape = await apolloFailure(() => client.enrichPerson({ email: "a.b@bad-shape.test" }));
    expectKind(shape, "bad_response", true, 200);
    assert.match(shape.message, /person/);
  });
});

Deno.test("errors: connection refused is a retryable network error", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const client = createApolloClient(KEY, { baseUrl: `http://127.0.0.1:${port}/api/v1`, timeoutMs: 2000 });
  const error = await apolloFailure(() => client.enrichOrganization({ domain: "stripe.com" }));
  expectKind(error, "network", true);
  assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
});

Deno.test("the key never appears in an error, even when Apollo echoes it back", async () => {
  await withFakeApollo({}, async (fake) => {
    fake.fake.script({ key: KEY, status: 422, times: 1, body: { error: `Key ${KEY} is not valid for this team` } });
    fake.fake.script({ key: KEY, status: 500, times: 1, body: { message: `boom for ${KEY}` } });
    const client = createApolloClient(KEY, { baseUrl: fake.apiUrl });
    const echoed = await apolloFailure(() => client.enrichOrganization({ domain: "stripe.com" }));
    assert.match(echoed.message, /\[redacted\]/);
    const echoed500 = await apolloFailure(() => client.enrichOrganization({ domain: "stripe.com" }));
    expectKind(echoed500, "server_error", true, 500);
    // ...and across every other error path
    for (const domain of ["status-401.test", "status-403.test", "status-429.test", "bad-json.test", "bad-shape.test"]) {
      await apolloFailure(() => client.enrichOrganization({ domain }));
    }
    await apolloFailure(() =>
      createApolloClient(KEY, { baseUrl: fake.apiUrl, timeoutMs: 50 }).enrichOrganization({ domain: "slow-2000.test" })
    );
  });
});

Deno.test("rate-limit headers: the documented daily names are read too", async () => {
  await withFakeApollo({ headerStyle: "documented" }, async (fake) => {
    const client = createApolloClient(KEY, { baseUrl: fake.apiUrl });
    await client.enrichOrganization({ domain: "stripe.com" });
    const second = await client.enrichOrganization({ domain: "stripe.com" });
    assert.deepEqual(second.rateLimit, {
      minuteLimit: 200,
      minuteUsage: 2,
      minuteLeft: 198,
      hourlyLimit: 600,
      hourlyUsage: 2,
      hourlyLeft: 598,
      dailyLimit: 6000,
      dailyUsage: 2,
      dailyLeft: 5998,
    });
  });
});

Deno.test("checkConnection: a valid key reports the user, usage and rate limits", async () => {
  await withFakeApollo({}, async (fake) => {
    const check = await createApolloClient(KEY, { baseUrl: fake.apiUrl }).checkConnection();
    assert.equal(check.ok, true);
    assert.equal(check.mock, false);
    assert.equal(check.user?.name, "Fake Apollo User");
    assert.ok(check.user?.email?.endsWith("@fake-apollo.test"));
    assert.ok(check.usage && typeof check.usage === "object");
    assert.ok('["api/v1/people", "match"]' in (check.usage as Record<string, unknown>));
    assert.equal(check.rateLimit?.hourlyLimit, 600);
    assert.match(check.message, /Connected to Apollo as Fake Apollo User/);
    assert.ok(!check.message.includes(KEY));
    assert.deepEqual(fake.fake.requests().map((r) => r.path), [
      "/api/v1/users/api_profile",
      "/api/v1/usage_stats/api_usage_stats",
    ]);
  });
});

Deno.test("checkConnection: a non-master key (403 on usage stats) is still ok", async () => {
  await withFakeApollo({}, async (fake) => {
    const check = await createApolloClient("fake-key-no-master", { baseUrl: fake.apiUrl }).checkConnection();
    assert.equal(check.ok, true);
    assert.equal(check.usage, undefined);
    assert.match(check.message, /master API key/);
  });
});

Deno.test("checkConnection: a wrong key throws unauthorized; a key without api_profile access falls back to auth/health", async () => {
  await withFakeApollo({}, async (fake) => {
    const error = await apolloFailure(
      () => createApolloClient("fake-key-401", { baseUrl: fake.apiUrl }).checkConnection(),
      "fake-key-401",
    );
    expectKind(error, "unauthorized", false, 401);

    const limited = await createApolloClient("fake-key-403", { baseUrl: fake.apiUrl }).checkConnection();
    assert.equal(limited.ok, true);
    assert.match(limited.message, /accepted the API key/);
    assert.equal(fake.fake.requests().at(-1)?.path, "/api/v1/auth/health");

    const rateLimited = await apolloFailure(
      () => createApolloClient("fake-key-429", { baseUrl: fake.apiUrl }).checkConnection(),
      "fake-key-429",
    );
    expectKind(rateLimited, "rate_limited", true, 429);
  });
});

Deno.test("the legacy /v1 base path works the same", async () => {
  await withFakeApollo({}, async (fake) => {
    const client = createApolloClient(KEY, { baseUrl: `${fake.url}/v1` });
    assert.equal((await client.enrichOrganization({ domain: "notion.so" })).organization?.name, "Notion");
    assert.equal(fake.fake.requests()[0].path, "/v1/organizations/enrich");
  });
});
