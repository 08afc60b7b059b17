// The main pages at desktop and phone width (375 px): no horizontal scrolling, screenshots for review.
import { apiAs, DEMO_WS, env, expect, screenshot, signIn, test } from "./fixtures";

const PAGES = [
  { name: "accounts", path: "/accounts", ready: "Accounts" },
  { name: "jobs", path: "/jobs", ready: "Jobs" },
  { name: "settings-api", path: "/workspace/settings/api", ready: "Settings" },
  { name: "account-new", path: "/accounts/new", ready: "New account" },
];

test("main pages fit a 375 px phone screen", async ({ page }) => {
  const api = await apiAs(env.demo);
  const { data: stripe } = await api.from("accounts").select("id").eq("workspace_id", DEMO_WS).eq("domain", "stripe.com").single();
  const { data: jobs } = await api.from("jobs").select("id").eq("workspace_id", DEMO_WS).eq("job_type", "enrich_account").order("created_at", { ascending: false }).limit(1);
  const pages = [...PAGES, { name: "account-detail", path: `/accounts/${stripe!.id}`, ready: "Stripe" }];
  if (jobs?.[0]) pages.push({ name: "job-detail", path: `/jobs/${jobs[0].id}`, ready: "Account enrichment" });

  await page.setViewportSize({ width: 375, height: 812 });
  await signIn(page, env.demo);
  for (const p of pages) {
    await page.goto(p.path);
    await expect(page.getByRole("heading", { name: p.ready, level: 1 })).toBeVisible();
    await page.waitForLoadState("networkidle").catch(() => {});
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${p.path} scrolls sideways by ${overflow}px at 375px`).toBeLessThanOrEqual(0);
    await screenshot(page, `${p.name}-phone`);
  }
});

test("keyboard: skip link and focus order reach the main actions", async ({ page }) => {
  await signIn(page, env.demo);
  await page.goto("/accounts");
  await expect(page.getByTestId("account-row").first()).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("#main")).toBeFocused();
  // From the main content, Tab reaches the page's actions: importing a file, then a new account.
  const next = async () => {
    await page.keyboard.press("Tab");
    return await page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");
  };
  expect(await next()).toBe("Import CSV");
  expect(await next()).toBe("New account");
});
