// Spec test 6 and the "not configured" case: a failing job shows its error, attempts and retry time.
import { apiAs, DEMO_WS, env, expect, screenshot, signIn, test, triggerWorker, UUID } from "./fixtures";

const MISSING_ACCOUNT = "00000000-0000-0000-0000-000000000000";

test("a job that fails and will be retried shows the error and when", async ({ page }) => {
  const api = await apiAs(env.demo);
  // A leftover from an earlier run would be returned instead of a new job: cancel it first.
  const { data: leftovers } = await api
    .from("jobs")
    .select("id")
    .eq("subject_id", MISSING_ACCOUNT)
    .in("status", ["pending", "processing"]);
  for (const j of leftovers ?? []) await api.rpc("cancel_job", { job_id: j.id });

  const { data: job, error } = await api
    .from("jobs")
    .insert({
      workspace_id: DEMO_WS,
      job_type: "enrich_account",
      payload: { account_id: MISSING_ACCOUNT, domain: "nonexistent.fake" },
    })
    .select("id")
    .single();
  expect(error).toBeNull();
  await triggerWorker();
  await expect
    .poll(async () => (await api.from("jobs").select("attempts, status, next_retry_at").eq("id", job!.id).single()).data, {
      timeout: 30_000,
    })
    .toMatchObject({ attempts: 1, status: "pending" });

  await signIn(page, env.demo, `/jobs/${job!.id}`);
  await expect(page.getByTestId("job-status")).toHaveText("Waiting to retry");
  await expect(page.getByTestId("job-error")).toContainText("Account not found");
  await expect(page.getByTestId("job-attempts")).toHaveText("1 of 5");
  await expect(page.getByTestId("job-next-retry")).toContainText(/in \d+ (seconds?|minutes?)|in 1 minute/);
  await expect(page.getByTestId("job-next-retry")).toContainText(/\(.+\)/);
  await screenshot(page, "job-retrying");

  // Cancel asks first; then the job stops for good.
  await page.getByRole("button", { name: "Cancel job" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Cancel this job?" });
  await dialog.getByRole("button", { name: "Cancel job" }).click();
  await expect(page.getByTestId("job-status")).toHaveText("Cancelled");
  await expect(page.getByRole("button", { name: "Retry" })).toBeVisible();
});

test("without an API key the job fails with the reason, and can be retried", async ({ page }) => {
  await signIn(page, env.other);
  await page.getByRole("link", { name: "Shopify" }).click();
  await page.getByRole("button", { name: "Enrich", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${UUID.source}$`));
  await expect(page.getByTestId("job-status")).toHaveText("Failed", { timeout: 60_000 });
  await expect(page.getByTestId("job-error")).toContainText("Apollo API key not configured for this workspace");
  await expect(page.getByRole("button", { name: "Retry" })).toBeVisible();
  await screenshot(page, "job-failed");
});
