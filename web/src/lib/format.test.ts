import { describe, expect, it } from "vitest";
import { contactName, formatDuration, formatRelative, jobTypeLabel, parseTime } from "./format";

const NOW = Date.parse("2026-11-29T10:00:00Z");

describe("parseTime", () => {
  it("reads PostgREST and Realtime timestamp formats alike", () => {
    const expected = Date.parse("2026-11-29T10:00:30.123Z");
    expect(parseTime("2026-11-29T10:00:30.123456+00:00")).toBe(expected);
    expect(parseTime("2026-11-29 10:00:30.123456+00")).toBe(expected);
    expect(parseTime("2026-11-29T10:00:30.123Z")).toBe(expected);
    expect(Number.isNaN(parseTime(null))).toBe(true);
  });
});

describe("formatRelative", () => {
  it("says when, in words", () => {
    expect(formatRelative("2026-11-29T10:01:00Z", NOW)).toBe("in 1 minute");
    expect(formatRelative("2026-11-29T09:58:00Z", NOW)).toBe("2 minutes ago");
    expect(formatRelative("2026-11-29T10:00:02Z", NOW)).toBe("just now");
    expect(formatRelative("2026-11-29T10:00:42Z", NOW)).toBe("in 42 seconds");
    expect(formatRelative("2026-11-27T10:00:00Z", NOW)).toBe("2 days ago");
    expect(formatRelative(null, NOW)).toBe("");
  });
});

describe("formatDuration / names", () => {
  it("formats durations", () => {
    expect(formatDuration("2026-11-29T10:00:00Z", "2026-11-29T10:00:00.250Z")).toBe("250 ms");
    expect(formatDuration("2026-11-29T10:00:00Z", "2026-11-29T10:00:03.5Z")).toBe("3.5 s");
    expect(formatDuration(null, "2026-11-29T10:00:00Z")).toBe("");
  });
  it("names contacts and job types", () => {
    expect(contactName({ first_name: "Maya", last_name: "Lindqvist", email: null })).toBe("Maya Lindqvist");
    expect(contactName({ first_name: null, last_name: null, email: "a@b.co" })).toBe("a@b.co");
    expect(jobTypeLabel("enrich_account")).toBe("Account enrichment");
    expect(jobTypeLabel("send_email")).toBe("send email");
  });
});
