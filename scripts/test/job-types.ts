// Job types that exist only for tests. Every job's type must be registered (public.job_types);
// the stack's worker claims only the types it has a processor for, so it leaves jobs of these
// alone. They are told apart from the product's types by their description (see the registry test).
import type postgres from "postgres";

export const TEST_JOB_TYPE_DESCRIPTION_PREFIX = "Test type:";

/** Registers a job type for a test (a no-op when it exists). */
export async function registerTestJobType(sql: postgres.Sql, name: string): Promise<void> {
  await sql`
    insert into public.job_types (name, description)
    values (${name}, ${`${TEST_JOB_TYPE_DESCRIPTION_PREFIX} ${name}`})
    on conflict (name) do nothing`;
}
