-- The Apollo pacer: permits per team (pacing key), endpoint and window, granted atomically until a
-- window is spent; limits learned from Apollo's headers (assumed Free until then); a 429's
-- retry-after shuts the window; every workspace that spends the budget is paused together.
begin;
select plan(21);

-- SETUP: two workspaces that saved the same key (one budget), and a third with its own.
select tests.create_workspace('Pacer A') as ws_a \gset
select tests.create_workspace('Pacer B') as ws_b \gset
select tests.create_workspace('Pacer C') as ws_c \gset
select public.set_apollo_pacing_key(:'ws_a', 'key:pgtap-shared');
select public.set_apollo_pacing_key(:'ws_b', 'key:pgtap-shared');
select public.set_apollo_pacing_key(:'ws_c', 'team:pgtap-other');
create temporary table permits (n integer generated always as identity, granted boolean, wait_until timestamptz, spent_window text, window_limit integer) on commit drop;

-- TEST: before Apollo has answered, the Free plan's limits are assumed (bulk: a tenth).
insert into permits (granted, wait_until, spent_window, window_limit)
select p.granted, p.wait_until, p.spent_window, p.window_limit from generate_series(1, 6) g, lateral public.take_apollo_permit('key:pgtap-shared', 'organizations/bulk_enrich', now() + g * interval '1 microsecond') p;
select is((select count(*)::integer from permits where granted), 5, 'five bulk calls a minute are granted (Free: 5/min for bulk)');
select results_eq($$ select granted, wait_until, spent_window, window_limit from permits where n = 6 $$,
  $$ values (false, now() + interval '2.000006 seconds', 'minute'::text, 5) $$,
  'the sixth, before any answer has told the real limit, looks again in 2 s');
select public.record_apollo_answer('key:pgtap-free', 'organizations/bulk_enrich', '{}', null, now());
select count(*) from generate_series(1, 5) g, lateral public.take_apollo_permit('key:pgtap-free', 'organizations/bulk_enrich', now() + g * interval '1 microsecond') p;
select public.record_apollo_answer('key:pgtap-free', 'organizations/bulk_enrich', '{"minute": {"limit": 5, "left": 0}}', null, now());
select results_eq($$ select granted, wait_until, spent_window from public.take_apollo_permit('key:pgtap-free', 'organizations/bulk_enrich', now() + interval '1 second') $$,
  $$ values (false, now() + interval '60 seconds', 'minute'::text) $$,
  'once Apollo''s headers confirm the limit, the next waits for the minute window to reset');
select is((select granted from public.take_apollo_permit('key:pgtap-shared', 'organizations/enrich', now())), true,
  'another endpoint has its own windows');
select is((select granted from public.take_apollo_permit('team:pgtap-other', 'organizations/bulk_enrich', now())), true,
  'another team has its own windows');
select is((select granted from public.take_apollo_permit('key:pgtap-shared', 'organizations/bulk_enrich', now() + interval '61 seconds')), true,
  'a minute later the window opens again');
select is((select used from private.apollo_windows where pacing_key = 'key:pgtap-shared' and endpoint = 'organizations/bulk_enrich' and kind = 'hour'), 6,
  'the hour window counts every permit across minutes');

-- TEST: Apollo's headers replace the assumed limits; a window Apollo does not report has no limit.
select public.record_apollo_answer('team:pgtap-paid', 'organizations/enrich', '{"minute": {"limit": 1000, "left": 999}}', null, now());
select results_eq($$ select kind, max_requests, used from private.apollo_windows where pacing_key = 'team:pgtap-paid' order by kind $$,
  $$ values ('day'::text, null::integer, 0), ('hour', null, 0), ('minute', 1000, 1) $$,
  'a paid plan: 1,000 a minute, no hourly or daily limit; Apollo''s count of 1 is taken');
select is((select count(*)::integer from generate_series(1, 300) g, lateral public.take_apollo_permit('team:pgtap-paid', 'organizations/enrich', now() + g * interval '1 microsecond') p where p.granted), 300,
  'so 300 calls in a row are granted (the assumed Free limit of 50 no longer holds)');
select public.record_apollo_answer('team:pgtap-paid', 'organizations/enrich', '{"minute": {"limit": 1000, "left": 100}}', null, now());
select is((select used from private.apollo_windows where pacing_key = 'team:pgtap-paid' and kind = 'minute'), 900,
  'when Apollo counts more (someone else spends the team''s budget too), ours follows');
select public.record_apollo_answer('team:pgtap-paid', 'organizations/enrich', '{"minute": {"limit": 1000, "left": 990}}', null, now());
select is((select used from private.apollo_windows where pacing_key = 'team:pgtap-paid' and kind = 'minute'), 900,
  'when Apollo counts less (calls still on their way), ours stays');

-- TEST: the window resets a window-length after its first answer, not its first permit.
select public.take_apollo_permit('team:pgtap-latency', 'people/match', now());
select public.record_apollo_answer('team:pgtap-latency', 'people/match', '{"minute": {"limit": 50, "left": 49}, "hour": {"limit": 200, "left": 199}, "day": {"limit": 600, "left": 599}}',
  null, now() + interval '2 seconds');
select is((select resets_at from private.apollo_windows where pacing_key = 'team:pgtap-latency' and kind = 'minute'), now() + interval '62 seconds',
  'an answer 2 s after the permit: the window resets 60 s after the answer (Apollo''s opened in between)');

-- TEST: a 429's retry-after shuts the spent window, and later permits wait for it.
select public.record_apollo_answer('team:pgtap-429', 'organizations/enrich', '{"hour": {"limit": 200, "left": 0}}', 1800, now());
select results_eq($$ select granted, wait_until, spent_window, apollo_said_429 from public.take_apollo_permit('team:pgtap-429', 'organizations/enrich', now()) $$,
  $$ values (false, now() + interval '1800 seconds', 'hour'::text, true) $$, 'after a 429 on the hour window, permits wait for its retry-after (and say Apollo shut it)');
select public.record_apollo_answer('team:pgtap-429b', 'organizations/enrich', '{}', 7, now());
select is((select granted from public.take_apollo_permit('team:pgtap-429b', 'organizations/enrich', now() + interval '3 seconds')), false,
  'a 429 without headers shuts the minute window for its retry-after');
select is((select granted from public.take_apollo_permit('team:pgtap-429b', 'organizations/enrich', now() + interval '8 seconds')), true,
  'and it opens after');

-- TEST: a spent budget pauses every workspace that spends it, and only those.
select is(public.pause_apollo_key('key:pgtap-shared', now() + interval '30 seconds', 'Waiting for Apollo''s per-minute limit'), 2,
  'both workspaces on the shared key are paused');
select is((select count(*)::integer from public.workspace_settings where workspace_id in (:'ws_a', :'ws_b') and jobs_paused_until = now() + interval '30 seconds'), 2,
  'until the window opens');
select is((select jobs_paused_until from public.workspace_settings where workspace_id = :'ws_c'), null, 'the other team''s workspace is not');

-- TEST: window lengths follow the test knob apollo_window_scale.
insert into private.settings (key, value) values ('apollo_window_scale', '0.01') on conflict (key) do update set value = excluded.value;
select public.take_apollo_permit('team:pgtap-scaled', 'organizations/enrich', now());
select is((select resets_at from private.apollo_windows where pacing_key = 'team:pgtap-scaled' and kind = 'minute'), now() + interval '0.6 seconds',
  'with apollo_window_scale 0.01 a minute lasts 0.6 s');
delete from private.settings where key = 'apollo_window_scale';

-- TEST: only the worker may pace.
select tests.authenticate_as_service_role();
select lives_ok($$ select public.take_apollo_permit('team:pgtap-role', 'people/match') $$, 'the service role takes permits');
select tests.clear_authentication();
select is((select has_function_privilege('authenticated', 'public.take_apollo_permit(text, text, timestamptz)', 'execute')), false,
  'browsers cannot');

select * from finish();
rollback;
