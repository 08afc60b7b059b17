import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { Providers } from "../App";
import { RequireAuth } from "../auth/RequireAuth";
import type { QueryHandler, RecordedQuery } from "./fake-supabase";
import { WorkspaceProvider } from "../workspace/WorkspaceProvider";

export function testQueryClient() {
  return new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 0 }, mutations: { retry: false } } });
}

/** Renders `element` at `path` (matched by `route`) with auth, react-query and the workspace. */
export function renderPage(element: ReactElement, { path = "/", route = "*", extraRoutes = [] as ReactElement[] } = {}) {
  const queryClient = testQueryClient();
  const utils = render(
    <MemoryRouter initialEntries={[path]}>
      <Providers queryClient={queryClient}>
        <RequireAuth>
          <WorkspaceProvider>
            <Routes>
              <Route path={route} element={element} />
              {extraRoutes}
            </Routes>
          </WorkspaceProvider>
        </RequireAuth>
      </Providers>
    </MemoryRouter>,
  );
  return { ...utils, queryClient };
}

export const DEMO_WS = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
export const OTHER_WS = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";

/** Answers the workspace look-ups (the user is `role` in the demo workspace) and passes the rest on. */
export function withWorkspace(
  handler: QueryHandler,
  { role = "owner", workspaces = [{ id: DEMO_WS, name: "Demo Workspace" }] }: { role?: string; workspaces?: Array<{ id: string; name: string }> } = {},
): QueryHandler {
  return (query: RecordedQuery) => {
    if (query.table === "workspace_members") {
      return { data: workspaces.map((w) => ({ workspace_id: w.id, role })), error: null };
    }
    if (query.table === "workspaces") return { data: workspaces, error: null };
    return handler(query);
  };
}

/** Puts text in a field at once (a paste, not one event per key): light enough for a loaded machine. */
export async function fillIn(user: { click(el: Element): Promise<void>; paste(text: string): Promise<void> }, field: Element, text: string) {
  await user.click(field);
  await user.paste(text);
}
