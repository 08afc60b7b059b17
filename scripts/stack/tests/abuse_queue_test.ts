// Abuse of the queue by a signed-in member, through POST /rest/v1/jobs with supabase-js's own
// wire format: no row a browser can write may break the queue's monitoring. (Before: one job with
// scheduled_for = '-infinity' made queue_stats, ops.current_alerts, ops.health_snapshot,
// ops.queue_depth and ops.oldest_due_job fail, the reaper log errors every minute and the worker's
// health answer 503 "unhealthy".) Property test (fast-check, seeded): random job rows, with
// infinities, far dates, odd priorities, huge payloads and made-up types among them, are sent as
// the member; each answer is a 201 or a 4xx with a message; then every monitoring function and
// view answers, and the health check is not "unhealthy".
import assert from "node:assert/strict";
import { answer, assertNotServerError } from "./abuse_helpers.ts";
import { fc, fcOptions, NASTY_STRINGS } from "./abuse_inputs.ts";
import { testKeys } from "../../test/env.ts";
import { createFixture, testEnv } from "./rest_helpers.ts";

const REST = `${testEnv.API_URL}/rest/v1`;

// Half of each field's values are within the rules, so that rows really get in, next to the ones
// that must be refused.
const timestamps = fc.oneof(
  fc.constantFrom("infinity", "-infinity", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "294276-01-01T00:00:00Z",
    "1970-01-01T00:00:00Z", "not a date", ""),
  fc.date({ min: new Date("0100-01-01"), max: new Date("9999-01-01"), noInvalidDate: true }).map((d) => d.toISOString()),
  { arbitrary: fc.integer({ min: 0, max: 364 * 86_400 }).map((s) => new Date(Date.now() + s * 1000).toISOString()), weight: 3 },
);

const jobRows = (workspaceId: string) =>
  fc.record({
    workspace_id: fc.constant(workspaceId),
    job_type: fc.oneof(
      { arbitrary: fc.constantFrom("enrich_account", "enrich_contact"), weight: 4 },
      fc.constantFrom(...NASTY_STRINGS),
      fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/),
    ),
    scheduled_for: timestamps,
    priority: fc.oneof({ arbitrary: fc.integer({ min: -10, max: 10 }), weight: 3 }, fc.integer({ min: -40_000, max: 40_000 }),
      fc.constantFrom(-32768, 32767)),
    max_attempts: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 10 }), weight: 3 }, fc.integer({ min: -5, max: 200 }),
      fc.constant(2_147_483_647)),
    payload: fc.oneof(
      { arbitrary: fc.record({ account_id: fc.uuid(), domain: fc.domain() }), weight: 3 },
      fc.constant({}),
      fc.jsonValue({ maxDepth: 3 }),
      fc.integer({ min: 1, max: 300_000 }).map((n) => ({ blob: "x".repeat(n) })),
    ),
  }, { requiredKeys: ["workspace_id", "job_type"] });

/** Every monitoring function and view, as the service role and operators call them. */
const MONITORING = [
  "select public.queue_stats()",
  "select * from ops.current_alerts()",
  "select ops.health_snapshot()",
  "select * from ops.queue_depth",
  "select * from ops.oldest_due_job",
  "select * from ops.job_failure_rate_24h",
  "select * from ops.top_errors_24h",
  "select * from ops.credits_daily",
  "select * from ops.worker_invocations limit 50",
  "select private.record_queue_alerts()",
];

Deno.test("abuse: no job row a member can write breaks the queue's monitoring", async () => {
  const fx = await createFixture();
  const db = fx.db;
  // Quotas would stop the flood first; this test is about what gets through them.
  const [{ value: before }] = await db<{ value: string }[]>`
    select value from private.settings where key = 'max_enqueues_per_workspace_minute'`;
  await db`update private.settings set value = '100000' where key = 'max_enqueues_per_workspace_minute'`;
  // The stack's worker leaves this workspace's jobs alone (they would only fail: no such accounts).
  await db`update public.workspace_settings set jobs_paused_until = now() + interval '1 hour'
           where workspace_id = ${fx.alice.workspaceId}`;
  let accepted = 0;
  try {
    await fc.assert(
      fc.asyncProperty(jobRows(fx.alice.workspaceId), async (row) => {
        const a = await answer(
          await fetch(`${REST}/jobs`, {
            method: "POST",
            headers: {
              apikey: testKeys.client,
              authorization: `Bearer ${fx.alice.token}`,
              "content-type": "application/json",
              prefer: "return=minimal",
            },
            body: JSON.stringify(row),
          }),
        );
        assertNotServerError(a, `POST /rest/v1/jobs ${JSON.stringify(row).slice(0, 200)}`);
        if (a.status === 201) accepted++;
        for (const statement of MONITORING) {
          await db.begin(async (tx) => {
            await tx`set local role service_role`;
            await tx.unsafe(statement);
          });
        }
      }),
      { ...fcOptions, numRuns: Math.min(fcOptions.numRuns, 60) },
    );
    const health = await fetch(`${testEnv.API_URL}/functions/v1/job-worker`, {
      headers: { authorization: `Bearer ${testEnv.WORKER_SECRET_TOKEN}` },
    });
    const body = await health.json();
    assert.notEqual(body.status, "unhealthy", JSON.stringify(body).slice(0, 500));
    const [{ infinite }] = await db<{ infinite: number }[]>`
      select count(*)::integer as infinite from public.jobs where not isfinite(scheduled_for)`;
    assert.equal(infinite, 0, "no job has an infinite scheduled_for");
    console.log(`    ${accepted} of the random rows were accepted (within the rules); monitoring answered after each`);
    assert.ok(accepted > 0, "some valid rows got through, so monitoring saw real rows too");
  } finally {
    await db`update private.settings set value = ${before} where key = 'max_enqueues_per_workspace_minute'`;
    await db`delete from public.jobs where workspace_id = ${fx.alice.workspaceId}`;
    await fx.cleanup();
  }
});
