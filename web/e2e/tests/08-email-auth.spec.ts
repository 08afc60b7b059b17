// Signing up on a project with email confirmation (a new hosted project's default), through the
// local stack's mailbox as a user would through their inbox: the "check your email" page, the
// emailed link landing the user signed in, a spent link explained, a repeated sign-up that must not
// claim an account was created, and a forgotten password reset end to end.
import { apiAs, apiClient, env, expect, linkInLatestMail, mailTo, screenshot, test, uniqueEmail } from "./fixtures";

test.skip(!env.mailboxUrl, "needs the local stack's mailbox (E2E_MAILBOX_URL): a hosted project mails real inboxes");

test("sign-up: check your email, open the link, land signed in; the same link again is explained", async ({ page }) => {
  const email = uniqueEmail("signup");
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("e2e-password-123");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect(page.getByText(email)).toBeVisible();
  await expect(page.getByRole("button", { name: /Resend email \(in \d+ s\)/ })).toBeDisabled();
  await screenshot(page, "sign-up-check-email");

  const link = await linkInLatestMail(email, "signup");
  await page.goto(link);
  await expect(page).toHaveURL(/\/accounts$/);
  await expect(page.getByRole("heading", { name: "Accounts" })).toBeVisible();
  await expect(page.getByText(email)).toBeVisible();

  await page.goto(link);
  await expect(page.getByRole("heading", { name: "This confirmation link has expired" })).toBeVisible();
  await expect(page.getByRole("alert")).toContainText("The link has expired or was already used.");
  await screenshot(page, "confirm-link-expired");
  await page.getByRole("link", { name: "Go to your accounts" }).click();
  await expect(page.getByRole("heading", { name: "Accounts" })).toBeVisible();
});

test("a repeated sign-up with an address that has an account: sign in or reset, nothing claimed, nothing sent", async ({ page }) => {
  const before = (await mailTo(env.demo.email)).length;
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(env.demo.email);
  await page.getByLabel("Password").fill("not-the-demo-password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Do you already have an account?" })).toBeVisible();
  await expect(page.getByText(/If an account already exists for/)).toContainText(env.demo.email);
  await expect(page.getByText(/created|check your email/i)).toHaveCount(0);
  await screenshot(page, "sign-up-account-may-exist");
  expect((await mailTo(env.demo.email)).length).toBe(before);
  await page.getByRole("link", { name: "Sign in" }).click();
  await expect(page.getByLabel("Email")).toHaveValue(env.demo.email);
});

test("forgot password: the emailed link opens the page to choose a new one, which then signs in", async ({ page }) => {
  // A confirmed user of this test's own, made through the same emailed link a person would open.
  const email = uniqueEmail("reset");
  const signUp = await (await apiClient()).auth.signUp({ email, password: "first-password-123" });
  expect(signUp.error).toBeNull();
  const confirmed = await fetch(await linkInLatestMail(email, "signup"), { redirect: "manual" });
  expect(confirmed.status).toBe(303);

  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();

  await page.goto(await linkInLatestMail(email, "recovery"));
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await screenshot(page, "reset-password");
  await page.getByRole("textbox", { name: "New password", exact: true }).fill("second-password-456");
  await page.getByLabel("Repeat the new password").fill("second-password-456");
  await page.getByRole("button", { name: "Save new password" }).click();
  await expect(page.getByRole("heading", { name: "Accounts" })).toBeVisible();

  await expect(apiAs({ email, password: "first-password-123" })).rejects.toThrow(/could not sign in/);
  await apiAs({ email, password: "second-password-456" });
});
