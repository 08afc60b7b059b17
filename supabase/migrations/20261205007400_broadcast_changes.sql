-- Live updates the way Supabase recommends at scale: the database broadcasts job, log and account
-- changes to private Realtime topics, and RLS on realtime.messages decides who may join them
-- (hosted Realtime checks it once, at join time, as the joining user). Postgres Changes checked
-- every change against every subscriber and leaked change metadata to non-members.
--
-- Topics (web/src/lib/topics.ts builds the same names; broadcast_topics_test checks them):
--   workspace:<workspace_id>:jobs      every job of the workspace (the jobs list, accounts, Activity)
--   workspace:<workspace_id>:accounts  changes to the workspace's accounts (the account page)
--   job:<job_id>                       one job and its log lines (the job page)
-- Payloads are realtime.broadcast_changes' shape: {operation, table, schema, record, old_record},
-- event = the operation; a deleted account's old_record carries only its ids.
--
-- One INSERT into realtime.messages per statement (transition tables), not one realtime.send()
-- call per row: a claim or a completion of 50 jobs writes its 100 messages at once. A failure to
-- broadcast never fails the change itself (as realtime.send, it only warns). New accounts are not
-- broadcast: no page follows an account before it exists (the lists follow the jobs topic), and an
-- import of 100,000 accounts would write as many messages for nobody.

create function private.change_payload(p_operation text, p_table text, p_record jsonb, p_old_ids jsonb) returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object('operation', p_operation, 'table', p_table, 'schema', 'public',
                            'record', p_record, 'old_record', p_old_ids)
$$;
comment on function private.change_payload(text, text, jsonb, jsonb) is
  'A broadcast payload in realtime.broadcast_changes'' shape (a deleted row: record null, old_record its ids).';
revoke all on function private.change_payload(text, text, jsonb, jsonb) from public;

create function private.broadcast_job_changes() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into realtime.messages (topic, extension, event, private, payload)
  select t.topic, 'broadcast', tg_op, true, private.change_payload(tg_op, 'jobs', to_jsonb(n), null)
  from changed_jobs n
  cross join lateral (values ('workspace:' || n.workspace_id || ':jobs'), ('job:' || n.id)) t(topic);
  return null;
exception when others then
  raise warning 'broadcast of job changes failed: %', sqlerrm;
  return null;
end
$$;
comment on function private.broadcast_job_changes() is
  'Trigger (per statement, after insert or update on jobs): broadcasts each changed job to workspace:<id>:jobs and job:<id>.';
revoke all on function private.broadcast_job_changes() from public;

-- Jobs are deleted only by retention (long finished) or with their workspace: nobody follows those.
create trigger broadcast_inserted_jobs after insert on public.jobs
  referencing new table as changed_jobs for each statement execute function private.broadcast_job_changes();
create trigger broadcast_updated_jobs after update on public.jobs
  referencing new table as changed_jobs for each statement execute function private.broadcast_job_changes();

create function private.broadcast_job_logs() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into realtime.messages (topic, extension, event, private, payload)
  select 'job:' || l.job_id, 'broadcast', 'INSERT', true, private.change_payload('INSERT', 'job_logs', to_jsonb(l), null)
  from new_logs l
  order by l.id;
  return null;
exception when others then
  raise warning 'broadcast of log lines failed: %', sqlerrm;
  return null;
end
$$;
comment on function private.broadcast_job_logs() is
  'Trigger (per statement, on job_logs): broadcasts each new log line to its job''s topic job:<id>, in order.';
revoke all on function private.broadcast_job_logs() from public;

create trigger broadcast_job_logs after insert on public.job_logs
  referencing new table as new_logs for each statement execute function private.broadcast_job_logs();

create function private.broadcast_account_changes() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    insert into realtime.messages (topic, extension, event, private, payload)
    select 'workspace:' || o.workspace_id || ':accounts', 'broadcast', tg_op, true,
           private.change_payload(tg_op, 'accounts', null, jsonb_build_object('id', o.id, 'workspace_id', o.workspace_id))
    from deleted_accounts o;
  else
    insert into realtime.messages (topic, extension, event, private, payload)
    select 'workspace:' || n.workspace_id || ':accounts', 'broadcast', tg_op, true,
           private.change_payload(tg_op, 'accounts', to_jsonb(n), null)
    from changed_accounts n;
  end if;
  return null;
exception when others then
  raise warning 'broadcast of account changes failed: %', sqlerrm;
  return null;
end
$$;
comment on function private.broadcast_account_changes() is
  'Trigger (per statement, after update or delete on accounts): broadcasts each changed account to workspace:<id>:accounts.';
revoke all on function private.broadcast_account_changes() from public;

create trigger broadcast_updated_accounts after update on public.accounts
  referencing new table as changed_accounts for each statement execute function private.broadcast_account_changes();
create trigger broadcast_deleted_accounts after delete on public.accounts
  referencing old table as deleted_accounts for each statement execute function private.broadcast_account_changes();

-- Who may join which topic: Realtime sets realtime.topic() to the topic being joined and checks this
-- as the joining user. A workspace's topics: its members; a job's topic: whoever may see the job
-- (RLS on jobs). Nobody else, anon included, and no other extension (presence) is allowed.
create policy "Members receive their workspaces' broadcasts" on realtime.messages
  for select to authenticated
  using (
    realtime.messages.extension = 'broadcast'
    and (
      -- CASE: the uuid cast only ever sees a topic that spells one
      (case when realtime.topic() ~ '^workspace:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:(jobs|accounts)$'
            then split_part(realtime.topic(), ':', 2)::uuid end)
        in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid()))
      or exists (
        select 1 from public.jobs j
        where j.id = (case when realtime.topic() ~ '^job:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                           then split_part(realtime.topic(), ':', 2)::uuid end))
    )
  );
