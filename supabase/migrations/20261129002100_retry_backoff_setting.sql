-- The retry backoff's base as a setting, so the chaos soak (scripts/soak, npm run soak) can run
-- hours of retries in minutes without touching the clock or the jobs.
--
-- retry_backoff_seconds stays 60 s x 2^(attempt-1) +-10 %, capped at a day: the spec's numbers.
-- The 60 becomes private.settings (or Vault) 'retry_backoff_base_seconds' when that is set to a
-- whole number between 1 and 3600; unset, or anything else, means 60. It is a TEST KNOB: nothing
-- in production sets it, and setting it there makes retries hammer Apollo (see docs/security.md).
--
-- This migration redefines public.retry_backoff_seconds (20261129000700_queue_worker_calls.sql).

create function private.retry_backoff_base_seconds() returns double precision
language plpgsql
stable
-- private.settings is closed to every API role (service_role included); the number is all that leaves.
security definer
set search_path = ''
as $$
declare
  v_raw text := btrim(private.setting('retry_backoff_base_seconds'));
begin
  if v_raw is null or v_raw !~ '^[0-9]{1,4}$' or v_raw::integer not between 1 and 3600 then
    return 60;
  end if;
  return v_raw::double precision;
end
$$;
comment on function private.retry_backoff_base_seconds() is
  'Base of the retry backoff in seconds: private.settings retry_backoff_base_seconds (1..3600, a test knob used by the chaos soak), else 60 (the spec).';
revoke execute on function private.retry_backoff_base_seconds() from public, anon, authenticated;
grant execute on function private.retry_backoff_base_seconds() to service_role;

create or replace function public.retry_backoff_seconds(attempt integer, jitter double precision default random())
returns double precision
language sql
volatile
set search_path = ''
as $$
  select least(86400, private.retry_backoff_base_seconds() * power(2, greatest(retry_backoff_seconds.attempt, 1) - 1))
         * (0.9 + 0.2 * least(greatest(retry_backoff_seconds.jitter, 0), 1))
$$;
comment on function public.retry_backoff_seconds(integer, double precision) is
  'Seconds to wait before retrying after failed attempt n: 60 x 2^(n-1) with +-10% jitter (jitter in [0,1]), at most a day. The 60 is private.settings retry_backoff_base_seconds when set (a test knob, see 20261129002100).';
