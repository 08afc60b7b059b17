// A user never sees another workspace's data: not in lists, not by id, not through the API.
import { apiAs, DEMO_WS, env, expect, signIn, test } from "./fixtures";

test("the other user cannot see the demo workspace's accounts or jobs", async ({ page }) => {
  const demo = await apiAs(env.demo);
  const { data: stripe } = await demo.from("accounts").select("id").eq("workspace_id", DEMO_WS).eq("domain", "stripe.com").single();
  expect(stripe?.id).toBeTruthy();
  const { data: demoJobs } = await demo.from("jobs").select("id").eq("workspace_id", DEMO_WS).limit(1);
  let demoJobId = demoJobs?.[0]?.id as string | undefined;
  if (!demoJobId) {
    const { data } = await demo.rpc("enqueue_enrichment", { account_id: stripe!.id });
    demoJobId = (data as { id: string }).id;
  }

  // Through the API, as the other user: RLS hides them.
  const other = await apiAs(env.other);
  expect((await other.from("accounts").select("id").eq("workspace_id", DEMO_WS)).data).toEqual([]);
  expect((await other.from("jobs").select("id").eq("id", demoJobId!)).data).toEqual([]);

  // Through the UI.
  await signIn(page, env.other);
  await expect(page.getByTestId("account-row").first()).toBeVisible();
  await expect(page.getByRole("link", { name: "Shopify" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Stripe" })).toHaveCount(0);
  await expect(page.getByRole("combobox", { name: "Workspace" })).toHaveCount(0);

  await page.goto(`/accounts/${stripe!.id}`);
  await expect(page.getByText("Account not found.")).toBeVisible();
  await page.goto(`/jobs/${demoJobId}`);
  await expect(page.getByText("Job not found.")).toBeVisible();

  await page.goto("/jobs");
  await expect(page.getByRole("heading", { name: "Jobs" })).toBeVisible();
  await expect(page.locator(`a[href="/jobs/${demoJobId}"]`)).toHaveCount(0);
});
