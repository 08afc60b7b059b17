// Fresh data: an owner turns on "keep data fresh" in Settings, accounts enriched longer ago than the
// workspace's age are badged "stale" in the list and on their page, and the nightly pg_cron job
// (run now through the local stack) queues exactly those for enrichment.
import { apiAs, DEMO_WS, env, expect, runCronJob, signIn, test } from "./fixtures";

test.afterAll(async () => {
  const api = await apiAs(env.demo);
  await api.from("workspace_settings").update({ stale_after_days: null }).eq("workspace_id", DEMO_WS);
});

test("turning on fresh data badges accounts enriched more than 90 days ago as stale, and the nightly job re-enriches them", async ({ page }) => {
  test.skip(!env.secretKey, "ageing an enrichment needs the local stack's server key");
  const { createClient } = await import("@supabase/supabase-js");
  const server = createClient(env.apiUrl, env.secretKey, { auth: { persistSession: false, autoRefreshToken: false } });
  const stamp = Date.now();
  const { data: rows, error } = await server
    .from("accounts")
    .insert([
      { workspace_id: DEMO_WS, name: `Old Data ${stamp}`, domain: `old-${stamp}.example`, enriched_at: new Date(Date.now() - 100 * 86_400_000).toISOString() },
      { workspace_id: DEMO_WS, name: `New Data ${stamp}`, domain: `new-${stamp}.example`, enriched_at: new Date(Date.now() - 5 * 86_400_000).toISOString() },
    ])
    .select("id, name");
  expect(error).toBeNull();

  await signIn(page, env.demo, "/workspace/settings/api");
  const fresh = page.getByRole("switch", { name: /Keep data fresh/ });
  await expect(fresh).not.toBeChecked();
  await fresh.click();
  await expect(page.getByText("Accounts older than 90 days are re-enriched daily.")).toBeVisible();

  await page.getByRole("link", { name: "Accounts", exact: true }).first().click();
  await page.getByRole("searchbox", { name: "Search accounts" }).fill(`${stamp}`);
  await expect(page.getByTestId("account-row")).toHaveCount(2);
  await expect(page.getByTestId("account-row").filter({ hasText: "Old Data" }).getByTestId("stale-badge")).toBeVisible();
  await expect(page.getByTestId("account-row").filter({ hasText: "New Data" }).getByTestId("stale-badge")).toHaveCount(0);
  await page.getByRole("link", { name: rows![0].name }).click();
  await expect(page.getByTestId("stale-badge")).toBeVisible();

  // The nightly batch, now: the old account is queued (low priority), the recent one is not.
  const result = await runCronJob("refresh-stale-enrichments");
  expect(Number(result?.[0]?.enqueue_stale_enrichments)).toBeGreaterThanOrEqual(1);
  const api = await apiAs(env.demo);
  const { data: jobs } = await api.from("jobs").select("subject_id, priority").in("subject_id", rows!.map((r) => r.id));
  expect(jobs).toEqual([{ subject_id: rows![0].id, priority: -1 }]);
  // ... and enriched: the badge goes once the job is done.
  await expect(page.getByTestId("stale-badge")).toHaveCount(0, { timeout: 60_000 });
});
