-- Configuration that SQL reads: a value from Vault where Supabase has it, else from
-- private.settings (the local stack fills it; tests and operators tune thresholds there).
-- Kinds of keys: project_url and worker_secret_token (the worker call, see *_worker_wakeup.sql),
-- retention and alert thresholds, and test knobs such as retry_backoff_base_seconds.

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

create function private.int_setting(name text, fallback integer, min_value integer default 1, max_value integer default 1000000000)
returns integer
language plpgsql
stable
set search_path = ''
as $$
declare
  v_raw text := btrim(private.setting(int_setting.name));
begin
  if v_raw is null or v_raw !~ '^[0-9]{1,9}$' then
    return int_setting.fallback;
  end if;
  if v_raw::integer not between int_setting.min_value and int_setting.max_value then
    return int_setting.fallback;
  end if;
  return v_raw::integer;
end
$$;
comment on function private.int_setting(text, integer, integer, integer) is
  'A whole-number setting (Vault or private.settings); the fallback when it is unset or not a number in [min_value, max_value].';
