// The functions host enforces the hosted runtime's limits (scripts/stack/functions/limits.ts): a
// probe function (fixtures/functions/limits-probe) run by the host's runner on the edge Deno, as
// the gateway runs the real functions, spends CPU, memory or time on request.
import assert from "node:assert/strict";
import { repoRoot } from "../config.ts";
import { edgeDeno } from "../edge-runtime.ts";
import { waitFor } from "../shell.ts";
import { setTimeout as sleep } from "node:timers/promises";

const FIXTURES = `${repoRoot}/scripts/stack/tests/fixtures/functions`;

interface Probe {
  call(
    query: string,
  ): Promise<{ status: number; cpuMs: number; body: { ok?: boolean; code?: string; message?: string } }>;
  exited(): Promise<Deno.CommandStatus | null>;
  stop(): Promise<void>;
}

async function startProbe(env: Record<string, string> = {}): Promise<Probe> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const child = new Deno.Command(edgeDeno(), {
    args: ["run", "-A", "--no-lock", `${repoRoot}/scripts/stack/functions/runner.ts`, "limits-probe", String(port)],
    env: { STACK_FUNCTIONS_DIR: FIXTURES, ...env },
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitFor(
    async () => {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        return true;
      } catch {
        return false;
      }
    },
    30_000,
    50,
  );
  let status: Deno.CommandStatus | null = null;
  const done = child.status.then((s) => (status = s));
  return {
    async call(query) {
      const response = await fetch(`http://127.0.0.1:${port}/limits-probe?${query}`);
      return {
        status: response.status,
        cpuMs: Number(response.headers.get("x-stack-cpu-ms")),
        body: await response.json(),
      };
    },
    async exited() {
      await Promise.race([done, sleep(5_000)]);
      return status;
    },
    async stop() {
      if (status === null) child.kill("SIGKILL");
      await done;
    },
  };
}

/** Runs a test against a probe of its own (env: the host's limits), stopped afterwards. */
async function withProbe(test: (probe: Probe) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const probe = await startProbe(env);
  try {
    await test(probe);
  } finally {
    await probe.stop();
  }
}

/** The answer of a request the host stopped at a limit: 546 WORKER_LIMIT, saying which limit. */
async function assertWorkerLimit(probe: Probe, query: string, message: RegExp): Promise<void> {
  const answer = await probe.call(query);
  assert.equal(answer.status, 546);
  assert.equal(answer.body.code, "WORKER_LIMIT");
  assert.match(answer.body.message ?? "", message);
}

Deno.test("functions host: work within the limits answers; waiting does not count as CPU time", () =>
  withProbe(async (probe) => {
    const light = await probe.call("cpu=300");
    assert.equal(light.status, 200);
    assert.ok(light.cpuMs >= 250 && light.cpuMs < 1_000, `charged ${light.cpuMs} ms for 300 ms of CPU`);
    assert.deepEqual((await probe.call("sleep=2500")).status, 200, "2.5 s of waiting is not 2.5 s of CPU");
    // Two requests at once, 1.2 s of CPU each: 2.4 s in all, but each is charged its own share.
    const both = await Promise.all([probe.call("cpu=1200"), probe.call("cpu=1200")]);
    assert.deepEqual(both.map((r) => r.status), [200, 200]);
  }));

Deno.test("functions host: past 2 s of CPU the request is answered 546 WORKER_LIMIT and the worker ends", () =>
  withProbe(async (probe) => {
    await assertWorkerLimit(probe, "cpu=3000", /CPU time limit reached \(\d+ ms of 2000 ms\)/);
    const status = await probe.exited();
    assert.ok(status && !status.success, "the process ended, as the runtime terminates the worker");
  }));

Deno.test("functions host: past 256 MB the request is answered 546 WORKER_LIMIT", () =>
  withProbe(async (probe) => {
    await assertWorkerLimit(probe, "mb=300&sleep=1000", /memory limit reached \(\d+ MB of 256 MB\)/);
    assert.ok(!(await probe.exited())?.success);
  }));

Deno.test("functions host: a request past the wall clock limit is answered 546 WORKER_LIMIT", () =>
  withProbe(async (probe) => {
    await assertWorkerLimit(probe, "sleep=3000", /wall clock limit reached \(1000 ms\)/);
  }, { STACK_FUNCTION_WALL_CLOCK_MS: "1000" }));
