-- Supabase Vault for the local stack: the interface of the supabase_vault extension (0.3) as a
-- hosted project has it, with pgcrypto doing the encryption. Included by bootstrap.sql, run as
-- supabase_admin, which owns every object here, as on a hosted project.
--
-- Secrets are stored encrypted (vault.secrets.secret, base64) and decrypted only when the view
-- vault.decrypted_secrets is read. The root key is not in the database: it is a file of the stack
-- instance (.stack/<instance>/vault-root.key, psql variable vault_key_file) that only the server
-- reads (pg_read_file, as supabase_admin), as Vault's key is held outside SQL on Supabase.
-- Encryption: AES-256-CBC with the row's nonce as IV, then an HMAC-SHA256 tag over nonce,
-- associated data (the secret's id) and ciphertext, checked before decrypting; both keys derive
-- from the root key. A ciphertext moved to another row, or altered, does not decrypt.

create schema if not exists vault authorization supabase_admin;
comment on schema vault is 'Supabase Vault (local stand-in): secrets encrypted at rest, read through vault.decrypted_secrets.';

set stack.vault_key_file to :'vault_key_file';
do $$
begin
  -- The file's path is fixed when the function is created: nothing at run time can redirect it.
  -- (decode skips the file's trailing newline: base64 decoding ignores whitespace.)
  execute pg_catalog.format(
    'create or replace function vault._root_key() returns bytea
     language sql stable security definer set search_path = %L
     as $key$ select pg_catalog.decode(pg_catalog.pg_read_file(%L), %L) $key$',
    '', current_setting('stack.vault_key_file'), 'base64');
end
$$;
reset stack.vault_key_file;
comment on function vault._root_key() is 'The stack''s Vault root key (32 bytes), read from its file; executable by supabase_admin only.';

-- One key per purpose (encryption, authentication), context and key id.
create or replace function vault._derived_key(purpose text, key_id bigint, context bytea) returns bytea
language sql stable security definer
set search_path = ''
as $$
  select extensions.hmac(pg_catalog.convert_to(_derived_key.purpose || ':' || _derived_key.key_id::text || ':', 'utf8')
                         || _derived_key.context, vault._root_key(), 'sha256')
$$;
comment on function vault._derived_key(text, bigint, bytea) is 'A 32-byte key derived from the root key for one purpose (enc, mac), key id and context.';

create or replace function vault._crypto_aead_det_noncegen() returns bytea
language sql volatile
set search_path = ''
as $$ select extensions.gen_random_bytes(16) $$;
comment on function vault._crypto_aead_det_noncegen() is 'A fresh 16-byte nonce for a secret.';

-- The tag binds nonce, associated data and ciphertext: encrypt appends it, decrypt checks it.
create or replace function vault._tag(nonce bytea, additional bytea, ciphertext bytea, key_id bigint, context bytea)
returns bytea
language sql stable security definer
set search_path = ''
as $$
  select extensions.hmac(_tag.nonce || coalesce(_tag.additional, '') || _tag.ciphertext,
                         vault._derived_key('mac', _tag.key_id, _tag.context), 'sha256')
$$;
comment on function vault._tag(bytea, bytea, bytea, bigint, bytea) is 'The 32-byte HMAC-SHA256 tag of a ciphertext, its nonce and associated data.';

create or replace function vault._crypto_aead_det_encrypt(
  message bytea, additional bytea, key_id bigint, context bytea default 'pgsodium', nonce bytea default null
) returns bytea
language plpgsql stable security definer
set search_path = ''
as $$
declare
  v_ciphertext bytea;
begin
  if _crypto_aead_det_encrypt.nonce is null or pg_catalog.length(_crypto_aead_det_encrypt.nonce) <> 16 then
    raise exception 'vault: a 16-byte nonce is required' using errcode = '22023';
  end if;
  v_ciphertext := extensions.encrypt_iv(_crypto_aead_det_encrypt.message,
    vault._derived_key('enc', _crypto_aead_det_encrypt.key_id, _crypto_aead_det_encrypt.context),
    _crypto_aead_det_encrypt.nonce, 'aes-cbc/pad:pkcs');
  return v_ciphertext || vault._tag(_crypto_aead_det_encrypt.nonce, _crypto_aead_det_encrypt.additional, v_ciphertext,
    _crypto_aead_det_encrypt.key_id, _crypto_aead_det_encrypt.context);
end
$$;
comment on function vault._crypto_aead_det_encrypt(bytea, bytea, bigint, bytea, bytea) is
  'Encrypts message with the root key, bound to additional (the secret''s id) and nonce: ciphertext || 32-byte tag.';

create or replace function vault._crypto_aead_det_decrypt(
  message bytea, additional bytea, key_id bigint, context bytea default 'pgsodium', nonce bytea default null
) returns bytea
language plpgsql stable security definer
set search_path = ''
as $$
declare
  v_length integer := pg_catalog.length(_crypto_aead_det_decrypt.message);
  v_ciphertext bytea;
  v_tag bytea;
begin
  if _crypto_aead_det_decrypt.nonce is null or v_length is null or v_length < 48 then
    raise exception 'vault: the secret cannot be decrypted (not a ciphertext of this Vault)' using errcode = '22023';
  end if;
  v_ciphertext := pg_catalog.substr(_crypto_aead_det_decrypt.message, 1, v_length - 32);
  v_tag := pg_catalog.substr(_crypto_aead_det_decrypt.message, v_length - 31);
  if v_tag <> vault._tag(_crypto_aead_det_decrypt.nonce, _crypto_aead_det_decrypt.additional, v_ciphertext,
       _crypto_aead_det_decrypt.key_id, _crypto_aead_det_decrypt.context) then
    raise exception 'vault: the secret cannot be decrypted (altered, moved, or encrypted with another key)' using errcode = '22023';
  end if;
  return extensions.decrypt_iv(v_ciphertext,
    vault._derived_key('enc', _crypto_aead_det_decrypt.key_id, _crypto_aead_det_decrypt.context),
    _crypto_aead_det_decrypt.nonce, 'aes-cbc/pad:pkcs');
end
$$;
comment on function vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea) is
  'Checks the tag and decrypts a ciphertext of _crypto_aead_det_encrypt; raises 22023 when it does not verify.';

create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea default vault._crypto_aead_det_noncegen(),
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
comment on table vault.secrets is 'Secrets, encrypted at rest (secret is base64 ciphertext); read them through vault.decrypted_secrets.';
create unique index if not exists secrets_name_idx on vault.secrets (name) where name is not null;

create or replace view vault.decrypted_secrets as
select
  s.id,
  s.name,
  s.description,
  s.secret,
  pg_catalog.convert_from(vault._crypto_aead_det_decrypt(
    pg_catalog.decode(s.secret, 'base64'), pg_catalog.convert_to(s.id::text, 'utf8'), 0, 'pgsodium', s.nonce), 'utf8') as decrypted_secret,
  s.key_id,
  s.nonce,
  s.created_at,
  s.updated_at
from vault.secrets s;
comment on view vault.decrypted_secrets is 'vault.secrets with each secret decrypted (decrypted_secret), computed when read.';

create or replace function vault.create_secret(
  new_secret text, new_name text default null, new_description text default '', new_key_id uuid default null
) returns uuid
language plpgsql security definer
set search_path = ''
as $$
declare
  v_id uuid := gen_random_uuid();
  v_nonce bytea := vault._crypto_aead_det_noncegen();
begin
  -- Encrypted before the row is written, so the plain text never reaches a table (or the WAL).
  insert into vault.secrets (id, name, description, secret, nonce)
  values (v_id, create_secret.new_name, coalesce(create_secret.new_description, ''),
          pg_catalog.encode(vault._crypto_aead_det_encrypt(
            pg_catalog.convert_to(create_secret.new_secret, 'utf8'), pg_catalog.convert_to(v_id::text, 'utf8'),
            0, 'pgsodium', v_nonce), 'base64'),
          v_nonce);
  return v_id;
end
$$;
comment on function vault.create_secret(text, text, text, uuid) is
  'Stores a new secret (name unique when given) encrypted; returns its id. new_key_id is accepted and ignored, as by Vault.';

create or replace function vault.update_secret(
  secret_id uuid, new_secret text default null, new_name text default null, new_description text default null,
  new_key_id uuid default null
) returns void
language plpgsql security definer
set search_path = ''
as $$
begin
  update vault.secrets s
  set secret = case when update_secret.new_secret is null then s.secret
                    else pg_catalog.encode(vault._crypto_aead_det_encrypt(
                           pg_catalog.convert_to(update_secret.new_secret, 'utf8'), pg_catalog.convert_to(s.id::text, 'utf8'),
                           0, 'pgsodium', s.nonce), 'base64') end,
      name = coalesce(update_secret.new_name, s.name),
      description = coalesce(update_secret.new_description, s.description),
      updated_at = now()
  where s.id = update_secret.secret_id;
end
$$;
comment on function vault.update_secret(uuid, text, text, text, uuid) is
  'Replaces a secret''s value, name or description (each when given); new_key_id is accepted and ignored, as by Vault.';

-- Privileges as a hosted project has them (the supabase_vault after-create script): postgres and
-- service_role read, delete and manage secrets through the functions; nobody else reaches them.
-- (postgres may not INSERT or UPDATE vault.secrets: create_secret and update_secret encrypt.)
revoke all on function vault._root_key(), vault._derived_key(text, bigint, bytea), vault._tag(bytea, bytea, bytea, bigint, bytea),
  vault._crypto_aead_det_noncegen(), vault._crypto_aead_det_encrypt(bytea, bytea, bigint, bytea, bytea),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea),
  vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid) from public;
revoke all on vault.secrets, vault.decrypted_secrets from public;

grant usage on schema vault to postgres with grant option;
grant select, delete, truncate, references on vault.secrets, vault.decrypted_secrets to postgres with grant option;
grant execute on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea) to postgres with grant option;

grant usage on schema vault to service_role;
grant select, delete on vault.secrets, vault.decrypted_secrets to service_role;
grant execute on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea) to service_role;
