import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { createFakeSupabase } from "../test/fake-supabase";
import { DEMO_WS, renderPage, withWorkspace } from "../test/render";
import { AppLayout } from "./AppLayout";

const LONG_NAME = "e2e-a-rather-long-local-part-for-the-header-mxal9ctn3wrt's workspace";

describe("AppLayout", () => {
  it("calls the settings page 'Settings', and shows a long workspace name whole in its tooltip", async () => {
    createFakeSupabase(withWorkspace(() => ({ data: [], error: null }), { workspaces: [{ id: DEMO_WS, name: LONG_NAME }] }));
    renderPage(<AppLayout />);
    const settings = await screen.findByRole("link", { name: "Settings" });
    expect(settings).toHaveAttribute("href", "/workspace/settings/api");
    expect(screen.queryByText(/API settings/)).not.toBeInTheDocument();
    const name = screen.getByText(LONG_NAME);
    expect(name).toHaveClass("workspace-name");
    expect(name).toHaveAttribute("title", LONG_NAME);
  });
});
