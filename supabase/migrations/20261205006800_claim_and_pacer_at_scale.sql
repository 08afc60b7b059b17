-- Three fixes to functions of 20261205001000-001200, found by the benchmark and the test suite:
--   * take_apollo_permit: while a window's limit is only assumed (Free's, before Apollo's headers
--     have told the real one) and its first answers are on their way, a refused permit looks again
--     in 2 s instead of waiting the whole window out (a new key's first burst held jobs a minute).
--   * claim_jobs: jobs that have become due join the claim index one type at a time, along
--     jobs_waiting_idx; the planner otherwise guessed a third of the waiting jobs due and scanned the
--     table (240 ms per claim beside 300,000 unclaimable rows; 1 ms after).
--   * seconds_until_due: each type's first waiting job from jobs_waiting_idx (360 ms -> 2 ms there),
--     and null (not 0) when nothing waits.
-- Comments and grants of the functions stay as they were (create or replace keeps them).

create or replace function public.take_apollo_permit(
  pacing_key text,
  endpoint text,
  now timestamptz default clock_timestamp()
) returns table (granted boolean, wait_until timestamptz, spent_window text, window_limit integer, apollo_said_429 boolean)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_window private.apollo_windows;
  v_spent text;
  v_until timestamptz;
  v_limit integer;
  v_by_apollo boolean;
  v_wait timestamptz;
begin
  insert into private.apollo_windows (pacing_key, endpoint, kind, max_requests)
  select take_apollo_permit.pacing_key, take_apollo_permit.endpoint, k.kind,
         private.apollo_assumed_limit(take_apollo_permit.endpoint, k.kind)
  from unnest(array['minute', 'hour', 'day']) as k(kind)
  on conflict on constraint apollo_windows_pkey do nothing;

  for v_window in
    select * from private.apollo_windows w
    where w.pacing_key = take_apollo_permit.pacing_key and w.endpoint = take_apollo_permit.endpoint
    order by w.kind
    for update
  loop
    if v_window.resets_at is not null and v_window.resets_at <= take_apollo_permit.now then
      update private.apollo_windows w set used = 0, opens_at = null, resets_at = null, answered = false, shut_by_apollo = false
      where w.pacing_key = v_window.pacing_key and w.endpoint = v_window.endpoint and w.kind = v_window.kind;
      v_window.used := 0;
      v_window.resets_at := null;
    end if;
    v_wait := v_window.resets_at;
    if v_window.limit_learned_at is null and not v_window.answered and not v_window.shut_by_apollo
       and v_window.opens_at > take_apollo_permit.now - interval '5 seconds' then
      -- The limit is only assumed (Free's) and the window's first answers, whose headers tell the
      -- real one, are still on their way: look again shortly rather than wait the window out.
      v_wait := least(v_wait, take_apollo_permit.now + interval '2 seconds');
    end if;
    if v_window.max_requests is not null and v_window.used >= v_window.max_requests
       and (v_until is null or v_wait > v_until) then
      v_spent := v_window.kind;
      v_until := v_wait;
      v_limit := v_window.max_requests;
      v_by_apollo := v_window.shut_by_apollo;
    end if;
  end loop;

  if v_spent is not null then
    return query select false, v_until, v_spent, v_limit, v_by_apollo;
    return;
  end if;

  update private.apollo_windows w
  set used = w.used + 1,
      opens_at = coalesce(w.opens_at, take_apollo_permit.now),
      resets_at = coalesce(w.resets_at, take_apollo_permit.now + make_interval(secs => private.apollo_window_seconds(w.kind)))
  where w.pacing_key = take_apollo_permit.pacing_key and w.endpoint = take_apollo_permit.endpoint;
  return query select true, null::timestamptz, null::text, null::integer, false;
end
$$;

create or replace function public.claim_jobs(
  worker_id text,
  max_jobs integer default 5,
  lease_seconds integer default 60,
  job_types text[] default null,
  now timestamptz default now(),
  max_in_flight integer default null,
  workspace_id uuid default null
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
  v_type text;
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
  -- type and claim; rows another claimer is marking are skipped, it marks them). One type at a
  -- time, oldest first: that is a range of jobs_waiting_idx, where the planner would otherwise
  -- guess a third of the waiting jobs due and scan the table (240 ms beside 300,000 waiting rows).
  foreach v_type in array v_types loop
    update public.jobs j set claimable = true
    where j.id in (
      select w.id from public.jobs w
      where w.status = 'pending' and not w.claimable and w.job_type = v_type and w.scheduled_for <= claim_jobs.now
      order by w.scheduled_for
      limit 1000
      for update skip locked
    );
  end loop;

  if claim_jobs.workspace_id is not null then
    -- One workspace's due work (a worker filling a bulk call from the workspace it is serving).
    select array_agg(w.id) into v_workspaces from public.workspaces w
    where w.id = claim_jobs.workspace_id
      and not exists (select 1 from public.workspace_settings s
                      where s.workspace_id = w.id and s.jobs_paused_until > claim_jobs.now);
  else
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
  end if;

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

create or replace function public.seconds_until_due(job_types text[] default null, now timestamptz default now())
returns double precision
language sql
stable
set search_path = ''
as $$
  -- null (not 0) when nothing waits: greatest() would turn a null into 0
  select case when d.at is null then null else greatest(extract(epoch from d.at - seconds_until_due.now), 0) end
  from (select least(
    -- the next job scheduled for later (or waiting for its retry), of an enabled type: per type, the
    -- first entry of its range of jobs_waiting_idx (one scan over all waiting jobs took 360 ms at 300,000)
    (select min((select min(j.scheduled_for) from public.jobs j
                 where j.status = 'pending' and not j.claimable and j.job_type = t.name))
     from public.job_types t
     where t.enabled and (seconds_until_due.job_types is null or t.name = any (seconds_until_due.job_types))),
    -- the end of a pause of a workspace that has claimable work (its Apollo budget is spent)
    (select min(s.jobs_paused_until) from public.workspace_settings s
     where s.jobs_paused_until > seconds_until_due.now
       and exists (select 1 from public.jobs j
                   where j.workspace_id = s.workspace_id and j.status = 'pending' and j.claimable
                     and (seconds_until_due.job_types is null or j.job_type = any (seconds_until_due.job_types))))
  ) as at) d
$$;
