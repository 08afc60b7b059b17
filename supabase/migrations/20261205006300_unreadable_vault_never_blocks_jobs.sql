-- An unreadable Vault, or a wake-up that fails, never takes a user's job down with it.
-- Every enqueue reads settings (its quotas) and asks for a wake-up (which reads the worker's URL
-- and token from Vault and queues a pg_net request). On a project where postgres may not read
-- vault.decrypted_secrets, or where a secret does not decrypt, each of those raised, and every job
-- insert and retry failed with it. Now:
-- - private.setting answers as if Vault had no such secret (a WARNING says why): thresholds fall
--   back to private.settings and their defaults; the worker's URL and token are then missing, so
--   the health check, ops.current_alerts and verify:deploy report worker_not_configured;
-- - a failed wake-up leaves the job queued (a WARNING says why) for pg_cron's next call, which still
--   fails loudly (cron.job_run_details, verify:deploy's cron-runs) if the call itself is broken.

create or replace function private.setting(name text) returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  v_value text;
begin
  begin
    select s.decrypted_secret into v_value from vault.decrypted_secrets s where s.name = setting.name;
  exception
    when others then
      raise warning 'Vault could not be read for the setting %: % [SQLSTATE %]', setting.name, sqlerrm, sqlstate
        using hint = 'postgres needs SELECT on vault.decrypted_secrets (Supabase grants it), and the secret must decrypt; see docs/deploy.md, section 5.';
      v_value := null;
  end;
  if v_value is null and setting.name not in ('project_url', 'worker_secret_token') then
    select s.value into v_value from private.settings s where s.key = setting.name;
  end if;
  return v_value;
end
$$;
comment on function private.setting(text) is
  'A configuration value: the Vault secret of that name, else the private.settings row (except project_url and worker_secret_token: Vault only). An unreadable Vault counts as no secret, with a WARNING.';
revoke execute on function private.setting(text) from public, anon, authenticated;

create or replace function private.request_wakeup(reason text) returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not pg_try_advisory_xact_lock_shared(private.wakeup_lock_key()) then
    -- an invocation is stopping and cannot promise to see this job: start another
    return private.invoke_worker(request_wakeup.reason);
  end if;
  if exists (select 1 from private.worker_runs r where r.expires_at > clock_timestamp()) then
    return null; -- a running invocation claims again before it stops, after this transaction ends
  end if;
  return private.send_debounced_wakeup(request_wakeup.reason);
exception
  when others then
    raise warning 'job-worker not woken (%): % [SQLSTATE %]', request_wakeup.reason, sqlerrm, sqlstate
      using hint = 'The job stays queued for pg_cron''s next call; see ops.worker_invocations and docs/deploy.md, section 5.';
    return null;
end
$$;
comment on function private.request_wakeup(text) is
  'Wakes the worker for new due work unless a running invocation will see it, or a wake-up went out less than wakeup_debounce_milliseconds ago; returns the pg_net request id, or null when none was needed or it failed (a WARNING then says why).';
revoke execute on function private.request_wakeup(text) from public, anon, authenticated;
