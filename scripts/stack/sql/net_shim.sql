-- A stand-in for pg_net (not packaged for Debian) with pg_net's own tables and signatures
-- (supabase/pg_net sql/pg_net.sql). Requests queue here; the stack's dispatcher
-- (scripts/stack/net-dispatcher.ts) is woken by NOTIFY, which Postgres delivers only after
-- commit, so, as with pg_net, nothing is sent for a transaction that rolls back.
-- Runs as supabase_admin, which owns it all, as on Supabase.
create schema if not exists net;
grant usage on schema net to postgres, anon, authenticated, service_role;

do $$
begin
  if not exists (select from pg_type t join pg_namespace n on n.oid = t.typnamespace
                 where n.nspname = 'net' and t.typname = 'http_method') then
    create domain net.http_method as text
      check (value ilike 'get' or value ilike 'post' or value ilike 'delete');
  end if;
end
$$;

create unlogged table if not exists net.http_request_queue (
  id bigserial not null,
  method net.http_method not null,
  url text not null,
  headers jsonb,
  body bytea,
  timeout_milliseconds integer not null
);

create unlogged table if not exists net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamptz not null default now()
);
create index if not exists _http_response_created_idx on net._http_response (created);

create or replace function net.wake() returns void
language sql
set search_path to ''
as $$ select pg_notify('pg_net_wake', '') $$;

create or replace function net.worker_restart() returns boolean
language sql
set search_path to ''
as $$ select pg_notify('pg_net_wake', '') is not null $$;

create or replace function net._encode_url_with_params_array(url text, params_array text[]) returns text
language plpgsql immutable
set search_path to ''
as $$
declare
  v_url text := url;
  v_param text;
  v_separator text := case when position('?' in url) > 0 then '&' else '?' end;
begin
  foreach v_param in array coalesce(params_array, '{}') loop
    v_url := v_url || v_separator || v_param;
    v_separator := '&';
  end loop;
  return v_url;
end
$$;

create or replace function net._params_array(params jsonb) returns text[]
language sql immutable
set search_path to ''
as $$
  select coalesce(array_agg(pg_catalog.format('%s=%s', key, value)), '{}')
  from jsonb_each_text(coalesce(params, '{}'))
$$;

-- What the three request functions share: queue the request (its params in the URL, a JSON body
-- as UTF-8 bytes) and wake the dispatcher; the id is the one its answer gets in net._http_response.
create or replace function net._enqueue(
  method net.http_method,
  url text,
  params jsonb,
  headers jsonb,
  body jsonb,
  timeout_milliseconds integer
) returns bigint
language plpgsql
set search_path to ''
as $$
declare
  request_id bigint;
begin
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (method, net._encode_url_with_params_array(url, net._params_array(params)), headers,
          convert_to(body::text, 'UTF8'), timeout_milliseconds)
  returning id into request_id;
  perform net.wake();
  return request_id;
end
$$;

create or replace function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint
language sql
set search_path to ''
as $$ select net._enqueue('GET', url, params, headers, null, timeout_milliseconds) $$;

create or replace function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint
language plpgsql
set search_path to ''
as $$
declare
  content_type text;
begin
  select header_value into content_type
  from jsonb_each_text(coalesce(headers, '{}')) as h(header_name, header_value)
  where lower(header_name) = 'content-type'
  limit 1;

  if content_type is null then
    headers := coalesce(headers, '{}') || '{"Content-Type": "application/json"}'::jsonb;
  elsif content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;

  return net._enqueue('POST', url, params, headers, body, timeout_milliseconds);
end
$$;

create or replace function net.http_delete(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000,
  body jsonb default null
) returns bigint
language sql
set search_path to ''
as $$ select net._enqueue('DELETE', url, params, headers, body, timeout_milliseconds) $$;

-- pg_net 0.12 and later (a new project's) keep the request functions SECURITY INVOKER; the queue
-- and the answers are worked by the stack's dispatcher (connecting as postgres, standing in for
-- pg_net's background worker) and read by the operator views. Migrations revoke what they must.
grant all on all tables in schema net to postgres, service_role;
grant all on all sequences in schema net to postgres, service_role;
