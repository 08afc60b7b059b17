// A project's Realtime limits, enforced the way Supabase Realtime enforces a tenant's limits.
//
// What hosted Realtime does (supabase/realtime: Realtime.RateCounter, Tenants.*_rate,
// PostgresCdcRls.ReplicationPoller, RealtimeChannel, UserSocket, TenantRateLimiters):
// - Each per-second limit is a rate counter: counts are collected for 5 s ticks, the last 12 ticks
//   (one minute) are kept, and the rate is their average per second (sum / ticks / 5). Right after
//   the counter starts, the window is only the ticks seen so far: the first tick alone decides. At a
//   tick the limit trips when the rate is >= the limit, and releases at the first tick where it is
//   below. A counter whose window has been all zeros at its 5-minute idle check stops, and the next
//   use starts a fresh one (short window again).
// - Database changes (postgres_changes): every change counts once per subscription it is delivered to.
//   While the counter is tripped the poller still consumes the replication slot, but the changes it
//   reads are skipped: nothing is sent, nothing is queued for later, and no client is told (the
//   server only logs "MessagePerSecondRateLimitReached: Too many postgres changes messages per
//   second"). Channels stay joined and deliver again once the rate is below the limit.
// - Broadcast: each message delivered to a channel counts on the tenant's events counter; a channel
//   that receives a message while it is tripped gets a `system` event {extension: "system", status:
//   "error", message: "Too many messages per second"} and is closed (phx_close): realtime-js reports
//   CLOSED and does not rejoin it. Broadcasts from the database are dropped while it is tripped.
//   (The stand-in serves no Broadcast yet; a Broadcast transport would count on `events`.)
// - Joins per second: a join while tripped is answered {reason: "ClientJoinRateLimitReached: Too many
//   joins per second"} and the socket is closed (code 1001); opening a socket while tripped is
//   refused with HTTP 429 {"error": "Too many joins per second"}.
// - Channels per client: a join over the limit is answered {reason: "ChannelRateLimitReached: Too
//   many channels"}; the socket stays open.
// - Concurrent users: a socket counts from its first successful join until it closes. Opening a
//   socket at the limit is refused with HTTP 429 {"error": "Too many connected users"}; a join from
//   an uncounted socket at the limit is answered {reason: "ConnectionRateLimitReached: Too many
//   connected users"}.
// Defaults are those of a Free project (Realtime's TENANT_MAX_* defaults): 100 events/s, 100 joins/s,
// 100 channels per client, 200 concurrent users. One difference: hosted Realtime waits 5 s before
// answering any failed join; the stand-in answers at once.

/** A project's Realtime limits, with Realtime's own (tenant) field names. */
export interface RealtimeLimits {
  max_events_per_second: number;
  max_joins_per_second: number;
  max_channels_per_client: number;
  max_concurrent_users: number;
}

export const DEFAULT_LIMITS: Readonly<RealtimeLimits> = {
  max_events_per_second: 100,
  max_joins_per_second: 100,
  max_channels_per_client: 100,
  max_concurrent_users: 200,
};

const ENV_NAMES: Record<keyof RealtimeLimits, string> = {
  max_events_per_second: "STACK_REALTIME_MAX_EVENTS_PER_SECOND",
  max_joins_per_second: "STACK_REALTIME_MAX_JOINS_PER_SECOND",
  max_channels_per_client: "STACK_REALTIME_MAX_CHANNELS_PER_CLIENT",
  max_concurrent_users: "STACK_REALTIME_MAX_CONCURRENT_USERS",
};

export class LimitsError extends Error {}

function positiveInteger(name: string, value: unknown): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    throw new LimitsError(`${name} must be a whole number of at least 1 (got ${JSON.stringify(value)})`);
  }
  return n;
}

/** The limits a gateway starts with: the defaults, each overridable by its STACK_REALTIME_* variable. */
export function limitsFromEnv(env: (name: string) => string | undefined = (n) => Deno.env.get(n)): RealtimeLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(ENV_NAMES) as Array<keyof RealtimeLimits>) {
    const raw = env(ENV_NAMES[key]);
    if (raw !== undefined && raw !== "") limits[key] = positiveInteger(ENV_NAMES[key], raw);
  }
  return limits;
}

/** `current` with the fields of `patch` applied; unknown fields and bad values are refused. */
export function patchLimits(current: RealtimeLimits, patch: unknown): RealtimeLimits {
  if (!patch || typeof patch !== "object" || Array.isArray(patch)) {
    throw new LimitsError("expected a JSON object of limits, e.g. {\"max_events_per_second\": 10}");
  }
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (!(key in DEFAULT_LIMITS)) {
      throw new LimitsError(`unknown setting ${key}: use ${Object.keys(DEFAULT_LIMITS).join(", ")}`);
    }
    next[key as keyof RealtimeLimits] = positiveInteger(key, value);
  }
  return next;
}

export const TICK_MS = 5_000;
export const WINDOW_TICKS = 12;
export const IDLE_CHECK_MS = 5 * 60_000;

/** Realtime's RateCounter with a limit, advanced lazily from the clock whenever it is used. */
export class RateCounter {
  #pending = 0;
  #window: number[] = [];
  #tripped = false;
  #nextTick = 0;
  #nextIdleCheck = 0;
  #rate = 0;

  constructor(
    readonly limit: number,
    private readonly onTrip: (rate: number) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {
    this.#start(now());
  }

  /** Counts `n` events (deliveries, joins) now. */
  add(n = 1): void {
    this.#advance();
    this.#pending += n;
  }

  /** Whether the limit tripped at the last tick (and has not yet released). */
  get tripped(): boolean {
    this.#advance();
    return this.#tripped;
  }

  /** The average per second over the window, as of the last tick. */
  get rate(): number {
    this.#advance();
    return this.#rate;
  }

  #start(at: number): void {
    this.#pending = 0;
    this.#window = [];
    this.#tripped = false;
    this.#rate = 0;
    this.#nextTick = at + TICK_MS;
    this.#nextIdleCheck = at + IDLE_CHECK_MS;
  }

  #advance(): void {
    const now = this.now();
    while (now >= Math.min(this.#nextTick, this.#nextIdleCheck)) {
      if (this.#nextIdleCheck <= this.#nextTick) {
        if (this.#window.every((count) => count === 0)) {
          // Stopped while idle; the next use starts a fresh counter.
          this.#start(now);
          return;
        }
        this.#nextIdleCheck += IDLE_CHECK_MS;
        continue;
      }
      this.#tick();
      this.#nextTick += TICK_MS;
    }
  }

  #tick(): void {
    this.#window.unshift(this.#pending);
    this.#pending = 0;
    if (this.#window.length > WINDOW_TICKS) this.#window.length = WINDOW_TICKS;
    const sum = this.#window.reduce((a, b) => a + b, 0);
    this.#rate = sum / this.#window.length / (TICK_MS / 1000);
    if (this.#tripped) {
      if (this.#rate < this.limit) this.#tripped = false;
    } else if (this.#rate >= this.limit) {
      this.#tripped = true;
      this.onTrip(this.#rate);
    }
  }
}
