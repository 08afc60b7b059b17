import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router-dom";
import { describe, expect, it, vi } from "vitest";
import { createFakeSupabase, type RecordedQuery } from "../test/fake-supabase";
import { DEMO_WS, renderPage, withWorkspace } from "../test/render";
import { ImportPage } from "./ImportPage";

const CSV = [
  "Company,Website,Employees,Town,Notes",
  '"Acme, Inc.",https://www.acme.example,"1,200",Berlin,first',
  ",nameless.example,,,",
  "Bad One,not a domain,,Paris,",
  "Acme Again,acme.example,,,",
].join("\n");

function setup() {
  const fake = createFakeSupabase(
    withWorkspace((q: RecordedQuery) => {
      if (q.table === "import_quotas") return { data: { singleton: true, max_import_rows: 100000, max_imports_per_day: 20 }, error: null };
      if (q.table === "imports") return { data: [], error: null };
      if (q.table === "accounts") return { data: [{ domain: "acme.example" }], error: null };
      return { data: null, error: null };
    }),
  );
  const upload = vi.fn(async (_path: string, _file: File, _options?: unknown) => ({ data: { path: _path }, error: null as unknown }));
  const remove = vi.fn(async (_paths: string[]) => ({ data: [], error: null }));
  const from = vi.fn((_bucket: string) => ({ upload, remove }));
  (fake.client as unknown as { storage: unknown }).storage = { from };
  fake.client.rpc.mockImplementation(async (name: string, args: unknown) => {
    if (name === "start_import") {
      return { data: { id: "99999999-9999-4999-8999-999999999999", workspace_id: DEMO_WS, ...(args as object) } as never, error: null };
    }
    return { data: null, error: null };
  });
  const view = renderPage(<ImportPage />, {
    path: "/accounts/import",
    route: "/accounts/import",
    extraRoutes: [<Route key="imp" path="/imports/:id" element={<p>Import page of the new import</p>} />],
  });
  return { fake, upload, remove, from, view };
}

async function choose(text: string | Uint8Array, name = "accounts.csv") {
  const user = userEvent.setup();
  const input = await screen.findByLabelText("CSV file");
  await user.upload(input, new File([text as BlobPart], name, { type: "text/csv" }));
  return user;
}

describe("ImportPage", () => {
  it("previews the file, guesses the mapping, shows the rows that will fail, and starts the import", async () => {
    const { upload, from, fake } = setup();
    expect(await screen.findByText(/try/i, { selector: "p" })).toHaveTextContent("supabase/sample-accounts.csv");
    const user = await choose(CSV);

    expect(await screen.findByTestId("import-file-facts")).toHaveTextContent("separated by commas · 5 columns");
    const rows = screen.getAllByTestId("preview-row");
    expect(rows).toHaveLength(4);
    expect(rows[0]).toHaveTextContent("Acme, Inc.");
    await waitFor(() => expect(rows.map((r) => r.getAttribute("data-outcome"))).toEqual(["exists", "fail", "fail", "duplicate"]));
    expect(rows[0]).toHaveTextContent("Already an account: skipped");
    const lookup = fake.queries.find((q) => q.table === "accounts")!;
    expect(lookup.filters).toEqual([
      { op: "eq", column: "workspace_id", value: DEMO_WS },
      { op: "in", column: "domain", value: ["acme.example"] },
    ]);
    expect(rows[1]).toHaveTextContent("Fails: Company: a name is required");
    expect(rows[2]).toHaveTextContent("Website: not a website domain (like acme.com)");
    expect(rows[3]).toHaveTextContent("A duplicate of row 2");
    expect(screen.getByTestId("import-preview-summary")).toHaveTextContent("In its 4 rows: 1 ready, 2 will fail, 1 repeats an earlier domain.");

    // the guess
    expect(screen.getByRole("combobox", { name: "Name" })).toHaveValue("Company");
    expect(screen.getByRole("combobox", { name: "Domain / website" })).toHaveValue("Website");
    expect(screen.getByRole("combobox", { name: "Employees" })).toHaveValue("Employees");
    expect(screen.getByRole("combobox", { name: "City" })).toHaveValue("Town");
    expect(screen.getByRole("combobox", { name: "Industry" })).toHaveValue("");
    // a change: Notes into Industry, no domain at all -> the bad domain no longer fails
    await user.selectOptions(screen.getByRole("combobox", { name: "Industry" }), "Notes");
    await user.selectOptions(screen.getByRole("combobox", { name: "Domain / website" }), "");
    await waitFor(() => expect(screen.getAllByTestId("preview-row")[2]).toHaveAttribute("data-outcome", "ok"));
    await user.selectOptions(screen.getByRole("combobox", { name: "Domain / website" }), "Website");

    await user.click(screen.getByRole("radio", { name: /Update the account's empty fields/ }));
    expect(screen.getAllByTestId("preview-row")[0]).toHaveTextContent("Already an account: fills its empty fields");
    await user.click(screen.getByRole("checkbox", { name: /Enrich the new accounts/ }));
    await user.click(screen.getByRole("button", { name: "Start import" }));

    expect(await screen.findByText("Import page of the new import")).toBeInTheDocument();
    expect(from).toHaveBeenCalledWith("imports");
    const [path, file] = upload.mock.calls[0];
    expect(path).toMatch(new RegExp(`^${DEMO_WS}/[0-9a-f-]{36}/accounts\\.csv$`));
    expect((file as File).name).toBe("accounts.csv");
    expect(fake.client.rpc).toHaveBeenCalledWith("start_import", {
      object_path: path,
      file_name: "accounts.csv",
      mapping: { name: "Company", domain: "Website", employee_count: "Employees", city: "Town", industry: "Notes" },
      on_duplicate: "fill_empty",
      enrich_after: true,
      kind: "accounts",
    });
  });

  it("imports contacts: the fields of a contact, matched by email, and start_import told the kind", async () => {
    const { fake } = setup();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("radio", { name: "Contacts (people)" }));
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Import contacts from CSV");
    await choose(
      "Email,First name,Last name,Company,Website\nana@acme.example,Ana,Lopez,Acme,acme.example\nnot-an-email,Bo,,Beta,\nANA@acme.example,Ana,L.,,\n",
      "people.csv",
    );
    expect(await screen.findByRole("combobox", { name: "Email" })).toHaveValue("Email");
    expect(screen.getByRole("combobox", { name: "Company domain / website" })).toHaveValue("Website");
    expect(screen.getByRole("combobox", { name: "Company name (for new accounts)" })).toHaveValue("Company");
    const rows = screen.getAllByTestId("preview-row");
    await waitFor(() => expect(rows.map((r) => r.getAttribute("data-outcome"))).toEqual(["ok", "fail", "duplicate"]));
    expect(rows[1]).toHaveTextContent("Fails: Email: not an email address (like ana@acme.com)");
    expect(screen.getByTestId("import-preview-summary")).toHaveTextContent("1 repeats an earlier email");
    const lookup = fake.queries.find((q) => q.table === "contacts")!;
    expect(lookup.filters).toContainEqual({ op: "in", column: "email", value: ["ana@acme.example"] });
    await user.selectOptions(screen.getByRole("combobox", { name: "Email" }), "");
    expect(screen.getByText("Choose the column that holds the contact's email (contacts are matched by it).")).toBeInTheDocument();
    await user.selectOptions(screen.getByRole("combobox", { name: "Email" }), "Email");
    await user.click(screen.getByRole("checkbox", { name: /Enrich the new contacts/ }));
    await user.click(screen.getByRole("button", { name: "Start import" }));
    await screen.findByText("Import page of the new import");
    expect(fake.client.rpc).toHaveBeenCalledWith("start_import", expect.objectContaining({
      kind: "contacts",
      mapping: { email: "Email", first_name: "First name", last_name: "Last name", account_domain: "Website", account_name: "Company" },
      enrich_after: true,
    }));
  });

  it("needs a name column before it starts", async () => {
    setup();
    const user = await choose("Org,Site\nAcme,acme.example\n");
    expect(await screen.findByRole("combobox", { name: "Name" })).toHaveValue("");
    expect(screen.getByText("Choose the column that holds the account's name.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Start import" })).toBeDisabled();
    await user.selectOptions(screen.getByRole("combobox", { name: "Name" }), "Org");
    expect(screen.getByRole("button", { name: "Start import" })).toBeEnabled();
  });

  it("reads semicolons and tabs, and a BOM", async () => {
    setup();
    await choose(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("name\tdomain\nAcme\tacme.example\n")]));
    expect(await screen.findByTestId("import-file-facts")).toHaveTextContent("separated by tabs · 2 columns");
    expect(screen.getByRole("combobox", { name: "Name" })).toHaveValue("name");
  });

  it("says at once when a file is not UTF-8 or has no usable column", async () => {
    setup();
    await choose(new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x43, 0x61, 0x66, 0xe9, 0x0a]), "latin1.csv");
    expect(await screen.findByRole("alert")).toHaveTextContent('This file is not UTF-8 text. Save it as "CSV UTF-8" and choose it again.');
    expect(screen.queryByRole("button", { name: "Start import" })).not.toBeInTheDocument();

    await choose(",,\n1,2,3\n", "blank.csv");
    expect(await screen.findByRole("alert")).toHaveTextContent("This file has no usable column");
  });

  it("refuses a file over 50 MB before uploading it", async () => {
    const { upload } = setup();
    const user = userEvent.setup();
    const big = new File(["name\nAcme\n"], "big.csv", { type: "text/csv" });
    Object.defineProperty(big, "size", { value: 50 * 1024 * 1024 + 1 });
    await user.upload(await screen.findByLabelText("CSV file"), big);
    expect(await screen.findByRole("alert")).toHaveTextContent("This file is 50.0 MB; an import takes files up to 50 MB. Split it into smaller files.");
    expect(upload).not.toHaveBeenCalled();
  });

  it("shows Storage's own words when the upload is refused", async () => {
    const { upload, fake } = setup();
    upload.mockResolvedValueOnce({ data: null as never, error: Object.assign(new Error("new row violates row-level security policy"), { status: 403 }) });
    const user = await choose(CSV);
    await user.click(await screen.findByRole("button", { name: "Start import" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The file could not be uploaded: new row violates row-level security policy");
    expect(fake.client.rpc).not.toHaveBeenCalledWith("start_import", expect.anything());
  });

  it("shows start_import's message and hint, and removes the uploaded file", async () => {
    const { remove, fake } = setup();
    fake.client.rpc.mockImplementation(async () => ({
      data: null,
      error: { code: "PT429", message: "This workspace has started the most imports allowed in 24 hours", hint: "Try again tomorrow." },
    }) as never);
    const user = await choose(CSV);
    await user.click(await screen.findByRole("button", { name: "Start import" }));
    const alert = await screen.findByRole("alert");
    expect(within(alert).getByText("This workspace has started the most imports allowed in 24 hours")).toBeInTheDocument();
    expect(alert).toHaveTextContent("Try again tomorrow.");
    await waitFor(() => expect(remove).toHaveBeenCalledWith([expect.stringMatching(new RegExp(`^${DEMO_WS}/.+/accounts\\.csv$`))]));
  });
});
