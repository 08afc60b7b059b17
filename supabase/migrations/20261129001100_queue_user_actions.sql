-- Cancel and retry, for browser users. Browsers cannot UPDATE jobs; they record the action in
-- job_actions (an INSERT checked by RLS), and a trigger that runs as the table owner applies
-- it under the state rules. This keeps every change to a job in SQL we wrote, leaves an audit
-- trail of who did what, and needs no SECURITY DEFINER function that browsers can execute.

create table public.job_actions (
  id bigint generated always as identity primary key,
  job_id uuid not null references public.jobs (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  action text not null check (action in ('cancel', 'retry')),
  requested_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now()
);
comment on table public.job_actions is 'Cancel and retry requests made by users; applied by a trigger, kept as an audit trail.';
create index job_actions_job_id_idx on public.job_actions (job_id);
create index job_actions_workspace_idx on public.job_actions (workspace_id);
create index job_actions_requested_by_idx on public.job_actions (requested_by);

alter table public.job_actions enable row level security;
revoke all on public.job_actions from anon;
revoke all on public.job_actions from authenticated;
grant select on public.job_actions to authenticated;
grant insert (job_id, workspace_id, action) on public.job_actions to authenticated;

create policy "Members can see their workspace's job actions"
  on public.job_actions for select to authenticated
  using (workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid())));

create policy "Members can cancel or retry their workspace's jobs"
  on public.job_actions for insert to authenticated
  with check (
    workspace_id in (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid()))
    and job_id in (select j.id from public.jobs j where j.workspace_id = job_actions.workspace_id)
  );

create function private.apply_job_action() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_job public.jobs;
begin
  select * into v_job from public.jobs j where j.id = new.job_id and j.workspace_id = new.workspace_id for update;
  if not found then
    raise exception 'Job not found' using errcode = 'PT404';
  end if;

  if new.action = 'cancel' then
    if v_job.status not in ('pending', 'processing') then
      raise exception 'This job is % and can no longer be cancelled', v_job.status using errcode = 'PT409',
        hint = 'Only pending or processing jobs can be cancelled.';
    end if;
    -- Clearing the lease makes the worker's next call on this job fail, so it stops.
    update public.jobs j
    set status = 'cancelled', cancelled_at = now(), next_retry_at = null, locked_by = null, locked_until = null
    where j.id = v_job.id;
    perform private.write_job_log(v_job.id, v_job.workspace_id, v_job.attempts,
      format('Cancelled by %s', coalesce((select u.email from auth.users u where u.id = new.requested_by), 'a user')), 'warn');
    return new;
  end if;

  -- retry
  if v_job.status not in ('failed', 'cancelled') then
    raise exception 'This job is % and cannot be retried', v_job.status using errcode = 'PT409',
      hint = 'Only failed or cancelled jobs can be retried.';
  end if;
  begin
    update public.jobs j
    set status = 'pending', attempts = 0, scheduled_for = now(), next_retry_at = null,
        failed_at = null, cancelled_at = null, completed_at = null, error_message = null,
        progress = '{"percentage": 0}'
    where j.id = v_job.id;
  exception when unique_violation then
    raise exception 'Another job for the same record is already queued' using errcode = 'PT409',
      hint = 'Wait for it to finish, or cancel it first.';
  end;
  perform private.write_job_log(v_job.id, v_job.workspace_id, 0,
    format('Retried by %s: attempts start again from 1', coalesce((select u.email from auth.users u where u.id = new.requested_by), 'a user')));
  perform private.invoke_worker('retry');
  return new;
end
$$;
comment on function private.apply_job_action() is 'Trigger: applies a cancel or retry request to its job, or rejects it with the reason.';

create trigger apply_action after insert on public.job_actions
  for each row execute function private.apply_job_action();

create function public.cancel_job(job_id uuid) returns public.jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.jobs;
begin
  insert into public.job_actions (job_id, workspace_id, action)
  select j.id, j.workspace_id, 'cancel' from public.jobs j where j.id = cancel_job.job_id;
  if not found then
    raise exception 'Job not found' using errcode = 'PT404';
  end if;
  select * into v_job from public.jobs j where j.id = cancel_job.job_id;
  return v_job;
end
$$;
comment on function public.cancel_job(uuid) is 'Browser: cancels a pending or processing job of the caller''s workspace; returns it.';
revoke execute on function public.cancel_job(uuid) from public, anon, authenticated;
grant execute on function public.cancel_job(uuid) to authenticated, service_role;

create function public.retry_job(job_id uuid) returns public.jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.jobs;
begin
  insert into public.job_actions (job_id, workspace_id, action)
  select j.id, j.workspace_id, 'retry' from public.jobs j where j.id = retry_job.job_id;
  if not found then
    raise exception 'Job not found' using errcode = 'PT404';
  end if;
  select * into v_job from public.jobs j where j.id = retry_job.job_id;
  return v_job;
end
$$;
comment on function public.retry_job(uuid) is 'Browser: queues a failed or cancelled job again with a fresh set of attempts; returns it.';
revoke execute on function public.retry_job(uuid) from public, anon, authenticated;
grant execute on function public.retry_job(uuid) to authenticated, service_role;
