import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { makeLog } from "../test/fixtures";
import { ConfirmDialog } from "./ConfirmDialog";
import { EnrichmentBadge } from "./EnrichmentBadge";
import { LogList } from "./LogList";
import { clampPercentage, ProgressBar } from "./ProgressBar";
import { StatusBadge } from "./StatusBadge";

describe("StatusBadge", () => {
  it.each([
    ["pending", "Pending"],
    ["processing", "Processing"],
    ["completed", "Completed"],
    ["failed", "Failed"],
    ["cancelled", "Cancelled"],
  ] as const)("shows %s as %s", (status, label) => {
    render(<StatusBadge status={status} />);
    const badge = screen.getByTestId("job-status");
    expect(badge).toHaveTextContent(label);
    expect(badge).toHaveAttribute("data-status", status);
  });

  it("says a pending job is waiting to retry", () => {
    render(<StatusBadge status="pending" retrying />);
    expect(screen.getByTestId("job-status")).toHaveTextContent("Waiting to retry");
  });
});

describe("EnrichmentBadge", () => {
  it("covers never, enriching, enriched and failed", () => {
    const { rerender } = render(<EnrichmentBadge status="never" />);
    expect(screen.getByText("Not enriched")).toBeInTheDocument();
    rerender(<EnrichmentBadge status="enriching" />);
    expect(screen.getByText("Enriching")).toBeInTheDocument();
    rerender(<EnrichmentBadge status="enriched" enrichedAt={new Date(Date.now() - 120_000).toISOString()} />);
    expect(screen.getByText(/Enriched/)).toHaveTextContent("Enriched 2 minutes ago");
    rerender(<EnrichmentBadge status="failed" error="Apollo API key not configured for this workspace" />);
    expect(screen.getByText("Failed").closest("span")).toHaveAttribute("title", "Apollo API key not configured for this workspace");
  });
});

describe("ProgressBar", () => {
  it("exposes the value to assistive technology", () => {
    render(<ProgressBar value={40} message="Enriching with domain stripe.com..." />);
    const bar = screen.getByRole("progressbar", { name: "Progress" });
    expect(bar).toHaveAttribute("aria-valuenow", "40");
    expect(bar).toHaveAttribute("aria-valuemin", "0");
    expect(bar).toHaveAttribute("aria-valuemax", "100");
    expect(bar).toHaveAttribute("aria-valuetext", "40% — Enriching with domain stripe.com...");
    expect(screen.getByText("Enriching with domain stripe.com...")).toBeInTheDocument();
  });

  it("clamps nonsense to 0..100", () => {
    expect(clampPercentage(-5)).toBe(0);
    expect(clampPercentage(250)).toBe(100);
    expect(clampPercentage("30")).toBe(30);
    expect(clampPercentage(undefined)).toBe(0);
    expect(clampPercentage(33.4)).toBe(33);
  });
});

describe("LogList", () => {
  it("shows level, time and message of every line, in order", () => {
    render(
      <LogList
        logs={[
          makeLog(1, "Starting enrichment for account acc-1"),
          makeLog(2, "Apollo API key not configured for this workspace", { log_level: "error" }),
        ]}
      />,
    );
    const lines = screen.getAllByTestId("log-line");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toHaveTextContent("INFO");
    expect(lines[0]).toHaveTextContent("Starting enrichment for account acc-1");
    expect(lines[1]).toHaveTextContent("ERROR");
    expect(lines[1].querySelector("time")).toHaveAttribute("dateTime", "2026-11-29T10:00:02Z");
  });

  it("has an empty state", () => {
    render(<LogList logs={[]} />);
    expect(screen.getByText(/No log lines yet/)).toBeInTheDocument();
  });
});

describe("ConfirmDialog", () => {
  function Harness({ onConfirm }: { onConfirm: () => void }) {
    const [open, setOpen] = useState(false);
    return (
      <>
        <button type="button" onClick={() => setOpen(true)}>
          Open
        </button>
        <ConfirmDialog open={open} title="Cancel this job?" confirmLabel="Cancel job" cancelLabel="Keep running" onConfirm={onConfirm} onCancel={() => setOpen(false)}>
          <p>It will not run.</p>
        </ConfirmDialog>
      </>
    );
  }

  it("focuses the safe choice, closes on Escape and gives focus back", async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    render(<Harness onConfirm={onConfirm} />);
    const opener = screen.getByRole("button", { name: "Open" });
    await user.click(opener);
    const dialog = screen.getByRole("alertdialog", { name: "Cancel this job?" });
    expect(dialog).toHaveAccessibleDescription("It will not run.");
    expect(screen.getByRole("button", { name: "Keep running" })).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(opener).toHaveFocus();
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it("confirms, and keeps Tab inside", async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    render(<Harness onConfirm={onConfirm} />);
    await user.click(screen.getByRole("button", { name: "Open" }));
    await user.tab();
    expect(screen.getByRole("button", { name: "Cancel job" })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole("button", { name: "Keep running" })).toHaveFocus();
    await user.click(screen.getByRole("button", { name: "Cancel job" }));
    expect(onConfirm).toHaveBeenCalledOnce();
  });
});
