import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ImportErrorRow, ImportRow, JobRow } from "../lib/database.types";
import { createFakeSupabase, type RecordedQuery } from "../test/fake-supabase";
import { makeJob } from "../test/fixtures";
import { DEMO_WS, renderPage, withWorkspace } from "../test/render";
import { ImportStatusPage } from "./ImportStatusPage";

const IMPORT_ID = "99999999-9999-4999-8999-999999999999";
const JOB_ID = "11111111-2222-4333-8444-555555555555";

function makeImport(overrides: Partial<ImportRow> = {}): ImportRow {
  return {
    id: IMPORT_ID,
    workspace_id: DEMO_WS,
    kind: "accounts",
    object_path: `${DEMO_WS}/x/accounts.csv`,
    file_name: "accounts.csv",
    mapping: { name: "Company", domain: "Website" },
    on_duplicate: "skip",
    enrich_after: true,
    job_id: JOB_ID,
    rows_done: 0,
    bytes_done: 0,
    bytes_total: 1000,
    headers: null,
    separator: null,
    created_count: 0,
    updated_count: 0,
    accounts_created: 0,
    skipped_count: 0,
    failed_count: 0,
    enrich_jobs: 0,
    finished_at: null,
    created_by: null,
    created_at: "2026-12-05T10:00:00Z",
    updated_at: "2026-12-05T10:00:00Z",
    ...overrides,
  };
}

const ERRORS: ImportErrorRow[] = [
  { import_id: IMPORT_ID, workspace_id: DEMO_WS, row_number: 3, column_name: "Company", value: "", reason: "a name is required" },
  { import_id: IMPORT_ID, workspace_id: DEMO_WS, row_number: 4, column_name: "Website", value: "=1+2", reason: "not a website domain (like acme.com)" },
];

function setup(imp = makeImport(), job: JobRow = makeJob({ id: JOB_ID, job_type: "import_accounts", subject_id: null, payload: { import_id: IMPORT_ID } })) {
  const db = { imp, job, errors: [] as ImportErrorRow[] };
  const fake = createFakeSupabase(
    withWorkspace((q: RecordedQuery) => {
      if (q.table === "imports") return { data: db.imp, error: null };
      if (q.table === "jobs") return { data: db.job, error: null };
      if (q.table === "import_errors") {
        const [from, to] = q.range ?? [0, (q.limit ?? 1000) - 1];
        return { data: db.errors.slice(from, to + 1), error: null, count: db.errors.length };
      }
      return { data: [], error: null };
    }),
  );
  renderPage(<ImportStatusPage />, { path: `/imports/${IMPORT_ID}`, route: "/imports/:id" });
  let clock = Date.parse("2026-12-05T10:00:00Z");
  /** The worker moves on: the import row changes, and the job's change is broadcast. */
  const step = (jobChanges: Partial<JobRow>, importChanges: Partial<ImportRow> = {}) => {
    db.imp = { ...db.imp, ...importChanges };
    db.job = { ...db.job, ...jobChanges, updated_at: new Date((clock += 1000)).toISOString() };
    const [channel] = fake.channelsFor("jobs");
    channel.emit("jobs", "UPDATE", { ...db.job });
  };
  return { fake, db, step };
}

afterEach(() => vi.restoreAllMocks());

describe("ImportStatusPage", () => {
  it("follows the import's job live and refetches the import's counts and errors as it moves", async () => {
    const { db, step, fake } = setup();
    expect(await screen.findByRole("heading", { name: "Import of accounts.csv" })).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "Progress" })).toHaveAttribute("aria-valuetext", "0% — Waiting for a worker");
    await waitFor(() => expect(screen.getByTestId("live-status")).toHaveAttribute("data-live", "live"));
    expect(fake.channelsFor("jobs")[0].name).toBe(`workspace:${db.job.workspace_id}:jobs`);
    expect(fake.channelsFor("job_logs")[0].name).toBe(`job:${JOB_ID}`);

    act(() => step({ status: "processing", attempts: 1, progress: { percentage: 50, message: "Imported 5,000 rows" } }, { rows_done: 5000, created_count: 4990, failed_count: 2 }));
    db.errors = ERRORS;
    await waitFor(() => expect(screen.getByTestId("import-created")).toHaveTextContent("4,990"));
    expect(screen.getByRole("progressbar", { name: "Progress" })).toHaveAttribute("aria-valuenow", "50");
    expect(screen.getByTestId("import-rows")).toHaveTextContent("5,000");
    await waitFor(() => expect(screen.getAllByTestId("import-error")).toHaveLength(2));
    expect(screen.queryByRole("link", { name: "See the accounts" })).not.toBeInTheDocument();

    act(() =>
      step(
        { status: "completed", progress: { percentage: 100, message: "Import completed" }, completed_at: "2026-12-05T10:01:00Z" },
        { rows_done: 10000, created_count: 9000, updated_count: 0, skipped_count: 998, failed_count: 2, enrich_jobs: 9000, finished_at: "2026-12-05T10:01:00Z" },
      ),
    );
    expect(await screen.findByRole("link", { name: "See the accounts" })).toHaveAttribute("href", "/accounts");
    expect(screen.getByRole("link", { name: "Follow their enrichment" })).toHaveAttribute("href", "/jobs");
    expect(screen.getByTestId("import-enrich-jobs")).toHaveTextContent("9,000 enrichment jobs queued");
    expect(screen.getByTestId("import-created")).toHaveTextContent("9,000");
    expect(screen.getByTestId("import-skipped")).toHaveTextContent("998");
    expect(screen.getByTestId("import-failed")).toHaveTextContent("2");
    expect(screen.getByRole("progressbar", { name: "Progress" })).toHaveAttribute("aria-valuenow", "100");
    expect(screen.getByText("Completed", { selector: "[data-testid=job-status]" })).toBeInTheDocument();

    const first = screen.getAllByTestId("import-error");
    expect(within(first[0]).getAllByRole("cell").map((c) => c.textContent)).toEqual(["3", "Company", "(empty)", "a name is required"]);
    expect(within(first[1]).getAllByRole("cell").map((c) => c.textContent)).toEqual(["4", "Website", "=1+2", "not a website domain (like acme.com)"]);
  });

  it("downloads every error as a formula-safe CSV, read a page at a time", async () => {
    const errors: ImportErrorRow[] = Array.from({ length: 1500 }, (_, i) => ({
      import_id: IMPORT_ID,
      workspace_id: DEMO_WS,
      row_number: i + 2,
      column_name: "Website",
      value: i === 0 ? "=HYPERLINK(\"x\")" : `bad ${i}`,
      reason: "not a website domain (like acme.com)",
    }));
    const { db, fake } = setup(makeImport({ failed_count: 1500, rows_done: 1500, finished_at: "2026-12-05T10:01:00Z" }), makeJob({ id: JOB_ID, status: "completed", subject_id: null }));
    db.errors = errors;
    const blobs: Blob[] = [];
    const createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return "blob:errors";
    });
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});

    expect(await screen.findByText("The first 20 of 1,500 problems; the download has them all.", { exact: false })).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole("button", { name: "Download all errors as CSV" }));
    await waitFor(() => expect(click).toHaveBeenCalled());
    const anchor = click.mock.contexts[0] as HTMLAnchorElement;
    expect(anchor.download).toBe("accounts-errors.csv");
    const text = await blobs[0].text();
    const lines = text.replace(/^\uFEFF/, "").trimEnd().split("\r\n");
    expect(lines).toHaveLength(1501);
    expect(lines[0]).toBe("row,column,value,reason");
    expect(lines[1]).toBe(`2,Website,"'=HYPERLINK(""x"")",not a website domain (like acme.com)`);
    expect(lines[1500]).toBe("1501,Website,bad 1499,not a website domain (like acme.com)");
    const ranges = fake.queries.filter((q) => q.table === "import_errors" && q.range).map((q) => q.range);
    expect(ranges).toEqual([[0, 999], [1000, 1999]]);
  });

  it("says why an import stopped", async () => {
    const { step } = setup();
    await screen.findByRole("heading", { name: "Import of accounts.csv" });
    act(() => step({ status: "failed", attempts: 1, error_message: "The file is not UTF-8 text: save it as CSV UTF-8 and upload it again" }));
    expect(await screen.findByTestId("import-job-error")).toHaveTextContent("The file is not UTF-8 text");
    expect(screen.getByText("The import stopped")).toBeInTheDocument();
  });

  it("says so for an import that is not there", async () => {
    createFakeSupabase(withWorkspace(() => ({ data: null, error: null })));
    renderPage(<ImportStatusPage />, { path: `/imports/${IMPORT_ID}`, route: "/imports/:id" });
    expect(await screen.findByText("Import not found.")).toBeInTheDocument();
  });
});
