// Section 5b: Realtime at fan-out (issue 16). Workspaces with signed-in members, one supabase-js
// client (one socket) each, every member following its workspace's jobs, while the workspaces'
// running jobs report progress; Broadcast from the database and Postgres Changes measured in the
// same run, one round after the other, on the same clients:
//
// - Broadcast: private channel `workspace:<id>:jobs` (web/src/lib/topics.ts), authorized once at
//   join by RLS on realtime.messages; the product's statement trigger writes one row per statement
//   (and 100 jobs) to the workspace's topic into realtime.messages, its payload's `records` the
//   changed jobs' lean rows, which the gateway sends to whoever joined the topic.
// - Postgres Changes: postgres_changes UPDATE on public.jobs, filter workspace_id=eq.<id>; the
//   gateway checks every change against RLS as every matching subscriber (batched per subscriber
//   per slot poll, see scripts/stack/gateway/realtime/visibility.ts). The broadcast triggers on
//   jobs are disabled for these rounds, so their database figures are Postgres Changes' alone.
//
// Each round of each transport runs with one listening member per workspace, then with all of them,
// so the database work per change can be seen growing, or not, with the number of subscribers.
// Each change is a single-row UPDATE stamping a sequence number into progress.seq, sent at a fixed
// rate, each job once per round; the latency of a delivery runs from the end of that UPDATE in the
// database (clock_timestamp() in RETURNING, just before its commit; the database's clock, so a busy
// bench process cannot shorten it by noticing the commit late) to the supabase-js callback (same
// machine, same clock). Non-members: outsiders (users of a workspace without jobs) try to listen
// to a bench workspace in every round (the private join must be refused; the postgres_changes join
// is accepted by design and every change must then be withheld), and every frame any client's
// socket receives is checked: a job of another workspace than the client's own is a leak.
import type { RealtimeChannel } from "@supabase/supabase-js";
import postgres from "postgres";
import { type StackConfig } from "../../stack/config.ts";
import { envBlock } from "../../stack/status-env.ts";
import type { Sql } from "../lib/db.ts";
import { setCronWorker } from "../lib/fixtures.ts";
import { cpuProbe, cpuUsed } from "../lib/process-cpu.ts";
import {
  closeCrowd,
  createCrowd,
  type Crowd,
  type CrowdSize,
  type CrowdUser,
  inParallel,
  removeCrowd,
} from "../lib/realtime-crowd.ts";
import { quantile, round } from "../lib/stats.ts";
import { setTimeout as sleep } from "node:timers/promises";

export type Transport = "broadcast" | "postgres_changes";

export interface FanoutOptions extends CrowdSize {
  /** UPDATEs per second while a round runs */
  changesPerSecond: number;
  /** how long after the last commit deliveries are waited for before the rest count as missed */
  drainMs: number;
}

const WRITER_APP = "bench-realtime-writer";
/** Joins in flight at once: realtime-js times a join out after 10 s; a thousand at once would. */
const JOIN_CONCURRENCY = 50;

/** Wall-clock ms with a fraction, comparable with Postgres' clock_timestamp() on this machine. */
const wallNow = () => performance.timeOrigin + performance.now();

/** A job row as the two transports carry it (broadcast: payload.records[i]; postgres_changes: new). */
interface JobRecord {
  workspace_id?: string;
  progress?: { seq?: number };
}

/** The job rows a frame on the wire carries (decoded by realtime-js, vsn 1.0.0 or 2.0.0). */
function recordsOfFrame(message: { event?: string; payload?: Record<string, unknown> }): JobRecord[] {
  const p = message.payload as Record<string, Record<string, unknown>> | undefined;
  if (message.event === "broadcast") return recordsOf(p?.payload);
  if (message.event === "postgres_changes") return p?.data?.record ? [p.data.record as JobRecord] : [];
  return [];
}

/** A broadcast payload's job rows: `records` on a workspace's jobs topic, `record` elsewhere. */
function recordsOf(payload: unknown): JobRecord[] {
  const p = payload as { records?: JobRecord[]; record?: JobRecord } | undefined;
  return Array.isArray(p?.records) ? p.records : p?.record ? [p.record] : [];
}

/** Resolves with the first terminal status of a join. */
function joined(channel: RealtimeChannel): Promise<{ status: string; error?: Error }> {
  return new Promise((resolve) => channel.subscribe((status, error) => resolve({ status, error })));
}

const DB_GROUPS = ["writes", "wal_decoding", "realtime_queries", "other"] as const;

/** Which part of the work a backend does, by its application_name. */
function dbGroup(applicationName: string): string {
  if (applicationName === WRITER_APP) return "writes"; // the UPDATEs with their triggers
  if (applicationName === "stack-realtime-slot") return "wal_decoding"; // wal2json peeks of the slot
  if (applicationName === "stack-realtime") return "realtime_queries"; // RLS checks, join authorization
  return "other";
}

/** One change: the job's progress stamped with `seq`; resolves with the database clock at the UPDATE's end (ms). */
async function update(writer: Sql, jobId: string, seq: number): Promise<number> {
  const [row] = await writer<{ at: number }[]>`
    update public.jobs set progress = jsonb_build_object('percentage', ${seq % 101}::int, 'seq', ${seq}::int)
    where id = ${jobId}
    returning extract(epoch from clock_timestamp())::float8 * 1000 as at`;
  return row.at;
}

async function setBroadcastTriggers(sql: Sql, on: boolean) {
  await sql.unsafe(`alter table public.jobs ${on ? "enable" : "disable"} trigger broadcast_updated_jobs`);
}

interface RoundContext {
  sql: Sql;
  writer: Sql;
  crowd: Crowd;
  options: FanoutOptions;
  probe: ReturnType<typeof cpuProbe>;
  /** set by the round running: what the wire taps report to */
  onLeak: () => void;
  log: (s: string) => void;
}

async function runRound(ctx: RoundContext, transport: Transport, perWorkspace: number, seqBase: number) {
  const { sql, writer, crowd, options, log } = ctx;
  const listeners = crowd.members.filter((m) => m.rank < perWorkspace);
  const changes = crowd.workspaceIds.length * options.jobsPerWorkspace;
  // seen[listener * changes + i]: listener got change i; arrival times kept for the latency
  const seen = new Uint8Array(listeners.length * changes);
  const arrivals: Array<{ i: number; at: number }> = [];
  let duplicates = 0;
  let leaks = 0;
  ctx.onLeak = () => leaks++;
  const listening = { on: false };

  const arrived = (listener: number, user: CrowdUser, record: JobRecord | null | undefined) => {
    const at = wallNow();
    if (!listening.on || !record || record.workspace_id !== user.workspaceId) return; // leaks: counted on the wire
    const i = Number(record.progress?.seq) - seqBase;
    if (!(i >= 0 && i < changes)) return; // a change of an earlier round, arriving late
    if (seen[listener * changes + i]) duplicates++;
    else {
      seen[listener * changes + i] = 1;
      arrivals.push({ i, at });
    }
  };

  const channelOf = (user: CrowdUser, workspaceId: string, onRecord: (r: JobRecord | undefined) => void) =>
    transport === "broadcast"
      ? user.client.channel(`workspace:${workspaceId}:jobs`, { config: { private: true } })
        .on("broadcast", { event: "UPDATE" }, (m) => recordsOf(m.payload).forEach(onRecord))
      : user.client.channel(`bench-fanout-${seqBase}-${workspaceId}`)
        .on("postgres_changes", {
          event: "UPDATE",
          schema: "public",
          table: "jobs",
          filter: `workspace_id=eq.${workspaceId}`,
        }, (c) => onRecord(c.new as JobRecord));

  await setBroadcastTriggers(sql, transport === "broadcast");
  const joinStarted = performance.now();
  const channels: Array<{ user: CrowdUser; channel: RealtimeChannel }> = [];
  await inParallel(listeners.map((user, n) => ({ user, n })), JOIN_CONCURRENCY, async ({ user, n }) => {
    const channel = channelOf(user, user.workspaceId, (r) => arrived(n, user, r));
    channels.push({ user, channel });
    const { status, error } = await joined(channel);
    if (status !== "SUBSCRIBED") {
      throw new Error(`Realtime fan-out: a member's ${transport} join ended ${status} ${error?.message ?? ""}`);
    }
  });
  // Outsiders try a bench workspace each. A refused private join is left at once (realtime-js would
  // retry it every few seconds); a channel of their own empty workspace keeps their socket open, so
  // anything the gateway sent them would still show on the wire.
  let refused = 0;
  await inParallel(crowd.outsiders, JOIN_CONCURRENCY, async (user) => {
    const target = crowd.workspaceIds[crowd.outsiders.indexOf(user) % crowd.workspaceIds.length];
    const channel = channelOf(user, target, () => {});
    const { status } = await joined(channel);
    if (status === "SUBSCRIBED") channels.push({ user, channel });
    else {
      refused++;
      await user.client.removeChannel(channel);
      if (transport === "broadcast") {
        const own = channelOf(user, user.workspaceId, () => {});
        channels.push({ user, channel: own });
        await joined(own);
      }
    }
  });
  const joinS = (performance.now() - joinStarted) / 1000;
  // Warm-up, not measured: a change in every workspace (sequence numbers below the round's, so
  // ignored) warms the writer's connections, the triggers' plans and the gateway's checks.
  listening.on = true;
  await Promise.all(crowd.jobIds.map((jobs, w) => update(writer, jobs[0], seqBase - 1 - w)));
  await sleep(1000); // its deliveries and the joins' own work done before the CPU is read

  const commits = new Float64Array(changes);
  const cpuBefore = await ctx.probe.snapshot();
  const started = performance.now();
  const interval = 1000 / options.changesPerSecond;
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < changes; i++) {
    // wave by wave: the i-th change is job floor(i / W) of workspace i mod W
    const w = i % crowd.workspaceIds.length;
    const jobId = crowd.jobIds[w][Math.floor(i / crowd.workspaceIds.length)];
    const wait = started + i * interval - performance.now();
    if (wait >= 1) await sleep(wait);
    writes.push(update(writer, jobId, seqBase + i).then((at) => commits[i] = at));
  }
  await Promise.all(writes);
  const writeS = (performance.now() - started) / 1000;
  const expected = listeners.length * options.jobsPerWorkspace; // a change reaches its own workspace's listeners
  const deadline = performance.now() + options.drainMs;
  while (arrivals.length < expected && performance.now() < deadline) await sleep(20);
  const cpuAfter = await ctx.probe.snapshot();
  const windowS = (performance.now() - started) / 1000;
  listening.on = false;
  // anything still on its way to a non-member would be counted until the channels are left
  await sleep(500);
  ctx.onLeak = () => {};
  await inParallel(channels, JOIN_CONCURRENCY, ({ user, channel }) => user.client.removeChannel(channel));

  const delays = arrivals.map((a) => a.at - commits[a.i]);
  const cpu = cpuUsed(cpuBefore, cpuAfter);
  const perChange = (ms: number) => round(ms / changes, 3);
  const known = DB_GROUPS.filter((g) => g !== "other").reduce((s, g) => s + (cpu.by_group_ms[g] ?? 0), 0);
  const result = {
    transport,
    subscribers: listeners.length,
    members_per_workspace: perWorkspace,
    workspaces: crowd.workspaceIds.length,
    non_members_trying: crowd.outsiders.length,
    non_member_joins_refused: refused,
    join_s: round(joinS, 1),
    changes,
    changes_per_s: round(changes / writeS, 1),
    expected_deliveries: expected,
    deliveries: arrivals.length,
    missed: expected - arrivals.length,
    duplicates,
    to_non_members: leaks,
    latency_ms: {
      n: delays.length,
      p50: round(quantile(delays, 0.5), 1),
      p95: round(quantile(delays, 0.95), 1),
      p99: round(quantile(delays, 0.99), 1),
      max: round(Math.max(...delays), 1),
      min: round(Math.min(...delays), 1),
    },
    measured_window_s: round(windowS, 1),
    db_cpu_ms_per_change: perChange(cpu.postgres_ms),
    db_cpu_ms_per_change_by_part: {
      writes: perChange(cpu.by_group_ms.writes ?? 0),
      wal_decoding: perChange(cpu.by_group_ms.wal_decoding ?? 0),
      realtime_queries: perChange(cpu.by_group_ms.realtime_queries ?? 0),
      other: perChange(cpu.postgres_ms - known),
    },
    gateway_cpu_ms_per_change: perChange(cpu.gateway_ms),
  };
  log(
    `  ${transport === "broadcast" ? "Broadcast" : "Postgres Changes"}, ${listeners.length} subscribers: ` +
      `${arrivals.length}/${expected} delivered (${result.missed} missed, ${leaks} to non-members, ` +
      `${refused}/${crowd.outsiders.length} outsider joins refused), p50 ${result.latency_ms.p50} ms, ` +
      `p95 ${result.latency_ms.p95} ms, p99 ${result.latency_ms.p99} ms; DB ${result.db_cpu_ms_per_change} ms CPU ` +
      `per change, gateway ${result.gateway_cpu_ms_per_change} ms (joins ${result.join_s} s, writes ${
        round(writeS, 1)
      } s)`,
  );
  return result;
}

export type FanoutRound = Awaited<ReturnType<typeof runRound>>;

/** The gateway's Realtime limits as it runs (the bench stack raises them, see BENCH_REALTIME_LIMITS). */
async function realtimeLimits(config: StackConfig): Promise<Record<string, unknown>> {
  const env = await envBlock(config);
  const response = await fetch(`${env.API_URL}/_stack/realtime/settings`, {
    headers: { apikey: env.SECRET_KEY ?? env.SERVICE_ROLE_KEY },
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`Realtime settings: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Idle CPU of the cluster and the gateway, ms per second, with every client connected and no change made. */
async function idleCpu(probe: ReturnType<typeof cpuProbe>, ms: number) {
  const before = await probe.snapshot();
  await sleep(ms);
  const used = cpuUsed(before, await probe.snapshot());
  return {
    db_ms_per_s: round(used.postgres_ms / (ms / 1000), 1),
    gateway_ms_per_s: round(used.gateway_ms / (ms / 1000), 1),
  };
}

export async function realtimeFanoutSection(
  sql: Sql,
  config: StackConfig,
  options: FanoutOptions,
  log: (s: string) => void,
) {
  const limits = await realtimeLimits(config);
  const setupStarted = performance.now();
  const crowd = await createCrowd(sql, config, options);
  log(
    `  ${crowd.members.length} members in ${crowd.workspaceIds.length} workspaces and ${crowd.outsiders.length} outsiders ` +
      `signed in, ${crowd.workspaceIds.length * options.jobsPerWorkspace} jobs (${
        round((performance.now() - setupStarted) / 1000, 1)
      } s)`,
  );
  const writer = postgres(config.dbUrl, { max: 4, onnotice: () => {}, connection: { application_name: WRITER_APP } });
  const probe = cpuProbe(sql, config, dbGroup);
  const ctx: RoundContext = { sql, writer, crowd, options, probe, onLeak: () => {}, log };
  // Every socket's frames, checked: a job row of another workspace than the client's own is a leak.
  for (const user of [...crowd.members, ...crowd.outsiders]) {
    // deno-lint-ignore no-explicit-any
    (user.client.realtime as any).socketAdapter.onMessage(
      (message: { event?: string; payload?: Record<string, unknown> }) => {
        for (const record of recordsOfFrame(message)) {
          if (record.workspace_id && record.workspace_id !== user.workspaceId) ctx.onLeak();
        }
      },
    );
  }
  await setCronWorker(sql, false); // no worker call in the measured windows
  const rounds: FanoutRound[] = [];
  let idle;
  try {
    idle = await idleCpu(probe, 3000);
    let seqBase = 1_000_000;
    for (const transport of ["broadcast", "postgres_changes"] as const) {
      for (const perWorkspace of [...new Set([1, options.membersPerWorkspace])]) {
        rounds.push(await runRound(ctx, transport, perWorkspace, seqBase));
        seqBase += 1_000_000;
      }
    }
  } finally {
    await setBroadcastTriggers(sql, true);
    await setCronWorker(sql, true);
    await closeCrowd(crowd);
    await writer.end({ timeout: 2 });
    await removeCrowd(sql, crowd);
  }
  return {
    workspaces: options.workspaces,
    members_per_workspace: options.membersPerWorkspace,
    jobs_per_workspace: options.jobsPerWorkspace,
    outsiders: options.outsiders,
    changes_per_s: options.changesPerSecond,
    drain_ms: options.drainMs,
    realtime_limits: {
      max_events_per_second: limits.max_events_per_second,
      max_joins_per_second: limits.max_joins_per_second,
      max_channels_per_client: limits.max_channels_per_client,
      max_concurrent_users: limits.max_concurrent_users,
    },
    idle_cpu: idle,
    rounds,
  };
}

export type FanoutResult = Awaited<ReturnType<typeof realtimeFanoutSection>>;
