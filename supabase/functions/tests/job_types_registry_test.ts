// The worker's processors and the jobs API's payload schemas against public.job_types: every
// enabled type has a processor and a payload schema, and every processor has a type. A type added
// in SQL without a processor (its jobs would wait forever), or a processor without its type (its
// jobs could never be queued), fails here.
import assert from "node:assert/strict";
import { TEST_JOB_TYPE_DESCRIPTION_PREFIX } from "../../../scripts/test/job-types.ts";
import { payloadSchemas } from "../_shared/jobs/payloads.ts";
import { processors } from "../job-worker/processors/registry.ts";
import { integration, sql } from "./helpers/stack.ts";

integration("every enabled job type has a processor and a payload schema, and every processor a job type", async () => {
  const types = await sql<{ name: string; enabled: boolean; subject: string | null; batchable: boolean }[]>`
    select name, enabled, subject, batchable from public.job_types
    where description not like ${TEST_JOB_TYPE_DESCRIPTION_PREFIX + "%"} order by name`;
  const enabled = types.filter((t) => t.enabled).map((t) => t.name);
  assert.deepEqual(enabled, [...processors.keys()].sort(), "enabled job types = the worker's processors");
  assert.deepEqual(enabled, Object.keys(payloadSchemas).sort(), "enabled job types = the jobs API's payload schemas");
  for (const processor of processors.values()) {
    const type = types.find((t) => t.name === processor.jobType);
    assert.ok(type, `processor ${processor.jobType} has a row in public.job_types`);
    assert.equal(type.batchable, Boolean(processor.processBatch), `${processor.jobType}: batchable in SQL = a bulk path in the worker`);
  }
  for (const t of types.filter((t) => t.enabled && t.subject !== null)) {
    const shape = payloadSchemas[t.name as keyof typeof payloadSchemas].shape as Record<string, unknown>;
    assert.ok(`${t.subject}_id` in shape, `${t.name}'s payload names its ${t.subject} (${t.subject}_id)`);
  }
});
