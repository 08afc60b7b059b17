-- The narrow-queue experiment (README.md): (c) today's two wide writes with a simplified claim, (l) a narrow
-- queue table beside the history row. Scratch objects for a bench database only (bench_ours), never a migration.
drop table if exists public.job_queue;
create table public.job_queue (
  id uuid primary key,
  workspace_id uuid not null,
  job_type text not null,
  priority smallint not null default 0,
  run_at timestamptz not null,
  attempts integer not null default 0,
  locked_by text,
  locked_until timestamptz,
  started_at timestamptz
);
create index job_queue_available on public.job_queue (workspace_id, priority desc, run_at, id) where locked_by is null;
create index job_queue_lease on public.job_queue (locked_until) where locked_by is not null;

create or replace function private.broadcast_queue_claims() returns trigger language plpgsql security definer set search_path = '' as $$
begin
  insert into realtime.messages (topic, extension, event, private, payload)
  select 'workspace:' || c.workspace_id || ':jobs', 'broadcast', tg_op, true,
         jsonb_build_object('operation', tg_op, 'table', 'jobs', 'schema', 'public', 'records', jsonb_agg(c.record))
  from (
    select n.workspace_id, (row_number() over (partition by n.workspace_id) - 1) / 100 as chunk,
           jsonb_build_object('id', n.id, 'workspace_id', n.workspace_id, 'job_type', n.job_type, 'status', 'processing',
                              'attempts', n.attempts, 'scheduled_for', n.run_at, 'updated_at', n.started_at) as record
    from changed n
  ) c
  group by c.workspace_id, c.chunk;
  return null;
end $$;
drop trigger if exists broadcast_queue_claims on public.job_queue;
create trigger broadcast_queue_claims after update on public.job_queue referencing new table as changed
  for each statement execute function private.broadcast_queue_claims();

create or replace function public.c_claim(w text, n integer) returns setof uuid language sql as $$
  update public.jobs j set status = 'processing', attempts = j.attempts + 1, locked_by = w,
         locked_until = now() + interval '60 s', started_at = now(), next_retry_at = null, claimable = false
  where j.id = any (array(select x.id from public.jobs x where x.status = 'pending' and x.claimable
                          order by x.workspace_id, x.priority desc, x.scheduled_for, x.id limit n for update skip locked))
  returning j.id $$;
create or replace function public.c_complete(w text, ids uuid[]) returns integer language sql as $$
  with d as (update public.jobs j set status = 'completed', completed_at = now(),
                   progress = jsonb_build_object('percentage', 100, 'updated_at', now()),
                   error_message = null, locked_by = null, locked_until = null
             where j.id = any (ids) and j.locked_by = w returning 1)
  select count(*)::integer from d $$;

create or replace function public.l_claim(w text, n integer) returns setof uuid language sql as $$
  update public.job_queue q set locked_by = w, locked_until = now() + interval '60 s', attempts = q.attempts + 1,
         started_at = now()
  where q.id = any (array(select x.id from public.job_queue x where x.locked_by is null
                          order by x.workspace_id, x.priority desc, x.run_at, x.id limit n for update skip locked))
  returning q.id $$;
create or replace function public.l_complete(w text, ids uuid[]) returns integer language sql as $$
  with q as (delete from public.job_queue q where q.id = any (ids) and q.locked_by = w
             returning q.id, q.attempts, q.started_at),
  d as (update public.jobs j set status = 'completed', attempts = q.attempts, started_at = q.started_at,
               completed_at = now(), progress = jsonb_build_object('percentage', 100, 'updated_at', now()),
               error_message = null, claimable = false
        from q where j.id = q.id returning 1)
  select count(*)::integer from d $$;
