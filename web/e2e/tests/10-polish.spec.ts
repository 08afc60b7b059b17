// Polish found on the walk through the app: sign-up opens clean and names the workspace, the top
// bar stays one row, the job page never flickers or shows a status and a bar of different versions
// (nor a blank page on reload), cancelled/retried/scheduled jobs say what they are, failed rows show
// their error, and a rejected key is explained once.
import type { Page } from "@playwright/test";
import { apiAs, apiClient, env, expect, linkInLatestMail, queueEnrichment, screenshot, signIn, test, uniqueEmail, UUID } from "./fixtures";

test.skip(!env.mailboxUrl, "needs the local stack's mailbox (E2E_MAILBOX_URL) to confirm its own users");

const PASSWORD = "e2e-password-123";

/** A confirmed user of this test's own, with a workspace of its own (named `workspaceName` if given). */
async function newUser(what: string, workspaceName?: string) {
  const email = uniqueEmail(what);
  const options = workspaceName ? { data: { workspace_name: workspaceName } } : {};
  const { error } = await (await apiClient()).auth.signUp({ email, password: PASSWORD, options });
  expect(error).toBeNull();
  expect((await fetch(await linkInLatestMail(email, "signup"), { redirect: "manual" })).status).toBe(303);
  const api = await apiAs({ email, password: PASSWORD });
  const { data: ws, error: wsError } = await api.from("workspaces").select("id, name").single();
  expect(wsError).toBeNull();
  return { email, password: PASSWORD, api, workspaceId: ws!.id as string, workspaceName: ws!.name as string };
}

/** Records, from inside the page, every (status, bar) pair the job page shows and whether the page was ever empty. */
function recordJobPage() {
  const w = window as unknown as { __seen: string[]; __blank: number };
  w.__seen = [];
  w.__blank = 0;
  const record = () => {
    const root = document.getElementById("root");
    if (root && root.childElementCount > 0 && !root.querySelector("[role=status], [data-testid=job-status]")) w.__blank += 1;
    const bar = document.querySelector("[role=progressbar]");
    const status = document.querySelector("[data-testid=job-status]")?.textContent;
    if (!bar || !status) return;
    const value = `${status} ${bar.getAttribute("aria-valuenow")}`;
    if (w.__seen.at(-1) !== value) w.__seen.push(value);
  };
  new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}

const seen = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __seen: string[]; __blank: number };
    return { __seen: w.__seen, __blank: w.__blank };
  });

const ORDER = ["Pending", "Processing", "Completed"];

/** Statuses never go back, and "Completed" is only ever shown with a full bar. */
function expectConsistent(steps: string[]) {
  const statuses = steps.map((s) => s.replace(/ \d+$/, ""));
  const ranks = statuses.map((s) => ORDER.indexOf(s));
  expect([...ranks].sort((a, b) => a - b), `statuses ${statuses.join(" -> ")}`).toEqual(ranks);
  for (const step of steps) if (step.startsWith("Completed")) expect(step).toBe("Completed 100");
  const percentages = steps.map((s) => Number(s.split(" ").at(-1)));
  expect([...percentages].sort((a, b) => a - b), `bar ${percentages.join(" -> ")}`).toEqual(percentages);
}

test.describe("sign-up", () => {
  test.use({ allowedConsoleErrors: [/status of 400/] });

  test("opens clean after a failed sign-in, and names the workspace; the top bar stays one row", async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(env.demo.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toContainText("The email or password is not right.");
    await page.getByRole("link", { name: "Create an account" }).click();
    await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
    await expect(page.getByRole("alert")).toHaveCount(0);
    await expect(page.getByLabel("Email")).toHaveValue("");
    await expect(page.getByLabel("Password")).toHaveValue("");
    await expect(page.getByLabel(/Workspace name/)).toHaveValue("");

    const email = uniqueEmail("polish-named");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel(/Workspace name/).fill("Polish Sales Team");
    await screenshot(page, "polish-sign-up");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    await page.goto(await linkInLatestMail(email, "signup"));
    await expect(page.getByRole("heading", { name: "Accounts" })).toBeVisible();
    await expect(page.locator(".workspace-name")).toHaveText("Polish Sales Team");
  });

  test("a long generated workspace name is cut with an ellipsis, whole in its tooltip", async ({ page }) => {
    const who = await newUser("a-rather-long-local-part-for-the-top-bar");
    expect(who.workspaceName).toBe(`${who.email.split("@")[0]}'s workspace`);
    await signIn(page, who);
    const name = page.locator(".workspace-name");
    await expect(name).toHaveAttribute("title", who.workspaceName);
    const nav = await page.getByRole("navigation", { name: "Main" }).boundingBox();
    const side = await name.boundingBox();
    // One row: the workspace name sits level with the nav, not on a row below it.
    expect(Math.abs(side!.y + side!.height / 2 - (nav!.y + nav!.height / 2))).toBeLessThan(8);
    expect(await name.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await expect(page.getByRole("link", { name: "Settings" })).toBeVisible();
    await screenshot(page, "polish-top-bar");
  });
});

test("the job page: one version at a time, never backwards, never blank on a reload", async ({ page }) => {
  const who = await newUser("polish-job", "Polish jobs");
  const { error: keyError } = await who.api.functions.invoke("apollo-settings", {
    method: "POST",
    body: { workspace_id: who.workspaceId, api_key: "live-key-polish-1234" },
  });
  expect(keyError).toBeNull();
  // The fake Apollo answers this domain after 3 s: the job sits at 40 % meanwhile.
  const { data: account } = await who.api
    .from("accounts")
    .insert({ workspace_id: who.workspaceId, name: "Slow Co", domain: "slow-3000.test" })
    .select("id")
    .single();
  await page.addInitScript(recordJobPage);
  await signIn(page, who, `/accounts/${account!.id}`);
  await page.getByRole("button", { name: "Enrich", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${UUID.source}$`));
  await expect(page.getByTestId("job-status")).toHaveText("Completed", { timeout: 60_000 });
  await page.waitForTimeout(300);
  const first = await seen(page);
  console.log(`first run: ${first.__seen.join(" -> ")}`);
  expectConsistent(first.__seen);
  expect(first.__seen.at(-1)).toBe("Completed 100");

  // Again, and reload while it runs: the page shows its outline, then the job as it is (40 %, not 0 %).
  await page.goto(`/accounts/${account!.id}`);
  await page.getByRole("button", { name: /Enrich/ }).first().click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${UUID.source}$`));
  await expect(page.getByRole("progressbar", { name: "Progress" })).toHaveAttribute("aria-valuenow", "40", { timeout: 30_000 });
  await page.reload();
  await expect(page.getByTestId("job-status")).toHaveText("Completed", { timeout: 60_000 });
  await page.waitForTimeout(300);
  const reloaded = await seen(page);
  console.log(`after reload: ${reloaded.__seen.join(" -> ")}`);
  expectConsistent(reloaded.__seen);
  expect(reloaded.__seen[0]).toBe("Processing 40");
  expect(reloaded.__blank, "mutations with neither a loading state nor the job on the page").toBe(0);

  await who.api.from("accounts").delete().eq("id", account!.id);
});

test.describe("job states", () => {
  // Saving a key Apollo rejects is a 422 from apollo-settings, which the browser logs.
  test.use({ allowedConsoleErrors: [/status of 422/] });

test("cancelled, retried, scheduled and failed jobs say what they are; a rejected key is explained once", async ({ page }) => {
  const who = await newUser("polish-states", "Polish states");
  const { data: account } = await who.api
    .from("accounts")
    .insert({ workspace_id: who.workspaceId, name: "Later Co", domain: "later.example.com" })
    .select("id, domain")
    .single();
  const scheduledId = await queueEnrichment(who.api, { ...account!, workspaceId: who.workspaceId }, Date.now() + 2 * 3600_000);
  await signIn(page, who, `/jobs/${scheduledId}`);
  await expect(page.getByTestId("job-status")).toHaveText("Pending");
  await expect(page.getByText(/^Scheduled for /)).toBeVisible();
  await expect(page.getByText("Waiting for a worker")).toHaveCount(0);

  // Cancel it: a neutral bar. Retry it: due now; without a key it fails, with a link to Settings.
  await page.getByRole("button", { name: "Cancel job" }).click();
  await page.getByRole("alertdialog", { name: "Cancel this job?" }).getByRole("button", { name: "Cancel job" }).click();
  await expect(page.getByTestId("job-status")).toHaveText("Cancelled");
  const bar = page.getByRole("progressbar", { name: "Progress" });
  await expect(bar).toHaveClass(/progress-stopped/);
  await expect(bar).not.toHaveClass(/progress-failed/);
  await screenshot(page, "polish-job-cancelled");

  await page.getByRole("button", { name: "Retry" }).click();
  await expect(page.getByTestId("job-status")).toHaveText("Failed", { timeout: 60_000 });
  const settings = page.getByTestId("job-error").getByRole("link", { name: "Settings → API" });
  await expect(settings).toHaveAttribute("href", "/workspace/settings/api");
  // The retry began run 2: its lines say so, the cancelled run's lines say run 1.
  await expect(page.getByTestId("log-line").filter({ hasText: "Retried by" }).locator(".log-attempt")).toHaveText("run 2");
  await expect(page.getByTestId("log-line").filter({ hasText: "Cancelled by" }).locator(".log-attempt")).toHaveText("run 1");
  await expect(page.getByTestId("log-line").last().locator(".log-attempt")).toHaveText("run 2 · attempt 1");
  await screenshot(page, "polish-job-retried");

  await page.getByRole("link", { name: "All jobs" }).click();
  const error = page.getByTestId("job-row-error").first();
  await expect(error).toContainText("Apollo API key not configured");
  await expect(error).toHaveAttribute("title", /Settings → API, then retry the job\.$/);
  await screenshot(page, "polish-jobs-list");

  await page.goto("/workspace/settings/api");
  await page.getByRole("textbox", { name: "Apollo API key" }).fill("fake-key-401-polish");
  await page.getByRole("form", { name: "Save Apollo API key" }).getByRole("button", { name: "Save" }).click();
  const alert = page.getByRole("alert").filter({ hasText: "The key was not saved" });
  await expect(alert).toContainText("Apollo rejected the API key (401");
  await expect(alert).not.toContainText("Settings → API");
  expect((await alert.textContent())!.match(/rejected/g)).toHaveLength(1);
  await screenshot(page, "polish-key-rejected");
});
});
