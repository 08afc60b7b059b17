// How often one user may have a key they typed checked against Apollo (testing it, or saving a new
// one): anyone can sign up and own a workspace, so without a limit this function would be an
// oracle for leaked keys. The count lives in the database (private.take_rate_limit), shared by
// every invocation; operators tune it with private.settings / Vault 'apollo_key_tests_per_10_minutes'.
import type { Sql } from "../_shared/db.ts";
import { HttpError } from "../_shared/http.ts";

const WINDOW_SECONDS = 600;
const DEFAULT_PER_WINDOW = 10;

function inWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** Counts one key check for the user; 429 with Retry-After when their 10-minute budget is spent. */
export async function spendKeyTest(sql: Sql, userId: string): Promise<void> {
  const [{ wait, allowed }] = await sql<{ wait: number; allowed: number }[]>`
    with budget as (select private.int_setting('apollo_key_tests_per_10_minutes', ${DEFAULT_PER_WINDOW}) as allowed)
    select private.take_rate_limit('apollo_key_test:' || ${userId}::text, budget.allowed, ${WINDOW_SECONDS}) as wait,
           budget.allowed
    from budget`;
  if (wait <= 0) return;
  const seconds = Math.max(1, Math.ceil(wait));
  throw new HttpError(
    429,
    `Too many Apollo API key checks: you can check ${allowed} keys every 10 minutes. Try again in ${inWords(seconds)}.`,
    undefined,
    { "Retry-After": String(seconds) },
  );
}
