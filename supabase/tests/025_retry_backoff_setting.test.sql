-- The retry backoff's base is a setting (private.settings retry_backoff_base_seconds), a knob the
-- chaos soak turns to run retries in seconds. Unset, or set to anything but a whole number of
-- seconds between 1 and 3600, the backoff is the spec's: 60 s x 2^(attempt-1).
begin;
select plan(8);

-- TEST: unset, the spec's numbers.
delete from private.settings where key = 'retry_backoff_base_seconds';
select is(private.retry_backoff_base_seconds(), 60::double precision, 'unset: base 60 s');
select is(public.retry_backoff_seconds(3, 0.5), 240::double precision, 'unset: third retry 240 s out');

-- TEST: set, fail_job's backoff follows it.
insert into private.settings (key, value) values ('retry_backoff_base_seconds', '2');
select is(public.retry_backoff_seconds(1, 0.5), 2::double precision, 'base 2: first retry 2 s out');
select is(public.retry_backoff_seconds(4, 0.5), 16::double precision, 'base 2: fourth retry 16 s out');

select tests.create_workspace('Backoff setting') as ws \gset
select tests.create_job(:'ws') as job \gset
select ok((select count(*) = 1 from public.claim_jobs('w-backoff', 1, 60, array['pgtap_job'])), 'the job is claimed');
select is(public.fail_job(:'job', 'w-backoff', 'boom', true, null, '2030-01-01 00:00:00+00'), 'pending', 'a failed attempt goes back to pending');
select ok((select scheduled_for between '2030-01-01 00:00:01.8+00' and '2030-01-01 00:00:02.2+00'
           from public.jobs where id = :'job'), 'and is due about 2 s later (base 2 s, +-10 %)');

-- TEST: nonsense falls back to 60.
update private.settings set value = '0.5; drop table public.jobs' where key = 'retry_backoff_base_seconds';
select is(private.retry_backoff_base_seconds(), 60::double precision, 'a value that is not 1..3600 whole seconds: base 60 s');

select * from finish();
rollback;
