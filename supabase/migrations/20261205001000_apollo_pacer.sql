-- Pacing Apollo calls to the customer's plan, for all workers and all workspaces at once.
--
-- Apollo limits each TEAM (every key of a team, every workspace that saved one) per endpoint in
-- fixed windows of a minute, an hour and a day that open on the first request; the bulk endpoints
-- have a tenth of the single ones' limits, counted in calls. Calling into a spent window is a 429
-- (and, before this, a paused workspace). Now every call takes a permit first:
--
--   * private.apollo_windows holds, per pacing key (the Apollo team, or a fingerprint of the key
--     when the team is unknown), endpoint and window: its limit, the permits taken in it, and when
--     it opened and resets. A window opens with the first permit and resets a window-length after
--     the first answer Apollo sent in it (Apollo's window opened between our permit and that answer,
--     so this waits a little longer than Apollo, never less).
--   * public.take_apollo_permit grants a permit atomically (row locks on the key's windows), or
--     answers when the spent window opens again and which one it is.
--   * public.record_apollo_answer learns from every answer: the limits in Apollo's headers replace
--     what we assumed (a window Apollo does not report has no limit), Apollo's count raises ours when
--     someone else used the team's budget too, and a 429's retry-after moves the reset.
--   * Until Apollo has answered once, the limits are the smallest plan's (Free: 50/min, 200/h,
--     600/day for enrichment; a tenth for bulk): a paid team is held back for its first second.
--   * public.pause_apollo_key pauses every workspace whose key shares the budget (claim_jobs skips
--     paused workspaces), so their jobs wait for the window instead of each being claimed and put back.
--
-- Window lengths can be scaled for tests and benchmarks (private.settings apollo_window_scale, e.g.
-- 0.01: a "minute" of 0.6 s), to match the fake Apollo's scaled windows. Never set it in production.

alter table public.workspace_settings add column apollo_pacing_key text
  check (apollo_pacing_key ~ '^(team|key):[A-Za-z0-9_-]{1,128}$');
comment on column public.workspace_settings.apollo_pacing_key is
  'Whose Apollo budget this workspace''s key spends: team:<Apollo team id> when Apollo told us, else key:<fingerprint of the key> (workspaces that saved the same key share it). Not readable by browsers.';
create index workspace_settings_pacing_key_idx on public.workspace_settings (apollo_pacing_key) where apollo_pacing_key is not null;

create table private.apollo_windows (
  pacing_key text not null,
  endpoint text not null check (endpoint in ('organizations/enrich', 'organizations/bulk_enrich', 'people/match', 'people/bulk_match')),
  kind text not null check (kind in ('minute', 'hour', 'day')),
  max_requests integer check (max_requests > 0),
  used integer not null default 0 check (used >= 0),
  opens_at timestamptz,
  resets_at timestamptz,
  -- the first answer of this window has been seen (it fixes when the window resets)
  answered boolean not null default false,
  -- Apollo answered 429 for it (rather than our count reaching the limit)
  shut_by_apollo boolean not null default false,
  limit_learned_at timestamptz,
  primary key (pacing_key, endpoint, kind),
  constraint open_windows_reset check ((opens_at is null) = (resets_at is null))
);
comment on table private.apollo_windows is
  'Apollo''s rate-limit windows per pacing key (team), endpoint and kind: limit (null: none), permits taken, when the window opened and resets. Written by take_apollo_permit and record_apollo_answer.';
revoke all on private.apollo_windows from public, anon, authenticated;

create function private.apollo_window_seconds(kind text) returns double precision
language sql
stable
set search_path = ''
as $$
  select (case apollo_window_seconds.kind when 'minute' then 60 when 'hour' then 3600 else 86400 end)
         * coalesce(case when private.setting('apollo_window_scale') ~ '^[0-9]*\.?[0-9]+$'
                         then least(greatest(private.setting('apollo_window_scale')::double precision, 0.0001), 1) end, 1)
$$;
comment on function private.apollo_window_seconds(text) is
  'A window''s length in seconds: 60, 3600 or 86400, times private.settings apollo_window_scale (a test knob, 0.0001..1; default 1).';
revoke execute on function private.apollo_window_seconds(text) from public, anon, authenticated;

-- The limits assumed before Apollo has answered: the Free plan's (the smallest).
create function private.apollo_assumed_limit(endpoint text, kind text) returns integer
language sql
immutable
set search_path = ''
as $$
  select case when apollo_assumed_limit.endpoint like '%bulk%'
              then case apollo_assumed_limit.kind when 'minute' then 5 when 'hour' then 20 else 60 end
              else case apollo_assumed_limit.kind when 'minute' then 50 when 'hour' then 200 else 600 end end
$$;
comment on function private.apollo_assumed_limit(text, text) is
  'Apollo''s Free plan limits for an enrichment endpoint (bulk: a tenth), assumed until Apollo''s headers say otherwise.';
revoke execute on function private.apollo_assumed_limit(text, text) from public, anon, authenticated;

create function public.take_apollo_permit(
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
    if v_window.max_requests is not null and v_window.used >= v_window.max_requests
       and (v_until is null or v_window.resets_at > v_until) then
      v_spent := v_window.kind;
      v_until := v_window.resets_at;
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
comment on function public.take_apollo_permit(text, text, timestamptz) is
  'Worker: takes a permit for one Apollo call of pacing_key''s team on endpoint, or (granted false) says which window is spent, its limit, when it opens again, and whether Apollo shut it with a 429.';
revoke execute on function public.take_apollo_permit(text, text, timestamptz) from public, anon, authenticated;
grant execute on function public.take_apollo_permit(text, text, timestamptz) to service_role;

create function public.record_apollo_answer(
  pacing_key text,
  endpoint text,
  -- Apollo's rate-limit headers as {minute: {limit, left}, hour: {...}, day: {...}}; {} when it sent none
  windows jsonb,
  retry_after_seconds double precision default null,
  now timestamptz default clock_timestamp()
) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_reported boolean := record_apollo_answer.windows <> '{}'::jsonb;
  v_kind text;
  v_limit integer;
  v_left integer;
  v_spent_kinds text[] := array[]::text[];
begin
  if not v_reported and record_apollo_answer.retry_after_seconds is null then
    return;
  end if;
  insert into private.apollo_windows (pacing_key, endpoint, kind, max_requests)
  select record_apollo_answer.pacing_key, record_apollo_answer.endpoint, k.kind,
         private.apollo_assumed_limit(record_apollo_answer.endpoint, k.kind)
  from unnest(array['minute', 'hour', 'day']) as k(kind)
  on conflict on constraint apollo_windows_pkey do nothing;

  foreach v_kind in array array['day', 'hour', 'minute'] loop
    v_limit := nullif(record_apollo_answer.windows -> v_kind ->> 'limit', '')::integer;
    v_left := nullif(record_apollo_answer.windows -> v_kind ->> 'left', '')::integer;
    if v_left is not null and v_left <= 0 then
      v_spent_kinds := v_spent_kinds || v_kind;
    end if;
    if v_reported then
      update private.apollo_windows w
      set max_requests = case when v_limit is not null and v_limit > 0 then v_limit
                              when record_apollo_answer.windows ? v_kind then w.max_requests
                              else null end, -- a window Apollo does not report has no limit
          used = case when v_limit is not null and v_left is not null
                      then greatest(w.used, v_limit - greatest(v_left, 0)) else w.used end,
          opens_at = coalesce(w.opens_at, record_apollo_answer.now),
          -- the first answer of a window: Apollo's window opened before it, so ours resets after Apollo's
          resets_at = case when not w.answered or w.resets_at is null
                           then record_apollo_answer.now + make_interval(secs => private.apollo_window_seconds(v_kind))
                           else w.resets_at end,
          answered = true,
          limit_learned_at = record_apollo_answer.now
      where w.pacing_key = record_apollo_answer.pacing_key and w.endpoint = record_apollo_answer.endpoint and w.kind = v_kind;
    end if;
  end loop;

  -- A 429: the window Apollo says is spent (the minute when it does not say) is full until retry-after.
  if record_apollo_answer.retry_after_seconds is not null then
    if cardinality(v_spent_kinds) = 0 then
      v_spent_kinds := array['minute'];
    end if;
    update private.apollo_windows w
    set used = greatest(w.used, coalesce(w.max_requests, w.used + 1)),
        max_requests = coalesce(w.max_requests, greatest(w.used, 1)),
        opens_at = coalesce(w.opens_at, record_apollo_answer.now),
        -- Apollo knows when its window opens again
        resets_at = record_apollo_answer.now + make_interval(secs => greatest(record_apollo_answer.retry_after_seconds, 0)),
        answered = true,
        shut_by_apollo = true
    where w.pacing_key = record_apollo_answer.pacing_key and w.endpoint = record_apollo_answer.endpoint
      and w.kind = any (v_spent_kinds);
  end if;
end
$$;
comment on function public.record_apollo_answer(text, text, jsonb, double precision, timestamptz) is
  'Worker: learns from an Apollo answer on endpoint: the limits and what is left per window (from the rate-limit headers), and for a 429 the retry-after that keeps the spent window shut.';
revoke execute on function public.record_apollo_answer(text, text, jsonb, double precision, timestamptz) from public, anon, authenticated;
grant execute on function public.record_apollo_answer(text, text, jsonb, double precision, timestamptz) to service_role;

create function public.pause_apollo_key(pacing_key text, until timestamptz, reason text) returns integer
language sql
security definer
set search_path = ''
as $$
  with paused as (
    update public.workspace_settings s
    set jobs_paused_until = greatest(coalesce(s.jobs_paused_until, pause_apollo_key.until), pause_apollo_key.until),
        jobs_paused_reason = pause_apollo_key.reason
    where s.apollo_pacing_key = pause_apollo_key.pacing_key
    returning 1
  )
  select count(*)::integer from paused
$$;
comment on function public.pause_apollo_key(text, timestamptz, text) is
  'Worker: no job of any workspace that spends pacing_key''s Apollo budget is claimed before until (extends, never shortens, a pause); returns how many workspaces.';
revoke execute on function public.pause_apollo_key(text, timestamptz, text) from public, anon, authenticated;
grant execute on function public.pause_apollo_key(text, timestamptz, text) to service_role;

create function public.set_apollo_pacing_key(workspace_id uuid, pacing_key text) returns void
language sql
security definer
set search_path = ''
as $$
  update public.workspace_settings s set apollo_pacing_key = set_apollo_pacing_key.pacing_key
  where s.workspace_id = set_apollo_pacing_key.workspace_id
    and s.apollo_pacing_key is distinct from set_apollo_pacing_key.pacing_key
$$;
comment on function public.set_apollo_pacing_key(uuid, text) is
  'Worker and apollo-settings: records whose Apollo budget the workspace''s key spends (see apollo_pacing_key).';
revoke execute on function public.set_apollo_pacing_key(uuid, text) from public, anon, authenticated;
grant execute on function public.set_apollo_pacing_key(uuid, text) to service_role;
