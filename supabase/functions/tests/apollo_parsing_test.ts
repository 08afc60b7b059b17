// Pure parts of the Apollo module: rate-limit headers, retry-after, error mapping, domains, schemas.
import assert from "node:assert/strict";
import { describeRateLimit, parseRateLimit } from "../_shared/apollo/rate-limit.ts";
import {
  apolloMessage,
  errorFromResponse,
  isRetryableKind,
  parseRetryAfter,
  redact,
} from "../_shared/apollo/errors.ts";
import {
  apiProfileResponseSchema,
  bulkOrganizationResponseSchema,
  bulkPeopleResponseSchema,
  healthResponseSchema,
  organizationEnrichResponseSchema,
  personMatchResponseSchema,
  usageStatsResponseSchema,
} from "../_shared/apollo/schemas.ts";
import type { ApolloErrorKind, RateLimitInfo } from "../_shared/apollo/types.ts";

Deno.test("parseRateLimit: the documented and the observed header names; absent or junk values are left out", () => {
  const cases: Array<[string, Record<string, string>, RateLimitInfo]> = [
    ["the documented daily names", {
      "x-rate-limit-minute": "50",
      "x-minute-usage": "3",
      "x-minute-requests-left": "47",
      "x-rate-limit-hourly": "100",
      "x-hourly-usage": "10",
      "x-hourly-requests-left": "90",
      "x-rate-limit-daily": "300",
      "x-daily-usage": "20",
      "x-daily-requests-left": "280",
    }, {
      minuteLimit: 50,
      minuteUsage: 3,
      minuteLeft: 47,
      hourlyLimit: 100,
      hourlyUsage: 10,
      hourlyLeft: 90,
      dailyLimit: 300,
      dailyUsage: 20,
      dailyLeft: 280,
    }],
    ["the observed 24-hour names (any case)", {
      "X-Rate-Limit-24-Hour": "6000",
      "x-24-hour-usage": "12",
      "x-24-hour-requests-left": "5988",
      "x-rate-limit-minute": "200",
    }, { minuteLimit: 200, dailyLimit: 6000, dailyUsage: 12, dailyLeft: 5988 }],
    ["no headers", {}, {}],
    ["junk left out, spaces trimmed", { "x-rate-limit-minute": "lots", "x-hourly-usage": " 7 " }, { hourlyUsage: 7 }],
  ];
  for (const [what, headers, expected] of cases) assert.deepEqual(parseRateLimit(new Headers(headers)), expected, what);
});

Deno.test("describeRateLimit: what is left of each window", () => {
  assert.equal(
    describeRateLimit({ hourlyLeft: 5, hourlyLimit: 600, dailyLeft: 9 }),
    "5/600 left this hour, 9 left today",
  );
});

Deno.test("parseRetryAfter: seconds, fractions, HTTP dates, junk", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  assert.equal(parseRetryAfter("30", now), 30);
  assert.equal(parseRetryAfter(" 1.2 ", now), 2);
  assert.equal(parseRetryAfter("0", now), 0);
  assert.equal(parseRetryAfter("Wed, 01 Jan 2025 00:01:30 GMT", now), 90);
  assert.equal(parseRetryAfter("Tue, 31 Dec 2024 23:00:00 GMT", now), 0, "a date in the past means now");
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter("", now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

Deno.test("errorFromResponse: status and body decide the kind; retryable follows the kind", () => {
  const cases: Array<[number, string, ApolloErrorKind, boolean]> = [
    [401, "Invalid access credentials.", "unauthorized", false],
    [401, '{"status":401,"message":"Invalid access credentials."}', "unauthorized", false],
    [
      403,
      '{"error":"api/v1/people/match is not accessible with this api_key","error_code":"API_INACCESSIBLE"}',
      "forbidden",
      false,
    ],
    [422, '{"error":"Insufficient credits. Please upgrade your plan."}', "insufficient_credits", false],
    [422, '{"error":"Required parameter \'domain\' missing"}', "bad_request", false],
    [422, '{"error":"Api key required"}', "unauthorized", false],
    [400, "", "bad_request", false],
    [404, "<html>not found</html>", "bad_request", false],
    [408, "", "timeout", true],
    [429, '{"message":"The maximum number of api calls allowed ..."}', "rate_limited", true],
    [500, '{"error":"Internal Server Error"}', "server_error", true],
    [502, "<html><head><title>502 Bad Gateway</title></head></html>", "server_error", true],
    [304, "", "bad_response", true],
  ];
  for (const [status, body, kind, retryable] of cases) {
    const error = errorFromResponse({ status, bodyText: body, endpoint: "organizations/enrich", retryAfter: "5" });
    assert.equal(error.kind, kind, `${status} ${body}`);
    assert.equal(error.retryable, retryable, `${status} retryable`);
    assert.equal(isRetryableKind(kind), retryable);
    assert.equal(error.status, status);
    assert.equal(error.name, "ApolloError");
    assert.equal(error.retryAfterSeconds, kind === "rate_limited" ? 5 : undefined);
  }
});

Deno.test("errorFromResponse: messages quote Apollo, skip HTML, and scrub the key", () => {
  const key = "abcdefghij-secret";
  const e = errorFromResponse({
    status: 422,
    bodyText: `{"error":"bad key ${key}"}`,
    endpoint: "people/match",
    apiKey: key,
  });
  assert.ok(!e.message.includes(key));
  assert.match(e.message, /\[redacted\]/);
  assert.deepEqual(apolloMessage("<html><head><title>503 Service Unavailable</title></head></html>"), {
    text: "503 Service Unavailable",
  });
  assert.deepEqual(apolloMessage('{"error":"x","error_code":"API_INACCESSIBLE"}'), {
    text: "x",
    code: "API_INACCESSIBLE",
  });
  assert.equal(redact("k k k", "k"), "k k k", "keys shorter than 4 are not scrubbed (would mangle text)");
});

Deno.test("schemas: tolerant of nulls, extra fields, numeric strings and both no-match shapes", () => {
  assert.deepEqual(organizationEnrichResponseSchema.parse({}), {});
  assert.deepEqual(organizationEnrichResponseSchema.parse({ organization: null }), { organization: null });
  const org = organizationEnrichResponseSchema.parse({
    organization: {
      id: "5e66b6381e05b4008c8331b8",
      name: null,
      annual_revenue: 345600000.0,
      estimated_num_employees: "120",
      founded_year: null,
      phone: 4155550100,
      brand_new_field: { nested: true },
      industries: ["internet", null],
    },
    breadcrumbs: [],
  });
  assert.equal(org.organization?.annual_revenue, 345600000);
  assert.equal(org.organization?.estimated_num_employees, 120);
  assert.equal(org.organization?.phone, "4155550100");
  assert.deepEqual((org.organization as Record<string, unknown>).brand_new_field, { nested: true });
  assert.deepEqual((org as Record<string, unknown>).breadcrumbs, []);

  assert.equal(organizationEnrichResponseSchema.safeParse({ organization: "x" }).success, false);
  assert.equal(organizationEnrichResponseSchema.safeParse([]).success, false);
  assert.equal(organizationEnrichResponseSchema.safeParse({ organization: { annual_revenue: "lots" } }).success, false);

  assert.deepEqual(personMatchResponseSchema.parse({ person: null }), { person: null });
  assert.equal(personMatchResponseSchema.parse({ person: { id: "p1", organization: null } }).person?.id, "p1");
  assert.equal(
    bulkOrganizationResponseSchema.parse({ status: "success", organizations: [{ id: "a" }, null] }).organizations
      ?.length,
    2,
  );
  assert.equal(bulkPeopleResponseSchema.parse({ credits_consumed: 2, matches: [] }).credits_consumed, 2);
  assert.equal(apiProfileResponseSchema.parse({ id: "u", email: "a@b.c" }).email, "a@b.c");
  assert.equal(apiProfileResponseSchema.parse({ user: { id: "u" } }).user?.id, "u");
  assert.equal(healthResponseSchema.parse({ healthy: true, is_logged_in: false }).is_logged_in, false);
  assert.ok(
    usageStatsResponseSchema.parse({ '["api/v1/people", "match"]': { day: { limit: 1, consumed: 0, left_over: 1 } } }),
  );
});
