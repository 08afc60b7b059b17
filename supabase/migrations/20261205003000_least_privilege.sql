-- Least privilege by default: what no migration granted by name is closed.
--
-- Supabase's platform (and scripts/stack/sql/bootstrap.sql, which copies it) sets default
-- privileges that give anon and authenticated ALL on every new table, sequence and function that
-- postgres creates in public; Postgres itself gives PUBLIC (every role, anon included) EXECUTE on
-- every new function in every schema. A table added by a later migration would be open to
-- browsers until someone remembered to revoke, and the functions of private were protected only
-- by that schema's missing USAGE. This migration closes the defaults, takes back what browsers
-- hold today without needing it, and grants back by name what the service role really calls.

-- Defaults for what migrations (run as postgres) create from now on ---------------------------
alter default privileges for role postgres in schema public revoke all on tables from anon, authenticated;
alter default privileges for role postgres in schema public revoke all on sequences from anon, authenticated;
alter default privileges for role postgres in schema public revoke all on functions from public, anon, authenticated;
-- EXECUTE for PUBLIC is Postgres's global default, which per-schema defaults cannot take away:
-- it is taken away globally, so a new function in any schema starts closed.
alter default privileges for role postgres revoke execute on functions from public;

-- Sequences: browsers insert only into tables whose ids are identity columns, which draw their
-- values without any privilege on the sequence; nothing else of a browser needs one.
revoke all on all sequences in schema public from anon, authenticated;

-- Tables: no browser needs TRUNCATE (which skips row level security), REFERENCES or TRIGGER, and
-- anon needs nothing at all; generic, so a table that was created with the old defaults is covered.
revoke truncate, references, trigger on all tables in schema public from anon, authenticated;
revoke all on all tables in schema public from anon;

-- Functions of private and ops: nobody executes them but their owner and whom a grant names.
-- (A trigger function needs no EXECUTE when its trigger fires; a SECURITY DEFINER function calls
-- others as its owner.)
revoke execute on all functions in schema private from public, anon, authenticated;
revoke execute on all functions in schema ops from public, anon, authenticated;
-- The service role calls these through the worker functions, which run as their caller
-- (job_log, job_progress, complete_job, fail_job, release_job, reap_expired_leases, apply_*_enrichment).
-- The helpers the ops views call, private.retry_backoff_base_seconds, private.record_queue_alerts
-- and the ops functions were granted to it by name when they were created, and keep that grant.
grant execute on function private.write_job_log(uuid, uuid, integer, text, text, jsonb) to service_role;
grant execute on function private.charge_enrichment_credit(uuid, uuid) to service_role;

-- Accounts and contacts: members write the fields a user edits; the server owns the rest -----
-- id, created_by and created_at come from defaults, updated_at from a trigger, enriched_at and
-- metadata from the worker (apply_*_enrichment); workspace_id is chosen once, on insert.
revoke insert, update on public.accounts, public.contacts from authenticated;
grant insert (workspace_id, name, domain, industry, employee_count, annual_revenue, city, state, country, phone,
              linkedin_url, website_url, description, founded_year)
  on public.accounts to authenticated;
grant update (name, domain, industry, employee_count, annual_revenue, city, state, country, phone,
              linkedin_url, website_url, description, founded_year)
  on public.accounts to authenticated;
grant insert (workspace_id, account_id, first_name, last_name, email, title, seniority, phone, linkedin_url,
              city, state, country)
  on public.contacts to authenticated;
grant update (account_id, first_name, last_name, email, title, seniority, phone, linkedin_url, city, state, country)
  on public.contacts to authenticated;

-- Workspaces: a new workspace is named by its creator; its id, created_by (auth.uid(), checked by
-- the insert policy) and timestamps are the server's. Renaming was already the only update.
revoke insert on public.workspaces from authenticated;
grant insert (name) on public.workspaces to authenticated;
