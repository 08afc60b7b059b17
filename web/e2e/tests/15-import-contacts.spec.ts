// Importing contacts from a CSV file through the UI: the kind chosen on the import page, the
// contact fields guessed from the headers, rows previewed as the worker will judge them (email
// rule, duplicates by email), the import followed live, and the people found on their companies'
// account pages: an existing account (Stripe, a demo account) and one the import created. Asked to
// be enriched afterwards, the new contacts have their enrichment jobs.
import { apiAs, DEMO_WS, env, expect, saveMockKey, screenshot, signIn, test, UUID } from "./fixtures";

test.beforeAll(async () => {
  await saveMockKey(await apiAs(env.demo), DEMO_WS);
});

test("a CSV of people becomes contacts on their companies' accounts, and they are enriched", async ({ page }) => {
  const run = Date.now().toString(36);
  const csv = [
    "Email,First name,Last name,Job title,Company,Company website",
    `ada.${run}@stripe.com,Ada,Import,Revenue Analyst,Stripe,stripe.com`,
    `bo.${run}@newco-${run}.example,Bo,Import,CEO,"NewCo ${run}, Inc.",https://newco-${run}.example/`,
    `not-an-email,Typo,Import,,,`,
    `ADA.${run}@stripe.com,Ada,Again,,,`,
  ].join("\n") + "\n";

  await signIn(page, env.demo, "/accounts/import");
  // The choice is the URL (?kind=contacts): the radio shows it once the router's navigation has
  // rendered, which on a busy machine is after check() looks, so click and wait for it instead.
  const contactsKind = page.getByRole("radio", { name: "Contacts (people)" });
  await contactsKind.click();
  await expect(contactsKind).toBeChecked();
  await expect(page).toHaveURL(/\/accounts\/import\?kind=contacts$/);
  await expect(page.getByRole("heading", { level: 1, name: "Import contacts from CSV" })).toBeVisible();
  await page.getByLabel("CSV file").setInputFiles({ name: `people-${run}.csv`, mimeType: "text/csv", buffer: Buffer.from(csv, "utf8") });

  await expect(page.getByRole("combobox", { name: "Email" })).toHaveValue("Email");
  await expect(page.getByRole("combobox", { name: "Title" })).toHaveValue("Job title");
  await expect(page.getByRole("combobox", { name: "Company domain / website" })).toHaveValue("Company website");
  await expect(page.getByRole("combobox", { name: "Company name (for new accounts)" })).toHaveValue("Company");
  const rows = page.getByTestId("preview-row");
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(0)).toHaveAttribute("data-outcome", "ok");
  await expect(rows.nth(2)).toContainText("not an email address");
  await expect(rows.nth(3)).toContainText("A duplicate of row 2");
  await page.getByRole("checkbox", { name: /Enrich the new contacts/ }).check();
  await screenshot(page, "import-contacts-preview");
  await page.getByRole("button", { name: "Start import" }).click();

  await expect(page).toHaveURL(new RegExp(`/imports/${UUID.source}$`));
  await expect(page.getByTestId("job-status")).toHaveText("Completed", { timeout: 60_000 });
  await expect(page.getByTestId("import-created")).toHaveText("2");
  await expect(page.getByTestId("import-skipped")).toHaveText("1");
  await expect(page.getByTestId("import-failed")).toHaveText("1");
  await expect(page.getByText("1 new accounts for their companies", { exact: false })).toBeVisible();
  await expect(page.getByTestId("import-enrich-jobs")).toContainText("2 enrichment jobs queued");
  await screenshot(page, "import-contacts-completed");

  // The people, on their accounts' pages: Stripe's, and the account the import created.
  await page.getByRole("link", { name: "See the accounts" }).click();
  await page.getByRole("searchbox", { name: "Search accounts" }).fill(`NewCo ${run}`);
  await page.getByTestId("account-row").filter({ hasText: `newco-${run}.example` }).getByRole("link").first().click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`NewCo ${run}, Inc.`);
  await expect(page.getByTestId("contact").filter({ hasText: "Bo Import" })).toBeVisible();

  const api = await apiAs(env.demo);
  const { data: stripe } = await api.from("accounts").select("id").eq("workspace_id", DEMO_WS).eq("domain", "stripe.com").single();
  const { data: ada } = await api.from("contacts").select("email, title, account_id").eq("workspace_id", DEMO_WS).eq("email", `ada.${run}@stripe.com`);
  expect(ada).toEqual([{ email: `ada.${run}@stripe.com`, title: "Revenue Analyst", account_id: stripe?.id }]);
  // ... and their enrichment, through the normal path.
  await expect.poll(async () => {
    const { data } = await api.from("jobs").select("status, payload").eq("workspace_id", DEMO_WS).eq("job_type", "enrich_contact")
      .order("created_at", { ascending: false }).limit(50);
    const ours = (data ?? []).filter((j) => String((j.payload as { email?: string }).email ?? "").includes(run));
    return ours.map((j) => j.status).sort();
  }, { timeout: 60_000 }).toEqual(["completed", "completed"]);
});
