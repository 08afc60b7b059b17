import { describe, expect, it } from "vitest";
import { ConfigError, readSupabaseConfig } from "./supabase";

const url = "https://abcdefghijklmnopqrst.supabase.co";

describe("readSupabaseConfig", () => {
  it("uses the publishable key", () => {
    expect(readSupabaseConfig({ VITE_SUPABASE_URL: url, VITE_SUPABASE_PUBLISHABLE_KEY: " sb_publishable_abc " }))
      .toEqual({ url, key: "sb_publishable_abc" });
  });

  it("prefers the publishable key when both are set, and falls back to the anon key of a legacy project", () => {
    expect(
      readSupabaseConfig({
        VITE_SUPABASE_URL: url,
        VITE_SUPABASE_PUBLISHABLE_KEY: "sb_publishable_abc",
        VITE_SUPABASE_ANON_KEY: "eyJ.legacy.anon",
      }).key,
    ).toBe("sb_publishable_abc");
    expect(
      readSupabaseConfig({ VITE_SUPABASE_URL: url, VITE_SUPABASE_PUBLISHABLE_KEY: "", VITE_SUPABASE_ANON_KEY: "eyJ.legacy.anon" })
        .key,
    ).toBe("eyJ.legacy.anon");
  });

  it("says what to set when the URL or the key is missing", () => {
    expect(() => readSupabaseConfig({ VITE_SUPABASE_URL: url })).toThrow(ConfigError);
    expect(() => readSupabaseConfig({ VITE_SUPABASE_PUBLISHABLE_KEY: "sb_publishable_abc" })).toThrow(
      /set VITE_SUPABASE_URL and VITE_SUPABASE_PUBLISHABLE_KEY/,
    );
  });

  it("refuses a secret key, which must never reach a browser", () => {
    expect(() => readSupabaseConfig({ VITE_SUPABASE_URL: url, VITE_SUPABASE_PUBLISHABLE_KEY: "sb_secret_abc" })).toThrow(
      /secret key \(sb_secret_\.\.\.\), which must never reach a browser/,
    );
  });
});
