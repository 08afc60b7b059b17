// Accounts can be edited and deleted, and enrichment keeps what a person typed: the account page
// says where each value came from and what the last enrichment changed.
import { apiAs, DEMO_WS, env, expect, saveMockKey, screenshot, signIn, test, UUID } from "./fixtures";

test.beforeAll(async () => {
  await saveMockKey(await apiAs(env.demo), DEMO_WS);
});

test("an account created without a domain gets one on its edit page, and a typed country survives enrichment", async ({ page }) => {
  const stamp = Date.now();
  const name = `Typed Co ${stamp}`;
  await signIn(page, env.demo);
  await page.getByRole("link", { name: "New account" }).click();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Country").fill("United States");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText("Add a domain to this account to enrich it.")).toBeVisible();

  // Edit: the domain is added (and normalized), the country stays as typed.
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByRole("heading", { name: "Edit account" })).toBeVisible();
  await expect(page.getByLabel("Country")).toHaveValue("United States");
  await page.getByLabel("Domain").fill(`https://www.typed-${stamp}.example/about`);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Changes saved.")).toBeVisible();
  await expect(page.getByRole("heading", { name })).toContainText(name);
  await expect(page.getByRole("link", { name: new RegExp(`^typed-${stamp}\\.example`) })).toBeVisible();
  const fields = page.getByTestId("account-fields");
  await expect(fields.locator("[data-field=country]")).toContainText("Typed");

  // Enrich: the mock answers country "USA"; the typed "United States" is kept and the page says so.
  await page.getByRole("button", { name: "Enrich", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${UUID.source}$`));
  await expect(page.getByTestId("job-status")).toHaveText("Completed", { timeout: 60_000 });
  await page.getByRole("link", { name }).click();
  await expect(fields.locator("[data-field=country]")).toContainText("United States");
  await expect(fields.locator("[data-field=country]")).toContainText("Typed");
  await expect(fields.locator("[data-field=industry]")).toContainText("Technology");
  await expect(fields.locator("[data-field=industry]")).toContainText("Sample data");
  await expect(page.getByText("Sample data, not from Apollo")).toBeVisible();
  const last = page.getByTestId("last-enrichment");
  await expect(last.locator("[data-change=industry]")).toContainText("Industry: — → Technology");
  await expect(last.locator("[data-kept=country]")).toContainText("Country: kept United States (Apollo: USA)");
  await screenshot(page, "account-sources-and-last-change");

  // Delete, after confirming: back on the list, which no longer has it.
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const dialog = page.getByRole("alertdialog", { name: `Delete ${name}?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Delete account" }).click();
  await expect(page.getByText(`Deleted ${name}.`)).toBeVisible();
  await page.getByRole("searchbox", { name: "Search accounts" }).fill(name);
  await expect(page.getByTestId("account-row")).toHaveCount(0);
});

test("deleting an account with a queued enrichment cancels the job", async ({ page }) => {
  const api = await apiAs(env.demo);
  const name = `Queued Co ${Date.now()}`;
  const { data: account, error } = await api.from("accounts").insert({ workspace_id: DEMO_WS, name, domain: `queued-${Date.now()}.example` }).select("id").single();
  expect(error).toBeNull();
  // A job scheduled for later, so no worker takes it before the delete.
  const { data: job, error: jobError } = await api
    .from("jobs")
    .insert({ workspace_id: DEMO_WS, job_type: "enrich_account", payload: { account_id: account!.id }, scheduled_for: new Date(Date.now() + 3_600_000).toISOString() })
    .select("id")
    .single();
  expect(jobError).toBeNull();

  await signIn(page, env.demo, `/accounts/${account!.id}`);
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete account" }).click();
  await expect(page.getByText(`Deleted ${name}.`)).toBeVisible();

  await page.goto(`/jobs/${job!.id}`);
  await expect(page.getByTestId("job-status")).toHaveText("Cancelled");
  await expect(page.getByTestId("log-line").last()).toContainText(`Cancelled: its account was deleted by ${env.demo.email}`);
});
