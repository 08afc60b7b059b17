// The worker endpoint's auth and health (spec tests 3 and 9, "Worker Unauthorized (401)").
import assert from "node:assert/strict";
import { integration, runWorker, testEnv, WORKER_URL } from "./helpers/stack.ts";

integration("the worker refuses callers without the exact secret", async () => {
  const token = testEnv.WORKER_SECRET_TOKEN;
  for (const wrong of ["", "wrong", token.slice(0, -1), token + "x", token.toUpperCase()]) {
    const { status, body } = await runWorker(wrong);
    assert.equal(status, 401, `token ${JSON.stringify(wrong)}`);
    assert.deepEqual(body, { error: "Unauthorized" });
  }
  const none = await fetch(WORKER_URL, { method: "POST" });
  assert.equal(none.status, 401);
  assert.deepEqual(await none.json(), { error: "Unauthorized" });
  const noneGet = await fetch(WORKER_URL);
  assert.equal(noneGet.status, 401);
  await noneGet.body?.cancel();
});

integration("GET is the health check in the spec's shape, with queue numbers", async () => {
  const { status, body } = await runWorker(testEnv.WORKER_SECRET_TOKEN, "GET");
  assert.equal(status, 200);
  assert.equal(body.status, "healthy");
  assert.equal(body.worker_exists, true);
  assert.match(body.worker_id, /^supabase-local-/);
  assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
  assert.deepEqual(body.environment, { region: "local", env: "development" });
  for (const key of ["pending", "processing", "failed_last_24h", "oldest_pending_age_seconds"]) {
    assert.equal(typeof body.queue[key], "number", `queue.${key}`);
  }
});

integration("methods other than GET and POST are refused", async () => {
  const response = await fetch(WORKER_URL, { method: "DELETE", headers: { Authorization: `Bearer ${testEnv.WORKER_SECRET_TOKEN}` } });
  assert.equal(response.status, 405);
  assert.match((await response.json()).error, /not allowed/);
});
