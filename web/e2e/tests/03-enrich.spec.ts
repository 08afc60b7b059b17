// Spec tests 2, 4 and 5 through the UI: Enrich an account, land on /jobs/:id, watch it finish,
// see the seven log lines and the enriched fields.
import { apiAs, DEMO_WS, env, expect, saveMockKey, screenshot, SEVEN_LOG_LINES, signIn, test, UUID } from "./fixtures";

test.beforeAll(async () => {
  await saveMockKey(await apiAs(env.demo), DEMO_WS);
});

test("Enrich on an account page queues a job, which finishes live with seven log lines", async ({ page }) => {
  await signIn(page, env.demo);
  await page.getByRole("searchbox", { name: "Search accounts" }).fill("notion");
  await expect(page.getByTestId("account-row")).toHaveCount(1);
  await page.getByRole("link", { name: "Notion" }).click();
  await expect(page.getByRole("heading", { name: "Notion" })).toBeVisible();

  const enrich = page.getByRole("button", { name: "Enrich", exact: true });
  await expect(enrich.locator("svg.lucide-sparkles")).toHaveCount(1);
  await enrich.click();

  await expect(page).toHaveURL(new RegExp(`/jobs/${UUID.source}$`));
  await expect(page.getByRole("progressbar", { name: "Progress" })).toBeVisible();
  await expect(page.getByTestId("job-status")).toHaveText(/Pending|Processing|Completed/);
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

  await expect(page.getByTestId("job-status")).toHaveText("Completed", { timeout: 60_000 });
  await expect(page.getByRole("progressbar", { name: "Progress" })).toHaveAttribute("aria-valuenow", "100");
  await expect(page.getByTestId("job-announcer")).toHaveText("Completed"); // said to screen readers, politely
  const lines = page.getByTestId("log-line").locator(".log-message");
  await expect(lines).toHaveCount(7);
  const texts = await lines.allTextContents();
  SEVEN_LOG_LINES.forEach((pattern, i) => expect(texts[i]).toMatch(pattern));
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  await expect(page.getByTestId("job-attempts")).toHaveText("1 of 5");
  await screenshot(page, "job-completed");

  // Spec test 5: the account now carries Apollo's data.
  await page.getByRole("link", { name: "Notion" }).click();
  await expect(page.getByRole("heading", { name: "Notion" })).toBeVisible();
  const fields = page.getByTestId("account-fields");
  await expect(fields.locator("[data-field=industry]")).toContainText("Technology");
  await expect(fields.locator("[data-field=industry]")).toContainText("Sample data"); // the mock key: made up, and marked so
  await expect(fields.locator("[data-field=employee_count]")).toContainText("50");
  await expect(fields.locator("[data-field=city]")).toContainText("San Francisco");
  await expect(page.locator("[data-enrichment=enriched]").first()).toBeVisible();
  await expect(page.getByRole("list", { name: "Enrichment jobs" })).toContainText("Completed");
  await screenshot(page, "account-enriched");

  // And the list says so too.
  await page.getByRole("link", { name: "Accounts", exact: true }).first().click();
  await page.getByRole("searchbox", { name: "Search accounts" }).fill("notion");
  await expect(page.getByTestId("account-row")).toHaveCount(1);
  await expect(page.getByTestId("account-row").locator("[data-enrichment=enriched]")).toBeVisible();
});

test("several accounts are enriched in one action; those without a domain are named", async ({ page }) => {
  const api = await apiAs(env.demo);
  const name = `No Domain ${Date.now()}`;
  const { error } = await api.from("accounts").insert({ workspace_id: DEMO_WS, name, domain: null });
  expect(error).toBeNull();

  await signIn(page, env.demo);
  // The selection is kept while the list changes (search, pages).
  const search = page.getByRole("searchbox", { name: "Search accounts" });
  await search.fill("figma.com");
  await expect(page.getByTestId("account-row")).toHaveCount(1);
  await page.getByRole("checkbox", { name: "Select Figma" }).check();
  await search.fill("linear.app");
  await expect(page.getByTestId("account-row")).toHaveCount(1);
  await page.getByRole("checkbox", { name: "Select Linear" }).check();
  await search.fill(name);
  await expect(page.getByTestId("account-row")).toHaveCount(1);
  await page.getByRole("checkbox", { name: `Select ${name}` }).check();
  await page.getByRole("button", { name: "Enrich 3 selected" }).click();
  await expect(page.getByText("Queued 2 accounts for enrichment.")).toBeVisible();
  await expect(page.getByText(`Skipped 1 without a domain: ${name}.`)).toBeVisible();

  await page.getByRole("link", { name: "Follow the jobs" }).click();
  await expect(page).toHaveURL(/\/jobs\?status=active/);
  await page.getByRole("button", { name: "All", exact: true }).click();
  await expect(page.getByTestId("job-row").filter({ hasText: "Figma" }).first()).toBeVisible();
  await expect(page.getByTestId("job-row").filter({ hasText: "Figma" }).first().getByTestId("job-status")).toHaveText("Completed", {
    timeout: 60_000,
  });
  await screenshot(page, "jobs");

  await api.from("accounts").delete().eq("workspace_id", DEMO_WS).eq("name", name);
});
