// Users for tests, made the way a test (or a trusted script) should on a project where sign-ups must
// confirm their email: through Auth's admin API with the server's key and email_confirm: true.
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
  const response = await fetch(`${testEnv.API_URL}/auth/v1/admin/users`, {
    method: "POST",
    headers: {
      apikey: testKeys.server,
      authorization: `Bearer ${testKeys.server}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ email, password, email_confirm: true, user_metadata: userMetadata }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`creating ${email} failed: ${response.status} ${JSON.stringify(body)}`);
  return { id: body.id, email: body.email, password };
}
