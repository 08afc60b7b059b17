-- jobs_subject_idx (workspace_id, subject_id, created_at desc) served the lateral join that
-- accounts_with_enrichment no longer makes; jobs_subject_created_idx (subject_id, created_at desc),
-- from the previous migration, serves every lookup of a subject's jobs. One index less to write on
-- every job update. Alone in its migration, so the exclusive lock it needs is the first it asks for.
drop index public.jobs_subject_idx;
