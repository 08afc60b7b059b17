// The soak's settings: the full run (`npm run soak`) and the short one inside `npm test`
// (`--short`), plus command-line overrides. Everything random is drawn from one seeded PRNG, so a
// run's schedule of kills and restarts (and the fake Apollo's faults) replays from its seed.
import { parseArgs as nodeParseArgs } from "node:util";
import { mulberry32 } from "../stack/fake-apollo/faults.ts";

export interface Profile {
  name: "full" | "short";
  jobs: number;
  workspaces: number;
  seed: number;
  /** Share of accounts whose domain Apollo does not know (the job completes without a match). */
  noMatchRate: number;
  /** Fake Apollo's chaos, fractions of requests (README of scripts/stack/fake-apollo). */
  faults: { error500: number; error429: number; timeout: number; unauthorized: number; retryAfterSeconds: number };
  /** Latency the fake Apollo adds to every answer, so kills land while jobs are in flight. */
  apolloLatencyMs: number;
  /** Worker processes SIGKILLed mid-job, at random points of the run. */
  kills: number;
  /** Fraction of jobs finished when the gateway, then Postgres, is restarted. */
  gatewayRestartAt: number;
  postgresRestartAt: number;
  /** One workspace's queue of jobs is inserted every enqueueEveryMs (one INSERT, one wake-up). */
  enqueueEveryMs: number;
  /** Stand-in for a sub-minute pg_cron schedule: a worker call every tickMs while fewer than maxTickCalls run. */
  tickMs: number;
  maxTickCalls: number;
  /** The reaper (cron: every minute) is also run this often, as a seconds schedule would on pg_cron >= 1.5. */
  reapEveryMs: number;
  /** The whole run must end within this. */
  deadlineMs: number;
  /** Test knobs (docs in scripts/soak/README.md). */
  knobs: {
    /** private.settings retry_backoff_base_seconds: the backoff is base x 2^(n-1) instead of 60 x 2^(n-1). */
    backoffBaseSeconds: number;
    /** Functions' env: a short lease, so a killed worker's jobs are reaped in seconds. */
    leaseSeconds: number;
    /** Functions' env: Apollo calls give up after this (well inside the lease). */
    apolloTimeoutMs: number;
  };
}

const FULL: Profile = {
  name: "full",
  jobs: 5000,
  workspaces: 50,
  seed: 20261129,
  noMatchRate: 0.03,
  faults: { error500: 0.10, error429: 0.05, timeout: 0.02, unauthorized: 0.02, retryAfterSeconds: 1 },
  apolloLatencyMs: 40,
  kills: 12,
  gatewayRestartAt: 0.35,
  postgresRestartAt: 0.65,
  enqueueEveryMs: 1000,
  tickMs: 1000,
  maxTickCalls: 4,
  reapEveryMs: 3000,
  deadlineMs: 15 * 60_000,
  knobs: { backoffBaseSeconds: 1, leaseSeconds: 10, apolloTimeoutMs: 2500 },
};

const SHORT: Profile = {
  ...FULL,
  name: "short",
  jobs: 200,
  workspaces: 10,
  kills: 3,
  enqueueEveryMs: 500,
  deadlineMs: 4 * 60_000,
};


function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

/** The soak's command line (scripts/soak/README.md), parsed with node:util's parseArgs. */
export function soakArgs(args: string[]) {
  return nodeParseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      short: { type: "boolean", default: false },
      jobs: { type: "string" },
      workspaces: { type: "string" },
      seed: { type: "string" },
      kills: { type: "string" },
      reset: { type: "boolean", default: false },
      "no-reset": { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      cleanup: { type: "boolean", default: false },
    },
  }).values;
}

export type SoakArgs = ReturnType<typeof soakArgs>;

export function profileFrom(args: SoakArgs): Profile {
  const base = args.short ? SHORT : FULL;
  const jobs = positiveInt(args.jobs, "jobs") ?? base.jobs;
  const workspaces = positiveInt(args.workspaces, "workspaces") ?? base.workspaces;
  if (workspaces > jobs) throw new Error("--workspaces cannot exceed --jobs");
  return {
    ...base,
    jobs,
    workspaces,
    seed: positiveInt(args.seed, "seed") ?? base.seed,
    kills: args.kills === "0" ? 0 : positiveInt(args.kills, "kills") ?? base.kills,
  };
}

export function rng(seed: number) {
  const next = mulberry32(seed);
  return {
    next,
    between: (lo: number, hi: number) => lo + (hi - lo) * next(),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)],
  };
}
