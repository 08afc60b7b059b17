// A workspace's monthly credit budget through the real stack: the worker reserves each job's credit
// before calling Apollo; past the budget the jobs wait (attempt not counted, no Apollo call), the
// workspace says why, and raising the budget resumes them.
import assert from "node:assert/strict";
import { waitFor } from "../../../scripts/stack/shell.ts";
import {
  createAccount, enqueueAccounts, fakeApollo, finished, integration, logs, sql, waitForJob, withWorkspace,
} from "./helpers/stack.ts";

integration("a budget of 2 enriches 2 of 4 accounts; the rest wait with the reason, and resume when it is raised", async () => {
  await fakeApollo.reset();
  await withWorkspace("Credit budget", "live-key-budget-0001", async (ws) => {
    await sql`update public.workspace_settings set monthly_credit_budget = 2 where workspace_id = ${ws.id}`;
    const domains = ["budget-1.example", "budget-2.example", "budget-3.example", "budget-4.example"];
    const accounts = await Promise.all(domains.map((d) => createAccount(ws.id, d)));
    const ids = await enqueueAccounts(ws.id, accounts);

    // Two complete; two wait for the budget, paused until the month turns.
    const settled = await waitFor(async () => {
      const [row] = await sql<{ completed: number; waiting: number }[]>`
        select count(*) filter (where status = 'completed')::int as completed,
               count(*) filter (where status = 'pending' and scheduled_for > now() + interval '1 hour')::int as waiting
        from public.jobs where id = any(${ids})`;
      return row.completed === 2 && row.waiting === 2;
    }, 20_000);
    assert.ok(settled, "two jobs completed and two wait for the budget");
    const [settings] = await sql<{ jobs_paused_until: Date; jobs_paused_reason: string; enrichment_credits_used: number }[]>`
      select jobs_paused_until, jobs_paused_reason, enrichment_credits_used from public.workspace_settings where workspace_id = ${ws.id}`;
    assert.equal(settings.enrichment_credits_used, 2, "exactly the budget was spent");
    assert.match(settings.jobs_paused_reason, /^Credit budget reached: 2 of 2 credits used this month; resumes /);
    assert.ok(settings.jobs_paused_until > new Date(Date.now() + 3_600_000), "paused until the month turns");
    const waiting = await sql<{ id: string; attempts: number }[]>`
      select id, attempts from public.jobs where id = any(${ids}) and status = 'pending'`;
    for (const job of waiting) {
      assert.equal(job.attempts, 0, "the attempt that met the budget is not counted");
      const lines = await logs(job.id);
      assert.match(lines.at(-1)!.message, /^Credit budget reached: 2 of 2 credits used this month/);
    }

    // Raising the budget resumes them at once.
    await sql`update public.workspace_settings set monthly_credit_budget = 10 where workspace_id = ${ws.id}`;
    for (const job of waiting) {
      const done = await waitForJob(job.id, finished, 20_000);
      assert.equal(done.status, "completed", `${job.id} ended ${done.status}: ${done.error_message}`);
    }
    const [after] = await sql<{ enrichment_credits_used: number; jobs_paused_until: Date | null }[]>`
      select enrichment_credits_used, jobs_paused_until from public.workspace_settings where workspace_id = ${ws.id}`;
    assert.equal(after.enrichment_credits_used, 4);
    assert.equal(after.jobs_paused_until, null);
  });
});
