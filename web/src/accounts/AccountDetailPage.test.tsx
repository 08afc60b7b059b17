import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, useParams } from "react-router-dom";
import { describe, expect, it } from "vitest";
import type { AccountWithEnrichmentRow } from "../lib/database.types";
import { createFakeSupabase, type RecordedQuery } from "../test/fake-supabase";
import { makeAccount, makeContact, makeJob } from "../test/fixtures";
import { DEMO_WS, renderPage, withWorkspace } from "../test/render";
import { AccountDetailPage } from "./AccountDetailPage";

const ACCOUNT_ID = "00000000-0000-4000-8000-000000000001";

const stripe: AccountWithEnrichmentRow = makeAccount({
  id: ACCOUNT_ID,
  workspace_id: DEMO_WS,
  name: "Stripe",
  domain: "stripe.com",
  industry: "Technology",
  employee_count: 50,
  annual_revenue: null,
  city: "San Francisco",
  state: "CA",
  country: "USA",
  phone: null,
  linkedin_url: "https://linkedin.com/company/stripe.com",
  website_url: "https://stripe.com",
  description: null,
  founded_year: null,
  enriched_at: "2026-11-29T10:00:09Z",
  metadata: {
    apollo: { id: "mock-org-123", industry: "Technology", estimated_num_employees: 50, city: "San Francisco", state: "CA", country: "USA", website_url: "https://stripe.com", linkedin_url: "https://linkedin.com/company/stripe.com" },
    apollo_enriched_at: "2026-11-29T10:00:09Z",
    last_enrichment: {
      at: "2026-11-29T10:00:09Z",
      job_id: "job-1",
      changed: { industry: { old: null, new: "Technology" } },
      kept: { country: { value: "USA", apollo: "United States" } },
    },
  },
  field_sources: {
    industry: { source: "apollo", at: "2026-11-29T10:00:09Z" },
    employee_count: { source: "apollo", at: "2026-11-29T10:00:09Z" },
    country: { source: "user", at: "2026-11-29T09:00:00Z" },
  },
  created_by: null,
  created_at: "2026-11-29T09:00:00Z",
  updated_at: "2026-11-29T10:00:09Z",
  latest_job_id: "job-1",
  latest_job_status: "completed",
  latest_job_error: null,
  latest_job_created_at: "2026-11-29T10:00:00Z",
  enrichment_status: "enriched",
});

const maya = makeContact({
  id: "c0000000-0000-4000-8000-000000000001",
  workspace_id: DEMO_WS,
  account_id: ACCOUNT_ID,
  first_name: "Maya",
  last_name: "Lindqvist",
  email: "maya.lindqvist@stripe.com",
  title: "Head of Revenue Operations",
});

function JobStub() {
  const { id } = useParams();
  return <p>Job page {id}</p>;
}

function setup(account: AccountWithEnrichmentRow | null = stripe) {
  const fake = createFakeSupabase(
    withWorkspace((q: RecordedQuery) => {
      if (q.table === "accounts_with_enrichment") return { data: account, error: null };
      if (q.table === "accounts" && q.method === "delete") return { data: [{ id: ACCOUNT_ID }], error: null };
      if (q.table === "contacts" && q.method === "insert") return { data: { ...maya, id: "new-contact" }, error: null };
      if (q.table === "contacts") return { data: [maya], error: null };
      if (q.table === "jobs") return { data: [makeJob({ id: "job-1", status: "completed", attempts: 1, subject_id: ACCOUNT_ID })], error: null };
      return { data: [], error: null };
    }),
  );
  renderPage(<AccountDetailPage />, {
    path: `/accounts/${ACCOUNT_ID}`,
    route: "/accounts/:id",
    extraRoutes: [
      <Route key="job" path="/jobs/:id" element={<JobStub />} />,
      <Route key="list" path="/accounts" element={<p>Accounts list</p>} />,
    ],
  });
  return { user: userEvent.setup(), fake };
}

describe("AccountDetailPage", () => {
  it("shows the fields and where each value came from", async () => {
    setup();
    expect(await screen.findByRole("heading", { name: "Stripe" })).toBeInTheDocument();
    const fields = screen.getByTestId("account-fields");
    const industry = fields.querySelector("[data-field=industry]")!;
    expect(industry).toHaveTextContent("Technology");
    expect(industry).toHaveTextContent("Apollo");
    expect(fields.querySelector("[data-field=country]")).toHaveTextContent("Typed");
    expect(fields.querySelector("[data-field=employee_count]")).toHaveTextContent("50");
    expect(fields.querySelector("[data-field=annual_revenue]")).not.toHaveTextContent("Apollo");
    expect(fields.querySelector("[data-field=annual_revenue]")).toHaveTextContent("—");
    expect(screen.queryByText("Sample data, not from Apollo")).not.toBeInTheDocument();
  });

  it("says what the last enrichment changed and which typed value it kept", async () => {
    setup();
    const last = await screen.findByTestId("last-enrichment");
    expect(last.querySelector("[data-change=industry]")).toHaveTextContent("Industry: — → Technology");
    expect(last.querySelector("[data-kept=country]")).toHaveTextContent("Country: kept USA (Apollo: United States)");
  });

  it("marks an account enriched longer ago than the workspace keeps data fresh as stale", async () => {
    setup({ ...stripe, stale: true });
    expect(await screen.findByTestId("stale-badge")).toHaveTextContent("Stale");
  });

  it("marks data made up by the mock Apollo as sample data", async () => {
    setup({ ...stripe, metadata: { ...stripe.metadata, apollo: { id: "mock-org-123", x_sample_data: true } } });
    expect(await screen.findByText("Sample data, not from Apollo")).toBeInTheDocument();
    expect(screen.getByTestId("account-fields").querySelector("[data-field=industry]")).toHaveTextContent("Sample data");
  });

  it("deletes the account after a confirmation, and goes back to the list", async () => {
    const { user, fake } = setup();
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    const confirm = screen.getByRole("alertdialog", { name: "Delete Stripe?" });
    await user.click(within(confirm).getByRole("button", { name: "Delete account" }));
    expect(await screen.findByText("Accounts list")).toBeInTheDocument();
    const del = fake.queries.find((q) => q.table === "accounts" && q.method === "delete")!;
    expect(del.filters).toContainEqual({ op: "eq", column: "id", value: ACCOUNT_ID });
  });

  it("adds a contact at the account; a name or an email is needed", async () => {
    const { user, fake } = setup();
    await user.click(await screen.findByRole("button", { name: "Add a contact" }));
    const form = screen.getByRole("form", { name: "Add a contact" });
    await user.click(within(form).getByRole("button", { name: "Add contact" }));
    expect(within(form).getByText("Enter a name or an email address.")).toBeInTheDocument();
    await user.type(within(form).getByLabelText("Email"), "Ana@Stripe.com");
    await user.click(within(form).getByRole("button", { name: "Add contact" }));
    await waitFor(() => expect(fake.queries.some((q) => q.table === "contacts" && q.method === "insert")).toBe(true));
    const insert = fake.queries.find((q) => q.table === "contacts" && q.method === "insert")!;
    expect(insert.values).toMatchObject({ workspace_id: DEMO_WS, account_id: ACCOUNT_ID, email: "ana@stripe.com" });
  });

  it("lists contacts and the job history, read separately (no embedding)", async () => {
    const { fake } = setup();
    expect(await screen.findByText("Maya Lindqvist")).toBeInTheDocument();
    expect(await screen.findByRole("list", { name: "Enrichment jobs" })).toHaveTextContent("Completed");
    const contactsQuery = fake.queries.find((q) => q.table === "contacts")!;
    expect(contactsQuery.columns).toBe("*");
    expect(contactsQuery.filters).toContainEqual({ op: "eq", column: "account_id", value: ACCOUNT_ID });
    const jobsQuery = fake.queries.find((q) => q.table === "jobs")!;
    expect(jobsQuery.filters).toContainEqual({ op: "eq", column: "subject_id", value: ACCOUNT_ID });
  });

  it("follows the account and the workspace's jobs live", async () => {
    const { fake } = setup();
    await screen.findByRole("heading", { name: "Stripe" });
    await waitFor(() => expect(fake.channelsFor("accounts")).toHaveLength(1));
    expect(fake.channelsFor("accounts")[0].name).toBe(`workspace:${DEMO_WS}:accounts`);
    expect(fake.channelsFor("jobs").map((c) => [c.name, c.options])).toEqual([[`workspace:${DEMO_WS}:jobs`, { config: { private: true } }]]);
  });

  it("Enrich queues the account and goes to the job page", async () => {
    const { user, fake } = setup();
    fake.client.rpc.mockResolvedValueOnce({ data: makeJob({ id: "new-job" }), error: null } as never);
    const button = await screen.findByRole("button", { name: "Enrich" });
    expect(button.querySelector("svg")).toHaveClass("lucide-sparkles");
    await user.click(button);
    expect(fake.client.rpc).toHaveBeenCalledWith("enqueue_enrichment", { account_id: ACCOUNT_ID });
    expect(await screen.findByText("Job page new-job")).toBeInTheDocument();
  });

  it("shows why an account cannot be enriched, with the hint", async () => {
    const { user, fake } = setup({ ...stripe, domain: null });
    fake.client.rpc.mockResolvedValueOnce({
      data: null,
      error: {
        code: "P0001",
        message: "This account has no domain",
        details: null,
        hint: "Apollo finds companies by their website domain: add one (e.g. acme.com), then enrich.",
      },
    } as never);
    await user.click(await screen.findByRole("button", { name: "Enrich" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This account has no domain");
    expect(alert).toHaveTextContent("Apollo finds companies by their website domain");
  });

  it("enriches a contact and goes to its job", async () => {
    const { user, fake } = setup();
    fake.client.rpc.mockResolvedValueOnce({ data: makeJob({ id: "contact-job", job_type: "enrich_contact" }), error: null } as never);
    const contact = (await screen.findByText("Maya Lindqvist")).closest("li")!;
    await user.click(within(contact).getByRole("button", { name: "Enrich Maya Lindqvist" }));
    expect(fake.client.rpc).toHaveBeenCalledWith("enqueue_contact_enrichment", { contact_id: maya.id });
    expect(await screen.findByText("Job page contact-job")).toBeInTheDocument();
  });

  it("says when the account is not there (or in another workspace)", async () => {
    setup(null);
    expect(await screen.findByText("Account not found.")).toBeInTheDocument();
  });
});
