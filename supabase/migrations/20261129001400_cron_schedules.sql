-- pg_cron schedules. cron.schedule(name, ...) replaces a job of the same name, so this is
-- safe to apply again. pg_cron runs at most one instance of each job at a time.
select cron.schedule('job-worker', '* * * * *', $$select private.invoke_worker('cron')$$);
select cron.schedule('job-reaper', '* * * * *', $$select public.reap_expired_leases()$$);
select cron.schedule('job-retention', '17 3 * * *', $$select private.purge_old_jobs()$$);
