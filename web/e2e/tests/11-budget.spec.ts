// A monthly credit budget stops enrichment before it spends past it, says so on the job and the
// settings page, and raising the budget resumes the waiting job; the Activity page is the
// workspace's dashboard.
import { apiAs, DEMO_WS, env, expect, saveMockKey, screenshot, signIn, test, UUID } from "./fixtures";

test.afterAll(async () => {
  // leave the demo workspace as the other specs expect it: no budget, no pause
  const api = await apiAs(env.demo);
  await api.from("workspace_settings").update({ monthly_credit_budget: null }).eq("workspace_id", DEMO_WS);
});

test("a reached budget holds an enrichment back; raising it in Settings resumes the job", async ({ page }) => {
  const api = await apiAs(env.demo);
  await saveMockKey(api, DEMO_WS);
  const { data: usage, error } = await api.rpc("workspace_credit_budget", { workspace_id: DEMO_WS });
  expect(error).toBeNull();
  const used = (usage as Array<{ credits_used: number }>)[0].credits_used;
  // The budget is exactly what the month has used: the next enrichment would pass it.
  expect((await api.from("workspace_settings").update({ monthly_credit_budget: used }).eq("workspace_id", DEMO_WS)).error).toBeNull();

  const stamp = Date.now();
  const { data: account } = await api
    .from("accounts")
    .insert({ workspace_id: DEMO_WS, name: `Budget Co ${stamp}`, domain: `budget-${stamp}.example` })
    .select("id")
    .single();
  await signIn(page, env.demo, `/accounts/${account!.id}`);
  await page.getByRole("button", { name: "Enrich", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${UUID.source}$`));
  const jobUrl = page.url();
  await expect(page.getByTestId("log-line").last()).toContainText(`Credit budget reached: ${used} of ${used} credits used this month`, {
    timeout: 30_000,
  });
  await expect(page.getByTestId("job-status")).toHaveText(/Pending|Waiting|Scheduled/);

  // Settings says so too, and raising the budget resumes the job.
  await page.goto("/workspace/settings/api");
  const meter = page.getByTestId("credit-budget");
  await expect(meter).toHaveAttribute("data-level", "reached");
  await expect(meter).toContainText(`Credit budget reached: ${used} of ${used} used this month`);
  await screenshot(page, "settings-budget-reached");
  await page.getByRole("textbox", { name: "Monthly credit budget" }).fill(String(used + 100));
  await page.getByRole("button", { name: "Save budget" }).click();
  await expect(page.getByText(`Monthly budget saved: ${used + 100} credits.`)).toBeVisible();

  await page.goto(jobUrl);
  await expect(page.getByTestId("job-status")).toHaveText("Completed", { timeout: 60_000 });

  // The Activity page: this month's credits against the budget, the charts and the queue.
  await page.getByRole("link", { name: "Activity" }).click();
  await expect(page.getByTestId("credits-this-month")).toHaveText(String(used + 1));
  await expect(page.getByRole("img", { name: "Credits per day, last 30 days" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Finished jobs per day by outcome, last 30 days" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Queue now" })).toBeVisible();
  await screenshot(page, "activity-dashboard");
});
