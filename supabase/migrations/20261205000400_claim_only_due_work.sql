-- Claiming walks only work that can run now, and shares capacity fairly between owners.
--
-- 1. Only due work of enabled types is in the claim index. Pending jobs that cannot be claimed
--    (scheduled for later, waiting for a retry, or of a disabled type) used to sit in
--    jobs_claim_idx, and every claim walked past them: 300,000 far-future rows took a claim from
--    0.4 ms to 87-240 ms, and claims are serialised by the max_in_flight lock. Now a pending job
--    is `claimable` when it was due (and its type enabled) when last written; the claim index holds
--    claimable pending jobs only. claim_jobs first marks the jobs that have since become due
--    (walking an index of not-yet-claimable jobs by type and time, which stops at the first one
--    that is not due), then claims as before. Disabling a type takes its pending jobs out of the
--    claim index; enabling it lets the next claim take them back.
-- 2. Fair shares by owner, not by workspace. Workspaces are cheap to create, so a round-robin over
--    workspaces gave a user with 40 workspaces 40 times the share of one with one. claim_jobs now
--    takes turns between owners (a workspace's creator; a workspace without one is its own owner),
--    counting the jobs each already has running: an owner with nothing running gets the next free
--    slots before one that holds twenty. An owner's turns go round its workspaces.

alter table public.jobs add column claimable boolean not null default true;
comment on column public.jobs.claimable is
  'Pending and due, of an enabled type, when last written: only these are in the claim index. claim_jobs marks jobs that have become due since; the flag is an index filter, never the rule (claims still check scheduled_for).';

update public.jobs j set claimable = false
where j.status = 'pending'
  and (j.scheduled_for > now() or j.job_type in (select t.name from public.job_types t where not t.enabled));

create function private.set_job_claimable() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.claimable := new.status = 'pending' and new.scheduled_for <= now()
                   and exists (select 1 from public.job_types t where t.name = new.job_type and t.enabled);
  return new;
end
$$;
comment on function private.set_job_claimable() is
  'Trigger: a job written as pending and due, of an enabled type, is claimable (in the claim index); any other is not until claim_jobs finds it due.';

create trigger set_claimable before insert or update of status, scheduled_for, job_type on public.jobs
  for each row execute function private.set_job_claimable();

create index jobs_claimable_idx on public.jobs (workspace_id, priority desc, scheduled_for, id)
  where status = 'pending' and claimable;
-- What claim_jobs marks claimable when it becomes due: one range per enabled type.
create index jobs_waiting_idx on public.jobs (job_type, scheduled_for) where status = 'pending' and not claimable;
drop index public.jobs_claim_idx;

create function private.job_type_enabled_changed() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not new.enabled then
    update public.jobs j set claimable = false where j.job_type = new.name and j.status = 'pending' and j.claimable;
  end if;
  -- enabled again: claim_jobs marks its due jobs claimable on its next run
  return new;
end
$$;
comment on function private.job_type_enabled_changed() is 'Trigger: disabling a job type takes its pending jobs out of the claim index.';

create trigger enabled_changed after update of enabled on public.job_types
  for each row when (old.enabled is distinct from new.enabled)
  execute function private.job_type_enabled_changed();

create or replace function public.claim_jobs(
  worker_id text,
  max_jobs integer default 5,
  lease_seconds integer default 60,
  job_types text[] default null,
  now timestamptz default now(),
  max_in_flight integer default null
) returns setof public.jobs
language plpgsql
volatile
set search_path = ''
-- Plans are made once per connection and reused (see 20261129000600_queue_claim.sql, "Cost").
set plan_cache_mode = force_generic_plan
as $$
declare
  v_max_workspaces constant integer := 64;
  v_start uuid := gen_random_uuid();
  v_types text[];
  v_workspaces uuid[];
  v_limit integer := claim_jobs.max_jobs;
  v_ids uuid[];
begin
  if coalesce(btrim(claim_jobs.worker_id), '') = '' then
    raise exception 'claim_jobs: worker_id is required' using errcode = '22023';
  end if;
  if claim_jobs.max_jobs is null or claim_jobs.max_jobs not between 1 and 1000 then
    raise exception 'claim_jobs: max_jobs must be between 1 and 1000, got %', claim_jobs.max_jobs using errcode = '22023';
  end if;
  if claim_jobs.lease_seconds is null or claim_jobs.lease_seconds not between 1 and 3600 then
    raise exception 'claim_jobs: lease_seconds must be between 1 and 3600, got %', claim_jobs.lease_seconds using errcode = '22023';
  end if;

  -- The types that may run: the enabled ones (narrowed to job_types when the caller names some).
  select array_agg(t.name) into v_types from public.job_types t
  where t.enabled and (claim_jobs.job_types is null or t.name = any (claim_jobs.job_types));
  if v_types is null then
    return;
  end if;

  if claim_jobs.max_in_flight is not null then
    if claim_jobs.max_in_flight < 1 then
      raise exception 'claim_jobs: max_in_flight must be at least 1, got %', claim_jobs.max_in_flight using errcode = '22023';
    end if;
    -- One claimer at a time counts and claims, so the cap holds across concurrent workers.
    perform pg_advisory_xact_lock(hashtext('public.claim_jobs/max_in_flight'));
    v_limit := least(v_limit, claim_jobs.max_in_flight
                              - (select count(*) from public.jobs j where j.status = 'processing')::integer);
    if v_limit <= 0 then
      return;
    end if;
  end if;

  -- Jobs that have become due since they were written join the claim index (a bounded batch per
  -- claim; rows another claimer is marking are skipped, it marks them).
  update public.jobs j set claimable = true
  where j.id in (
    select w.id from public.jobs w
    where w.status = 'pending' and not w.claimable and w.job_type = any (v_types) and w.scheduled_for <= claim_jobs.now
    limit 1000
    for update skip locked
  );

  -- Workspaces with due work: from a random starting point to the end, then from the beginning.
  with recursive after_start(workspace_id) as (
    (select j.workspace_id from public.jobs j
      where j.status = 'pending' and j.claimable and j.workspace_id >= v_start and j.scheduled_for <= claim_jobs.now
        and j.job_type = any (v_types)
      order by j.workspace_id, j.priority desc, j.scheduled_for, j.id limit 1)
    union all
    select (select j.workspace_id from public.jobs j
             where j.status = 'pending' and j.claimable and j.workspace_id > a.workspace_id and j.scheduled_for <= claim_jobs.now
               and j.job_type = any (v_types)
             order by j.workspace_id, j.priority desc, j.scheduled_for, j.id limit 1)
    from after_start a where a.workspace_id is not null
  ), before_start(workspace_id) as (
    (select j.workspace_id from public.jobs j
      where j.status = 'pending' and j.claimable and j.workspace_id < v_start and j.scheduled_for <= claim_jobs.now
        and j.job_type = any (v_types)
      order by j.workspace_id, j.priority desc, j.scheduled_for, j.id limit 1)
    union all
    select (select j.workspace_id from public.jobs j
             where j.status = 'pending' and j.claimable and j.workspace_id > b.workspace_id and j.workspace_id < v_start
               and j.scheduled_for <= claim_jobs.now and j.job_type = any (v_types)
             order by j.workspace_id, j.priority desc, j.scheduled_for, j.id limit 1)
    from before_start b where b.workspace_id is not null
  )
  select array_agg(w.workspace_id) into v_workspaces
  from (
    (select a.workspace_id from after_start a where a.workspace_id is not null limit v_max_workspaces)
    union all
    (select b.workspace_id from before_start b where b.workspace_id is not null limit v_max_workspaces)
    limit v_max_workspaces
  ) w
  -- Workspaces whose jobs are paused (Apollo rate limit) wait until the pause ends.
  where not exists (select 1 from public.workspace_settings s
                    where s.workspace_id = w.workspace_id and s.jobs_paused_until > claim_jobs.now);

  if v_workspaces is null then
    return;
  end if;

  -- Turns: an owner's k-th turn in this claim is its (jobs processing now + k)-th, so an owner
  -- with fewer jobs running goes first (the slots that free go to whoever has least); ties in a
  -- random order, fresh per claim. An owner's turns go round its workspaces in a random rotation;
  -- within a workspace, priority then age.
  with running as (
    select coalesce(ro.created_by, r.workspace_id) as owner, count(*) as jobs
    from public.jobs r join public.workspaces ro on ro.id = r.workspace_id
    where r.status = 'processing'
    group by 1
  )
  select array_agg(p.id) into v_ids
  from (
    select c.id
    from (
      select ws.workspace_id, ws.owner,
             count(*) over (partition by ws.owner) as owner_workspaces,
             row_number() over (partition by ws.owner order by md5(ws.workspace_id::text || v_start::text)) as rotation,
             md5(ws.owner::text || v_start::text) as owner_order,
             coalesce(r.jobs, 0) as owner_running
      from (
        select w.workspace_id, coalesce(o.created_by, w.workspace_id) as owner
        from unnest(v_workspaces) as w(workspace_id)
        join public.workspaces o on o.id = w.workspace_id
      ) ws
      left join running r on r.owner = ws.owner
    ) w
    cross join lateral (
      select l.id, row_number() over (order by l.priority desc, l.scheduled_for, l.id) as turn
      from (
        select j.id, j.priority, j.scheduled_for
        from public.jobs j
        where j.workspace_id = w.workspace_id
          and j.status = 'pending'
          and j.claimable
          and j.scheduled_for <= claim_jobs.now
          and j.job_type = any (v_types)
        order by j.priority desc, j.scheduled_for, j.id
        -- an owner's turns are spread over its workspaces: each needs at most its part of the claim
        limit ceil(v_limit::numeric / w.owner_workspaces)::integer
        for update skip locked
      ) l
    ) c
    order by w.owner_running + row_number() over (partition by w.owner order by c.turn, w.rotation), w.owner_order
    limit v_limit
  ) p;

  return query
  update public.jobs j
  set status = 'processing',
      attempts = j.attempts + 1,
      locked_by = claim_jobs.worker_id,
      locked_until = claim_jobs.now + make_interval(secs => claim_jobs.lease_seconds),
      started_at = claim_jobs.now,
      next_retry_at = null
  where j.id = any (v_ids)
  returning j.*;
end
$$;
comment on function public.claim_jobs(text, integer, integer, text[], timestamptz, integer) is
  'Worker: claims up to max_jobs due pending jobs of enabled types (FOR UPDATE SKIP LOCKED, fair across owners and their workspaces, priority then age within a workspace, paused workspaces skipped), never more than max_in_flight processing in all when given; marks them processing under a lease of lease_seconds held by worker_id, and counts the attempt.';
