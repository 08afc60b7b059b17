// The one supabase-js client of the SPA. Everything goes through it: REST (RLS decides what a
// user sees), Auth, Realtime and Edge Functions, so the app runs unchanged on Supabase and on the
// local stack.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "./database.types";

export type AppSupabaseClient = SupabaseClient<Database>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * The project's URL and the key the browser uses: the publishable key (sb_publishable_...), or
 * for a project that still has only the legacy keys its anon key. Never a secret key: Supabase
 * refuses those from a browser.
 */
export function readSupabaseConfig(env: Record<string, string | undefined> = import.meta.env) {
  const url = env.VITE_SUPABASE_URL?.trim();
  const key = env.VITE_SUPABASE_PUBLISHABLE_KEY?.trim() || env.VITE_SUPABASE_ANON_KEY?.trim();
  if (!url || !key) {
    throw new ConfigError(
      "The app is not configured: set VITE_SUPABASE_URL and VITE_SUPABASE_PUBLISHABLE_KEY " +
        "(or VITE_SUPABASE_ANON_KEY for a project on the legacy keys); npm start does this for the local stack.",
    );
  }
  if (key.startsWith("sb_secret_")) {
    throw new ConfigError(
      "The app is configured with a secret key (sb_secret_...), which must never reach a browser: " +
        "set VITE_SUPABASE_PUBLISHABLE_KEY to the project's publishable key.",
    );
  }
  return { url, key };
}

let client: AppSupabaseClient | undefined;

export function getSupabase(): AppSupabaseClient {
  if (!client) {
    const { url, key } = readSupabaseConfig();
    client = createClient<Database>(url, key, {
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
