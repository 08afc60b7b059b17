import { describe, expect, it } from "vitest";
import { announcement } from "./JobAnnouncer";

describe("announcement", () => {
  it("says a new status, and the progress only at each quarter", () => {
    expect(announcement({ status: "pending" }, 0, null)).toBe("Pending");
    expect(announcement({ status: "processing" }, 10, { status: "pending", quarter: 0 })).toBe("Processing, 10 percent");
    expect(announcement({ status: "processing" }, 20, { status: "processing", quarter: 0 })).toBeNull();
    expect(announcement({ status: "processing" }, 30, { status: "processing", quarter: 0 })).toBe("30 percent");
    expect(announcement({ status: "processing" }, 40, { status: "processing", quarter: 1 })).toBeNull();
    expect(announcement({ status: "completed" }, 100, { status: "processing", quarter: 3 })).toBe("Completed");
  });
});
