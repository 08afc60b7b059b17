// A supabase-js client against the local stack, as an app would use it (Node):
// sign in as the demo user, list accounts, enqueue an enrichment, and watch the job go
// from pending to completed over Realtime while the worker runs it.
//
//   node examples/watch-enrichment.mjs          (the stack must be up: npm run stack:up)
//
// It reads API_URL, PUBLISHABLE_KEY (or, for a project on the legacy keys, ANON_KEY), DEMO_EMAIL
// and DEMO_PASSWORD from the environment, or else from `npm run --silent stack:status`
// (STACK_INSTANCE picks the instance). DOMAIN picks the account.
import { execFileSync } from "node:child_process";
import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";

function stackEnv() {
  if (process.env.API_URL && (process.env.PUBLISHABLE_KEY || process.env.ANON_KEY)) return process.env;
  const out = execFileSync("npm", ["run", "--silent", "stack:status"], { encoding: "utf8" });
  const env = Object.fromEntries([...out.matchAll(/^([A-Z_]+)="(.*)"$/gm)].map((m) => [m[1], m[2]]));
  return { ...env, ...process.env };
}

const env = stackEnv();
const url = env.API_URL;
// The publishable key (sb_publishable_...); the anon key on a project that still uses legacy keys.
const publishableKey = env.PUBLISHABLE_KEY || env.ANON_KEY;

// Node 20 has no global WebSocket (npm scripts run Node 24, but this runs on any Node): ws is realtime-js's transport.
const supabase = createClient(url, publishableKey, { realtime: { transport: WebSocket } });
const fail = (what, error) => {
  console.error(`${what} failed: ${error.message}`);
  process.exit(1);
};

const { error: signInError } = await supabase.auth.signInWithPassword({
  email: env.DEMO_EMAIL,
  password: env.DEMO_PASSWORD,
});
if (signInError) fail("sign-in", signInError);

const { data: accounts, error: listError } = await supabase
  .from("accounts").select("id, name, domain, enriched_at").order("name").limit(20);
if (listError) fail("listing accounts", listError);
console.log(`signed in; ${accounts.length} accounts: ${accounts.map((a) => a.name).join(", ")}`);

const account = accounts.find((a) => a.domain === (env.DOMAIN ?? "stripe.com")) ?? accounts[0];
const { data: job, error: enqueueError } = await supabase.rpc("enqueue_enrichment", { account_id: account.id });
if (enqueueError) fail("enqueue_enrichment", enqueueError);
console.log(`queued job ${job.id} for ${account.name} (${account.domain}): ${job.status}`);

const seen = [job.status];
const done = new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`job still ${seen.at(-1)} after 30 s`)), 30_000);
  const channel = supabase
    .channel(`job-${job.id}`)
    .on("postgres_changes", { event: "UPDATE", schema: "public", table: "jobs", filter: `id=eq.${job.id}` }, ({ new: row }) => {
      if (row.status !== seen.at(-1)) seen.push(row.status);
      console.log(`  ${row.status.padEnd(10)} ${String(row.progress?.percentage ?? 0).padStart(3)}%  ${row.progress?.message ?? ""}`);
      if (["completed", "failed", "cancelled"].includes(row.status)) {
        clearTimeout(timer);
        resolve(row);
      }
    })
    .subscribe(async (status) => {
      if (status !== "SUBSCRIBED") return;
      // The job may have finished before the subscription was ready: read it once.
      const { data } = await supabase.from("jobs").select("status").eq("id", job.id).single();
      if (data && ["completed", "failed", "cancelled"].includes(data.status) && data.status !== seen.at(-1)) {
        seen.push(data.status);
        clearTimeout(timer);
        resolve(data);
      }
    });
  void channel;
});

try {
  const final = await done;
  console.log(`job ${job.id}: ${seen.join(" -> ")}`);
  await supabase.removeAllChannels();
  await supabase.auth.signOut();
  process.exit(final.status === "completed" ? 0 : 1);
} catch (error) {
  fail("watching the job", error);
}
