// Tests of the worker under load: a workspace with a backlog of accounts behind a slow fake Apollo,
// and sampling the queue while the backlog's jobs run.
import { setTimeout as sleep } from "node:timers/promises";
import {
  createAccount, fakeApollo, finished, waitForJob, withBulkCallsOff, withCronPaused, withWorkspace, type Workspace,
} from "./stack.ts";

export interface Backlog {
  /** The workspace's name and Apollo key (withWorkspace). */
  name: string;
  apolloKey: string;
  /** How many accounts, with domains `${prefix}-<i>.example` (i from 0). */
  accounts: number;
  prefix: string;
  /** How long the fake Apollo takes to answer. */
  latencyMs: number;
}

/**
 * Runs fn in a fresh workspace with the backlog's accounts, while the fake Apollo answers after the
 * backlog's latency, every job makes its own Apollo call (bulk calls off) and pg_cron is paused (only
 * the test's own wake-ups run the worker). The latency is reset and the workspace deleted after.
 */
export function withBacklog<T>(backlog: Backlog, fn: (ws: Workspace, accountIds: string[]) => Promise<T>): Promise<T> {
  return withBulkCallsOff(() =>
    withCronPaused(async () => {
      await fakeApollo.reset();
      await fakeApollo.latency(backlog.latencyMs);
      try {
        return await withWorkspace(backlog.name, backlog.apolloKey, async (ws) => {
          const accountIds = [];
          for (let i = 0; i < backlog.accounts; i++) accountIds.push(await createAccount(ws.id, `${backlog.prefix}-${i}.example`));
          return await fn(ws, accountIds);
        });
      } finally {
        await fakeApollo.latency(0);
      }
    })
  );
}

/** Waits until every job has finished (each within timeoutMs), calling sample every intervalMs meanwhile. */
export async function sampleUntilFinished(jobIds: string[], timeoutMs: number, sample: () => Promise<void>, intervalMs = 20) {
  let done = false;
  const sampling = (async () => {
    while (!done) {
      await sample();
      await sleep(intervalMs);
    }
  })();
  try {
    for (const id of jobIds) await waitForJob(id, finished, timeoutMs);
  } finally {
    done = true;
    await sampling;
  }
}
