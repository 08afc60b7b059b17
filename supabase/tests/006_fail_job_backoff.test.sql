-- fail_job and the retry backoff: a failed attempt with attempts left goes back to pending
-- 60 s x 2^(attempt-1) (+-10 %) later; after the 5th failure the job is failed with attempts 5,
-- the last error_message kept and every attempt's error in errors. Time is passed in through
-- the functions' now argument.
begin;
select plan(37);

-- SETUP
select tests.create_workspace('Backoff tests') as ws \gset

-- TEST: the backoff curve, without and with jitter (jitter 0..1 maps to -10 %..+10 %).
select results_eq($$ select public.retry_backoff_seconds(n, 0.5) from generate_series(1, 4) n $$,
  $$ values (60::double precision), (120), (240), (480) $$, 'backoff without jitter: 60, 120, 240, 480 s');
select is(public.retry_backoff_seconds(1, 0), 54::double precision, 'jitter can take 10 % off');
select is(public.retry_backoff_seconds(1, 1), 66::double precision, 'jitter can add 10 %');
select is(public.retry_backoff_seconds(30, 0.5), 86400::double precision, 'the backoff is capped at a day');
select is(public.retry_backoff_seconds(0, 0.5), 60::double precision, 'attempt 0 counts as the first');
select results_eq($$ select min(s) >= 54 and max(s) <= 66 and max(s) - min(s) > 6
                     from (select public.retry_backoff_seconds(1) s from generate_series(1, 500)) r $$,
  $$ values (true) $$, 'with random jitter the first retry is 54..66 s out, and the jitter really varies');

-- TEST: five failures, five attempts. Each attempt is claimed when due and fails a second later.
select tests.create_job(:'ws') as job \gset
create temporary table attempts_seen (attempt integer, claimed_at timestamptz, failed_at timestamptz, outcome text,
                                      status text, scheduled_for timestamptz, next_retry_at timestamptz,
                                      error_message text, errors integer, locked_by text) on commit drop;
do $$
declare
  v_job uuid := (select id from public.jobs where job_type = 'pgtap_job' and workspace_id =
                 (select id from public.workspaces where name = 'Backoff tests'));
  v_at timestamptz := now();
  v_row public.jobs;
  v_outcome text;
begin
  for i in 1..5 loop
    perform tests.claim_job(v_job, 'worker-' || i, 60, v_at);
    v_outcome := public.fail_job(v_job, 'worker-' || i, 'Account not found (attempt ' || i || ')', true, null, v_at + interval '1 second');
    select * into v_row from public.jobs where id = v_job;
    insert into attempts_seen values (v_row.attempts, v_at, v_at + interval '1 second', v_outcome, v_row.status, v_row.scheduled_for,
                                      v_row.next_retry_at, v_row.error_message, jsonb_array_length(v_row.errors), v_row.locked_by);
    -- the next attempt: a second after it is due
    v_at := v_row.scheduled_for + interval '1 second';
  end loop;
end
$$;
select results_eq($$ select attempt, outcome, status from attempts_seen order by attempt $$,
  $$ values (1, 'pending'::text, 'pending'::text), (2, 'pending', 'pending'), (3, 'pending', 'pending'),
            (4, 'pending', 'pending'), (5, 'failed', 'failed') $$,
  'attempts 1-4 go back to pending, the 5th failure fails the job');
select results_eq($$ select extract(epoch from scheduled_for - failed_at) between 54 and 66 from attempts_seen where attempt = 1 $$,
  $$ values (true) $$, 'the first retry is about 60 s out (54-66 s)');
select results_eq($$ select extract(epoch from scheduled_for - failed_at) between 108 and 132 from attempts_seen where attempt = 2 $$,
  $$ values (true) $$, 'the second retry is about 120 s out');
select results_eq($$ select extract(epoch from scheduled_for - failed_at) between 216 and 264 from attempts_seen where attempt = 3 $$,
  $$ values (true) $$, 'the third retry is about 240 s out');
select results_eq($$ select extract(epoch from scheduled_for - failed_at) between 432 and 528 from attempts_seen where attempt = 4 $$,
  $$ values (true) $$, 'the fourth retry is about 480 s out');
select is_empty($$ select 1 from attempts_seen where attempt < 5 and next_retry_at is distinct from scheduled_for $$,
  'while waiting, next_retry_at is the time it will be claimed again');
select is_empty($$ select 1 from attempts_seen where locked_by is not null $$, 'every failure releases the lease');
select results_eq($$ select errors from attempts_seen order by attempt $$, $$ values (1), (2), (3), (4), (5) $$,
  'each failure adds its error to errors');
select results_eq(format($$ select status, attempts, max_attempts, error_message, next_retry_at, failed_at, locked_by
                            from public.jobs where id = %L $$, :'job'),
  $$ select 'failed'::text, 5, 5, 'Account not found (attempt 5)'::text, null::timestamptz, failed_at, null::text
     from attempts_seen where attempt = 5 $$,
  'after the 5th failure: failed, attempts 5, the last error message kept, failed_at set');
select results_eq(format($$ select (e ->> 'attempt')::integer, e ->> 'message', (e ->> 'retryable')::boolean
                            from public.jobs j, jsonb_array_elements(j.errors) e where j.id = %L $$, :'job'),
  $$ select n, 'Account not found (attempt ' || n || ')', true from generate_series(1, 5) n $$,
  'errors keeps all five attempts in order, with their messages');
select results_eq(format($$ select log_level, message from public.job_logs where job_id = %L order by id $$, :'job'),
  $$ select 'warn'::text, format('Attempt %s of 5 failed: Account not found (attempt %s). Retrying in %s s.', attempt, attempt,
                                   round(extract(epoch from scheduled_for - failed_at)))
     from attempts_seen where attempt < 5
     union all select 'error', 'Job failed after 5 of 5 attempts: Account not found (attempt 5)' $$,
  'every failure is logged: a warning with the retry delay, then the final error');
select is_empty(format($$ select * from public.claim_jobs('late-worker', 5, 60, array['pgtap_job'], now() + interval '1 day')
                         where id = %L $$, :'job'), 'a failed job is never claimed again');

-- TEST: a retry is not claimed before it is due.
select tests.create_job(:'ws') as job2 \gset
select tests.claim_job(:'job2', 'worker-a');
select is(public.fail_job(:'job2', 'worker-a', 'timeout', true, null, now()), 'pending', 'a retryable failure with attempts left: pending');
select is_empty(format($$ select * from public.claim_jobs('worker-b', 5, 60, array['pgtap_job'], now() + interval '53 seconds') where id = %L $$, :'job2'),
  'the retry is not claimed 53 s later');
select isnt_empty(format($$ select * from public.claim_jobs('worker-b', 5, 60, array['pgtap_job'], now() + interval '67 seconds') where id = %L $$, :'job2'),
  'it is claimed 67 s later');
select is((select attempts from public.jobs where id = :'job2'), 2, 'as attempt 2');

-- TEST: a failure that is not retryable fails the job at once.
select tests.create_job(:'ws') as job3 \gset
select tests.claim_job(:'job3', 'worker-a');
select is(public.fail_job(:'job3', 'worker-a', 'Apollo API key not configured for this workspace', false), 'failed',
  'a non-retryable failure fails the job on its first attempt');
select results_eq(format($$ select status, attempts, error_message, next_retry_at from public.jobs where id = %L $$, :'job3'),
  $$ values ('failed'::text, 1, 'Apollo API key not configured for this workspace'::text, null::timestamptz) $$,
  'failed after 1 attempt, with its message');
select results_eq(format($$ select log_level, message from public.job_logs where job_id = %L $$, :'job3'),
  $$ values ('error'::text, 'Job failed: Apollo API key not configured for this workspace (not retryable)'::text) $$,
  'the log says it was not retryable');
select is((select (errors -> 0 ->> 'retryable')::boolean from public.jobs where id = :'job3'), false, 'errors records it as not retryable');

-- TEST: retry_after_seconds (e.g. Apollo's Retry-After) is honoured.
select tests.create_job(:'ws') as job4 \gset
select tests.claim_job(:'job4', 'worker-a');
select is(public.fail_job(:'job4', 'worker-a', 'rate limited', true, 300), 'pending', 'a rate-limited attempt is retried');
select is((select scheduled_for from public.jobs where id = :'job4'), now() + interval '300 seconds', 'exactly retry_after_seconds later');
select tests.claim_job(:'job4', 'worker-a', 60, now() + interval '300 seconds');
select is(public.fail_job(:'job4', 'worker-a', 'rate limited', true, -5, now() + interval '301 seconds'), 'pending', 'a negative retry_after');
select is((select scheduled_for from public.jobs where id = :'job4'), now() + interval '301 seconds', 'means at once');

-- TEST: only the holder can fail the job; messages are tidied.
select tests.create_job(:'ws') as job5 \gset
select tests.claim_job(:'job5', 'worker-a');
select is(public.fail_job(:'job5', 'worker-b', 'not mine'), null, 'another worker cannot fail the job');
select results_eq(format($$ select status, locked_by, jsonb_array_length(errors) from public.jobs where id = %L $$, :'job5'),
  $$ values ('processing'::text, 'worker-a'::text, 0) $$, 'the job is untouched');
select is(public.fail_job(:'job5', 'worker-a', '   '), 'pending', 'a blank error message is accepted');
select is((select error_message from public.jobs where id = :'job5'), 'Unknown error', 'and recorded as Unknown error');
select tests.claim_job(:'job5', 'worker-a', 60, now() + interval '1 hour');
select public.fail_job(:'job5', 'worker-a', repeat('e', 3000), true, null, now() + interval '1 hour');
select is((select length(error_message) from public.jobs where id = :'job5'), 2000, 'a very long error message is cut to 2,000 characters');

-- TEST: max_attempts 1 means a single try.
select tests.create_job(:'ws', 'pgtap_job', '{}', now(), 0::smallint, 1) as job6 \gset
select tests.claim_job(:'job6', 'worker-a');
select is(public.fail_job(:'job6', 'worker-a', 'boom'), 'failed', 'with max_attempts 1 the first retryable failure is final');
select results_eq(format($$ select log_level, message from public.job_logs where job_id = %L $$, :'job6'),
  $$ values ('error'::text, 'Job failed after 1 of 1 attempts: boom'::text) $$, 'and logged as such');

select * from finish();
rollback;
