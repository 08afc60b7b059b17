// Issue 17: importing accounts from a CSV file through the UI. The file is previewed and mapped in
// the browser (one guessed mapping changed), uploaded to Storage, imported by the worker while the
// import page follows its job live, and its bad rows come back as a formula-safe CSV; the new
// accounts are in the list and, asked to be enriched afterwards, have their enrichment jobs.
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { apiAs, DEMO_WS, env, expect, saveMockKey, screenshot, signIn, test, UUID } from "./fixtures";

/** axe (WCAG 2.1 A/AA) on the page as it is now: the preview and the finished import are not on 13's list. */
async function expectAccessible(page: Page, name: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  expect(serious, `axe on ${name}`).toEqual([]);
}

test.beforeAll(async () => {
  await saveMockKey(await apiAs(env.demo), DEMO_WS);
});

test("a CSV is previewed, mapped, imported live; its errors download formula-safe and its accounts are enriched", async ({ page }) => {
  const run = Date.now().toString(36);
  // Semicolons, a quoted field holding the separator, a BOM; "Size" is guessed as the employees
  // column but holds words: the test maps Employees to "Staff" instead, and Country to "Land".
  const csv =
    "\uFEFF" +
    [
      "Organisation;Site;Size;Staff;Town;Land",
      `Import Alpha ${run};alpha-${run}.example;Small;120;Berlin;Germany`,
      `"Import Beta; ${run}";https://www.beta-${run}.example/;Large;"1,500";Paris;France`,
      `;nameless-${run}.example;Small;3;Lyon;France`,
      `Import Formula ${run};=1+2;Small;5;Rome;Italy`,
      `Import Beta Again ${run};beta-${run}.example;;;;`,
      `Import Stripe Copy ${run};stripe.com;;;;`,
      `Import Gamma ${run};gamma-${run}.example;Small;lots;Oslo;Norway`,
    ].join("\r\n") +
    "\r\n";

  await signIn(page, env.demo);
  await page.getByRole("link", { name: "Import CSV" }).click();
  await expect(page).toHaveURL(/\/accounts\/import$/);
  await expect(page.getByRole("heading", { level: 1, name: "Import accounts from CSV" })).toBeVisible();
  await expect(page.getByText("supabase/sample-accounts.csv")).toBeVisible();

  await page.getByLabel("CSV file").setInputFiles({ name: `import-${run}.csv`, mimeType: "text/csv", buffer: Buffer.from(csv, "utf8") });
  await expect(page.getByTestId("import-file-facts")).toContainText("separated by semicolons · 6 columns");
  const rows = page.getByTestId("preview-row");
  await expect(rows).toHaveCount(7);
  await expect(rows.nth(1)).toContainText(`Import Beta; ${run}`);

  // The guess, and the changes.
  await expect(page.getByRole("combobox", { name: "Name" })).toHaveValue("Organisation");
  await expect(page.getByRole("combobox", { name: "Domain / website" })).toHaveValue("Site");
  await expect(page.getByRole("combobox", { name: "Employees" })).toHaveValue("Size");
  await expect(page.getByRole("combobox", { name: "City" })).toHaveValue("Town");
  await expect(page.getByRole("combobox", { name: "Country" })).toHaveValue("");
  await expect(rows.nth(0)).toHaveAttribute("data-outcome", "fail"); // "Small" employees
  await page.getByRole("combobox", { name: "Employees" }).selectOption("Staff");
  await page.getByRole("combobox", { name: "Country" }).selectOption("Land");
  await expect(rows.nth(0)).toHaveAttribute("data-outcome", "ok");
  await expect(rows.nth(2)).toContainText("a name is required");
  await expect(rows.nth(3)).toContainText("not a website domain");
  await expect(rows.nth(4)).toContainText("A duplicate of row 3");
  await expect(rows.nth(5)).toContainText("Already an account: skipped"); // stripe.com, a demo account
  await expect(rows.nth(6)).toContainText("not a whole number of employees");

  await page.getByRole("radio", { name: /Skip the row/ }).check();
  await page.getByRole("checkbox", { name: /Enrich the new accounts/ }).check();
  await screenshot(page, "import-preview");
  await expectAccessible(page, "the import preview");
  await page.getByRole("button", { name: "Start import" }).click();

  // The import page follows the job live to the end.
  await expect(page).toHaveURL(new RegExp(`/imports/${UUID.source}$`));
  await expect(page.getByRole("heading", { level: 1, name: `Import of import-${run}.csv` })).toBeVisible();
  await expect(page.getByRole("progressbar", { name: "Progress" })).toBeVisible();
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-live", "live", { timeout: 15_000 });
  await expect(page.getByRole("link", { name: "See the accounts" })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("job-status")).toHaveText("Completed", { timeout: 30_000 });
  await expect(page.getByRole("progressbar", { name: "Progress" })).toHaveAttribute("aria-valuenow", "100");
  await expect(page.getByTestId("import-created")).toHaveText("2");
  await expect(page.getByTestId("import-updated")).toHaveText("0");
  await expect(page.getByTestId("import-skipped")).toHaveText("2"); // Beta again (in the file), stripe.com (in the workspace)
  await expect(page.getByTestId("import-failed")).toHaveText("3");
  await expect(page.getByTestId("import-rows")).toHaveText("7");
  await expect(page.getByTestId("import-enrich-jobs")).toContainText("2 enrichment jobs queued");
  const errors = page.getByTestId("import-error");
  await expect(errors).toHaveCount(3);
  await expect(errors.nth(0)).toContainText("Organisation");
  await expect(errors.nth(1)).toContainText("=1+2");
  await expect(errors.nth(2)).toContainText("lots");
  await screenshot(page, "import-completed");
  await expectAccessible(page, "the finished import");

  // The error report, built in the browser.
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download all errors as CSV" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`import-${run}-errors.csv`);
  const report = (await readFile((await download.path())!, "utf8")).replace(/^\uFEFF/, "");
  expect(report.split("\r\n")).toEqual([
    "row,column,value,reason",
    "4,Organisation,,a name is required",
    "5,Site,'=1+2,not a website domain (like acme.com)",
    "8,Staff,lots,not a whole number of employees",
    "",
  ]);

  // The new accounts, in the list.
  await page.getByRole("link", { name: "See the accounts" }).click();
  await expect(page).toHaveURL(/\/accounts$/);
  await page.getByRole("searchbox", { name: "Search accounts" }).fill(run);
  await expect(page.getByTestId("account-row")).toHaveCount(2);
  await expect(page.getByTestId("account-row").filter({ hasText: `Import Alpha ${run}` })).toContainText(`alpha-${run}.example`);
  await expect(page.getByTestId("account-row").filter({ hasText: `Import Beta; ${run}` })).toContainText(`beta-${run}.example`);
  await screenshot(page, "import-accounts");

  // ... and their enrichment, from the import page.
  await page.goBack();
  await expect(page.getByRole("link", { name: "Follow their enrichment" })).toBeVisible();
  await page.getByRole("link", { name: "Follow their enrichment" }).click();
  await expect(page).toHaveURL(/\/jobs$/);
  await expect(page.getByTestId("job-row").filter({ hasText: `Import Alpha ${run}` })).toHaveCount(1, { timeout: 15_000 });
  await expect(page.getByTestId("job-row").filter({ hasText: `Import Beta; ${run}` })).toHaveCount(1);
  await expect(page.getByTestId("job-row").filter({ hasText: `Import Alpha ${run}` })).toContainText("Completed", { timeout: 60_000 });
  await screenshot(page, "import-enrich-jobs");

  // The accounts remember the import.
  const api = await apiAs(env.demo);
  const { data: accounts } = await api.from("accounts").select("name, metadata").eq("workspace_id", DEMO_WS).like("domain", `%-${run}.example`);
  expect((accounts ?? []).map((a) => a.name).sort()).toEqual([`Import Alpha ${run}`, `Import Beta; ${run}`]);
});

test("a file that is not UTF-8 is refused at once, in words", async ({ page }) => {
  await signIn(page, env.demo, "/accounts/import");
  await page.getByLabel("CSV file").setInputFiles({
    name: "latin1.csv",
    mimeType: "text/csv",
    buffer: Buffer.from([...Buffer.from("Name,City\nCaf"), 0xe9, ...Buffer.from(",Paris\n")]),
  });
  await expect(page.getByRole("alert")).toHaveText('This file is not UTF-8 text. Save it as "CSV UTF-8" and choose it again.');
  await expect(page.getByRole("button", { name: "Start import" })).toHaveCount(0);
});

test("the sample file (supabase/sample-accounts.csv) previews with its bad rows and duplicates", async ({ page }) => {
  await signIn(page, env.demo, "/accounts/import");
  await page.getByLabel("CSV file").setInputFiles(fileURLToPath(new URL("../../../supabase/sample-accounts.csv", import.meta.url)));
  await expect(page.getByTestId("import-file-facts")).toContainText("sample-accounts.csv · ");
  await expect(page.getByTestId("import-file-facts")).toContainText("separated by commas · 7 columns");
  // the preview reads the first 64 KB (of about 80): the bad rows 13, 250, 500 and 750 and some duplicates are in it
  await expect(page.getByTestId("import-preview-summary")).toContainText(/^In the first [\d,]+ rows: [\d,]+ ready, 4 will fail, [1-9] repeats? an earlier domain\./);
  await expect(page.getByTestId("preview-row")).toHaveCount(10);
  await expect(page.getByRole("combobox", { name: "Name" })).toHaveValue("Company");
  await expect(page.getByRole("combobox", { name: "Domain / website" })).toHaveValue("Website");
  await expect(page.getByRole("combobox", { name: "State / region" })).toHaveValue("State");
});
