// The fake Apollo's request log, collected as the soak goes (the fake keeps only its last 10,000
// requests): every call the workers made, with its status, the key's last four characters and
// when it started and ended.

import type { RequestLogEntry } from "../stack/fake-apollo/server.ts";
import { fakeApolloAdmin } from "../stack/fake-apollo/admin-client.ts";

/** One entry of the fake's log (its shape is the fake's own). */
export type ApolloRequest = RequestLogEntry;

export class ApolloLog {
  readonly requests: ApolloRequest[] = [];
  #since = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly baseUrl: string) {}

  admin(method: string, path: string, body?: unknown): Promise<unknown> {
    return fakeApolloAdmin(this.baseUrl)(method, path, body);
  }

  #polling: Promise<void> = Promise.resolve();

  /** Fetches what is new since the last poll (one poll at a time, so nothing is added twice). */
  poll(): Promise<void> {
    this.#polling = this.#polling.catch(() => {}).then(() => this.#pollOnce());
    return this.#polling;
  }

  async #pollOnce(): Promise<void> {
    const body = await this.admin("GET", `requests?since=${this.#since}`) as { requests: ApolloRequest[] };
    for (const r of body.requests) {
      this.requests.push(r);
      this.#since = Math.max(this.#since, r.seq);
    }
  }

  start(everyMs = 2000) {
    this.#timer = setInterval(() => this.poll().catch(() => {}), everyMs);
  }

  async stop() {
    clearInterval(this.#timer);
    await this.poll();
  }
}
