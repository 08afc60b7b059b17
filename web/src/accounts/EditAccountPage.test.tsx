import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router-dom";
import { describe, expect, it } from "vitest";
import { createFakeSupabase } from "../test/fake-supabase";
import { makeAccount } from "../test/fixtures";
import { renderPage, withWorkspace } from "../test/render";
import { EditAccountPage } from "./EditAccountPage";

const ID = "00000000-0000-4000-8000-000000000001";

describe("EditAccountPage", () => {
  it("starts from the account's values, validates, saves the changes and opens the account", async () => {
    const user = userEvent.setup();
    const fake = createFakeSupabase(
      withWorkspace((q) => {
        if (q.table === "accounts_with_enrichment") return { data: makeAccount({ id: ID, name: "Acme", city: "Berlin" }), error: null };
        if (q.table === "accounts" && q.method === "update") return { data: { id: ID, name: "Acme" }, error: null };
        return { data: [], error: null };
      }),
    );
    renderPage(<EditAccountPage />, {
      path: `/accounts/${ID}/edit`,
      route: "/accounts/:id/edit",
      extraRoutes: [<Route key="detail" path="/accounts/:id" element={<p>Account page</p>} />],
    });
    expect(await screen.findByLabelText(/City/)).toHaveValue("Berlin");
    expect(screen.getByLabelText(/Name/)).toHaveValue("Acme");

    await user.type(screen.getByLabelText(/Domain/), "acme-.com");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(screen.getByText(/Enter a website domain like acme.com/)).toBeInTheDocument();
    expect(fake.queries.some((q) => q.method === "update")).toBe(false);

    await user.clear(screen.getByLabelText(/Domain/));
    await user.type(screen.getByLabelText(/Domain/), "www.Acme.com");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Account page")).toBeInTheDocument();
    const update = fake.queries.find((q) => q.method === "update")!;
    expect(update.values).toMatchObject({ name: "Acme", domain: "acme.com", city: "Berlin" });
    expect(update.values).not.toHaveProperty("workspace_id");
    expect(update.filters).toContainEqual({ op: "eq", column: "id", value: ID });
  });
});
