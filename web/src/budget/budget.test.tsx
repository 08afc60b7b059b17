import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { UsageDashboard } from "../activity/UsageDashboard";
import { parseBudget } from "../settings/BudgetSettings";
import { createFakeSupabase } from "../test/fake-supabase";
import { DEMO_WS, renderPage, withWorkspace } from "../test/render";
import { budgetLevel } from "./queries";

describe("budgetLevel", () => {
  it("warns from 80 % and says when the budget is reached", () => {
    expect(budgetLevel(10, null)).toBe("none");
    expect(budgetLevel(399, 500)).toBe("ok");
    expect(budgetLevel(400, 500)).toBe("warning");
    expect(budgetLevel(500, 500)).toBe("reached");
    expect(budgetLevel(0, 0)).toBe("reached");
  });
});

describe("parseBudget", () => {
  it("reads a whole number of credits, empty as no budget", () => {
    expect(parseBudget(" 1,500 ")).toEqual({ value: 1500 });
    expect(parseBudget("")).toEqual({ value: null });
    expect(parseBudget("-5")).toHaveProperty("error");
    expect(parseBudget("12.5")).toHaveProperty("error");
  });
});

describe("UsageDashboard", () => {
  function setup(used: number, budget: number | null) {
    const fake = createFakeSupabase(withWorkspace(() => ({ data: [], error: null })));
    fake.client.rpc.mockImplementation((async (name: string) => {
      if (name === "workspace_credit_budget") return { data: [{ month_start: "2026-12-01T00:00:00Z", credits_used: used, budget }], error: null };
      if (name === "workspace_daily_usage") {
        return { data: [{ day: "2026-12-04", completed: 3, failed: 1, cancelled: 0, credits: 3 }, { day: "2026-12-05", completed: 5, failed: 0, cancelled: 1, credits: 5 }], error: null };
      }
      if (name === "workspace_top_errors") return { data: [{ error_message: "Apollo rejected the API key", jobs: 2, last_failed_at: "2026-12-05T10:00:00Z" }], error: null };
      return { data: null, error: null };
    }) as never);
    renderPage(<UsageDashboard workspaceId={DEMO_WS} />);
    return fake;
  }

  it("shows the month's credits against the budget, per-day charts and the top errors", async () => {
    const fake = setup(420, 500);
    expect(await screen.findByTestId("credits-this-month")).toHaveTextContent("420");
    expect(screen.getByTestId("credit-budget-limit")).toHaveTextContent("500");
    expect(await screen.findByText("84 % of this month's credit budget is used")).toBeInTheDocument();
    expect(await screen.findByRole("img", { name: "Credits per day, last 30 days" })).toBeInTheDocument();
    expect(screen.getByRole("img", { name: "Finished jobs per day by outcome, last 30 days" })).toBeInTheDocument();
    expect(await screen.findByTestId("top-errors")).toHaveTextContent("Apollo rejected the API key (2 jobs");
    expect(fake.client.rpc).toHaveBeenCalledWith("workspace_daily_usage", { workspace_id: DEMO_WS, days: 30 });
  });

  it("says when the budget is reached and how to resume", async () => {
    setup(500, 500);
    expect(await screen.findByText("Credit budget reached: 500 of 500 used this month")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Raise the budget" })).toHaveAttribute("href", "/workspace/settings/api");
  });
});
