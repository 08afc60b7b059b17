import { FunctionsHttpError } from "@supabase/supabase-js";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { WORKSPACE_SETTINGS_COLUMNS, type ApolloSettingsView } from "../lib/database.types";
import { createFakeSupabase, type RecordedQuery } from "../test/fake-supabase";
import { DEMO_WS, renderPage, withWorkspace } from "../test/render";
import { ApiSettingsPage } from "./ApiSettingsPage";

const NOT_CONFIGURED: ApolloSettingsView = {
  workspace_id: DEMO_WS,
  has_apollo_key: false,
  apollo_api_key_last4: null,
  apollo_auto_enrich: false,
  enrichment_credits_used: 3,
  can_edit: true,
};
const CONFIGURED: ApolloSettingsView = { ...NOT_CONFIGURED, has_apollo_key: true, apollo_api_key_last4: "2345" };

const httpError = (status: number, body: unknown) =>
  new FunctionsHttpError(new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));

type Invoke = (name: string, options: { method?: string; body?: Record<string, unknown> }) => { data: unknown; error: unknown };

function setup(initial: ApolloSettingsView, invoke?: Invoke, tables?: (q: RecordedQuery) => { data: unknown; error: unknown }) {
  let settings = initial;
  const fake = createFakeSupabase(withWorkspace((q) => tables?.(q) ?? { data: [], error: null }, { role: initial.can_edit ? "owner" : "member" }));
  fake.client.functions.invoke.mockImplementation((async (name: string, options: { method?: string; body?: Record<string, unknown> }) => {
    const custom = invoke?.(name, options);
    if (custom) return custom;
    if (options.method === "GET") return { data: settings, error: null };
    if (name === "apollo-settings" && options.method === "POST") {
      const key = String(options.body?.api_key);
      settings = { ...settings, has_apollo_key: true, apollo_api_key_last4: key.slice(-4) };
      return { data: { message: "API key saved successfully", settings }, error: null };
    }
    if (name === "apollo-settings/test") {
      return {
        data: {
          ok: true,
          mock: true,
          message: "Mock Apollo client: nothing is sent to Apollo and enrichment returns sample data.",
          user: { id: "mock-user-123", email: "mock@example.com", name: "Mock User" },
          rateLimit: {},
        },
        error: null,
      };
    }
    if (options.method === "DELETE") {
      settings = { ...settings, has_apollo_key: false, apollo_api_key_last4: null };
      return { data: { message: "API key removed", settings }, error: null };
    }
    return { data: null, error: httpError(404, { error: "No route" }) };
  }) as never);
  renderPage(<ApiSettingsPage />);
  return fake;
}

describe("ApiSettingsPage", () => {
  it("loads the settings through the apollo-settings function for the current workspace", async () => {
    const fake = setup(NOT_CONFIGURED);
    expect(await screen.findByText("Not configured")).toBeInTheDocument();
    expect(fake.client.functions.invoke).toHaveBeenCalledWith(`apollo-settings?workspace_id=${DEMO_WS}`, { method: "GET" });
    expect(screen.getByTestId("credits-used")).toHaveTextContent("3");
    expect(screen.getByRole("button", { name: "Test Connection" })).toBeDisabled();
  });

  it("saves a key from a password field and shows Configured with its last 4 characters", async () => {
    const user = userEvent.setup();
    const fake = setup(NOT_CONFIGURED);
    const input = await screen.findByLabelText("Apollo API key");
    expect(input).toHaveAttribute("type", "password");

    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Paste your Apollo API key.")).toBeInTheDocument();
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(fake.client.functions.invoke).toHaveBeenCalledTimes(1); // only the GET

    await user.type(input, "test-key-12345");
    await user.click(screen.getByRole("button", { name: "Show the key" }));
    expect(input).toHaveAttribute("type", "text");
    await user.click(screen.getByRole("button", { name: "Save" }));

    expect(await screen.findByText("API key saved successfully")).toBeInTheDocument();
    expect(fake.client.functions.invoke).toHaveBeenCalledWith("apollo-settings", {
      method: "POST",
      body: { workspace_id: DEMO_WS, api_key: "test-key-12345" },
    });
    expect(screen.getByTestId("key-status")).toHaveTextContent("Configured");
    expect(screen.getByTestId("key-last4")).toHaveTextContent("••••2345");
    expect(screen.getByLabelText("Replace the API key")).toHaveValue("");
    expect(screen.getByLabelText("Replace the API key")).toHaveAttribute("type", "password");
  });

  it("shows Apollo's refusal in words", async () => {
    const user = userEvent.setup();
    setup(NOT_CONFIGURED, (name, options) =>
      name === "apollo-settings" && options.method === "POST"
        ? { data: null, error: httpError(422, { error: "Apollo rejected this API key: Invalid access credentials." }) }
        : (undefined as never),
    );
    await user.type(await screen.findByLabelText("Apollo API key"), "wrong-key-123");
    await user.click(screen.getByRole("button", { name: "Save" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The key was not saved");
    expect(alert).toHaveTextContent("Apollo rejected this API key: Invalid access credentials.");
    expect(alert.textContent).not.toMatch(/[{}]/);
    expect(screen.getByTestId("key-status")).toHaveTextContent("Not configured");
  });

  it("tests the connection and shows the mock response", async () => {
    const user = userEvent.setup();
    setup(CONFIGURED);
    await user.click(await screen.findByRole("button", { name: "Test Connection" }));
    const result = await screen.findByTestId("connection-result");
    expect(result).toHaveTextContent("Connected (mock response)");
    expect(result).toHaveTextContent("Mock Apollo client");
    expect(result).toHaveTextContent("Mock User (mock@example.com)");
  });

  it("shows usage and rate limits of a real key", async () => {
    const user = userEvent.setup();
    setup(CONFIGURED, (name) =>
      name === "apollo-settings/test"
        ? {
            data: {
              ok: true,
              mock: false,
              message: "Connected to Apollo as Ada (ada@example.com).",
              rateLimit: { dailyLimit: 600, dailyLeft: 590 },
              usage: { '["api/v1/organizations", "enrich"]': { day: { limit: 600, consumed: 10, left_over: 590 } } },
            },
            error: null,
          }
        : (undefined as never),
    );
    await user.click(await screen.findByRole("button", { name: "Test Connection" }));
    const result = await screen.findByTestId("connection-result");
    expect(result).toHaveTextContent("Connected to Apollo");
    expect(result).toHaveTextContent("590 of 600 requests left this day");
    const usage = within(result).getByRole("table", { name: "Apollo API usage" });
    expect(usage).toHaveTextContent("organizations enrich");
    expect(usage).toHaveTextContent("10 / 600");
  });

  it("removes the key after confirmation", async () => {
    const user = userEvent.setup();
    const fake = setup(CONFIGURED);
    await user.click(await screen.findByRole("button", { name: "Remove key" }));
    const dialog = screen.getByRole("alertdialog", { name: "Remove the Apollo API key?" });
    await user.click(within(dialog).getByRole("button", { name: "Remove key" }));
    expect(await screen.findByText("API key removed")).toBeInTheDocument();
    expect(fake.client.functions.invoke).toHaveBeenCalledWith(`apollo-settings?workspace_id=${DEMO_WS}`, { method: "DELETE" });
    expect(screen.getByTestId("key-status")).toHaveTextContent("Not configured");
  });

  it("toggles auto-enrich with a direct update", async () => {
    const user = userEvent.setup();
    const fake = setup(CONFIGURED, undefined, (q) =>
      q.table === "workspace_settings" ? { data: [{ workspace_id: DEMO_WS, apollo_auto_enrich: true }], error: null } : { data: [], error: null },
    );
    const toggle = await screen.findByRole("switch", { name: "Enrich new accounts automatically" });
    expect(toggle).not.toBeChecked();
    await user.click(toggle);
    await waitFor(() => expect(toggle).toBeChecked());
    const update = fake.queries.find((q) => q.table === "workspace_settings" && q.method === "update");
    expect(update).toMatchObject({ method: "update", values: { apollo_auto_enrich: true }, filters: [{ op: "eq", column: "workspace_id", value: DEMO_WS }] });
    expect(update?.columns).toBe(WORKSPACE_SETTINGS_COLUMNS);
  });

  it("lets an owner choose the field groups in which Apollo's value wins over a typed one", async () => {
    const user = userEvent.setup();
    const fake = setup(CONFIGURED, undefined, (q) =>
      q.table === "workspace_settings"
        ? q.method === "update"
          ? { data: [{ workspace_id: DEMO_WS, apollo_overwrite_groups: ["location"] }], error: null }
          : { data: { workspace_id: DEMO_WS, apollo_overwrite_groups: [] }, error: null }
        : { data: [], error: null },
    );
    const location = await screen.findByRole("checkbox", { name: /Apollo wins: Location/ });
    await waitFor(() => expect(location).toBeEnabled());
    expect(location).not.toBeChecked();
    await user.click(location);
    await waitFor(() => expect(location).toBeChecked());
    const update = fake.queries.find((q) => q.table === "workspace_settings" && q.method === "update");
    expect(update).toMatchObject({ values: { apollo_overwrite_groups: ["location"] }, filters: [{ op: "eq", column: "workspace_id", value: DEMO_WS }] });
  });

  it("is read-only for members", async () => {
    setup({ ...CONFIGURED, can_edit: false });
    expect(await screen.findByText("Read-only")).toBeInTheDocument();
    expect(screen.getByTestId("key-status")).toHaveTextContent("Configured");
    expect(screen.queryByRole("button", { name: "Save" })).not.toBeInTheDocument();
    expect(document.querySelector("input[name=apollo_api_key]")).toBeNull();
    expect(screen.queryByRole("button", { name: "Remove key" })).not.toBeInTheDocument();
    expect(screen.getByRole("switch", { name: "Enrich new accounts automatically" })).toBeDisabled();
    // The test shows the Apollo account behind the key: members see why they cannot run it.
    const testButton = screen.getByRole("button", { name: "Test Connection" });
    expect(testButton).toBeDisabled();
    expect(testButton).toHaveAccessibleDescription(
      "Only owners and admins can test the connection: the test shows the Apollo account behind the key.",
    );
  });

  it("shows the function's words when the test is refused (403) or rate-limited (429)", async () => {
    const user = userEvent.setup();
    let answer = httpError(403, { error: "Only workspace owners and admins can test the Apollo API key." });
    setup(CONFIGURED, (name) => (name === "apollo-settings/test" ? { data: null, error: answer } : (undefined as never)));
    await user.click(await screen.findByRole("button", { name: "Test Connection" }));
    let alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The connection test did not run");
    expect(alert).toHaveTextContent("Only workspace owners and admins can test the Apollo API key.");
    expect(alert).toHaveTextContent("Ask an owner or admin of this workspace.");

    answer = httpError(429, {
      error: "Too many Apollo API key checks: you can check 10 keys every 10 minutes. Try again in 4 minutes.",
    });
    await user.click(screen.getByRole("button", { name: "Test Connection" }));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("Try again in 4 minutes."));
    alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("The connection test did not run");
    expect(alert).toHaveTextContent("Too many Apollo API key checks: you can check 10 keys every 10 minutes.");
    expect(alert.textContent).not.toMatch(/[{}]/);
    expect(screen.queryByTestId("connection-result")).not.toBeInTheDocument();
  });

  it("explains when the settings cannot be loaded", async () => {
    setup(NOT_CONFIGURED, (_name, options) =>
      options.method === "GET" ? { data: null, error: httpError(500, { error: "Something went wrong on our side. Please try again." }) } : (undefined as never),
    );
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The Apollo settings could not be loaded");
    expect(alert).toHaveTextContent("Something went wrong on our side. Please try again.");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
