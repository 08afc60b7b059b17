-- Realtime: the browser follows jobs, their log lines and enriched accounts live.
-- Realtime checks each change against the subscriber's RLS before sending it.
do $$
declare
  v_table text;
begin
  foreach v_table in array array['jobs', 'job_logs', 'accounts'] loop
    if not exists (select 1 from pg_catalog.pg_publication_tables
                   where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = v_table) then
      execute format('alter publication supabase_realtime add table public.%I', v_table);
    end if;
  end loop;
end
$$;
