// Users for tests, made the way a test (or a trusted script) should on a project where sign-ups must
// confirm their email: through Auth's admin API with the server's key and email_confirm: true.
import { createClient } from "@supabase/supabase-js";
import { testEnv, testKeys } from "./env.ts";

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

/** A confirmed email + password user (with the personal workspace every new user gets). */
export async function createConfirmedUser(
  email: string,
  password: string,
  userMetadata: Record<string, unknown> = {},
): Promise<TestUser> {
  const admin = createClient(testEnv.API_URL, testKeys.server, {
    auth: { autoRefreshToken: false, persistSession: false, detectSessionInUrl: false },
  });
  const { data, error } = await admin.auth.admin.createUser({
    email,
    password,
    email_confirm: true,
    user_metadata: userMetadata,
  });
  if (error) throw new Error(`creating ${email} failed: ${error.status} ${error.message}`);
  return { id: data.user.id, email: data.user.email!, password };
}
