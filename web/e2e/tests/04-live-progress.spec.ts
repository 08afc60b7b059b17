// Spec test 7: the job page is open, the worker runs, and the page follows it without a refresh:
// Pending -> Processing -> Completed, 10% -> ... -> 100%, log lines as they are written.
import { apiAs, DEMO_WS, env, expect, queueEnrichment, saveMockKey, screenshot, SEVEN_LOG_LINES, signIn, test, triggerWorker } from "./fixtures";

test("progress, status and logs arrive live through Realtime", async ({ page }) => {
  const api = await apiAs(env.demo);
  await saveMockKey(api, DEMO_WS);
  const stamp = Date.now();
  const { data: account, error: accountError } = await api
    .from("accounts")
    .insert({ workspace_id: DEMO_WS, name: `Live ${stamp}`, domain: `live-${stamp}.example.com` })
    .select("id, domain")
    .single();
  expect(accountError).toBeNull();
  // Scheduled a few seconds ahead, so nothing runs it before the page is watching.
  const dueAt = Date.now() + 6_000;
  const jobId = await queueEnrichment(api, account!, dueAt);

  await signIn(page, env.demo, `/jobs/${jobId}`);
  await expect(page.getByTestId("job-status")).toHaveText("Pending");
  await expect(page.getByRole("progressbar", { name: "Progress" })).toHaveAttribute("aria-valuenow", "0");
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-live", "live");
  await screenshot(page, "job-pending");

  // Record every value the progress bar and the badge take, from inside the page.
  await page.evaluate(() => {
    const w = window as unknown as { __progress: number[]; __statuses: string[]; __sameDocument: boolean };
    w.__progress = [];
    w.__statuses = [];
    w.__sameDocument = true;
    const record = () => {
      const bar = document.querySelector("[role=progressbar]");
      const value = Number(bar?.getAttribute("aria-valuenow"));
      if (w.__progress.at(-1) !== value) w.__progress.push(value);
      const status = document.querySelector("[data-testid=job-status]")?.textContent ?? "";
      if (w.__statuses.at(-1) !== status) w.__statuses.push(status);
    };
    new MutationObserver(record).observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
    record();
  });

  await page.waitForTimeout(Math.max(0, dueAt - Date.now() + 300));
  await triggerWorker();

  await expect(page.getByTestId("job-status")).toHaveText("Completed", { timeout: 60_000 });
  await expect(page.getByRole("progressbar", { name: "Progress" })).toHaveAttribute("aria-valuenow", "100");
  const { progress, statuses, sameDocument } = await page.evaluate(() => {
    const w = window as unknown as { __progress: number[]; __statuses: string[]; __sameDocument: boolean };
    return { progress: w.__progress, statuses: w.__statuses, sameDocument: w.__sameDocument };
  });
  console.log(`observed progress ${progress.join(" -> ")}; status ${statuses.join(" -> ")}`);
  expect(sameDocument).toBe(true);
  expect(progress[0]).toBe(0);
  expect(progress.at(-1)).toBe(100);
  expect([...progress].sort((a, b) => a - b)).toEqual(progress); // never backwards
  // Every step the worker reports is shown on the way (spec test 7: 10% -> 20% -> ... -> 100%).
  expect(progress).toEqual([0, 10, 20, 30, 40, 60, 80, 100]);
  expect(statuses).toEqual(["Pending", "Processing", "Completed"]);

  const lines = page.getByTestId("log-line").locator(".log-message");
  await expect(lines).toHaveCount(7);
  const texts = await lines.allTextContents();
  SEVEN_LOG_LINES.forEach((pattern, i) => expect(texts[i]).toMatch(pattern));
  await screenshot(page, "job-live-completed");

  await api.from("accounts").delete().eq("id", account!.id);
});
