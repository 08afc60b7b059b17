import postgres from "postgres";
const sql = postgres("postgresql://postgres:postgres@127.0.0.1:57322/postgres", { max: 2, onnotice: () => {} });
await sql`insert into public.job_types (name, description) values ('bench_noop', 'Test type: bench_noop') on conflict (name) do nothing`;
let [ws] = await sql`select id from public.workspaces where name = 'profile ws'`;
if (!ws) [ws] = await sql`insert into public.workspaces (name) values ('profile ws') returning id`;
const variants: Record<string, string[]> = JSON.parse(Deno.args[0]);
const tot: Record<string, number[]> = {};
for (let rep = 0; rep < 3; rep++) for (const [name, disabled] of Object.entries(variants)) {
  await sql`delete from public.jobs where workspace_id = ${ws.id}`;
  await sql`insert into public.jobs (workspace_id, job_type, payload) select ${ws.id}, 'bench_noop', jsonb_build_object('i', g) from generate_series(1, 5000) g`;
  await sql`vacuum analyze public.jobs`;
  for (const t of disabled) await sql.unsafe(`alter table public.jobs disable trigger ${t}`);
  let c = 0, k = 0; const rounds = 30;
  try {
    for (let i = 0; i < rounds; i++) {
      let t = performance.now();
      const jobs = await sql`select id from public.claim_jobs('prof', 100, 60, array['bench_noop'])`;
      c += performance.now() - t; t = performance.now();
      await sql`select count(*) from public.complete_jobs('prof', ${sql.json(jobs.map((j) => ({ id: j.id, message: null })))})`;
      k += performance.now() - t;
    }
  } finally { for (const t of disabled) await sql.unsafe(`alter table public.jobs enable trigger ${t}`); }
  (tot[name] ??= []).push(Math.round((c + k) / rounds));
}
for (const [n, v] of Object.entries(tot)) console.log(n.padEnd(20), "claim+complete ms per 100:", v.join(" "));
await sql`delete from public.jobs where workspace_id = ${ws.id}`;
await sql.end();
