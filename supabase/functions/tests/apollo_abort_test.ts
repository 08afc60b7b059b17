// Both Apollo clients pass a caller's abort (a cancelled job) through as the abort's own reason, not as
// an Apollo error, and leave no timer behind: the real one while Apollo has not answered, the mock
// during its simulated delay.
import assert from "node:assert/strict";
import { withFakeApollo } from "../../../scripts/stack/fake-apollo/server.ts";
import { type ApolloClient, createApolloClient, MockApolloClient } from "../_shared/apollo/index.ts";

const clients: Array<[string, (fn: (client: ApolloClient) => Promise<void>) => Promise<void>]> = [
  ["the real client, while Apollo has not answered", (fn) =>
    withFakeApollo({}, (fake) => fn(createApolloClient("sk-test-abort", { baseUrl: fake.apiUrl, timeoutMs: 5000 })))],
  ["the mock, during its delay", (fn) => fn(new MockApolloClient({ delayMs: 10_000, env: new Map() }))],
];

for (const [name, withClient] of clients) {
  Deno.test(`${name}: a caller's abort rejects with its reason, not an Apollo error`, () =>
    withClient(async (client) => {
      const controller = new AbortController();
      const reason = new Error("job cancelled");
      setTimeout(() => controller.abort(reason), 50);
      await assert.rejects(
        client.enrichOrganization({ domain: "hang.test" }, { signal: controller.signal }),
        (e) => e === reason,
      );
    }));
}
