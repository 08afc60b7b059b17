import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { createFakeSupabase, type RecordedQuery } from "../test/fake-supabase";
import { makeJob } from "../test/fixtures";
import { renderPage, withWorkspace } from "../test/render";
import { JobsPage } from "./JobsPage";

const LONG_ERROR =
  "Apollo rejected the request to organizations/enrich (422 Invalid domain). Check the record's data (domain, email or name), fix it and retry; retrying unchanged will fail the same way.";

describe("JobsPage", () => {
  it("a failed row shows its error, cut short, with the full text in its title", async () => {
    const jobs = [
      makeJob({ id: "11111111-2222-4333-8444-000000000001", status: "failed", attempts: 1, failed_at: "2026-11-29T10:00:05Z", error_message: LONG_ERROR }),
      makeJob({ id: "11111111-2222-4333-8444-000000000002", status: "completed", attempts: 1, completed_at: "2026-11-29T10:00:05Z" }),
    ];
    createFakeSupabase(
      withWorkspace((q: RecordedQuery) => (q.table === "jobs" ? { data: jobs, error: null, count: jobs.length } : { data: [], error: null })),
    );
    renderPage(<JobsPage />, { path: "/jobs" });
    const error = await screen.findByTestId("job-row-error");
    expect(error).toHaveTextContent(LONG_ERROR);
    expect(error).toHaveAttribute("title", LONG_ERROR);
    expect(error).toHaveClass("job-row-error");
    expect(screen.getAllByTestId("job-row")[1].querySelector("[data-testid=job-row-error]")).toBeNull();
  });
});
