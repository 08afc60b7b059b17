-- Schema realtime as Supabase Realtime's own tenant migrations leave it on a hosted project (for
-- Broadcast from the database and its authorization): realtime.messages, partitioned by day, and
-- realtime.topic(), realtime.send() and realtime.broadcast_changes(). Definitions follow
-- supabase/realtime: lib/realtime/tenants/repo/migrations (20240401105812 create_realtime_admin,
-- 20240523004032 topic(), 20240919163303 broadcast_changes, 20241030150047 + 20241108114728 the
-- partitioned table with a uuid id, 20250905041441 its index, 20260605120000 send() as it is now)
-- and priv/repo/tenant_db_dump_15.sql (owners and grants). Only what Broadcast uses is here:
-- Postgres Changes is served by the local gateway without realtime.subscription and friends.
--
-- Runs as supabase_admin on every `stack:up` (scripts/stack/database.ts), so a stack made before
-- this file existed gets it too: everything below is idempotent and leaves policies alone.
--
-- Migrations, which run as postgres (not a superuser), can `create policy ... on realtime.messages`
-- because postgres is a member of supabase_realtime_admin, the table's owner: hosted projects on
-- images without supautils.policy_grants for realtime.messages work that way
-- (20240401105812: `GRANT supabase_realtime_admin TO postgres`).
--
-- Partitions: one per UTC day, `realtime.messages_YYYY_MM_DD`. Hosted Realtime's janitor creates
-- yesterday's to three days ahead and drops those older than 72 hours (Realtime.Tenants
-- .create_messages_partitions, Realtime.Messages.delete_old_messages); here the same is done by
-- this file on every `stack:up` (and by the local gateway while it runs).

do $$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'supabase_realtime_admin') then
    create role supabase_realtime_admin with noinherit nologin noreplication;
  end if;
end
$$;
grant anon, authenticated, service_role to supabase_realtime_admin;
grant supabase_realtime_admin to postgres;

create schema if not exists realtime authorization supabase_admin;
grant usage on schema realtime to postgres with grant option;
grant usage on schema realtime to anon, authenticated, service_role;
grant all on schema realtime to supabase_realtime_admin with grant option;

create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp without time zone not null default now(),
  inserted_at timestamp without time zone not null default now(),
  id uuid not null default gen_random_uuid(),
  primary key (id, inserted_at)
) partition by range (inserted_at);
create index if not exists messages_inserted_at_topic_index on only realtime.messages
  using btree (inserted_at desc, topic) where extension = 'broadcast' and private is true;
alter table realtime.messages owner to supabase_realtime_admin;
alter table realtime.messages enable row level security;
grant all on table realtime.messages to postgres;
grant select, insert, update on table realtime.messages to anon, authenticated, service_role;

create or replace function realtime.topic() returns text
language sql stable
as $$
select nullif(current_setting('realtime.topic', true), '')::text;
$$;

-- send(): one broadcast row for the topic; the payload gets an "id" (the row's) unless it has one.
-- As on hosted, a failure never fails the caller: it becomes a WARNING.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
declare
  v_id uuid := gen_random_uuid();
begin
  begin
    perform set_config('realtime.topic', send.topic, true);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (v_id,
            case when send.payload ? 'id' then send.payload else send.payload || jsonb_build_object('id', v_id) end,
            send.event, send.topic, send.private, 'broadcast');
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end
$$;

-- broadcast_changes(): a row trigger's change as {old_record, record, operation, table, schema}
-- (a side the operation has not is null), sent with send(); anything but a row-level INSERT,
-- UPDATE or DELETE is an error, as on hosted.
create or replace function realtime.broadcast_changes(
  topic_name text, event_name text, operation text, table_name text, table_schema text,
  new record, old record, level text default 'ROW'
) returns void
language plpgsql
as $$
begin
  if broadcast_changes.level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if broadcast_changes.operation not in ('INSERT', 'UPDATE', 'DELETE') then
    raise exception 'Unexpected operation type: %', broadcast_changes.operation;
  end if;
  perform realtime.send(
    jsonb_build_object('old_record', broadcast_changes.old, 'record', broadcast_changes.new,
                       'operation', broadcast_changes.operation, 'table', broadcast_changes.table_name,
                       'schema', broadcast_changes.table_schema),
    broadcast_changes.event_name, broadcast_changes.topic_name);
exception when others then
  raise exception 'Failed to process the row: %', sqlerrm;
end
$$;

alter function realtime.topic() owner to supabase_realtime_admin;
alter function realtime.send(jsonb, text, text, boolean) owner to supabase_realtime_admin;
alter function realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  owner to supabase_realtime_admin;
grant all on function realtime.topic() to postgres;
grant all on function realtime.send(jsonb, text, text, boolean) to postgres;
grant all on function realtime.broadcast_changes(text, text, text, text, text, record, record, text) to postgres;

-- Today's partitions and the next days', and none older than 72 hours (see the header).
do $$
declare
  day date;
  part text;
  limit_day date := ((now() at time zone 'UTC') - interval '72 hours')::date;
begin
  for day in select generate_series((now() at time zone 'UTC')::date - 1, (now() at time zone 'UTC')::date + 3, '1 day')::date loop
    part := 'messages_' || to_char(day, 'YYYY_MM_DD');
    execute format(
      'create table if not exists realtime.%I partition of realtime.messages for values from (%L) to (%L)',
      part, day, day + 1
    );
    execute format('alter table realtime.%I owner to supabase_realtime_admin', part);
  end loop;
  for part in
    select c.relname from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'realtime.messages'::regclass and c.relname ~ '^messages_\d{4}_\d\d_\d\d$'
  loop
    if to_date(substr(part, 10), 'YYYY_MM_DD') < limit_day then
      execute format('drop table if exists realtime.%I', part);
    end if;
  end loop;
end
$$;
