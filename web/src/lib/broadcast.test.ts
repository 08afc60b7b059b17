import { describe, expect, it } from "vitest";
import { changesFromBroadcast } from "./broadcast";

describe("changesFromBroadcast", () => {
  it("turns a workspace topic's message with records into one change per job", () => {
    const records = [
      { id: "job-1", workspace_id: "ws", subject_id: "acc-1", status: "processing" },
      { id: "job-2", workspace_id: "ws", subject_id: "acc-2", status: "processing" },
    ];
    const changes = changesFromBroadcast({ event: "UPDATE", payload: { operation: "UPDATE", table: "jobs", schema: "public", records } });
    expect(changes.map((c) => [c.table, c.eventType, (c.new as { id: string }).id])).toEqual([
      ["jobs", "UPDATE", "job-1"],
      ["jobs", "UPDATE", "job-2"],
    ]);
  });

  it("turns a message with one record (a job's or a log line's topic) into one change", () => {
    const changes = changesFromBroadcast({
      event: "INSERT",
      payload: { operation: "INSERT", table: "job_logs", record: { id: 7, message: "a line" }, old_record: null },
    });
    expect(changes).toHaveLength(1);
    expect(changes[0].new).toEqual({ id: 7, message: "a line" });
    expect(changes[0].old).toEqual({});
  });

  it("ignores what is not a change", () => {
    expect(changesFromBroadcast({ event: "ping", payload: {} })).toEqual([]);
    expect(changesFromBroadcast({ event: "UPDATE", payload: { operation: "TRUNCATE", table: "jobs" } })).toEqual([]);
  });
});
