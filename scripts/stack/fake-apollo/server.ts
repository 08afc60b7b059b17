// A fake Apollo.io API for tests and the local stack: Apollo's routes under /api/v1/ and /v1/, its auth rules,
// rate-limit headers on every response, deterministic data (data.ts), fault modes by key or domain
// (documented in full at the top of faults.ts) and an admin API under /__admin/ (admin.ts; see README.md).
//
// Valid key: any key not matching a fault pattern. Fault keys: fake-key-401, fake-key-401-json, fake-key-403,
// fake-key-no-master, fake-key-no-credits, fake-key-429[-<retry-after s>], fake-key-500, fake-key-slow-<ms>
// (each may carry a -suffix). Fault domains: *.invalid, unknown-*, no-match.test (no match {}), null-match.test
// ({"organization": null}), status-<code>.test, no-credits.test, slow-<ms>.test, hang.test, bad-json.test,
// bad-shape.test, float-revenue.test, locked-* (email_not_unlocked@).
//
//   const fake = startFakeApollo({ port: 0 });   // tests: a random free port
//   createApolloClient("any-key", { baseUrl: fake.apiUrl });
//   await fake.close();
//
// The parts: request.ts (routing and parsing), api.ts (one request in Apollo's order of precedence), answers.ts
// (each route's normal answer), plans.ts (rate-limit presets), teams.ts (which team a key is in), rate-limits.ts
// (windows and headers), team-limits.ts (plans, windows and credits per team), request-log.ts, admin.ts,
// fake.ts (the state that ties them together), types.ts (the shapes callers see).
import { createFakeApollo } from "./fake.ts";
import type { FakeApollo, FakeApolloOptions } from "./types.ts";

export { createFakeApollo } from "./fake.ts";
export type { FakeApollo, FakeApolloOptions, FakeSettings, RequestFilter, RequestLogEntry } from "./types.ts";
export type { PlanName } from "./plans.ts";

export interface RunningFakeApollo {
  /** http://127.0.0.1:<port> */
  url: string;
  /** http://127.0.0.1:<port>/api/v1, for the client's baseUrl / APOLLO_BASE_URL. */
  apiUrl: string;
  port: number;
  fake: FakeApollo;
  /** Stops listening; pending hangs and delays end at once. */
  close(): Promise<void>;
}

/** Listens on hostname:port (port 0: a random free port) until close(). */
export function startFakeApollo(
  options: FakeApolloOptions & { port?: number; hostname?: string } = {},
): RunningFakeApollo {
  const fake = createFakeApollo(options);
  const hostname = options.hostname ?? "127.0.0.1";
  const server = Deno.serve({ port: options.port ?? 0, hostname, onListen: () => {} }, fake.handler);
  const port = server.addr.port;
  const url = `http://${hostname}:${port}`;
  let closed: Promise<void> | null = null;
  return {
    url,
    apiUrl: `${url}/api/v1`,
    port,
    fake,
    close() {
      closed ??= (async () => {
        fake.close();
        await server.shutdown();
        await server.finished;
      })();
      return closed;
    },
  };
}

/** Runs fn against a fake Apollo of its own (a random port unless options say), closed afterwards: for tests. */
export async function withFakeApollo(
  options: Parameters<typeof startFakeApollo>[0],
  fn: (running: RunningFakeApollo) => Promise<void>,
): Promise<void> {
  const running = startFakeApollo(options);
  try {
    await fn(running);
  } finally {
    await running.close();
  }
}
