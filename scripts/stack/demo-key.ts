// On a fresh stack, the demo workspace gets the mock Apollo key through the real save path:
// sign in as the demo user (/auth/v1) and POST it to the apollo-settings function.
import type { StackConfig } from "./config.ts";
import { clientKey, readKeys } from "./keys.ts";
import { StackError } from "./shell.ts";

export const DEMO_WORKSPACE_ID = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
export const MOCK_APOLLO_KEY = "test-key-12345";

export async function saveDemoApolloKey(config: StackConfig): Promise<void> {
  const apikey = clientKey(await readKeys(config));
  const signIn = await fetch(`${config.apiUrl}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { apikey, "content-type": "application/json" },
    body: JSON.stringify({ email: config.demo.email, password: config.demo.password }),
  });
  const session = await signIn.json().catch(() => ({}));
  if (!signIn.ok || typeof session.access_token !== "string") {
    throw new StackError(`signing in as ${config.demo.email} failed (${signIn.status}): ${JSON.stringify(session)}`);
  }
  const save = await fetch(`${config.apiUrl}/functions/v1/apollo-settings`, {
    method: "POST",
    headers: { apikey, authorization: `Bearer ${session.access_token}`, "content-type": "application/json" },
    body: JSON.stringify({ workspace_id: DEMO_WORKSPACE_ID, api_key: MOCK_APOLLO_KEY }),
  });
  const body = await save.json().catch(() => ({}));
  if (!save.ok) {
    throw new StackError(`saving the demo Apollo key failed (${save.status}): ${JSON.stringify(body)}`);
  }
}
