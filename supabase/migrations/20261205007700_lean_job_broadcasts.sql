-- Job broadcasts that cost the queue less. 20261205007400_broadcast_changes wrote two messages per
-- changed job, each with the whole row (to workspace:<id>:jobs and job:<id>): half of a no-op job's
-- drain time went into them, and a busy queue would send Realtime two messages per job and step.
--
-- Now a job change is broadcast once per statement and workspace (up to 100 jobs a message), to
-- workspace:<workspace_id>:jobs only, payload {operation, table, schema, records}: records are lean
-- rows, the columns the pages read live (they refetch the rest, as the job page does when a job's
-- status changes). The job page follows its workspace's jobs topic for its job's row and job:<id>
-- for its log lines, which stay one message per line. A claim or a completion of 100 jobs writes
-- one message instead of 200.
--
-- web/src/lib/broadcast.ts turns a message with records into one change per record.

create or replace function private.broadcast_job_changes() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into realtime.messages (topic, extension, event, private, payload)
  select 'workspace:' || c.workspace_id || ':jobs', 'broadcast', tg_op, true,
         jsonb_build_object('operation', tg_op, 'table', 'jobs', 'schema', 'public', 'records', jsonb_agg(c.record))
  from (
    select n.workspace_id,
           -- a claim or a completion fits one message; an import of 100,000 jobs gets 1,000 small ones
           (row_number() over (partition by n.workspace_id) - 1) / 100 as chunk,
           jsonb_build_object('id', n.id, 'workspace_id', n.workspace_id, 'job_type', n.job_type,
                              'subject_id', n.subject_id, 'status', n.status, 'progress', n.progress,
                              'attempts', n.attempts, 'scheduled_for', n.scheduled_for,
                              'updated_at', n.updated_at) as record
    from changed_jobs n
  ) c
  group by c.workspace_id, c.chunk;
  return null;
exception when others then
  raise warning 'broadcast of job changes failed: %', sqlerrm;
  return null;
end
$$;
comment on function private.broadcast_job_changes() is
  'Trigger (per statement, after insert or update on jobs): lean rows of the changed jobs to workspace:<id>:jobs, one message per statement and 100 jobs of a workspace.';
revoke all on function private.broadcast_job_changes() from public;
