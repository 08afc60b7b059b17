-- complete_jobs: the completions a worker has ready, in one statement. Each job is fenced by its
-- own lease as with complete_job, answers for itself, and keeps its own result and last log line.
begin;
select plan(9);

-- SETUP: three jobs held by worker-a, one held by worker-b.
select tests.create_workspace('Complete jobs tests') as ws \gset
select tests.create_job(:'ws') as a1 \gset
select tests.create_job(:'ws') as a2 \gset
select tests.create_job(:'ws') as a3 \gset
select tests.create_job(:'ws') as b1 \gset
select tests.claim_job(:'a1', 'worker-a');
select tests.claim_job(:'a2', 'worker-a');
select tests.claim_job(:'a3', 'worker-a');
select tests.claim_job(:'b1', 'worker-b');
update public.jobs set result = '{"kept": true}' where id = :'a3';

-- TEST: one answer per item, in the order given; the job held by another worker is refused.
select results_eq(
  format($$ select job_id, ok from public.complete_jobs('worker-a', %L::jsonb, now() + interval '5 seconds') $$,
         jsonb_build_array(jsonb_build_object('id', :'a2', 'result', jsonb_build_object('n', 2), 'message', 'done 2'),
                           jsonb_build_object('id', :'b1', 'result', jsonb_build_object('n', 9)),
                           jsonb_build_object('id', :'a1', 'result', jsonb_build_object('n', 1)),
                           jsonb_build_object('id', :'a3'))),
  format($$ values (%L::uuid, true), (%L::uuid, false), (%L::uuid, true), (%L::uuid, true) $$, :'a2', :'b1', :'a1', :'a3'),
  'each job answers for itself, in the order given');

-- TEST: what each completed job holds.
select results_eq(
  format($$ select id, status, result, progress, locked_by, completed_at from public.jobs where id in (%L, %L) order by result ->> 'n' $$, :'a1', :'a2'),
  format($$ values (%L::uuid, 'completed'::text, '{"n": 1}'::jsonb, jsonb_build_object('percentage', 100, 'updated_at', now() + interval '5 seconds'), null::text, now() + interval '5 seconds'),
                   (%L::uuid, 'completed'::text, '{"n": 2}'::jsonb, jsonb_build_object('percentage', 100, 'updated_at', now() + interval '5 seconds'), null::text, now() + interval '5 seconds') $$,
         :'a1', :'a2'),
  'each completed job keeps its own result, progress 100 %, lease released');
select is((select result from public.jobs where id = :'a3'), '{"kept": true}'::jsonb, 'no result given: the job keeps the one it had');
select is((select status from public.jobs where id = :'b1'), 'processing', 'the job another worker holds is untouched');
select results_eq(format($$ select job_id, message, metadata from public.job_logs where job_id in (%L, %L, %L) $$, :'a1', :'a2', :'a3'),
  format($$ values (%L::uuid, 'done 2'::text, '{"percentage": 100}'::jsonb) $$, :'a2'),
  'a last log line only where a message was given');

-- TEST: completing again is refused, as complete_job refuses it.
select results_eq(format($$ select ok from public.complete_jobs('worker-a', %L::jsonb) $$, jsonb_build_array(jsonb_build_object('id', :'a1'))),
  $$ values (false) $$, 'a completed job cannot be completed again');
select results_eq($$ select count(*)::integer from public.complete_jobs('worker-a', '[]'::jsonb) $$, $$ values (0) $$, 'an empty list answers nothing');
select throws_ok($$ select public.complete_jobs('worker-a', '{"id": 1}'::jsonb) $$, '22023', null, 'completions must be a list');

-- TEST: the same as complete_job for the job's own trigger-maintained state (claimable off).
select is((select claimable from public.jobs where id = :'a2'), false, 'a completed job is not claimable');

select * from finish();
rollback;
