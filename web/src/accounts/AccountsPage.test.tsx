import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { AccountWithEnrichmentRow } from "../lib/database.types";
import { createFakeSupabase, type RecordedQuery } from "../test/fake-supabase";
import { makeAccount, makeJob } from "../test/fixtures";
import { DEMO_WS, renderPage, withWorkspace } from "../test/render";
import { bulkSummary, AccountsPage } from "./AccountsPage";

function account(i: number, overrides: Partial<AccountWithEnrichmentRow> = {}): AccountWithEnrichmentRow {
  return makeAccount({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    workspace_id: DEMO_WS,
    name: `Company ${String(i).padStart(2, "0")}`,
    domain: `company${i}.com`,
    created_at: "2026-11-29T10:00:00Z",
    updated_at: "2026-11-29T10:00:00Z",
    ...overrides,
  });
}

/** Answers like PostgREST would: or(name.ilike, domain.ilike), order by name, range, exact count. */
function serve(rows: AccountWithEnrichmentRow[]) {
  return (q: RecordedQuery) => {
    if (q.table !== "accounts_with_enrichment") return { data: [], error: null };
    let out = rows.filter((r) => q.filters.every((f) => f.op !== "eq" || (r as Record<string, unknown>)[f.column!] === f.value));
    const or = q.filters.find((f) => f.op === "or");
    if (or) {
      const term = String(or.value).match(/name\.ilike\.\*(.*?)\*,/)![1].toLowerCase();
      out = out.filter((r) => r.name.toLowerCase().includes(term) || (r.domain ?? "").includes(term));
    }
    out = [...out].sort((a, b) => a.name.localeCompare(b.name));
    const [from, to] = q.range ?? [0, out.length - 1];
    return { data: out.slice(from, to + 1), error: null, count: out.length };
  };
}

const rowsOnPage = () => screen.getAllByTestId("account-row").map((r) => within(r).getByRole("link").textContent);

describe("AccountsPage", () => {
  it("pages through the server: range + exact count", async () => {
    const user = userEvent.setup();
    const fake = createFakeSupabase(withWorkspace(serve(Array.from({ length: 12 }, (_, i) => account(i + 1)))));
    renderPage(<AccountsPage />, { path: "/accounts", route: "/accounts" });
    await waitFor(() => expect(screen.getAllByTestId("account-row")).toHaveLength(10));
    expect(screen.getByText("Showing 1–10 of 12")).toBeInTheDocument();
    const first = fake.queries.find((q) => q.table === "accounts_with_enrichment")!;
    expect(first).toMatchObject({ columns: "*", count: "exact", range: [0, 9] });
    expect(first.filters).toContainEqual({ op: "eq", column: "workspace_id", value: DEMO_WS });

    await user.click(screen.getByRole("button", { name: /Next/ }));
    await waitFor(() => expect(rowsOnPage()).toEqual(["Company 11", "Company 12"]));
    expect(screen.getByText("Showing 11–12 of 12")).toBeInTheDocument();
    expect(fake.queries.at(-1)?.range).toEqual([10, 19]);
    expect(screen.getByRole("button", { name: /Next/ })).toBeDisabled();
  });

  it("searches names and domains and starts again at page 1", async () => {
    const user = userEvent.setup();
    const rows = [account(1, { name: "Stripe", domain: "stripe.com" }), account(2, { name: "Notion", domain: "notion.so" }), account(3, { name: "Figma", domain: "figma.com" })];
    const fake = createFakeSupabase(withWorkspace(serve(rows)));
    renderPage(<AccountsPage />, { path: "/accounts?page=1", route: "/accounts" });
    await waitFor(() => expect(screen.getAllByTestId("account-row")).toHaveLength(3));
    await user.type(screen.getByRole("searchbox", { name: "Search accounts" }), "notion.so");
    await waitFor(() => expect(rowsOnPage()).toEqual(["Notion"]));
    const last = fake.queries.at(-1)!;
    expect(last.filters).toContainEqual({ op: "or", value: "name.ilike.*notion.so*,domain.ilike.*notion.so*" });
    expect(last.range).toEqual([0, 9]);

    await user.clear(screen.getByRole("searchbox", { name: "Search accounts" }));
    await user.type(screen.getByRole("searchbox", { name: "Search accounts" }), "zzz");
    expect(await screen.findByText("No accounts match “zzz”")).toBeInTheDocument();
  });

  it("shows each account's enrichment status", async () => {
    createFakeSupabase(
      withWorkspace(
        serve([
          account(1, { name: "A never" }),
          account(2, { name: "B enriching", enrichment_status: "enriching" }),
          account(3, { name: "C enriched", enrichment_status: "enriched", enriched_at: new Date(Date.now() - 3_600_000).toISOString() }),
          account(4, { name: "D failed", enrichment_status: "failed", latest_job_error: "Apollo API key not configured for this workspace" }),
        ]),
      ),
    );
    renderPage(<AccountsPage />, { path: "/accounts", route: "/accounts" });
    await waitFor(() => expect(screen.getAllByTestId("account-row")).toHaveLength(4));
    const [a, b, c, d] = screen.getAllByTestId("account-row");
    expect(a).toHaveTextContent("Not enriched");
    expect(b).toHaveTextContent("Enriching");
    expect(c).toHaveTextContent("Enriched 1 hour ago");
    expect(d).toHaveTextContent("Failed");
  });

  it("enriches a selection in one call and says what was skipped", async () => {
    const user = userEvent.setup();
    const rows = [account(1, { name: "Acme" }), account(2, { name: "Beta" }), account(3, { name: "No Domain Inc", domain: null })];
    const fake = createFakeSupabase(withWorkspace(serve(rows)));
    fake.client.rpc.mockResolvedValueOnce({
      data: [makeJob({ id: "job-1", subject_id: rows[0].id }), makeJob({ id: "job-2", subject_id: rows[1].id })],
      error: null,
    } as never);
    renderPage(<AccountsPage />, { path: "/accounts", route: "/accounts" });
    await user.click(await screen.findByRole("checkbox", { name: "Select all accounts on this page" }));
    expect(screen.getByText("selected").parentElement).toHaveTextContent("3 selected");
    await user.click(screen.getByRole("button", { name: "Enrich 3 selected" }));
    expect(fake.client.rpc).toHaveBeenCalledWith("enqueue_account_enrichments", { account_ids: rows.map((r) => r.id) });
    expect(await screen.findByText("Queued 2 accounts for enrichment.")).toBeInTheDocument();
    expect(screen.getByText(/Skipped 1 without a domain: No Domain Inc/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Follow the jobs" })).toHaveAttribute("href", "/jobs?status=active");
    expect(screen.queryByText(/selected$/)).not.toBeInTheDocument();
  });

  it("shows a queue quota's words when the workspace has too many jobs waiting", async () => {
    const user = userEvent.setup();
    const rows = [account(1, { name: "Acme" })];
    const fake = createFakeSupabase(withWorkspace(serve(rows)));
    fake.client.rpc.mockResolvedValueOnce({
      data: null,
      error: {
        code: "PT429",
        message: "This workspace has too many jobs waiting: 10000 pending, at most 10000",
        details: null,
        hint: "Wait for queued jobs to finish, or cancel some, then queue more.",
      },
    } as never);
    renderPage(<AccountsPage />, { path: "/accounts", route: "/accounts" });
    await user.click(await screen.findByRole("checkbox", { name: "Select all accounts on this page" }));
    await user.click(screen.getByRole("button", { name: "Enrich 1 selected" }));
    expect(await screen.findByText(/This workspace has too many jobs waiting: 10000 pending, at most 10000/)).toBeInTheDocument();
    expect(screen.getByText(/Wait for queued jobs to finish, or cancel some, then queue more\./)).toBeInTheDocument();
  });

  it("keeps the selection across pages", async () => {
    const user = userEvent.setup();
    const fake = createFakeSupabase(withWorkspace(serve(Array.from({ length: 12 }, (_, i) => account(i + 1)))));
    renderPage(<AccountsPage />, { path: "/accounts", route: "/accounts" });
    await user.click(await screen.findByRole("checkbox", { name: "Select Company 01" }));
    await user.click(screen.getByRole("button", { name: /Next/ }));
    await user.click(await screen.findByRole("checkbox", { name: "Select Company 12" }));
    fake.client.rpc.mockResolvedValueOnce({ data: [], error: null } as never);
    await user.click(screen.getByRole("button", { name: "Enrich 2 selected" }));
    expect(fake.client.rpc).toHaveBeenCalledWith("enqueue_account_enrichments", {
      account_ids: [account(1).id, account(12).id],
    });
  });

  it("has an empty state that leads to creating an account", async () => {
    createFakeSupabase(withWorkspace(serve([])));
    renderPage(<AccountsPage />, { path: "/accounts", route: "/accounts" });
    expect(await screen.findByText("No accounts yet")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: /Add your first account/ })).toHaveAttribute("href", "/accounts/new");
  });

  it("explains a load failure", async () => {
    createFakeSupabase(withWorkspace(() => ({ data: null, error: { code: "", message: "TypeError: Failed to fetch", details: "", hint: "" } })));
    renderPage(<AccountsPage />, { path: "/accounts", route: "/accounts" });
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The accounts could not be loaded");
    expect(alert).toHaveTextContent("Could not reach the server.");
  });
});

describe("bulkSummary", () => {
  it("counts queued jobs and names the skipped accounts", () => {
    expect(bulkSummary({ jobs: [makeJob()], skipped: [] })).toEqual({ queued: "Queued 1 account for enrichment.", skipped: null });
    expect(
      bulkSummary({
        jobs: [],
        skipped: [
          { id: "1", name: "A", domain: null },
          { id: "2", name: "B", domain: null },
        ],
      }),
    ).toEqual({ queued: "No accounts were queued.", skipped: "Skipped 2 without a domain: A, B. Add a domain to enrich them." });
  });
});
