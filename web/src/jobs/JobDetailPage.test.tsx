import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { JobLogRow, JobRow } from "../lib/database.types";
import { createFakeSupabase, type FakeChannel, type RecordedQuery } from "../test/fake-supabase";
import { makeJob, makeLog } from "../test/fixtures";
import { formatDateTime } from "../lib/format";
import { renderPage, withWorkspace } from "../test/render";
import { JobDetailPage } from "./JobDetailPage";

const JOB_ID = "11111111-2222-4333-8444-555555555555";
const STEPS: Array<[number, string]> = [
  [10, "Starting enrichment for account acc-1"],
  [20, "Fetching workspace settings..."],
  [30, "Initializing Apollo client..."],
  [40, "Enriching with domain stripe.com..."],
  [60, "Processing enrichment data..."],
  [80, "Updating account record..."],
];

/** A tiny database: the page reads the job and its logs from here; tests change it and emit Realtime events. */
function setup(job: JobRow = makeJob({ id: JOB_ID }), logs: JobLogRow[] = []) {
  const db = { job, logs };
  const fake = createFakeSupabase(
    withWorkspace((q: RecordedQuery) => {
      if (q.table === "jobs") return { data: db.job, error: null };
      if (q.table === "job_logs") return { data: db.logs, error: null };
      if (q.table === "accounts") return { data: { id: "acc-1", name: "Stripe" }, error: null };
      return { data: null, error: null };
    }),
  );
  const view = renderPage(<JobDetailPage />, { path: `/jobs/${JOB_ID}`, route: "/jobs/:id" });
  /** The workspace's jobs topic (the job's row, as a lean row); the job's own topic carries its log lines. */
  const channel = () => {
    const found = fake.channelsFor("jobs");
    expect(found).toHaveLength(1);
    return found[0];
  };
  const logChannel = () => {
    const found = fake.channelsFor("job_logs");
    expect(found).toHaveLength(1);
    return found[0];
  };
  let clock = Date.parse("2026-11-29T10:00:00Z");
  const tick = () => new Date((clock += 1000)).toISOString();
  /** The worker's step: the row changes (UPDATE) and a log line is inserted (INSERT), as Realtime sends them. */
  const step = (changes: Partial<JobRow>, message?: string, logId?: number) => {
    db.job = { ...db.job, ...changes, updated_at: tick() };
    channel().emit("jobs", "UPDATE", { ...db.job });
    if (message && logId) {
      const line = makeLog(logId, message, { job_id: JOB_ID, created_at: db.job.updated_at });
      db.logs = [...db.logs, line];
      logChannel().emit("job_logs", "INSERT", { ...line });
    }
  };
  return { fake, db, view, channel, logChannel, step };
}

const progress = () => screen.getByRole("progressbar", { name: "Progress" });

describe("JobDetailPage", () => {
  it("joins its workspace's private jobs topic for its row and its own private topic for its log lines", async () => {
    const { channel, logChannel } = setup();
    await screen.findByText("Pending", { selector: "[data-testid=job-status]" });
    expect(channel().name).toBe(`workspace:${makeJob().workspace_id}:jobs`);
    expect(logChannel().name).toBe(`job:${JOB_ID}`);
    for (const c of [channel(), logChannel()]) {
      expect(c.options).toEqual({ config: { private: true } });
      expect(c.bindings).toEqual([]);
    }
    await waitFor(() => expect(screen.getByTestId("live-status")).toHaveAttribute("data-live", "live"));
  });

  it("moves Pending -> Processing -> Completed, 10% ... 100%, with every log line, without reloading", async () => {
    const { step, fake } = setup();
    expect(await screen.findByText("Pending", { selector: "[data-testid=job-status]" })).toBeInTheDocument();
    expect(progress()).toHaveAttribute("aria-valuenow", "0");
    expect(screen.getByTestId("job-attempts")).toHaveTextContent("0 of 5");
    await waitFor(() => expect(screen.getByTestId("live-status")).toHaveAttribute("data-live", "live"));
    const readsBefore = fake.queries.length;

    act(() => step({ status: "processing", attempts: 1, started_at: "2026-11-29T10:00:01Z" }));
    expect(await screen.findByText("Processing", { selector: "[data-testid=job-status]" })).toBeInTheDocument();
    expect(screen.getByTestId("job-attempts")).toHaveTextContent("1 of 5");

    let logId = 1;
    for (const [percentage, message] of STEPS) {
      act(() => step({ progress: { percentage, message } }, message, logId++));
      await waitFor(() => expect(progress()).toHaveAttribute("aria-valuenow", String(percentage)));
      expect(within(screen.getByTestId("job-logs")).getByText(message)).toBeInTheDocument();
    }

    act(() =>
      step(
        { status: "completed", progress: { percentage: 100 }, completed_at: "2026-11-29T10:00:09Z" },
        "Account enrichment completed successfully",
        logId++,
      ),
    );
    expect(await screen.findByText("Completed", { selector: "[data-testid=job-status]" })).toBeInTheDocument();
    await waitFor(() => expect(progress()).toHaveAttribute("aria-valuenow", "100"));
    const lines = screen.getAllByTestId("log-line");
    expect(lines).toHaveLength(7);
    expect(lines[6]).toHaveTextContent("Account enrichment completed successfully");
    // Realtime did the work: the row and its lines are read again only when the status changes
    // (Processing, Completed), for what a broadcast's lean row leaves out; never for progress.
    const reads = fake.queries.slice(readsBefore);
    expect(reads.filter((q) => q.table === "job_logs")).toHaveLength(2);
    expect(reads.filter((q) => q.table === "jobs")).toHaveLength(2);
    // Nothing left to cancel or retry.
    expect(screen.queryByRole("button", { name: /Cancel job|Retry/ })).not.toBeInTheDocument();
  });

  it.each([
    ["the channel fails (CHANNEL_ERROR)", (c: FakeChannel) => c.statusCallback?.("CHANNEL_ERROR")],
    ["the server closes it (CLOSED)", (c: FakeChannel) => c.statusCallback?.("CLOSED")],
    [
      "Realtime rate-limits it (system error, then closed)",
      (c: FakeChannel) => c.emitSystem({ extension: "system", status: "error", message: "Too many messages per second" }),
    ],
  ])("when %s, it refetches at once, shows paused, and subscribes again after a backoff", async (_, trouble) => {
    const { db, channel, fake } = setup();
    await screen.findByText("Pending", { selector: "[data-testid=job-status]" });
    await waitFor(() => expect(screen.getByTestId("live-status")).toHaveAttribute("data-live", "live"));
    // Meanwhile the job ran to 60% and wrote two lines that Realtime did not deliver.
    db.job = { ...db.job, status: "processing", attempts: 1, progress: { percentage: 60 }, updated_at: "2026-11-29T10:00:06Z" };
    db.logs = [makeLog(1, "Starting enrichment for account acc-1"), makeLog(2, "Fetching workspace settings...")];
    act(() => trouble(channel()));
    await waitFor(() => expect(screen.getByTestId("live-status")).toHaveAttribute("data-live", "paused"));
    expect(screen.getByTestId("live-status")).toHaveTextContent("Live updates paused: refreshing…");
    await waitFor(() => expect(progress()).toHaveAttribute("aria-valuenow", "60"));
    expect(await screen.findByText("Fetching workspace settings...")).toBeInTheDocument();
    expect(screen.getAllByTestId("log-line")).toHaveLength(2);
    expect(fake.channelsFor("jobs")).toHaveLength(0); // the failed channel is gone...
    await waitFor(() => expect(fake.channelsFor("jobs")).toHaveLength(1), { timeout: 2500 }); // ...a new one ~1 s later
    await waitFor(() => expect(screen.getByTestId("live-status")).toHaveAttribute("data-live", "live"));
    // The new channel works.
    act(() => {
      db.job = { ...db.job, progress: { percentage: 80 }, updated_at: "2026-11-29T10:00:08Z" };
      channel().emit("jobs", "UPDATE", { ...db.job });
    });
    await waitFor(() => expect(progress()).toHaveAttribute("aria-valuenow", "80"));
  });

  it("keeps up when Realtime goes quiet while the job runs (changes over the project's limit are skipped silently)", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { db, step } = setup();
      await screen.findByText("Pending", { selector: "[data-testid=job-status]" });
      await waitFor(() => expect(screen.getByTestId("live-status")).toHaveAttribute("data-live", "live"));
      const seen: string[] = [];
      const observer = new MutationObserver(() => {
        const value = screen.getByTestId("live-status").getAttribute("data-live")!;
        if (seen.at(-1) !== value) seen.push(value);
      });
      observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-live"] });
      act(() => step({ status: "processing", attempts: 1, started_at: "2026-11-29T10:00:01Z" }, STEPS[0][1], 1));
      expect(await screen.findByText("Processing", { selector: "[data-testid=job-status]" })).toBeInTheDocument();

      // The worker finishes, but none of its changes reach the page: the channel stays subscribed and silent.
      db.job = { ...db.job, status: "completed", progress: { percentage: 100 }, completed_at: "2026-11-29T10:00:09Z", updated_at: "2026-11-29T10:00:09Z" };
      db.logs = [...STEPS.map(([, message], i) => makeLog(i + 1, message, { job_id: JOB_ID })), makeLog(7, "Account enrichment completed successfully", { job_id: JOB_ID })];
      await act(() => vi.advanceTimersByTimeAsync(6_000));

      expect(await screen.findByText("Completed", { selector: "[data-testid=job-status]" })).toBeInTheDocument();
      await waitFor(() => expect(progress()).toHaveAttribute("aria-valuenow", "100"));
      expect(screen.getAllByTestId("log-line")).toHaveLength(7);
      await act(() => vi.advanceTimersByTimeAsync(2_000));
      observer.disconnect();
      // It said it was catching up without live updates, and is live again now that nothing more is expected.
      expect(seen).toEqual(["paused", "live"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("applies a burst of Realtime changes in one go", async () => {
    const { step, view } = setup();
    await screen.findByText("Pending", { selector: "[data-testid=job-status]" });
    await waitFor(() => expect(screen.getByTestId("live-status")).toHaveAttribute("data-live", "live"));
    const writes: string[] = [];
    const unsubscribe = view.queryClient.getQueryCache().subscribe((event) => {
      if (event.type === "updated" && event.action.type === "success") writes.push(String(event.query.queryKey.at(-1)));
    });
    act(() => {
      step({ status: "processing", attempts: 1 });
      STEPS.forEach(([percentage, message], i) => step({ progress: { percentage, message } }, message, i + 1));
    });
    await waitFor(() => expect(screen.getAllByTestId("log-line")).toHaveLength(6));
    // Seven row versions and six lines, handed over together: one write of the job, one of the log;
    // and, the status having changed, one more of each when the row and its lines are read again.
    await waitFor(() => expect(writes.filter((w) => w === JOB_ID)).toHaveLength(2));
    await new Promise((resolve) => setTimeout(resolve, 200)); // and no more
    unsubscribe();
    expect(writes.filter((w) => w === JOB_ID)).toHaveLength(2);
    expect(writes.filter((w) => w === "logs")).toHaveLength(2);
  });

  it("plays back a burst of progress events one by one instead of jumping", async () => {
    const { step } = setup();
    await screen.findByText("Pending", { selector: "[data-testid=job-status]" });
    const seen: string[] = [];
    const observer = new MutationObserver(() => {
      const value = progress().getAttribute("aria-valuenow")!;
      if (seen.at(-1) !== value) seen.push(value);
    });
    observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ["aria-valuenow"] });
    act(() => {
      step({ status: "processing", attempts: 1, progress: { percentage: 10 } });
      step({ progress: { percentage: 20 } });
      step({ progress: { percentage: 30 } });
    });
    await waitFor(() => expect(progress()).toHaveAttribute("aria-valuenow", "30"));
    observer.disconnect();
    expect(seen).toEqual(["10", "20", "30"]);
  });

  it("does not go backwards when a late event carries an older version", async () => {
    const { step, channel, db } = setup();
    await screen.findByText("Pending", { selector: "[data-testid=job-status]" });
    act(() => step({ status: "processing", attempts: 1, progress: { percentage: 40 } }));
    await waitFor(() => expect(progress()).toHaveAttribute("aria-valuenow", "40"));
    act(() =>
      channel().emit("jobs", "UPDATE", { ...db.job, progress: { percentage: 20 }, updated_at: "2026-11-29T09:59:00Z" }),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(progress()).toHaveAttribute("aria-valuenow", "40");
  });

  it("shows a failed attempt's error, the attempts and when it will be retried", async () => {
    const nextRetry = new Date(Date.now() + 60_000).toISOString();
    setup(
      makeJob({
        id: JOB_ID,
        status: "pending",
        attempts: 1,
        next_retry_at: nextRetry,
        scheduled_for: nextRetry,
        error_message: "Account not found: 00000000-0000-0000-0000-000000000000",
        errors: [{ attempt: 1, at: "2026-11-29T10:00:01Z", message: "Account not found: 00000000-0000-0000-0000-000000000000", retryable: true }],
      }),
    );
    expect(await screen.findByText("Waiting to retry", { selector: "[data-testid=job-status]" })).toBeInTheDocument();
    expect(screen.getByTestId("job-error")).toHaveTextContent("Account not found");
    expect(screen.getByTestId("job-attempts")).toHaveTextContent("1 of 5");
    const retry = screen.getByTestId("job-next-retry");
    expect(retry).toHaveTextContent(/in (59|60) seconds|in 1 minute/);
    expect(retry.querySelector("time")).toHaveAttribute("dateTime", nextRetry);
    expect(screen.getByRole("button", { name: "Cancel job" })).toBeInTheDocument();
  });

  it("shows the final error of a failed job and retries it", async () => {
    const { fake } = setup(
      makeJob({
        id: JOB_ID,
        status: "failed",
        attempts: 5,
        failed_at: "2026-11-29T11:00:00Z",
        error_message: "Apollo API key not configured for this workspace",
      }),
    );
    expect(await screen.findByText("Failed", { selector: "[data-testid=job-status]" })).toBeInTheDocument();
    expect(screen.getByTestId("job-error")).toHaveTextContent("Apollo API key not configured for this workspace");
    // retry_job's row: due again now (scheduled_for), attempts from 0.
    fake.client.rpc.mockResolvedValueOnce({
      data: makeJob({ id: JOB_ID, status: "pending", scheduled_for: "2026-11-29T11:00:01Z", updated_at: "2026-11-29T11:00:01Z" }),
      error: null,
    } as never);
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(fake.client.rpc).toHaveBeenCalledWith("retry_job", { job_id: JOB_ID });
    expect(await screen.findByText("Pending", { selector: "[data-testid=job-status]" })).toBeInTheDocument();
  });

  it("asks before cancelling, and shows why a cancel was refused", async () => {
    const user = userEvent.setup();
    const { fake } = setup(makeJob({ id: JOB_ID, status: "processing", attempts: 1, started_at: "2026-11-29T10:00:00Z", progress: { percentage: 30 } }));
    await user.click(await screen.findByRole("button", { name: "Cancel job" }));
    const dialog = screen.getByRole("alertdialog", { name: "Cancel this job?" });
    await user.click(within(dialog).getByRole("button", { name: "Keep running" }));
    expect(fake.client.rpc).not.toHaveBeenCalled();

    fake.client.rpc.mockResolvedValueOnce({
      data: null,
      error: { code: "PT409", message: "This job is completed and can no longer be cancelled", details: null, hint: "Only pending or processing jobs can be cancelled." },
    } as never);
    await user.click(screen.getByRole("button", { name: "Cancel job" }));
    await user.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Cancel job" }));
    expect(fake.client.rpc).toHaveBeenCalledWith("cancel_job", { job_id: JOB_ID });
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The job could not be cancelled");
    expect(alert).toHaveTextContent("This job is completed and can no longer be cancelled");
    expect(alert).toHaveTextContent("Only pending or processing jobs can be cancelled.");
    expect(alert.textContent).not.toContain("{");
  });

  it("says when the job does not exist (or belongs to another workspace)", async () => {
    createFakeSupabase(withWorkspace(() => ({ data: null, error: null })));
    renderPage(<JobDetailPage />, { path: `/jobs/${JOB_ID}`, route: "/jobs/:id" });
    expect(await screen.findByText("Job not found.")).toBeInTheDocument();
    expect(screen.getByText(/belongs to a workspace you are not a member of/)).toBeInTheDocument();
  });

  it("shows the job's own percentage on first render: no 0% first, status and bar from one version", async () => {
    setup(makeJob({ id: JOB_ID, status: "processing", attempts: 1, progress: { percentage: 40, message: "Enriching with domain stripe.com..." } }));
    const seen: string[] = [];
    const observer = new MutationObserver(() => {
      const bar = document.querySelector("[role=progressbar]");
      const status = document.querySelector("[data-testid=job-status]")?.textContent;
      const value = `${status} ${bar?.getAttribute("aria-valuenow")}`;
      if (bar && seen.at(-1) !== value) seen.push(value);
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    await screen.findByText("Processing", { selector: "[data-testid=job-status]" });
    await waitFor(() => expect(screen.getByTestId("live-status")).toHaveAttribute("data-live", "live"));
    observer.disconnect();
    expect(seen).toEqual(["Processing 40"]);
  });

  it("a burst ending in 'completed' shows 60%, 80%, then Completed with 100%: never Completed with the bar behind", async () => {
    const { step } = setup(makeJob({ id: JOB_ID, status: "processing", attempts: 1, progress: { percentage: 40 } }));
    await screen.findByText("Processing", { selector: "[data-testid=job-status]" });
    await waitFor(() => expect(screen.getByTestId("live-status")).toHaveAttribute("data-live", "live"));
    const seen: string[] = [];
    const observer = new MutationObserver(() => {
      const value = `${screen.getByTestId("job-status").textContent} ${progress().getAttribute("aria-valuenow")}`;
      if (seen.at(-1) !== value) seen.push(value);
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    act(() => {
      step({ progress: { percentage: 60 } });
      step({ progress: { percentage: 80 } });
      step({ status: "completed", progress: { percentage: 100 }, completed_at: "2026-11-29T10:00:09Z" });
    });
    await screen.findByText("Completed", { selector: "[data-testid=job-status]" });
    observer.disconnect();
    expect(seen).toEqual(["Processing 60", "Processing 80", "Completed 100"]);
  });

  it("never goes back to Pending once Processing was shown, even if the pending version carries a later updated_at", async () => {
    const { channel, db } = setup();
    await screen.findByText("Pending", { selector: "[data-testid=job-status]" });
    await waitFor(() => expect(screen.getByTestId("live-status")).toHaveAttribute("data-live", "live"));
    const pending = { ...db.job };
    // The claim's transaction began before the enqueue committed: an earlier updated_at.
    db.job = { ...db.job, status: "processing", attempts: 1, updated_at: "2026-11-29T09:59:59Z" };
    act(() => channel().emit("jobs", "UPDATE", { ...db.job }));
    await screen.findByText("Processing", { selector: "[data-testid=job-status]" });
    act(() => channel().emit("jobs", "UPDATE", { ...pending, updated_at: "2026-11-29T10:00:30Z" }));
    await new Promise((r) => setTimeout(r, 400));
    expect(screen.getByTestId("job-status")).toHaveTextContent("Processing");
  });

  it("shows the page's outline while the job is read, not a blank page", async () => {
    createFakeSupabase(withWorkspace(() => new Promise(() => {}) as never));
    renderPage(<JobDetailPage />, { path: `/jobs/${JOB_ID}`, route: "/jobs/:id" });
    expect(await screen.findByText("Loading the job…")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: /All jobs/ })).toBeInTheDocument();
    expect(document.querySelectorAll(".skeleton").length).toBeGreaterThan(2);
  });

  it("a cancelled job's bar is neutral grey, not the red of a failure", async () => {
    setup(makeJob({ id: JOB_ID, status: "cancelled", cancelled_at: "2026-11-29T10:00:05Z", progress: { percentage: 40 } }));
    await screen.findByText("Cancelled", { selector: "[data-testid=job-status]" });
    expect(progress()).toHaveClass("progress-stopped");
    expect(progress()).not.toHaveClass("progress-failed");
  });

  it("labels log lines by run and attempt after a retry, so the two runs' lines differ", async () => {
    setup(makeJob({ id: JOB_ID, status: "completed", attempts: 1, completed_at: "2026-11-29T10:05:00Z" }), [
      makeLog(1, "Starting enrichment for account acc-1", { attempt: 1 }),
      makeLog(2, "Apollo API key not configured for this workspace", { attempt: 1, log_level: "error" }),
      makeLog(3, "Retried by demo@example.com: attempts start again from 1", { attempt: 0 }),
      makeLog(4, "Starting enrichment for account acc-1", { attempt: 1 }),
      makeLog(5, "Account enrichment completed successfully", { attempt: 1 }),
    ]);
    await screen.findByText("Completed", { selector: "[data-testid=job-status]" });
    const labels = screen.getAllByTestId("log-line").map((l) => l.querySelector(".log-attempt")?.textContent ?? "");
    expect(labels).toEqual(["run 1 · attempt 1", "run 1 · attempt 1", "run 2", "run 2 · attempt 1", "run 2 · attempt 1"]);
  });

  it("a job scheduled for later says when, instead of 'Waiting for a worker'", async () => {
    const later = new Date(Date.now() + 3 * 3600_000).toISOString();
    setup(makeJob({ id: JOB_ID, scheduled_for: later }));
    await screen.findByText("Pending", { selector: "[data-testid=job-status]" });
    expect(screen.getByText(`Scheduled for ${formatDateTime(later)}`)).toBeInTheDocument();
    expect(screen.queryByText("Waiting for a worker")).not.toBeInTheDocument();
  });

  it("a job that is due says it waits for a worker", async () => {
    setup(makeJob({ id: JOB_ID, scheduled_for: new Date(Date.now() - 1000).toISOString() }));
    expect(await screen.findByText("Waiting for a worker")).toBeInTheDocument();
  });

  it("'Settings → API' in the error is a link to the settings page", async () => {
    setup(
      makeJob({
        id: JOB_ID,
        status: "failed",
        attempts: 1,
        failed_at: "2026-11-29T10:00:05Z",
        error_message: "Apollo API key not configured for this workspace. Add a key in Settings → API, then retry the job.",
      }),
    );
    const link = await screen.findByRole("link", { name: "Settings → API" });
    expect(link).toHaveAttribute("href", "/workspace/settings/api");
    expect(screen.getByTestId("job-error")).toHaveTextContent(
      "Apollo API key not configured for this workspace. Add a key in Settings → API, then retry the job.",
    );
  });
});
