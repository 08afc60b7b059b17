import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { makeJob } from "../test/fixtures";
import { createFakeSupabase } from "../test/fake-supabase";
import { DEMO_WS, renderPage, withWorkspace } from "../test/render";
import { JobDetailPage } from "../jobs/JobDetailPage";
import { waitOf } from "./apollo-wait";

const REASON = "Waiting for Apollo's hourly limit (200 calls an hour on organizations/enrich), resumes at 14:00:00 UTC";

describe("waitOf", () => {
  it("is the pause while it lasts, and nothing after", () => {
    const row = { jobs_paused_until: "2026-12-05T14:00:00Z", jobs_paused_reason: REASON };
    expect(waitOf(row, Date.parse("2026-12-05T13:59:00Z"))).toEqual({ until: row.jobs_paused_until, reason: REASON });
    expect(waitOf(row, Date.parse("2026-12-05T14:00:01Z"))).toBeNull();
    expect(waitOf({ jobs_paused_until: null, jobs_paused_reason: null }, Date.now())).toBeNull();
  });
});

describe("a pending job of a workspace waiting for Apollo", () => {
  it("says why it waits and when it resumes, instead of 'Waiting for a worker'", async () => {
    const job = makeJob({ status: "pending", attempts: 0, progress: { percentage: 0 } });
    const until = new Date(Date.now() + 30 * 60_000).toISOString();
    createFakeSupabase(withWorkspace((q) => {
      if (q.table === "workspace_settings") {
        return { data: { workspace_id: DEMO_WS, jobs_paused_until: until, jobs_paused_reason: REASON }, error: null };
      }
      if (q.table === "jobs") return { data: job, error: null };
      return { data: [], error: null };
    }));
    renderPage(<JobDetailPage />, { path: `/jobs/${job.id}`, route: "/jobs/:id" });
    expect(await screen.findByTestId("apollo-wait", {}, { timeout: 5_000 })).toHaveTextContent(REASON);
    expect(screen.queryByText("Waiting for a worker")).not.toBeInTheDocument();
  });
});
