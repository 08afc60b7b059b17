// Spec test 1: configure the Apollo API key.
import { env, expect, screenshot, signIn, test } from "./fixtures";

test("save the mock key, see Configured, test the connection", async ({ page }) => {
  await signIn(page, env.demo, "/workspace/settings/api");
  await expect(page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
  const keyInput = page.locator("input[name=apollo_api_key]");
  await expect(keyInput).toHaveAttribute("type", "password");
  await keyInput.fill("test-key-12345");
  await page.getByRole("button", { name: "Save", exact: true }).click();

  await expect(page.getByText("API key saved successfully")).toBeVisible();
  await expect(page.getByTestId("key-status")).toHaveText("Configured");
  await expect(page.getByTestId("key-last4")).toContainText("2345");

  await page.getByRole("button", { name: "Test Connection" }).click();
  const result = page.getByTestId("connection-result");
  await expect(result).toContainText("Connected (mock response)");
  await expect(result).toContainText("Mock Apollo client");
  await expect(page.getByTestId("credits-used")).toBeVisible();
  await screenshot(page, "settings-api");
});
