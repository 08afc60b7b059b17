// The Realtime fan-out table of bench/results.md (sections/realtime-fanout.ts; issue 16).
import type { FanoutResult } from "../sections/realtime-fanout.ts";

const fmt = (v: unknown) =>
  v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))
    ? "–"
    : typeof v === "number"
    ? v.toLocaleString("en-US")
    : String(v);
const row = (cells: unknown[]) => `| ${cells.map(fmt).join(" | ")} |`;
const table = (head: string[], rows: unknown[][]) =>
  [row(head), `|${head.map(() => "---").join("|")}|`, ...rows.map(row)].join("\n");

const NAME = { broadcast: "Broadcast", postgres_changes: "Postgres Changes" } as const;

/**
 * The section's markdown. `run` says when and under what load it was measured: the section may be
 * run on its own (--only=realtime) and merged into a report of another run.
 */
export function realtimeFanoutMarkdown(r: FanoutResult, run?: string): string {
  const n = (v: number) => v.toLocaleString("en-US");
  const full = r.rounds.filter((x) => x.members_per_workspace === r.members_per_workspace);
  const all = [...r.rounds].sort((a, b) => a.transport.localeCompare(b.transport) || a.subscribers - b.subscribers);
  const l = r.realtime_limits;
  return `### Realtime at fan-out: ${n(r.workspaces)} workspaces, ${
    n(r.workspaces * r.members_per_workspace)
  } signed-in subscribers

${n(r.workspaces)} workspaces with ${r.members_per_workspace} members each, every member signed in with supabase-js (one
client, one socket each) and following its workspace's jobs; ${
    n(r.workspaces * r.jobs_per_workspace)
  } jobs (${r.jobs_per_workspace} per
workspace) each updated once per round, one single-row UPDATE at a time at ${r.changes_per_s} changes/s, stamping a
sequence number into \`progress.seq\`. Broadcast: private channel \`workspace:<id>:jobs\` fed by the product's trigger
(20261205007400_broadcast_changes.sql). Postgres Changes: \`postgres_changes\` UPDATE on \`public.jobs\`,
\`filter: workspace_id=eq.<id>\`, with the broadcast triggers disabled for those rounds. Same run, same clients, one
round after another. Latency: from the end of the UPDATE in the database (\`clock_timestamp()\` in RETURNING, just before
its commit) to the supabase-js callback, in ms. Missed: not delivered within ${r.drain_ms / 1000} s of the last commit.
To non-members: frames carrying a job of another workspace than the client's, counted on every socket, while
${r.outsiders} outsiders (members of a workspace without jobs) try to follow a bench workspace in every round.${
    run ? `\n${run}` : ""
  }

${
    table(
      [
        "transport",
        "subscribers",
        "changes",
        "deliveries",
        "missed",
        "to non-members",
        "p50",
        "p95",
        "p99",
        "DB CPU ms per change",
      ],
      full.map((x) => [
        NAME[x.transport],
        x.subscribers,
        x.changes,
        x.deliveries,
        x.missed,
        x.to_non_members,
        x.latency_ms.p50,
        x.latency_ms.p95,
        x.latency_ms.p99,
        x.db_cpu_ms_per_change,
      ]),
    )
  }

Every round, with the database's CPU per change split by what did it, and the gateway's (the stand-in for Realtime;
not database work):

${
    table(
      [
        "transport",
        "subscribers",
        "max ms",
        "DB CPU ms per change",
        "UPDATE + triggers",
        "WAL decoding",
        "Realtime's queries",
        "other",
        "gateway CPU ms per change",
        "outsider joins refused",
        "joins took",
      ],
      all.map((x) => [
        NAME[x.transport],
        x.subscribers,
        x.latency_ms.max,
        x.db_cpu_ms_per_change,
        x.db_cpu_ms_per_change_by_part.writes,
        x.db_cpu_ms_per_change_by_part.wal_decoding,
        x.db_cpu_ms_per_change_by_part.realtime_queries,
        x.db_cpu_ms_per_change_by_part.other,
        x.gateway_cpu_ms_per_change,
        x.transport === "broadcast"
          ? `${x.non_member_joins_refused} of ${x.non_members_trying}`
          : `${x.non_member_joins_refused} of ${x.non_members_trying} (accepted by design; RLS withholds each change)`,
        `${x.join_s} s`,
      ]),
    )
  }

DB CPU: utime + stime from /proc of every process of the cluster (postmaster, backends, background workers, and
children that exited, through the postmaster's cutime/cstime), from the first UPDATE until every delivery arrived (or
the wait ended), divided by the changes; pg_stat_statements is not loaded on the stack. Split by the backends'
application_name: the bench's writer (the UPDATEs and every trigger they fire, the broadcast insert included),
the gateway's slot reader (wal2json decoding: mostly a cost per poll, not per change, as the stand-in peeks the slot
every 25 ms while WAL grows, each peek starting a decoding; it falls when Postgres Changes lags and polls less often;
hosted Realtime streams its slot instead), the gateway's Realtime pool (Postgres Changes' RLS checks; private joins'
checks happen before the window), other (the rest of the cluster; idle, it used ${
    fmt(r.idle_cpu?.db_ms_per_s)
  } ms of CPU per second). Clock ticks are 10 ms per process. Realtime limits of the bench stack, raised through
its environment (STACK_REALTIME_*): ${n(l.max_concurrent_users as number)} concurrent users, ${
    n(l.max_joins_per_second as number)
  } joins/s, ${n(l.max_events_per_second as number)} events/s, ${
    n(l.max_channels_per_client as number)
  } channels per client.`;
}
