// Every page passes axe (WCAG 2.1 A and AA rules) with no serious or critical violation, signed out
// and signed in.
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { apiAs, DEMO_WS, env, expect, signIn, test } from "./fixtures";

async function expectNoSeriousViolations(page: Page, name: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  expect(results.passes.length, `axe checked ${name}`).toBeGreaterThan(0);
  expect(serious, `axe on ${name}`).toEqual([]);
}

test("the signed-out pages have no serious accessibility violations", async ({ page }) => {
  for (const path of ["/sign-in", "/sign-up", "/forgot-password"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectNoSeriousViolations(page, path);
  }
});

test("the signed-in pages have no serious accessibility violations", async ({ page }) => {
  const api = await apiAs(env.demo);
  const { data: account } = await api.from("accounts").select("id").eq("workspace_id", DEMO_WS).eq("domain", "stripe.com").single();
  const { data: job } = await api.from("jobs").select("id").eq("workspace_id", DEMO_WS).order("created_at", { ascending: false }).limit(1).maybeSingle();
  const { data: imp } = await api.from("imports").select("id").eq("workspace_id", DEMO_WS).order("created_at", { ascending: false }).limit(1).maybeSingle();
  await signIn(page, env.demo);
  const pages = [
    "/accounts",
    "/accounts/new",
    `/accounts/${account!.id}`,
    `/accounts/${account!.id}/edit`,
    "/jobs",
    ...(job ? [`/jobs/${job.id}`] : []),
    "/workspace/settings/api",
    "/workspace/activity",
    "/accounts/import",
    ...(imp ? [`/imports/${imp.id}`] : []),
  ];
  for (const path of pages) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await page.waitForLoadState("networkidle").catch(() => undefined);
    await expectNoSeriousViolations(page, path);
  }
});

test("an account is enriched with the keyboard alone, and focus is visible on the way", async ({ page }) => {
  const api = await apiAs(env.demo);
  const { data: account } = await api.from("accounts").select("id").eq("workspace_id", DEMO_WS).eq("domain", "figma.com").single();
  await signIn(page, env.demo, `/accounts/${account!.id}`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press("Tab");
    const focused = page.locator(":focus");
    // the focused control is drawn with an outline (styles.css :focus-visible)
    const outline = await focused.evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline, `focus is visible on ${await focused.evaluate((el) => el.outerHTML.slice(0, 80))}`).not.toBe("none");
    reached = (await focused.textContent())?.trim() === "Enrich";
  }
  expect(reached, "Tab reaches the Enrich button").toBe(true);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
});
