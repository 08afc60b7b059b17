import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { WorkspaceActivityRow } from "../lib/database.types";
import { AppLayout } from "../layout/AppLayout";
import { createFakeSupabase, type RecordedQuery } from "../test/fake-supabase";
import { DEMO_WS, renderPage, withWorkspace } from "../test/render";
import { formatRate, formatWait } from "./queries";
import { WorkspaceActivityPage } from "./WorkspaceActivityPage";

const ROW: WorkspaceActivityRow = {
  workspace_id: DEMO_WS,
  workspace_name: "Demo Workspace",
  pending: 4,
  due: 2,
  processing: 1,
  oldest_due_age_seconds: 42,
  completed_24h: 1234,
  failed_24h: 3,
  failure_rate_24h: 0.0024,
  credits_today: 17,
  credits_7d: 120,
  credits_total: 4321,
  last_job_at: new Date(Date.now() - 60_000).toISOString(),
};

function setup(role: string, row: WorkspaceActivityRow | null | "numeric-as-string" = ROW) {
  const fake = createFakeSupabase(
    withWorkspace((q: RecordedQuery) => {
      if (q.table !== "workspace_activity") return { data: [], error: null };
      if (row === "numeric-as-string") return { data: { ...ROW, failure_rate_24h: "0.5000" }, error: null };
      return { data: row, error: null };
    }, { role }),
  );
  return fake;
}

describe("WorkspaceActivityPage", () => {
  it("shows an owner the workspace's queue, 24 h and credit numbers from workspace_activity", async () => {
    const fake = setup("owner");
    renderPage(<WorkspaceActivityPage />);
    const numbers = await screen.findByTestId("workspace-activity");
    expect(within(numbers).getByTestId("activity-pending")).toHaveTextContent("4");
    expect(within(numbers).getByTestId("activity-due")).toHaveTextContent("2");
    expect(within(numbers).getByTestId("activity-processing")).toHaveTextContent("1");
    expect(within(numbers).getByTestId("activity-oldest")).toHaveTextContent("42 s");
    expect(within(numbers).getByTestId("activity-completed")).toHaveTextContent("1,234");
    expect(within(numbers).getByTestId("activity-failure-rate")).toHaveTextContent("0.2 %");
    expect(within(numbers).getByTestId("activity-credits-today")).toHaveTextContent("17");
    expect(within(numbers).getByTestId("activity-credits-total")).toHaveTextContent("4,321");
    expect(screen.getByText(/last job/)).toHaveTextContent("1 minute ago");
    expect(screen.queryByText("Jobs are waiting longer than usual")).not.toBeInTheDocument();

    const query = fake.queries.find((q) => q.table === "workspace_activity");
    expect(query?.filters).toEqual([{ op: "eq", column: "workspace_id", value: DEMO_WS }]);
    expect(query?.single).toBe("maybeSingle");
  });

  it("follows the workspace's jobs: the numbers are refetched after changes and when Realtime fails", async () => {
    const fake = setup("owner");
    renderPage(<WorkspaceActivityPage />);
    await screen.findByTestId("workspace-activity");
    await waitFor(() => expect(screen.getByTestId("live-status")).toHaveAttribute("data-live", "live"));
    const [channel] = fake.channelsFor("jobs");
    expect([channel.name, channel.options]).toEqual([
      `workspace:${DEMO_WS}:jobs`, { config: { private: true } },
    ]);
    const reads = () => fake.queries.filter((q) => q.table === "workspace_activity").length;
    await new Promise((r) => setTimeout(r, 100));
    const before = reads();
    act(() => {
      for (let i = 0; i < 10; i++) channel.emit("jobs", "UPDATE", { id: `job-${i}`, workspace_id: DEMO_WS });
    });
    await waitFor(() => expect(reads()).toBe(before + 1), { timeout: 3000 }); // a burst is one refetch
    act(() => channel.emitSystem({ extension: "system", status: "error", message: "Too many messages per second" }));
    await waitFor(() => expect(screen.getByTestId("live-status")).toHaveAttribute("data-live", "paused"));
    await waitFor(() => expect(reads()).toBe(before + 2));
  });

  it("warns when a job has been due for more than five minutes", async () => {
    setup("admin", { ...ROW, oldest_due_age_seconds: 3720 });
    renderPage(<WorkspaceActivityPage />);
    expect(await screen.findByText("Jobs are waiting longer than usual")).toBeInTheDocument();
    expect(screen.getByTestId("activity-oldest")).toHaveTextContent("1 h 2 min");
  });

  it("reads a numeric failure rate sent as a string", async () => {
    setup("owner", "numeric-as-string");
    renderPage(<WorkspaceActivityPage />);
    expect(await screen.findByTestId("activity-failure-rate")).toHaveTextContent("50 %");
  });

  it("tells a plain member the numbers are for owners and admins, without asking for them", async () => {
    const fake = setup("member");
    renderPage(<WorkspaceActivityPage />);
    expect(await screen.findByText("Only owners and admins see these numbers")).toBeInTheDocument();
    expect(fake.queries.some((q) => q.table === "workspace_activity")).toBe(false);
  });

  it("says so when the view has no row for the workspace (RLS)", async () => {
    setup("owner", null);
    renderPage(<WorkspaceActivityPage />);
    expect(await screen.findByText(/No numbers for this workspace/)).toBeInTheDocument();
  });

  it("links to the page from the navigation for owners and admins only", async () => {
    setup("owner");
    const owner = renderPage(<AppLayout />);
    expect(await screen.findByRole("link", { name: "Activity" })).toHaveAttribute("href", "/workspace/activity");
    owner.unmount();
    setup("member");
    renderPage(<AppLayout />);
    await screen.findByRole("link", { name: "Jobs" });
    expect(screen.queryByRole("link", { name: "Activity" })).not.toBeInTheDocument();
  });
});

describe("activity formatting", () => {
  it("formats rates and waits", () => {
    expect(formatRate(null)).toBe("—");
    expect(formatRate(0)).toBe("0 %");
    expect(formatRate(0.6667)).toBe("66.7 %");
    expect(formatWait(null)).toBe("—");
    expect(formatWait(59)).toBe("59 s");
    expect(formatWait(600)).toBe("10 min");
    expect(formatWait(7200)).toBe("2 h");
  });
});
