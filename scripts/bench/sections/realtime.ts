// Section 5: Realtime delivery. The demo user, signed in with supabase-js, follows one job
// (postgres_changes UPDATE on public.jobs, filter id=eq.<id>), as the SPA does. The job's row is
// then updated `count` times, one at a time; each delay runs from the moment the UPDATE's commit
// returns to the client until the supabase-js callback sees that update (matched by its value).
// Path: WAL -> the gateway's wal2json slot reader (polls every 25 ms) -> RLS check as the
// subscriber -> Phoenix websocket -> supabase-js.
// The job has a type no processor handles (registered in public.job_types, as every job's type
// must be), so the worker never claims it.
import { createClient } from "@supabase/supabase-js";
import type { StackConfig } from "../../stack/config.ts";
import { envBlock } from "../../stack/status-env.ts";
import { registerTestJobType } from "../../test/job-types.ts";
import type { Sql } from "../lib/db.ts";
import { latencySummary } from "../lib/stats.ts";
import { setTimeout as sleep } from "node:timers/promises";

const DEMO_WORKSPACE = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";

export async function realtimeSection(sql: Sql, config: StackConfig, count: number, log: (s: string) => void) {
  const env = await envBlock(config);
  const supabase = createClient(env.API_URL, env.PUBLISHABLE_KEY ?? env.ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { error: signInError } = await supabase.auth.signInWithPassword({
    email: env.DEMO_EMAIL,
    password: env.DEMO_PASSWORD,
  });
  if (signInError) throw new Error(`Realtime: sign-in failed: ${signInError.message}`);

  await registerTestJobType(sql, "bench_realtime");
  const [job] = await sql<{ id: string }[]>`
    insert into public.jobs (workspace_id, job_type, payload) values (${DEMO_WORKSPACE}, 'bench_realtime', '{}')
    returning id`;
  const waiting = new Map<number, (at: number) => void>();
  const channel = supabase.channel(`bench-job-${job.id}`).on(
    "postgres_changes",
    { event: "UPDATE", schema: "public", table: "jobs", filter: `id=eq.${job.id}` },
    (change) => {
      const at = performance.now();
      const seq = Number((change.new as { progress?: { seq?: number } }).progress?.seq);
      waiting.get(seq)?.(at);
    },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("Realtime: the channel did not subscribe in 15 s")), 15_000);
    channel.subscribe((status, error) => {
      if (status === "SUBSCRIBED") {
        clearTimeout(timer);
        resolve();
      } else if (status === "CHANNEL_ERROR" || status === "TIMED_OUT") {
        clearTimeout(timer);
        reject(new Error(`Realtime: ${status} ${error?.message ?? ""}`));
      }
    });
  });

  const update = (seq: number) =>
    sql`update public.jobs set progress = jsonb_build_object('percentage', ${
      seq % 101
    }::int, 'seq', ${seq}::int) where id = ${job.id}`;
  const delays: number[] = [];
  let missed = 0;
  try {
    // warm-up: the first changes also warm the gateway's RLS check and the socket
    const WARM_UP = 5;
    for (let seq = 1; seq <= WARM_UP + count; seq++) {
      const seen = new Promise<number>((resolve) => waiting.set(seq, resolve));
      const timeout = sleep(5_000).then(() => -1);
      await update(seq);
      const committed = performance.now();
      const at = await Promise.race([seen, timeout]);
      waiting.delete(seq);
      if (seq <= WARM_UP) continue;
      if (at < 0) missed++;
      else delays.push(at - committed);
      // a random pause, so updates do not fall in step with the slot reader's 25 ms polling
      await sleep(5 + Math.random() * 50);
    }
  } finally {
    await supabase.removeAllChannels();
    await supabase.auth.signOut().catch(() => {});
    await sql`delete from public.jobs where id = ${job.id}`;
  }
  const summary = latencySummary(delays);
  log(
    `  Realtime: p50 ${summary.p50} ms, p95 ${summary.p95} ms over ${delays.length} updates${
      missed ? ` (${missed} not delivered in 5 s)` : ""
    }`,
  );
  return { ...summary, missed };
}
