import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { setSupabaseForTests } from "../lib/supabase";

afterEach(() => {
  cleanup();
  setSupabaseForTests(undefined);
  localStorage.clear();
});
