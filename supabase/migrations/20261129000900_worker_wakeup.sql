-- Calling the job-worker Edge Function from the database through pg_net: from pg_cron every
-- minute, and at once after jobs are queued so a new job starts in well under a second.
-- The URL and the worker's secret come from Vault on Supabase (secrets 'project_url' and
-- 'worker_secret_token', see docs) and from private.settings where there is no Vault
-- (the local stack fills it).

create table private.settings (
  key text primary key check (key ~ '^[a-z][a-z0-9_]*$'),
  value text not null,
  updated_at timestamptz not null default now()
);
comment on table private.settings is 'Configuration read by SQL: project_url and worker_secret_token where Vault is absent, retention days.';
revoke all on private.settings from public, anon, authenticated;

create function private.setting(name text) returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  v_value text;
begin
  if to_regclass('vault.decrypted_secrets') is not null then
    -- dynamic, so this compiles (and lints) where Vault is absent
    execute format('select decrypted_secret from %I.decrypted_secrets where name = $1 limit 1', 'vault')
      into v_value using setting.name;
  end if;
  if v_value is null then
    select s.value into v_value from private.settings s where s.key = setting.name;
  end if;
  return v_value;
end
$$;
comment on function private.setting(text) is 'A configuration value: the Vault secret of that name if Vault has it, else private.settings.';

create function private.invoke_worker(reason text default 'manual') returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_url text := private.setting('project_url');
  v_token text := private.setting('worker_secret_token');
begin
  if v_url is null or v_token is null then
    raise notice 'job-worker not called: set the project_url and worker_secret_token secrets (see docs/deploy.md)';
    return null;
  end if;
  return net.http_post(
    url := rtrim(v_url, '/') || '/functions/v1/job-worker',
    body := jsonb_build_object('reason', invoke_worker.reason, 'at', now()),
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || v_token),
    -- the worker answers when its batch is done (time budget 50 s)
    timeout_milliseconds := 60000
  );
end
$$;
comment on function private.invoke_worker(text) is 'Queues one POST to the job-worker Edge Function through pg_net; returns the pg_net request id (null when not configured).';

-- One wake-up per inserting statement (not per row), and only when something is due now.
create function private.wake_worker_after_insert() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from inserted_jobs i where i.status = 'pending' and i.scheduled_for <= now() + interval '1 second') then
    perform private.invoke_worker('enqueue');
  end if;
  return null;
end
$$;
comment on function private.wake_worker_after_insert() is 'Trigger (per statement): wakes the worker once when the statement queued due jobs.';

create trigger wake_worker after insert on public.jobs
  referencing new table as inserted_jobs
  for each statement execute function private.wake_worker_after_insert();
