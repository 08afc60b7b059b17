-- Rate limits kept in the database, so every caller (Edge Function invocations come and go,
-- browsers call SQL directly) counts against the same numbers.
--
-- A bucket names what is limited and for whom ('enqueue:<workspace id>',
-- 'apollo_key_test:<user id>'); each bucket counts hits in fixed windows of window_seconds
-- (aligned to the epoch). private.take_rate_limit adds hits to the current window and says how
-- long to wait when the window is full; a hit taken inside a transaction that rolls back is not
-- counted. The reaper trims windows older than a day.

create table private.rate_limit_windows (
  bucket text not null check (length(bucket) between 1 and 200),
  window_start timestamptz not null,
  hits integer not null default 0 check (hits >= 0),
  primary key (bucket, window_start)
);
comment on table private.rate_limit_windows is
  'Hits per rate-limit bucket per fixed window (private.take_rate_limit); windows older than a day are deleted by the reaper.';
create index rate_limit_windows_window_start_idx on private.rate_limit_windows (window_start);
revoke all on private.rate_limit_windows from public, anon, authenticated;

create function private.take_rate_limit(
  bucket text,
  max_hits integer,
  window_seconds integer,
  hits integer default 1,
  now timestamptz default clock_timestamp()
) returns double precision
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_start timestamptz;
  v_hits integer;
begin
  if take_rate_limit.max_hits is null or take_rate_limit.max_hits < 1
     or take_rate_limit.window_seconds is null or take_rate_limit.window_seconds < 1 then
    raise exception 'take_rate_limit: max_hits and window_seconds must be at least 1' using errcode = '22023';
  end if;
  v_start := date_bin(make_interval(secs => take_rate_limit.window_seconds), take_rate_limit.now, timestamptz 'epoch');
  insert into private.rate_limit_windows as w (bucket, window_start, hits)
  values (take_rate_limit.bucket, v_start, greatest(take_rate_limit.hits, 0))
  on conflict on constraint rate_limit_windows_pkey do update set hits = w.hits + excluded.hits
  returning w.hits into v_hits;
  if v_hits <= take_rate_limit.max_hits then
    return 0;
  end if;
  return greatest(extract(epoch from v_start + make_interval(secs => take_rate_limit.window_seconds) - take_rate_limit.now), 0);
end
$$;
comment on function private.take_rate_limit(text, integer, integer, integer, timestamptz) is
  'Counts hits against bucket in the current fixed window of window_seconds: 0 when the window still had room, else the seconds until the next window opens (the hits are counted either way).';
revoke execute on function private.take_rate_limit(text, integer, integer, integer, timestamptz) from public, anon, authenticated;
grant execute on function private.take_rate_limit(text, integer, integer, integer, timestamptz) to service_role;

create function private.purge_rate_limit_windows(now timestamptz default now()) returns integer
language sql
set search_path = ''
as $$
  with deleted as (
    delete from private.rate_limit_windows w where w.window_start < purge_rate_limit_windows.now - interval '1 day'
    returning 1
  )
  select count(*)::integer from deleted
$$;
comment on function private.purge_rate_limit_windows(timestamptz) is 'Deletes rate-limit windows older than a day; returns how many.';
revoke execute on function private.purge_rate_limit_windows(timestamptz) from public, anon, authenticated;

select cron.schedule('rate-limit-retention', '23 * * * *', $$select private.purge_rate_limit_windows()$$);
