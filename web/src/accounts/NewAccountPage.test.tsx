import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router-dom";
import { describe, expect, it } from "vitest";
import { createFakeSupabase } from "../test/fake-supabase";
import { DEMO_WS, renderPage, withWorkspace } from "../test/render";
import { NewAccountPage } from "./NewAccountPage";

describe("NewAccountPage", () => {
  it("validates before sending, then creates the account and opens it", async () => {
    const user = userEvent.setup();
    const fake = createFakeSupabase(
      withWorkspace((q) => (q.table === "accounts" ? { data: { id: "new-id", name: "Acme" }, error: null } : { data: [], error: null })),
    );
    renderPage(<NewAccountPage />, {
      path: "/accounts/new",
      route: "/accounts/new",
      extraRoutes: [<Route key="detail" path="/accounts/:id" element={<p>Account page</p>} />],
    });
    await user.type(await screen.findByLabelText(/Domain/), "not a domain");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(screen.getByText("Enter the company's name.")).toBeInTheDocument();
    expect(screen.getByText(/Enter a website domain like acme.com/)).toBeInTheDocument();
    expect(screen.getByLabelText(/Name/)).toHaveAttribute("aria-invalid", "true");
    expect(fake.queries.some((q) => q.method === "insert")).toBe(false);

    await user.type(screen.getByLabelText(/Name/), "Acme");
    await user.clear(screen.getByLabelText(/Domain/));
    await user.type(screen.getByLabelText(/Domain/), "https://www.Acme.com/about");
    expect(screen.getByText("Saved as acme.com.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByText("Account page")).toBeInTheDocument();
    const insert = fake.queries.find((q) => q.method === "insert")!;
    expect(insert.values).toMatchObject({ workspace_id: DEMO_WS, name: "Acme", domain: "acme.com" });
  });

  it("queues enrichment at once when the workspace has auto-enrich on", async () => {
    const user = userEvent.setup();
    const fake = createFakeSupabase(
      withWorkspace((q) => {
        if (q.table === "workspace_settings") return { data: { workspace_id: DEMO_WS, apollo_auto_enrich: true }, error: null };
        if (q.table === "accounts") return { data: { id: "new-id", name: "Acme", domain: "acme.com" }, error: null };
        return { data: [], error: null };
      }),
    );
    fake.client.rpc.mockResolvedValueOnce({ data: { id: "job-9", status: "pending" }, error: null } as never);
    renderPage(<NewAccountPage />, {
      path: "/accounts/new",
      route: "/accounts/new",
      extraRoutes: [<Route key="detail" path="/accounts/:id" element={<p>Account page</p>} />],
    });
    expect(await screen.findByText(/Auto-enrich is on/)).toBeInTheDocument();
    await user.type(screen.getByLabelText(/Name/), "Acme");
    await user.type(screen.getByLabelText(/Domain/), "acme.com");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByText("Account page")).toBeInTheDocument();
    expect(fake.client.rpc).toHaveBeenCalledWith("enqueue_enrichment", { account_id: "new-id" });
  });

  it("explains a duplicate domain", async () => {
    const user = userEvent.setup();
    createFakeSupabase(
      withWorkspace((q) =>
        q.table === "accounts"
          ? { data: null, error: { code: "23505", message: 'duplicate key value violates unique constraint "accounts_workspace_domain_key"', details: "", hint: null } }
          : { data: [], error: null },
      ),
    );
    renderPage(<NewAccountPage />, { path: "/accounts/new", route: "/accounts/new" });
    await user.type(await screen.findByLabelText(/Name/), "Stripe again");
    await user.type(screen.getByLabelText(/Domain/), "stripe.com");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("An account with this domain already exists in this workspace.");
  });
});
