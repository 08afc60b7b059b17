// The fake Apollo's rate limits, as Apollo's docs describe them: windows per team (keys of a team share them) and
// endpoint that open on the first call, plan presets, bulk endpoints at a tenth of the limits (in calls), window
// lengths scaled down for tests, 429 with an exact retry-after, headers on every answer, usage_stats and the
// admin API's usage. A fake clock (`now`) makes the window arithmetic exact; one test runs on the real clock.
import assert from "node:assert/strict";
import { type RunningFakeApollo, withFakeApollo } from "../server.ts";
import { bulkOrganizationResponseSchema, bulkPeopleResponseSchema } from "../../../../supabase/functions/_shared/apollo/schemas.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { admin, type Answer, callFake } from "./helpers.ts";

const T0 = Date.parse("2026-03-02T10:00:45.000Z");

/** A clock the test moves by hand. */
function fakeClock(start = T0) {
  const clock = { t: start, now: () => clock.t, advance: (ms: number) => void (clock.t += ms) };
  return clock;
}

/** A call to the API (path under /api/v1/) with key. */
const call = (fake: RunningFakeApollo, path: string, key: string, body?: unknown) =>
  callFake(fake, `/api/v1/${path}`, { key, body });

const enrich = (fake: RunningFakeApollo, key: string, domain = "stripe.com") =>
  call(fake, `organizations/enrich?domain=${domain}`, key);
const bulk = (fake: RunningFakeApollo, key: string, domains = ["stripe.com"]) =>
  call(fake, "organizations/bulk_enrich", key, { domains });

/** `n` calls in a row; the statuses. */
async function times(n: number, fn: (i: number) => Promise<Answer>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await fn(i)).status);
  return statuses;
}

/** The rate-limit headers of an answer, by name. */
function limitHeaders(a: Answer): Record<string, string> {
  return Object.fromEntries([...a.headers].filter(([name]) => /^x-.*(rate-limit|usage|requests-left)/.test(name)));
}

Deno.test("teams: keys put in one team (admin API or a -team-<name> suffix) share its windows; other keys do not", async () => {
  const clock = fakeClock();
  await withFakeApollo({ plan: "free", enforceRateLimits: true, now: clock.now }, async (fake) => {
    const put = await admin(fake, "POST", "teams", { team: "acme", keys: ["acme-key-one", "acme-key-two"] });
    assert.equal(put.status, 200);
    assert.deepEqual(put.json.teams, [{ team: "acme", keys_last4: ["-one", "-two"] }], "keys shown by last 4 only");

    // 50 per minute for the team, whichever key spends them.
    const statuses = await times(50, (i) => enrich(fake, i % 2 ? "acme-key-one" : "acme-key-two"));
    assert.deepEqual(new Set(statuses), new Set([200]));
    const spent = await enrich(fake, "acme-key-one");
    assert.equal(spent.status, 429, "the team's minute window is spent, for either key");
    assert.equal(spent.headers.get("x-minute-usage"), "50");
    assert.equal((await enrich(fake, "acme-key-two")).status, 429);
    assert.equal((await enrich(fake, "lone-key")).status, 200, "a key of its own has its own windows");
    assert.equal(
      (await call(fake, "people/match", "acme-key-one", { email: "a.b@stripe.com" })).status,
      200,
      "and windows are per endpoint",
    );

    // No setup: keys ending in -team-<name> share team <name>.
    await times(50, () => enrich(fake, "first-team-beta"));
    assert.equal((await enrich(fake, "second-team-beta")).status, 429);

    const log = fake.fake.requests();
    assert.equal(log.at(-1)!.team, "beta");
    assert.ok(log.some((e) => e.team === "acme"));
    const lone = log.find((e) => e.key_last4 === "-key" && e.team !== "acme")!;
    assert.match(lone.team!, /^[0-9a-f]{24}$/, "a team of its own is named by an id, never by the key");

    const profile = async (key: string) =>
      ((await call(fake, "users/api_profile", key)).json as { team_id: string }).team_id;
    assert.equal(await profile("acme-key-one"), await profile("acme-key-two"), "api_profile's team_id is the team's");
    assert.notEqual(await profile("acme-key-one"), await profile("lone-key"));

    await admin(fake, "DELETE", "teams");
    assert.equal((await enrich(fake, "acme-key-one")).status, 200, "out of the team, the key has fresh windows");
  });
});

Deno.test("a window opens on the first call and closes a window-length later, not at the clock's minute", async () => {
  const clock = fakeClock(); // 10:00:45
  await withFakeApollo({ plan: "free", enforceRateLimits: true, now: clock.now }, async (fake) => {
    const first = await enrich(fake, "k");
    assert.equal(first.headers.get("x-minute-usage"), "1");
    await times(49, () => enrich(fake, "k"));
    clock.advance(15_000); // 10:01:00: a clock-aligned window would have reopened here
    const atTheMinute = await enrich(fake, "k");
    assert.equal(atTheMinute.status, 429);
    assert.equal(atTheMinute.headers.get("retry-after"), "45", "the window opened at 10:00:45 closes at 10:01:45");

    clock.advance(44_999); // 1 ms before it closes
    const almost = await enrich(fake, "k");
    assert.equal(almost.status, 429);
    assert.equal(almost.headers.get("retry-after"), "1", "rounded up, never 0");

    clock.advance(1); // 10:01:45
    const reopened = await enrich(fake, "k");
    assert.equal(reopened.status, 200);
    assert.deepEqual(
      [reopened.headers.get("x-minute-usage"), reopened.headers.get("x-hourly-usage")],
      ["1", "51"],
      "a new minute window; the hour window still counts from 10:00:45, and refused calls are not counted",
    );

    const usage = (await admin(fake, "GET", "usage?key=k")).json;
    assert.deepEqual(usage.endpoints["organizations/enrich"].minute, {
      limit: 50,
      used: 1,
      left: 49,
      opens_at: "2026-03-02T10:01:45.000Z",
      resets_at: "2026-03-02T10:02:45.000Z",
    });
    assert.deepEqual(usage.endpoints["organizations/enrich"].hour, {
      limit: 200,
      used: 51,
      left: 149,
      opens_at: "2026-03-02T10:00:45.000Z",
      resets_at: "2026-03-02T11:00:45.000Z",
    });
  });
});

Deno.test("429: retry-after is the seconds until the spent window that closes last opens again, rounded up", async () => {
  const clock = fakeClock(Date.parse("2026-03-02T10:00:00.500Z"));
  await withFakeApollo({ plan: "free", enforceRateLimits: true, now: clock.now }, async (fake) => {
    // Bulk on Free: 5 calls a minute, 20 an hour. Four minutes of 5 calls spend the hour.
    for (let minute = 0; minute < 4; minute++) {
      if (minute > 0) clock.advance(60_000);
      assert.deepEqual(await times(5, () => bulk(fake, "k")), [200, 200, 200, 200, 200], `minute ${minute}`);
    }
    // 10:03:01: the minute window (opened 10:03:00.500) and the hour window (10:00:00.500) are both spent.
    clock.advance(500);
    const both = await bulk(fake, "k");
    assert.equal(both.status, 429);
    assert.equal(both.headers.get("retry-after"), "3420", "the hour window closes last: 3419.5 s, rounded up");
    assert.match((both.json as { message: string }).message, /organizations\/bulk_enrich is 20 times per hour/);

    clock.advance(59_700); // 10:04:00.700: a new minute would have room, the hour has none
    const hourOnly = await bulk(fake, "k");
    assert.deepEqual([hourOnly.status, hourOnly.headers.get("retry-after")], [429, "3360"], "3359.8 s rounded up");
    assert.equal(hourOnly.headers.get("x-minute-requests-left"), "5", "the refused call opened no window");
    assert.equal(hourOnly.headers.get("x-hourly-requests-left"), "0");

    clock.advance(3_359_800); // 11:00:00.500: the hour window closes
    assert.equal((await bulk(fake, "k")).status, 200);

    // Only the minute spent: retry-after counts to that window's end.
    await times(4, () => bulk(fake, "k"));
    clock.advance(12_345);
    const minuteOnly = await bulk(fake, "k");
    assert.deepEqual([minuteOnly.status, minuteOnly.headers.get("retry-after")], [429, "48"], "47.655 s rounded up");
    assert.match((minuteOnly.json as { message: string }).message, /is 5 times per minute/);
  });
});

Deno.test("presets: legacy-default (the default), free and basic, globally or per team; enforcement off by default", async () => {
  await withFakeApollo({ limits: { minute: 2 } }, async (fake) => {
    const statuses = await times(3, () => enrich(fake, "k"));
    assert.deepEqual(statuses, [200, 200, 200], "counted, not enforced, by default");
    const settings = (await admin(fake, "GET", "state")).json.settings;
    assert.equal(settings.plan, "legacy-default");
    assert.equal(settings.enforceRateLimits, false);
    assert.deepEqual(settings.limits, { minute: 2, hour: 600, day: 6000 });
  });

  await withFakeApollo({}, async (fake) => {
    const headersOf = async (key: string) => ({
      enrich: limitHeaders(await enrich(fake, key)),
      bulk: limitHeaders(await bulk(fake, key)),
      profile: limitHeaders(await call(fake, "users/api_profile", key)),
    });
    const window = (limit: number, used = 1) => ({ limit, used, left: limit - used });
    const expect = (m: ReturnType<typeof window> | null, h: typeof m, d: typeof m) => {
      const out: Record<string, string> = {};
      const put = (names: string[], w: typeof m) => {
        if (w) [w.limit, w.used, w.left].forEach((v, i) => out[names[i]] = String(v));
      };
      put(["x-rate-limit-minute", "x-minute-usage", "x-minute-requests-left"], m);
      put(["x-rate-limit-hourly", "x-hourly-usage", "x-hourly-requests-left"], h);
      put(["x-rate-limit-24-hour", "x-24-hour-usage", "x-24-hour-requests-left"], d);
      return out;
    };

    assert.deepEqual(await headersOf("legacy"), {
      enrich: expect(window(200), window(600), window(6000)),
      bulk: expect(window(100), window(300), window(3000)),
      profile: expect(window(200), window(600), window(6000)),
    });

    assert.equal((await admin(fake, "POST", "plan", { plan: "free" })).status, 200);
    assert.deepEqual(await headersOf("free"), {
      enrich: expect(window(50), window(200), window(600)),
      bulk: expect(window(5), window(20), window(60)),
      profile: expect(window(50), window(200), null),
    }, "Free: enrichment 50/200/600, bulk a tenth, other endpoints 50/min and 200/h");

    await admin(fake, "POST", "plan", { plan: "basic", team: "paid" });
    assert.deepEqual(await headersOf("k-team-paid"), {
      enrich: expect(window(1000), null, null),
      bulk: expect(window(100), null, null),
      profile: expect(window(200), window(400), null),
    }, "Basic: 1,000/min and no hourly or daily window (no headers for them); bulk 100/min");
    assert.equal(limitHeaders(await enrich(fake, "other"))["x-rate-limit-minute"], "50", "other teams keep the global");

    const teams = (await admin(fake, "GET", "teams")).json;
    assert.deepEqual(teams.policies, [{ team: "paid", plan: "basic" }]);

    await admin(fake, "POST", "settings", { limits: { minute: 12 } });
    const overridden = await headersOf("override");
    assert.equal(overridden.enrich["x-rate-limit-minute"], "12", "limits replace the global plan's enrichment ones");
    assert.equal(overridden.bulk["x-rate-limit-minute"], "1", "bulk: a tenth, at least 1");
    assert.equal(limitHeaders(await enrich(fake, "k2-team-paid"))["x-rate-limit-minute"], "1000", "not a team's own");

    await admin(fake, "POST", "reset");
    const state = (await admin(fake, "GET", "state")).json;
    assert.deepEqual([state.settings.plan, state.policies], ["legacy-default", []], "reset: back to the options");
  });

  const clock = fakeClock();
  await withFakeApollo({ now: clock.now }, async (fake) => {
    const enforced = await admin(fake, "POST", "plan", { plan: "basic", enforce: true });
    assert.equal(enforced.json.settings.enforceRateLimits, true);
    assert.deepEqual(new Set(await times(100, () => bulk(fake, "k"))), new Set([200]));
    const over = await bulk(fake, "k");
    assert.deepEqual([over.status, over.headers.get("retry-after")], [429, "60"]);
    await admin(fake, "POST", "plan", { plan: "basic", team: "lenient", enforce: false });
    assert.deepEqual(await times(101, () => bulk(fake, "k-team-lenient")), Array(101).fill(200), "per-team enforce");
  });

  await withFakeApollo({}, async (fake) => {
    assert.equal((await admin(fake, "POST", "plan", { plan: "gold" })).status, 400);
    assert.equal((await admin(fake, "POST", "plan", { plan: "free", team: "no spaces" })).status, 400);
    assert.equal((await admin(fake, "POST", "plan", { plan: "free", windowScale: 0 })).status, 400);
    assert.equal((await admin(fake, "POST", "teams", { team: "t", keys: [] })).status, 400);
  });
});

Deno.test("scaled windows: at 0.01 a minute lasts 0.6 s, an hour 36 s, a day 864 s; retry-after in real seconds", async () => {
  const clock = fakeClock();
  await withFakeApollo({ plan: "free", enforceRateLimits: true, windowScale: 0.01, now: clock.now }, async (fake) => {
    await times(5, () => bulk(fake, "k"));
    const spent = await bulk(fake, "k");
    assert.deepEqual([spent.status, spent.headers.get("retry-after")], [429, "0.6"], "seconds, with decimals");
    clock.advance(599.5);
    assert.equal((await bulk(fake, "k")).headers.get("retry-after"), "0.001", "rounded up to the millisecond");
    clock.advance(0.5);
    assert.equal((await bulk(fake, "k")).status, 200, "the 0.6 s minute is over");

    const windows = (await admin(fake, "GET", "usage?key=k")).json.endpoints["organizations/bulk_enrich"];
    const length = (w: { opens_at: string; resets_at: string }) => Date.parse(w.resets_at) - Date.parse(w.opens_at);
    assert.deepEqual([length(windows.minute), length(windows.hour), length(windows.day)], [600, 36_000, 864_000]);
    assert.equal((await admin(fake, "GET", "usage?key=k")).json.window_scale, 0.01);

    // The scale can change while running; whole seconds again at scale 1.
    await admin(fake, "POST", "settings", { windowScale: 1 });
    await times(4, () => bulk(fake, "k"));
    assert.equal((await bulk(fake, "k")).headers.get("retry-after"), "60");
  });
});

Deno.test("scaled windows on the real clock: wait the retry-after and the call goes through", async () => {
  await withFakeApollo({ plan: "free", enforceRateLimits: true, windowScale: 0.02 }, async (fake) => {
    // Bulk on Free at 0.02: 5 calls per 1.2 s. Call until refused (a slow machine may see a window close first).
    let refused: Answer | null = null;
    for (let i = 0; i < 60 && refused === null; i++) {
      const answer = await bulk(fake, "k");
      if (answer.status === 429) refused = answer;
    }
    assert.ok(refused, "five calls in well under 1.2 s spend the scaled minute");
    const wait = Number(refused.headers.get("retry-after"));
    assert.ok(wait > 0 && wait <= 1.2, `retry-after ${wait} s is within the 1.2 s window`);
    await sleep(Math.ceil(wait * 1000));
    assert.equal((await bulk(fake, "k")).status, 200);
  });
});

Deno.test("bulk: one call against the bulk windows, max 10 records, a 429 for the whole call over the limit", async () => {
  const clock = fakeClock();
  await withFakeApollo({ plan: "free", enforceRateLimits: true, now: clock.now }, async (fake) => {
    const ten = Array.from({ length: 10 }, (_, i) => `company-${i}.com`);
    const full = await bulk(fake, "k", ten);
    assert.equal(full.status, 200);
    assert.equal(full.headers.get("x-minute-usage"), "1", "ten records, one call");
    assert.equal(full.headers.get("x-rate-limit-minute"), "5", "a tenth of organizations/enrich's 50");
    assert.equal(bulkOrganizationResponseSchema.parse(full.json).unique_enriched_records, 10);

    const eleven = await bulk(fake, "k", [...ten, "company-10.com"]);
    assert.equal(eleven.status, 422);
    assert.deepEqual(eleven.json, { error: "Too many domains: cannot be more than 10 domains per request" });
    const people = await call(fake, "people/bulk_match", "k", {
      details: Array.from({ length: 11 }, (_, i) => ({ email: `p.n${i}@stripe.com` })),
    });
    assert.equal(people.status, 422);
    assert.deepEqual(people.json, { error: "Too many details: cannot be more than 10 people per request" });

    await times(3, () => bulk(fake, "k", ten));
    const over = await bulk(fake, "k", ten);
    assert.equal(over.status, 429);
    assert.equal((over.json as Record<string, unknown>).organizations, undefined, "nothing of the call is answered");

    const usage = (await admin(fake, "GET", "usage?key=k")).json;
    assert.equal(usage.credits, 40, "one credit per enriched record; refused and 422 calls cost nothing");
    const log = fake.fake.requests({ path: "bulk_enrich" });
    assert.deepEqual(log.map((e) => [e.records, e.status]), [
      [10, 200],
      [11, 422],
      [10, 200],
      [10, 200],
      [10, 200],
      [10, 429],
    ]);
    assert.equal(fake.fake.requests({ path: "people/bulk_match" })[0].records, 11);
  });
});

Deno.test("bulk: only matches come back, out of the request's order, so results must be matched by identity", async () => {
  await withFakeApollo({}, async (fake) => {
    const domains = ["stripe.com", "figma.com", "notion.so", "linear.app", "gong.io", "canva.com", "zapier.com"];
    const answer = bulkOrganizationResponseSchema.parse((await bulk(fake, "k", domains)).json);
    const returned = answer.organizations!.map((o) => o!.primary_domain);
    assert.deepEqual([...returned].sort(), [...domains].sort(), "every domain, matched by primary_domain");
    assert.notDeepEqual(returned, domains, "a client that matches by position gets the wrong company");
    const again = bulkOrganizationResponseSchema.parse((await bulk(fake, "k", domains)).json);
    assert.deepEqual(again.organizations!.map((o) => o!.primary_domain), returned, "the same request, the same order");

    const two = bulkOrganizationResponseSchema.parse((await bulk(fake, "k", ["stripe.com", "figma.com"])).json);
    assert.deepEqual(two.organizations!.map((o) => o!.primary_domain), ["figma.com", "stripe.com"], "even two swap");

    const emails = ["maya.lindqvist@stripe.com", "nobody@stripe.com", "tom.becker@figma.com", "ada.l@notion.so"];
    const people = bulkPeopleResponseSchema.parse(
      (await call(fake, "people/bulk_match", "k", { details: emails.map((email) => ({ email })) })).json,
    );
    const matched = people.matches!.map((m) => m!.email);
    assert.deepEqual([...matched].sort(), [emails[0], emails[2], emails[3]].sort(), "only matches");
    assert.notDeepEqual(matched, [emails[0], emails[2], emails[3]]);
    assert.deepEqual([people.credits_consumed, people.missing_records], [3, 1]);
  });
});

Deno.test("headers on every answer: successes, errors, fault answers and 429s alike (404s have no endpoint)", async () => {
  const clock = fakeClock();
  await withFakeApollo({ plan: "free", enforceRateLimits: true, now: clock.now }, async (fake) => {
    const answers: Array<[string, Answer]> = [
      ["200", await enrich(fake, "k")],
      ["422 missing domain", await call(fake, "organizations/enrich", "k")],
      ["401 key", await enrich(fake, "fake-key-401")],
      ["500 domain", await enrich(fake, "k", "status-500.test")],
      ["429 key", await enrich(fake, "fake-key-429-team-x")],
      [
        "503 script",
        await (async () => {
          fake.fake.script({ key: "k", status: 503, times: 1 });
          return await enrich(fake, "k");
        })(),
      ],
      ["health", await call(fake, "auth/health", "k")],
    ];
    await times(5, () => bulk(fake, "k"));
    answers.push(["429 rate limit", await bulk(fake, "k")]);
    for (const [what, answer] of answers) {
      const h = limitHeaders(answer);
      for (const name of ["x-rate-limit-minute", "x-minute-usage", "x-minute-requests-left"]) {
        assert.ok(h[name] !== undefined, `${what}: ${name}`);
      }
      for (const name of ["x-rate-limit-hourly", "x-hourly-usage", "x-hourly-requests-left"]) {
        assert.ok(h[name] !== undefined, `${what}: ${name}`);
      }
    }
    assert.equal(answers.at(-1)![1].headers.get("x-minute-requests-left"), "0");
    assert.equal(answers[4][1].headers.get("retry-after"), "2", "a fault key still answers its own 429");
    assert.equal(limitHeaders(await call(fake, "nope", "k"))["x-rate-limit-minute"], undefined);

    await admin(fake, "POST", "plan", { plan: "basic" });
    const paid = limitHeaders(await enrich(fake, "k", "status-500.test"));
    assert.deepEqual(Object.keys(paid).sort(), ["x-minute-requests-left", "x-minute-usage", "x-rate-limit-minute"]);
    await admin(fake, "POST", "settings", { headerStyle: "both", plan: "free" });
    const both = limitHeaders(await enrich(fake, "k"));
    assert.deepEqual(
      [both["x-rate-limit-24-hour"], both["x-rate-limit-daily"], both["x-daily-requests-left"]],
      ["600", "600", both["x-24-hour-requests-left"]],
    );
  });
});

Deno.test("usage_stats: per endpoint {day, hour, minute: {limit, consumed, left_over}} of the caller's team", async () => {
  const clock = fakeClock();
  await withFakeApollo({ plan: "free", now: clock.now }, async (fake) => {
    await times(3, () => enrich(fake, "one-team-t"));
    await times(2, () => bulk(fake, "two-team-t"));
    await call(fake, "people/match", "two-team-t", { email: "a.b@stripe.com" });
    clock.advance(90_000); // the minute windows have closed, the hour and day ones have not
    await enrich(fake, "one-team-t");
    const stats = (await call(fake, "usage_stats/api_usage_stats", "two-team-t", {})).json as Record<
      string,
      Record<string, unknown>
    >;
    assert.deepEqual(stats['["api/v1/organizations", "enrich"]'], {
      day: { limit: 600, consumed: 4, left_over: 596 },
      hour: { limit: 200, consumed: 4, left_over: 196 },
      minute: { limit: 50, consumed: 1, left_over: 49 },
    });
    assert.deepEqual(stats['["api/v1/organizations", "bulk_enrich"]'], {
      day: { limit: 60, consumed: 2, left_over: 58 },
      hour: { limit: 20, consumed: 2, left_over: 18 },
      minute: { limit: 5, consumed: 0, left_over: 5 },
    });
    assert.deepEqual(stats['["api/v1/people", "match"]'], {
      day: { limit: 600, consumed: 1, left_over: 599 },
      hour: { limit: 200, consumed: 1, left_over: 199 },
      minute: { limit: 50, consumed: 0, left_over: 50 },
    });
    assert.deepEqual(
      stats['["api/v1/users", "api_profile"]'],
      { hour: { limit: 200, consumed: 0, left_over: 200 }, minute: { limit: 50, consumed: 0, left_over: 50 } },
      "no daily window on Free's other endpoints",
    );
    const other = (await call(fake, "usage_stats/api_usage_stats", "stranger", {})).json as Record<
      string,
      { day: { consumed: number } }
    >;
    assert.equal(other['["api/v1/organizations", "enrich"]'].day.consumed, 0, "another team's numbers are its own");

    await admin(fake, "POST", "plan", { plan: "basic", team: "t" });
    const paid = (await call(fake, "usage_stats/api_usage_stats", "one-team-t", {})).json as Record<string, unknown>;
    assert.deepEqual(paid['["api/v1/organizations", "enrich"]'], {
      minute: { limit: 1000, consumed: 1, left_over: 999 },
    }, "Basic: only the minute window");

    const all = (await admin(fake, "GET", "usage")).json.teams as Array<{ team: string; credits: number }>;
    assert.deepEqual(all.map((t) => t.team).sort(), ["t", fake.fake.teamOf("stranger")].sort());
    assert.equal(all.find((t) => t.team === "t")!.credits, 4 + 2 + 1);
  });
});
