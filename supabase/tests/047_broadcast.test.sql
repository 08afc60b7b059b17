-- Broadcast from the database: job, log and account changes are written to realtime.messages for
-- private topics, and RLS on realtime.messages lets only a workspace's members (and whoever may see
-- a job) read a topic, as hosted Realtime checks it at join time (realtime.topic() set, as the user).
begin;
select plan(17);

select tests.create_user('caster@example.com');
select tests.create_user('stranger@example.com');
select tests.create_workspace('Broadcast tests', 'caster@example.com') as ws \gset
select tests.create_account(:'ws', 'Cast', 'cast.example') as account \gset
select tests.create_job(:'ws', 'pgtap_job') as job \gset

-- TEST: what the triggers wrote.
select results_eq(format($$ select m.topic, m.event, m.payload ->> 'table', r ->> 'id', r ->> 'status' from realtime.messages m
                           cross join jsonb_array_elements(m.payload -> 'records') r where r ->> 'id' = %L $$, :'job'),
  format($$ values (%L, 'INSERT', 'jobs', %L, 'pending') $$, 'workspace:' || :'ws' || ':jobs', :'job'),
  'a new job is broadcast to its workspace''s jobs topic, in the message''s records');
select is((select count(*)::integer from realtime.messages where topic = 'job:' || :'job'), 0,
  'a new job is not broadcast to its own topic (it carries the job''s log lines)');
select is((select array_agg(k order by k) from realtime.messages m cross join jsonb_array_elements(m.payload -> 'records') r
           cross join jsonb_object_keys(r) k where r ->> 'id' = :'job'),
  array['attempts', 'id', 'job_type', 'progress', 'scheduled_for', 'status', 'subject_id', 'updated_at', 'workspace_id'],
  'the workspace''s topic carries lean rows (no payload, result or errors)');
insert into public.jobs (workspace_id, job_type) select :'ws', 'pgtap_job' from generate_series(1, 150);
select is((select array_agg(jsonb_array_length(payload -> 'records') order by jsonb_array_length(payload -> 'records') desc)
           from realtime.messages where topic = 'workspace:' || :'ws' || ':jobs' and event = 'INSERT'
             and jsonb_array_length(payload -> 'records') <> 1),
  array[100, 50], 'one statement''s 150 new jobs: two messages on the workspace''s topic, of 100 jobs at most');
update public.jobs set progress = '{"percentage": 30}' where id = :'job';
select is((select (r -> 'progress' ->> 'percentage')::integer from realtime.messages m cross join jsonb_array_elements(m.payload -> 'records') r
           where m.topic = 'workspace:' || :'ws' || ':jobs' and m.event = 'UPDATE' and r ->> 'id' = :'job'), 30,
  'an update is broadcast to the workspace''s topic with the new lean row');
update public.jobs set priority = 1 where workspace_id = :'ws';
select is((select count(*)::integer from realtime.messages where topic = 'workspace:' || :'ws' || ':jobs' and event = 'UPDATE'), 1 + 2,
  'an update of 151 jobs: two more messages on the workspace''s topic');
select is((select count(*)::integer from realtime.messages where payload ->> 'table' = 'jobs'
           and topic in (select 'job:' || j.id from public.jobs j where j.workspace_id = :'ws')), 0,
  'no job change is broadcast to a job''s own topic');
insert into public.job_logs (job_id, workspace_id, attempt, message) values (:'job', :'ws', 0, 'a line');
select is((select payload -> 'record' ->> 'message' from realtime.messages
           where topic = 'job:' || :'job' and payload ->> 'table' = 'job_logs' order by inserted_at desc limit 1),
  'a line', 'a log line is broadcast to its job''s topic');
update public.accounts set industry = 'Casting' where id = :'account';
select is((select payload -> 'record' ->> 'industry' from realtime.messages
           where topic = 'workspace:' || :'ws' || ':accounts' and event = 'UPDATE'), 'Casting',
  'an account change is broadcast to its workspace''s accounts topic');
delete from public.accounts where id = :'account';
select is((select payload -> 'old_record' from realtime.messages
           where topic = 'workspace:' || :'ws' || ':accounts' and event = 'DELETE'),
  jsonb_build_object('id', :'account', 'workspace_id', :'ws'), 'a deleted account: only its ids');
select is((select bool_and(private and extension = 'broadcast') from realtime.messages where topic like '%' || :'ws' || '%'), true,
  'every message is a private broadcast');

-- TEST: who may read (join) which topic.
create temporary table probes on commit drop as
  select t.topic from (values ('workspace:' || :'ws' || ':jobs'), ('workspace:' || :'ws' || ':accounts'), ('job:' || :'job')) t(topic);
grant select on probes to authenticated, anon;
create function pg_temp.can_read(p_topic text) returns boolean language sql as $$
  select set_config('realtime.topic', p_topic, true) is not null
     and exists (select 1 from realtime.messages m where m.topic = p_topic)
$$;
grant execute on function pg_temp.can_read(text) to authenticated, anon;
select tests.authenticate_as('caster@example.com');
select is((select bool_and(pg_temp.can_read(topic)) from probes), true, 'a member reads the workspace''s topics and its job''s');
select tests.authenticate_as('stranger@example.com');
select is((select bool_or(pg_temp.can_read(topic)) from probes), false, 'another workspace''s user reads none of them');
select is(pg_temp.can_read('workspace:not-a-uuid:jobs'), false, 'a topic that spells no workspace is refused without an error');
select tests.authenticate_as_anon();
select is((select bool_or(pg_temp.can_read(topic)) from probes), false, 'anon reads none of them');
select tests.clear_authentication();

-- TEST: presence is not allowed on these topics, only broadcast.
insert into realtime.messages (topic, extension, private) values ('workspace:' || :'ws' || ':jobs', 'presence', true);
select tests.authenticate_as('caster@example.com');
select is((select count(*)::integer from realtime.messages
           where set_config('realtime.topic', 'workspace:' || :'ws' || ':jobs', true) is not null and extension = 'presence'), 0,
  'a member cannot read presence on a workspace topic');
select tests.clear_authentication();
select is((select count(*)::integer from pg_policies where schemaname = 'realtime' and tablename = 'messages'
           and 'anon' = any (roles)), 0, 'no policy names anon');

select * from finish();
rollback;
