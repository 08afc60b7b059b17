// The fake's request log: one entry per API request, numbered in the order answers were sent, keeping the last
// `max` entries. Keys appear as their last four characters only.
import type { RequestFilter, RequestLogEntry } from "./types.ts";

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  constructor(private readonly max: number, private readonly print: boolean) {}

  /** A blank entry for a request that started at `started` (ms); filled in as the request is answered. */
  begin(method: string, path: string, started: number): RequestLogEntry {
    return {
      seq: 0,
      method,
      path,
      key_last4: null,
      team: null,
      records: 0,
      domain: null,
      status: 0,
      fault: null,
      at: "",
      started_at: new Date(started).toISOString(),
      ms: 0,
    };
  }

  /** Adds an answered entry (numbered now, in completion order, so polling with ?since= never skips a slow one). */
  add(entry: RequestLogEntry): void {
    entry.seq = ++this.seq;
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries = this.entries.slice(this.entries.length - this.max);
    if (this.print) {
      console.log(
        `${entry.at} ${entry.method} ${entry.path} key=…${entry.key_last4 ?? "-"} team=${entry.team ?? "-"} ` +
          `domain=${entry.domain ?? "-"} records=${entry.records} ` +
          `-> ${entry.status}${entry.fault ? ` (${entry.fault})` : ""} ${entry.ms} ms`,
      );
    }
  }

  list(filter: RequestFilter = {}): RequestLogEntry[] {
    return this.entries.filter((e) =>
      (filter.since === undefined || e.seq > filter.since) &&
      (filter.domain === undefined || (e.domain ?? "").split(",").includes(filter.domain.toLowerCase())) &&
      (filter.key_last4 === undefined || e.key_last4 === filter.key_last4) &&
      (filter.team === undefined || e.team === filter.team) &&
      (filter.path === undefined || e.path.endsWith(filter.path))
    ).map((e) => ({ ...e }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** Empties the log; `restart` also numbers the next entry 1 again (a full reset). */
  clear(restart = false): void {
    this.entries = [];
    if (restart) this.seq = 0;
  }
}
