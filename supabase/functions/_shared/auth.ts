// The signed-in user of a request: the access token in Authorization, checked with Supabase Auth.
import { createClient } from "npm:@supabase/supabase-js@2";
import { HttpError } from "./http.ts";

export interface RequestUser {
  id: string;
  email?: string;
  /** Claims to run SQL as this user (see db.ts asUser). */
  claims: Record<string, unknown>;
}

export async function requireUser(req: Request): Promise<RequestUser> {
  const token = req.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1];
  if (!token) throw new HttpError(401, "Sign in first: this request has no access token.");
  const url = Deno.env.get("SUPABASE_URL");
  const anonKey = Deno.env.get("SUPABASE_ANON_KEY");
  if (!url || !anonKey) throw new Error("SUPABASE_URL and SUPABASE_ANON_KEY must be set");
  const supabase = createClient(url, anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
  const { data, error } = await supabase.auth.getUser(token);
  if (error || !data.user) throw new HttpError(401, "Your session has expired or is invalid. Sign in again.");
  return {
    id: data.user.id,
    email: data.user.email,
    claims: { sub: data.user.id, role: "authenticated", email: data.user.email, aud: "authenticated" },
  };
}
