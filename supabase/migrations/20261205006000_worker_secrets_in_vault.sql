-- The worker's URL and secret (project_url, worker_secret_token) come from Vault only.
-- Until now private.setting read Vault when it existed and fell back to private.settings, so the
-- local stack (which had no Vault) only ever ran the fallback, and the path a hosted project runs
-- was never exercised. The stack has a Vault now; these two names are read from it alone, and the
-- table refuses them, so a token cannot end up stored unencrypted next to the thresholds.
-- Other settings (thresholds, quotas, test knobs) are still read from Vault first, then from
-- private.settings.

-- A value someone had put in the table moves to Vault (unless Vault has one): nothing is lost.
do $$
declare
  v_row record;
begin
  for v_row in
    select s.key, s.value from private.settings s
    where s.key in ('project_url', 'worker_secret_token')
      and not exists (select 1 from vault.secrets v where v.name = s.key)
  loop
    perform vault.create_secret(v_row.value, v_row.key, 'Moved from private.settings by migration 20261205006000');
  end loop;
  delete from private.settings s where s.key in ('project_url', 'worker_secret_token');
end
$$;

alter table private.settings add constraint settings_worker_url_and_secret_live_in_vault
  check (key not in ('project_url', 'worker_secret_token'));
comment on constraint settings_worker_url_and_secret_live_in_vault on private.settings is
  'project_url and worker_secret_token are Vault secrets (vault.create_secret), never rows here.';
comment on table private.settings is
  'Configuration read by SQL (thresholds, quotas, retention days, test knobs); the worker''s URL and secret are in Vault.';

create or replace function private.setting(name text) returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  v_value text;
begin
  select s.decrypted_secret into v_value from vault.decrypted_secrets s where s.name = setting.name;
  if v_value is null and setting.name not in ('project_url', 'worker_secret_token') then
    select s.value into v_value from private.settings s where s.key = setting.name;
  end if;
  return v_value;
end
$$;
comment on function private.setting(text) is
  'A configuration value: the Vault secret of that name, else the private.settings row (except project_url and worker_secret_token: Vault only).';
revoke execute on function private.setting(text) from public, anon, authenticated;
