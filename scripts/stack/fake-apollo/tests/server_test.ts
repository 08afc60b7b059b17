// The fake Apollo server on its own: auth rules, headers, data, bulk routes, and the admin API
// (latency, chaos faults with a seed, scripted faults, request log, reset). Own instance per test.
import assert from "node:assert/strict";
import { type RunningFakeApollo, startFakeApollo, withFakeApollo } from "../server.ts";
// The fake's answers must parse with the schemas the real client reads Apollo's answers with.
import * as apollo from "../../../../supabase/functions/_shared/apollo/schemas.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { admin, callFake, type CallInit } from "./helpers.ts";

const KEY = "fake-valid-key-1234";

/** A call with this test's key unless init.key says otherwise (null: none). */
const call = (fake: RunningFakeApollo, path: string, init: Partial<CallInit> = {}) =>
  callFake(fake, path, { ...init, key: init.key === undefined ? KEY : init.key });

const org = (domain: string) => `/api/v1/organizations/enrich?domain=${encodeURIComponent(domain)}`;

Deno.test("auth: x-api-key required; key in query or body 422; Bearer 401 text/plain; header name any case", async () => {
  await withFakeApollo({}, async (fake) => {
    const none = await call(fake, org("stripe.com"), { key: null });
    assert.equal(none.status, 422);
    assert.deepEqual(none.json, { error: "Api key required" });

    const inQuery = await call(fake, `${org("stripe.com")}&api_key=${KEY}`);
    assert.equal(inQuery.status, 422);
    assert.deepEqual(inQuery.json, { error: "API key must be passed in the X-Api-Key header for security reasons" });

    const inBody = await call(fake, "/api/v1/people/match", {
      key: null,
      body: { api_key: KEY, email: "a.b@stripe.com" },
    });
    assert.equal(inBody.status, 422);

    const bearer = await call(fake, org("stripe.com"), { key: null, headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(bearer.status, 401);
    assert.match(bearer.headers.get("content-type") ?? "", /text\/plain/);
    assert.equal(bearer.text, "Invalid access credentials.");

    const mixedCase = await call(fake, org("stripe.com"), { key: null, headers: { "X-Api-Key": KEY } });
    assert.equal(mixedCase.status, 200);

    const legacy = await call(fake, "/v1/organizations/enrich?domain=stripe.com");
    assert.equal(legacy.status, 200);

    assert.equal((await call(fake, "/api/v1/nope")).status, 404);
    assert.equal((await call(fake, org("stripe.com"), { method: "DELETE" })).status, 404);
  });
});

Deno.test("auth/health: 200 for every key; only is_logged_in tells", async () => {
  await withFakeApollo({}, async (fake) => {
    const good = await call(fake, "/v1/auth/health");
    assert.deepEqual(good.json, { healthy: true, is_logged_in: true });
    const bad = await call(fake, "/v1/auth/health", { key: "fake-key-401" });
    assert.equal(bad.status, 200);
    assert.deepEqual(bad.json, { healthy: true, is_logged_in: false });
    const missing = await call(fake, "/api/v1/auth/health", { key: null });
    assert.deepEqual(missing.json, { healthy: true, is_logged_in: false });
  });
});

Deno.test("rate-limit headers on every API response, errors included; header style switchable", async () => {
  await withFakeApollo({}, async (fake) => {
    for (
      const answer of [
        await call(fake, org("stripe.com")),
        await call(fake, org("stripe.com"), { key: null }),
        await call(fake, org("stripe.com"), { key: "fake-key-401" }),
        await call(fake, org("status-500.test")),
      ]
    ) {
      for (
        const name of [
          "x-rate-limit-minute",
          "x-rate-limit-hourly",
          "x-minute-usage",
          "x-hourly-requests-left",
          "x-rate-limit-24-hour",
          "x-24-hour-requests-left",
        ]
      ) {
        assert.ok(answer.headers.get(name) !== null, `${answer.status}: ${name}`);
      }
      assert.equal(answer.headers.get("x-rate-limit-daily"), null);
    }
    const second = await call(fake, org("notion.so"));
    assert.equal(
      second.headers.get("x-minute-usage"),
      "3",
      "usage counts per team (a key of its own here) and endpoint",
    );
    await admin(fake, "POST", "settings", { headerStyle: "both" });
    const both = await call(fake, org("notion.so"));
    assert.equal(both.headers.get("x-rate-limit-daily"), "6000");
    assert.equal(both.headers.get("x-rate-limit-24-hour"), "6000");
  });
});

Deno.test("data: deterministic, realistic for well-known domains, stable generated records otherwise", async () => {
  await withFakeApollo({}, async (fake) => {
    const first = await call(fake, org("hubspot.com"));
    const again = await call(fake, org("HubSpot.com"));
    assert.equal(first.text, again.text);
    const hubspot = apollo.organizationEnrichResponseSchema.parse(first.json).organization!;
    assert.equal(hubspot.name, "HubSpot");
    assert.equal(hubspot.city, "Cambridge");
    assert.equal(hubspot.publicly_traded_symbol, "HUBS");
    assert.match(hubspot.id!, /^[0-9a-f]{24}$/);

    for (
      const domain of [
        "stripe.com",
        "notion.so",
        "figma.com",
        "linear.app",
        "vercel.com",
        "supabase.com",
        "airtable.com",
        "gong.io",
        "segment.com",
        "intercom.com",
        "zapier.com",
        "shopify.com",
        "atlassian.com",
        "canva.com",
      ]
    ) {
      const o = apollo.organizationEnrichResponseSchema.parse((await call(fake, org(domain))).json).organization!;
      assert.equal(o.primary_domain, domain);
      assert.ok(o.name && !o.name.includes("."), `${domain}: ${o.name}`);
      assert.ok((o.estimated_num_employees ?? 0) >= 50, domain);
    }

    const generated = apollo.organizationEnrichResponseSchema.parse((await call(fake, org("acme-widgets.com"))).json)
      .organization!;
    assert.equal(generated.name, "Acme Widgets");
    assert.equal(generated.primary_domain, "acme-widgets.com");
    assert.equal(typeof generated.estimated_num_employees, "number");
    const other = apollo.organizationEnrichResponseSchema.parse((await call(fake, org("globex.io"))).json)
      .organization!;
    assert.notEqual(other.id, generated.id);

    assert.deepEqual((await call(fake, org("unknown-acme.com"))).json, {});
    assert.deepEqual((await call(fake, org("acme.invalid"))).json, {});
    assert.deepEqual((await call(fake, org("null-match.test"))).json, { organization: null });
    const missing = await call(fake, "/api/v1/organizations/enrich");
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.json, { error: "Required parameter 'domain' missing" });
  });
});

Deno.test("people/match: JSON body or query params; names from the email; no match as {person: null}", async () => {
  await withFakeApollo({}, async (fake) => {
    const byBody = await call(fake, "/api/v1/people/match", { body: { email: "priya.raman@notion.so" } });
    const person = apollo.personMatchResponseSchema.parse(byBody.json).person!;
    assert.equal(person.name, "Priya Raman");
    assert.equal(person.organization?.name, "Notion");
    assert.equal(person.email_status, "verified");

    const byQuery = await call(fake, "/api/v1/people/match?email=priya.raman%40notion.so", { method: "POST" });
    assert.equal(byQuery.text, byBody.text);

    const byName = apollo.personMatchResponseSchema.parse(
      (await call(fake, "/api/v1/people/match", {
        body: { first_name: "Ada", last_name: "Lovelace", domain: "figma.com" },
      })).json,
    ).person!;
    assert.equal(byName.email, "ada.lovelace@figma.com");

    const locked = apollo.personMatchResponseSchema.parse(
      (await call(fake, "/api/v1/people/match", { body: { name: "Al B", domain: "locked-corp.com" } })).json,
    ).person!;
    assert.equal(locked.email, "email_not_unlocked@locked-corp.com");

    for (
      const body of [{ email: "unknown@stripe.com" }, { email: "a.b@no-match.test" }, {
        first_name: "Only",
        last_name: "Name",
      }]
    ) {
      assert.deepEqual(
        (await call(fake, "/api/v1/people/match", { body })).json,
        { person: null },
        JSON.stringify(body),
      );
    }
  });
});

Deno.test("bulk routes: results by domain/identity, misses left out, limits of 10", async () => {
  await withFakeApollo({}, async (fake) => {
    const bulk = await call(fake, "/api/v1/organizations/bulk_enrich", {
      body: { domains: ["stripe.com", "unknown-x.com", "figma.com", "stripe.com"] },
    });
    const parsed = apollo.bulkOrganizationResponseSchema.parse(bulk.json);
    assert.equal(parsed.total_requested_domains, 4);
    assert.equal(parsed.unique_domains, 3);
    assert.equal(parsed.unique_enriched_records, 2);
    assert.equal(parsed.missing_records, 1);
    assert.deepEqual(parsed.organizations?.map((o) => o?.primary_domain).sort(), ["figma.com", "stripe.com"]);
    assert.equal(bulk.headers.get("x-rate-limit-hourly"), "300", "bulk gets a fraction of the limits");

    const byQuery = await call(fake, "/api/v1/organizations/bulk_enrich?domains[]=linear.app&domains[]=gong.io", {
      method: "POST",
    });
    assert.equal(apollo.bulkOrganizationResponseSchema.parse(byQuery.json).unique_enriched_records, 2);

    const tooMany = await call(fake, "/api/v1/organizations/bulk_enrich", {
      body: { domains: Array.from({ length: 11 }, (_, i) => `d${i}.com`) },
    });
    assert.equal(tooMany.status, 422);

    const people = apollo.bulkPeopleResponseSchema.parse(
      (await call(fake, "/api/v1/people/bulk_match", {
        body: {
          details: [{ email: "maya.lindqvist@stripe.com" }, { email: "nobody@stripe.com" }, {
            email: "tom.becker@figma.com",
          }],
        },
      })).json,
    );
    assert.equal(people.credits_consumed, 2);
    assert.equal(people.missing_records, 1);
    assert.deepEqual(people.matches?.map((m) => m?.email).sort(), [
      "maya.lindqvist@stripe.com",
      "tom.becker@figma.com",
    ]);
  });
});

Deno.test("api_profile and usage stats; key patterns for 403 and non-master keys", async () => {
  await withFakeApollo({}, async (fake) => {
    const profile = apollo.apiProfileResponseSchema.parse((await call(fake, "/api/v1/users/api_profile")).json);
    assert.match(profile.id!, /^[0-9a-f]{24}$/);
    assert.ok(profile.email);
    assert.equal((await call(fake, "/api/v1/users/api_profile", { key: "fake-key-401" })).status, 401);

    await call(fake, org("stripe.com"));
    const usage = apollo.usageStatsResponseSchema.parse(
      (await call(fake, "/api/v1/usage_stats/api_usage_stats", { method: "POST" })).json,
    );
    assert.equal(usage['["api/v1/organizations", "enrich"]']?.day?.consumed, 1);
    assert.equal(
      (await call(fake, "/api/v1/usage_stats/api_usage_stats", { method: "POST", key: "fake-key-no-master" })).status,
      403,
    );
    assert.equal((await call(fake, org("stripe.com"), { key: "fake-key-no-master" })).status, 200);

    const forbidden = await call(fake, org("stripe.com"), { key: "fake-key-403-x" });
    assert.equal(forbidden.status, 403);
    assert.deepEqual(forbidden.json, {
      error: "api/v1/organizations/enrich is not accessible with this api_key",
      error_code: "API_INACCESSIBLE",
    });
    const credits = await call(fake, org("stripe.com"), { key: "fake-key-no-credits" });
    assert.deepEqual([credits.status, credits.json], [422, {
      error: "Insufficient credits. Please upgrade your plan.",
    }]);
    assert.equal((await call(fake, "/api/v1/users/api_profile", { key: "fake-key-no-credits" })).status, 200);
    const limited = await call(fake, org("stripe.com"), { key: "fake-key-429-9" });
    assert.deepEqual([limited.status, limited.headers.get("retry-after")], [429, "9"]);
    assert.equal((await call(fake, org("stripe.com"), { key: "fake-key-500" })).status, 500);
    assert.ok(
      apollo.healthResponseSchema.parse((await call(fake, "/v1/auth/health", { key: "fake-key-500" })).json).healthy,
    );
  });
});

Deno.test("scripts: '429 then success' and '500 then success' for a domain, a key or a path", async () => {
  await withFakeApollo({}, async (fake) => {
    const created = await admin(fake, "POST", "scripts", {
      domain: "stripe.com",
      status: 429,
      times: 2,
      retryAfterSeconds: 3,
    });
    assert.equal(created.status, 201);
    const a = await call(fake, org("stripe.com"));
    const b = await call(fake, org("stripe.com"));
    assert.deepEqual([a.status, a.headers.get("retry-after"), b.status], [429, "3", 429]);
    assert.equal((await call(fake, org("figma.com"))).status, 200, "other domains are untouched");
    assert.equal((await call(fake, org("stripe.com"))).status, 200, "then success");

    fake.fake.script({ key: "k-500-then-ok", status: 500, times: 1 });
    assert.equal((await call(fake, org("notion.so"), { key: "k-500-then-ok" })).status, 500);
    assert.equal((await call(fake, org("notion.so"), { key: "k-500-then-ok" })).status, 200);

    await admin(fake, "POST", "scripts", { path: "/api/v1/people/match", status: 503, times: 1 });
    assert.equal((await call(fake, org("notion.so"))).status, 200);
    const p = await call(fake, "/api/v1/people/match", { body: { email: "a.b@notion.so" } });
    assert.equal(p.status, 503);
    assert.match(p.text, /<html>/);

    await admin(fake, "POST", "scripts", { domain: "linear.app", status: 418, times: 5 });
    assert.equal(((await admin(fake, "GET", "scripts")).json.scripts as unknown[]).length, 1);
    await admin(fake, "DELETE", "scripts");
    assert.equal((await call(fake, org("linear.app"))).status, 200);

    assert.equal((await admin(fake, "POST", "scripts", { status: "teapot" })).status, 400);
    const log = fake.fake.requests({ domain: "stripe.com" });
    assert.deepEqual(log.map((e) => [e.status, e.fault]), [[429, "script:1"], [429, "script:1"], [200, null]]);
  });
});

Deno.test("chaos faults: rates replay from a seed; 401 only for the given key; hangs end as 504 after hangMs", async () => {
  await withFakeApollo({}, async (fake) => {
    const run = async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await call(fake, org(`d${i}.com`))).status);
      return statuses;
    };
    const set = await admin(fake, "POST", "faults", { seed: 42, error500: 0.3, error429: 0.2, retryAfterSeconds: 4 });
    assert.equal(set.status, 200);
    const first = await run();
    await admin(fake, "POST", "faults", { seed: 42, error500: 0.3, error429: 0.2, retryAfterSeconds: 4 });
    const second = await run();
    assert.deepEqual(first, second, "same seed, same sequence");
    const count = (s: number) => first.filter((x) => x === s).length;
    assert.ok(count(500) >= 4 && count(500) <= 22, `500s: ${count(500)}`);
    assert.ok(count(429) >= 2 && count(429) <= 16, `429s: ${count(429)}`);
    assert.ok(count(200) >= 8, `200s: ${count(200)}`);
    await admin(fake, "POST", "faults", { seed: 7, error500: 0.3, error429: 0.2 });
    assert.notDeepEqual(await run(), first, "another seed, another sequence");

    await admin(fake, "POST", "faults", { seed: 1, unauthorized: 1, unauthorizedKey: "revoked-key" });
    assert.equal((await call(fake, org("stripe.com"), { key: "revoked-key" })).status, 401);
    assert.equal((await call(fake, org("stripe.com"), { key: "other-key" })).status, 200);

    await admin(fake, "POST", "faults", { seed: 1, timeout: 1, hangMs: 60 });
    const started = Date.now();
    const hung = await call(fake, org("stripe.com"));
    assert.equal(hung.status, 504);
    assert.ok(Date.now() - started >= 55);

    assert.equal(
      (await admin(fake, "POST", "faults", { error500: 0.8, error429: 0.5 })).status,
      400,
      "rates add up to more than 1",
    );
    assert.equal((await admin(fake, "POST", "faults", { error500: 2 })).status, 400);
    await admin(fake, "DELETE", "faults");
    assert.equal((await call(fake, org("stripe.com"))).status, 200);
    assert.deepEqual(fake.fake.requests().filter((e) => e.fault?.startsWith("chaos:")).length > 0, true);
  });
});

Deno.test("latency: added to every API answer until reset", async () => {
  await withFakeApollo({}, async (fake) => {
    await admin(fake, "POST", "latency", { ms: 300 });
    let started = performance.now();
    await call(fake, org("stripe.com"));
    assert.ok(performance.now() - started >= 290, "latency applied");
    assert.equal(((await admin(fake, "GET", "state")).json.settings as { latencyMs: number }).latencyMs, 300);
    await admin(fake, "POST", "reset");
    started = performance.now();
    await call(fake, org("stripe.com"));
    assert.ok(performance.now() - started < 250, "reset removes latency");
    const slowKey = performance.now();
    await call(fake, org("stripe.com"), { key: "fake-key-slow-80" });
    assert.ok(performance.now() - slowKey >= 75, "fake-key-slow-<ms>");
  });
});

Deno.test("request log: method, path, last 4 of the key only, domain, status; filters; clear; reset", async () => {
  await withFakeApollo({}, async (fake) => {
    const secret = "super-secret-apollo-key-WXYZ";
    await call(fake, org("www.stripe.com"), { key: secret });
    await call(fake, "/api/v1/people/match", { key: secret, body: { email: "x.y@figma.com" } });
    await call(fake, org("status-500.test"));
    const log = await admin(fake, "GET", "requests");
    const entries = log.json.requests as Array<Record<string, unknown>>;
    assert.equal(entries.length, 3);
    assert.ok(!JSON.stringify(entries).includes(secret), "the full key is never logged");
    assert.deepEqual(
      entries.map((e) => [e.seq, e.method, e.path, e.key_last4, e.domain, e.status, e.fault]),
      [
        [1, "GET", "/api/v1/organizations/enrich", "WXYZ", "stripe.com", 200, null],
        [2, "POST", "/api/v1/people/match", "WXYZ", "figma.com", 200, null],
        [3, "GET", "/api/v1/organizations/enrich", KEY.slice(-4), "status-500.test", 500, "domain:status-500.test"],
      ],
    );
    for (const e of entries) {
      assert.equal(Date.parse(e.at as string) - Date.parse(e.started_at as string), e.ms, "at = when answered");
    }
    const since = (await admin(fake, "GET", "requests?since=2")).json.requests as unknown[];
    assert.equal(since.length, 1);
    const byKey = (await admin(fake, "GET", "requests?key_last4=WXYZ")).json.requests as unknown[];
    assert.equal(byKey.length, 2);
    assert.equal(((await admin(fake, "GET", "requests?domain=figma.com")).json.requests as unknown[]).length, 1);
    assert.equal((await admin(fake, "GET", "requests?since=abc")).status, 400);
    assert.equal(
      ((await admin(fake, "GET", "requests")).json.requests as unknown[]).length,
      3,
      "admin calls are not logged",
    );

    await admin(fake, "DELETE", "requests");
    assert.equal(fake.fake.requests().length, 0);

    await call(fake, org("stripe.com"));
    fake.fake.script({ domain: "stripe.com", status: 500, times: 3 });
    await admin(fake, "POST", "faults", { error500: 1 });
    await admin(fake, "POST", "reset");
    const state = (await admin(fake, "GET", "state")).json;
    assert.deepEqual([state.faults, state.scripts, state.requests], [null, [], 0]);
    const fresh = await call(fake, org("stripe.com"));
    assert.equal(fresh.status, 200);
    assert.equal(fresh.headers.get("x-minute-usage"), "1", "reset clears the rate counters");
    assert.equal((await admin(fake, "GET", "nope")).status, 404);
  });
});

Deno.test("a client that gives up on a hang is logged with status 0, and close() ends pending hangs", async () => {
  await withFakeApollo({}, async (fake) => {
    const controller = new AbortController();
    const pending = fetch(`${fake.url}${org("hang.test")}`, {
      headers: { "x-api-key": KEY },
      signal: controller.signal,
    });
    await sleep(50);
    controller.abort();
    await assert.rejects(pending);
    for (let i = 0; i < 50 && fake.fake.requests().length === 0; i++) await sleep(10);
    const [entry] = fake.fake.requests();
    assert.deepEqual([entry.status, entry.fault], [0, "domain:hang.test"]);
  });
  // A hang still pending when the server closes must not keep the test alive (the sanitizers would fail).
  const fake = startFakeApollo();
  const pending = fetch(`${fake.url}${org("hang.test")}`, { headers: { "x-api-key": KEY } })
    .then((r) => r.body?.cancel()).catch(() => {});
  await sleep(30);
  await fake.close();
  await pending;
});

Deno.test("enforced rate limits answer 429 with retry-after once a window is spent", async () => {
  const options = { enforceRateLimits: true, limits: { minute: 2 }, now: () => Date.parse("2025-01-01T00:00:30Z") };
  await withFakeApollo(options, async (fake) => {
    assert.equal((await call(fake, org("stripe.com"))).status, 200);
    assert.equal((await call(fake, org("stripe.com"))).status, 200);
    const third = await call(fake, org("stripe.com"));
    assert.equal(third.status, 429);
    // The minute window opened with the first call (at :30, not at :00), so it closes a full minute later.
    assert.equal(third.headers.get("retry-after"), "60", "until the minute window closes");
    assert.equal(third.headers.get("x-minute-requests-left"), "0");
    assert.equal(
      (await call(fake, org("stripe.com"), { key: "another-key" })).status,
      200,
      "per team: another key is a team of its own",
    );
    assert.equal(
      (await call(fake, "/api/v1/people/match", { body: { email: "a.b@stripe.com" } })).status,
      200,
      "per endpoint",
    );
  });
});
