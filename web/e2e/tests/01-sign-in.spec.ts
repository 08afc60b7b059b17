import { env, expect, screenshot, signIn, test } from "./fixtures";

test.describe("sign-in", () => {
  test.use({ allowedConsoleErrors: [/status of 400/] });

  test("a wrong password is explained in words", async ({ page }) => {
    await page.goto("/accounts");
    await expect(page).toHaveURL(/\/sign-in/);
    await page.getByLabel("Email").fill(env.demo.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toContainText("The email or password is not right.");
    await screenshot(page, "sign-in-error");
  });
});

test("the demo user signs in and sees the workspace's accounts", async ({ page }) => {
  await signIn(page, env.demo);
  await expect(page.getByRole("heading", { name: "Accounts" })).toBeVisible();
  await expect(page.getByText("Demo Workspace").first()).toBeVisible();
  await expect(page.getByTestId("account-row").first()).toBeVisible();
  await expect(page.getByTestId("account-row")).toHaveCount(10);
  await expect(page.getByText(/Showing 1–10 of \d+/)).toBeVisible();
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-live", "live");
  await screenshot(page, "accounts");

  // Search is server-side, over names and domains.
  await page.getByRole("searchbox", { name: "Search accounts" }).fill("stripe.com");
  await expect(page.getByTestId("account-row")).toHaveCount(1);
  await expect(page.getByTestId("account-row")).toContainText("Stripe");

  // The session survives a reload.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Accounts" })).toBeVisible();
});
