import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { createFakeSupabase } from "../test/fake-supabase";
import { DEMO_WS, OTHER_WS, renderPage, withWorkspace } from "../test/render";
import { pickWorkspace } from "./queries";
import { useWorkspace } from "./WorkspaceProvider";
import { WorkspaceSwitcher } from "./WorkspaceSwitcher";

function Current() {
  const { current } = useWorkspace();
  return <p data-testid="current">{current.name}</p>;
}

const TWO = [
  { id: DEMO_WS, name: "Demo Workspace" },
  { id: OTHER_WS, name: "Other Workspace" },
];

describe("workspace switcher", () => {
  it("lists the user's workspaces and remembers the choice", async () => {
    const user = userEvent.setup();
    createFakeSupabase(withWorkspace(() => ({ data: [], error: null }), { workspaces: TWO }));
    renderPage(
      <>
        <WorkspaceSwitcher />
        <Current />
      </>,
    );
    const select = await screen.findByRole("combobox", { name: "Workspace" });
    expect(screen.getByTestId("current")).toHaveTextContent("Demo Workspace");
    await user.selectOptions(select, "Other Workspace");
    expect(screen.getByTestId("current")).toHaveTextContent("Other Workspace");
    expect(localStorage.getItem("enrichment-jobs:workspace:user-1")).toBe(OTHER_WS);
  });

  it("starts in the remembered workspace", async () => {
    localStorage.setItem("enrichment-jobs:workspace:user-1", OTHER_WS);
    createFakeSupabase(withWorkspace(() => ({ data: [], error: null }), { workspaces: TWO }));
    renderPage(<Current />);
    await waitFor(() => expect(screen.getByTestId("current")).toHaveTextContent("Other Workspace"));
  });

  it("shows just the name for a single workspace", async () => {
    createFakeSupabase(withWorkspace(() => ({ data: [], error: null })));
    renderPage(<WorkspaceSwitcher />);
    expect(await screen.findByText("Demo Workspace")).toBeInTheDocument();
    expect(screen.queryByRole("combobox")).not.toBeInTheDocument();
  });

  it("falls back to the first workspace when the remembered one is gone", () => {
    expect(pickWorkspace(TWO.map((w) => ({ ...w, role: "owner" as const })), "gone")?.id).toBe(DEMO_WS);
    expect(pickWorkspace([], null)).toBeNull();
  });
});
