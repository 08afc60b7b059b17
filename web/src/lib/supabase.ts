// The one supabase-js client of the SPA. Everything goes through it: REST (RLS decides what a
// user sees), Auth, Realtime and Edge Functions, so the app runs unchanged on Supabase and on the
// local stack.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "./database.types";

export type AppSupabaseClient = SupabaseClient<Database>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function readSupabaseConfig(env: Record<string, string | undefined> = import.meta.env) {
  const url = env.VITE_SUPABASE_URL?.trim();
  const anonKey = env.VITE_SUPABASE_ANON_KEY?.trim();
  if (!url || !anonKey) {
    throw new ConfigError(
      "The app is not configured: set VITE_SUPABASE_URL and VITE_SUPABASE_ANON_KEY " +
        "(npm start does this for the local stack).",
    );
  }
  return { url, anonKey };
}

let client: AppSupabaseClient | undefined;

export function getSupabase(): AppSupabaseClient {
  if (!client) {
    const { url, anonKey } = readSupabaseConfig();
    client = createClient<Database>(url, anonKey, {
      auth: { persistSession: true, autoRefreshToken: true, detectSessionInUrl: true },
      realtime: { params: { eventsPerSecond: 20 } },
    });
  }
  return client;
}

/** Tests swap in a fake client. */
export function setSupabaseForTests(fake: AppSupabaseClient | undefined) {
  client = fake;
}
