// The project's Realtime limits at work: its rate counters and its connected users, and the
// checks a socket, a join and a batch of database changes go through (what each answers, and why,
// is in limits.ts).
import { RateCounter, type RealtimeLimits } from "./limits.ts";

export const TOO_MANY_USERS = "Too many connected users";
export const TOO_MANY_JOINS = "Too many joins per second";

/** A join refused by a limit: the reply's reason, and whether the socket is closed after it. */
export interface JoinRefusal {
  reason: string;
  closeSocket: boolean;
}

export class Tenant {
  #limits: RealtimeLimits;
  dbEvents!: RateCounter;
  /**
   * Channel events: here, broadcasts from the database (Realtime's events_per_second counter, which
   * its ReplicationConnection adds each realtime.messages row to; postgres changes count in dbEvents).
   */
  events!: RateCounter;
  joins!: RateCounter;
  /** Sockets that have joined a channel (Realtime's UsersCounter). */
  readonly #users = new Set<object>();

  constructor(limits: RealtimeLimits, private readonly log: (message: string) => void, private readonly now = Date.now) {
    this.#limits = limits;
    this.#startCounters();
  }

  get limits(): RealtimeLimits {
    return { ...this.#limits };
  }

  /** New limits; the counters start over, as Realtime restarts them when a tenant's limits change. */
  setLimits(limits: RealtimeLimits): void {
    this.#limits = { ...limits };
    this.#startCounters();
  }

  #startCounters(): void {
    this.dbEvents = new RateCounter(
      this.#limits.max_events_per_second,
      (rate) =>
        this.log(
          `MessagePerSecondRateLimitReached: Too many postgres changes messages per second ` +
            `(${rate.toFixed(1)}/s, limit ${this.#limits.max_events_per_second}): changes are skipped until it falls below`,
        ),
      this.now,
    );
    this.events = new RateCounter(
      this.#limits.max_events_per_second,
      (rate) =>
        this.log(
          `UnableToBroadcastChanges: too_many_requests: Too many broadcasts from the database per second ` +
            `(${rate.toFixed(1)}/s, limit ${this.#limits.max_events_per_second}): they are dropped until it falls below`,
        ),
      this.now,
    );
    this.joins = new RateCounter(
      this.#limits.max_joins_per_second,
      (rate) => this.log(`ClientJoinRateLimitReached: Too many joins per second (${rate.toFixed(1)}/s)`),
      this.now,
    );
  }

  /** Why a new socket is refused (HTTP 429), or null. */
  refuseSocket(): string | null {
    if (this.#users.size >= this.#limits.max_concurrent_users) return TOO_MANY_USERS;
    if (this.joins.tripped) return TOO_MANY_JOINS;
    return null;
  }

  /**
   * Checks a join in Realtime's order (users, joins, channels); a join that passes the joins check
   * is counted, even if it fails later. `otherChannels`: the socket's channels other than this topic.
   */
  refuseJoin(socket: object, otherChannels: number): JoinRefusal | null {
    if (!this.#users.has(socket) && this.#users.size >= this.#limits.max_concurrent_users) {
      return { reason: `ConnectionRateLimitReached: ${TOO_MANY_USERS}`, closeSocket: false };
    }
    if (this.joins.tripped) {
      return { reason: `ClientJoinRateLimitReached: ${TOO_MANY_JOINS}`, closeSocket: true };
    }
    this.joins.add();
    if (otherChannels >= this.#limits.max_channels_per_client) {
      return { reason: "ChannelRateLimitReached: Too many channels", closeSocket: false };
    }
    return null;
  }

  userJoined(socket: object): void {
    this.#users.add(socket);
  }

  userLeft(socket: object): void {
    this.#users.delete(socket);
  }

  /** What the stack's settings route reports: the limits and where the counters stand. */
  status() {
    return {
      ...this.limits,
      concurrent_users: this.#users.size,
      db_events: { per_second: this.dbEvents.rate, rate_limited: this.dbEvents.tripped },
      events: { per_second: this.events.rate, rate_limited: this.events.tripped },
      joins: { per_second: this.joins.rate, rate_limited: this.joins.tripped },
    };
  }
}
