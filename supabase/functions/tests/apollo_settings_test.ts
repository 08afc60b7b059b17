// apollo-settings (spec test 1): save, status, test connection, remove; only owners and admins
// change or test it; keys typed into requests are checked a limited number of times per user; the
// key is stored encrypted and no answer ever contains it.
import assert from "node:assert/strict";
import { forTheSettingsPage } from "../apollo-settings/handler.ts";
import { withSettings } from "./helpers/ops.ts";
import {
  callFunction, fakeApollo, integration, setApolloKey, sql, testEnv, testKeys, withUser, withUsers,
} from "./helpers/stack.ts";
import { setTimeout as sleep } from "node:timers/promises";

integration("save the mock key, see Configured, test the connection (mock), remove it", async () => {
  await withUser("settings-owner", async (owner) => {
    const ws = owner.workspaceId;
    const saved = await callFunction("apollo-settings", { token: owner.token, body: { workspace_id: ws, api_key: "test-key-12345" } });
    assert.equal(saved.status, 200, saved.text);
    const body = saved.body as { message: string; settings: Record<string, unknown> };
    assert.equal(body.message, "API key saved successfully");
    assert.equal(body.settings.has_apollo_key, true);
    assert.equal(body.settings.apollo_api_key_last4, "2345");
    assert.equal(body.settings.can_edit, true);
    assert.ok(!saved.text.includes("test-key-12345"));

    const [row] = await sql`
      SELECT workspace_id, apollo_api_key_encrypted IS NOT NULL as has_key, apollo_auto_enrich, enrichment_credits_used,
             apollo_api_key_encrypted
      FROM workspace_settings WHERE workspace_id = ${ws}`;
    assert.equal(row.has_key, true);
    assert.ok(!row.apollo_api_key_encrypted.includes("test-key-12345"), "stored encrypted");

    const status = await callFunction("apollo-settings", { method: "GET", token: owner.token, query: `?workspace_id=${ws}` });
    assert.equal(status.status, 200);
    assert.equal((status.body as Record<string, unknown>).has_apollo_key, true);

    const test = await callFunction("apollo-settings/test", { token: owner.token, body: { workspace_id: ws } });
    assert.equal(test.status, 200, test.text);
    assert.equal((test.body as Record<string, unknown>).ok, true);
    assert.equal((test.body as Record<string, unknown>).mock, true);

    const removed = await callFunction("apollo-settings", { method: "DELETE", token: owner.token, query: `?workspace_id=${ws}` });
    assert.equal(removed.status, 200);
    assert.equal((removed.body as { settings: Record<string, unknown> }).settings.has_apollo_key, false);
  });
});

integration("a real key is checked against Apollo first; a rejected one is not stored", async () => {
  await withUser("settings-check", async (owner) => {
    const ws = owner.workspaceId;
    const rejected = await callFunction("apollo-settings", { token: owner.token, body: { workspace_id: ws, api_key: "fake-key-401-settings" } });
    assert.equal(rejected.status, 422, rejected.text);
    // Said once, and without sending the user to the page they are on.
    assert.equal((rejected.body as { error: string }).error, "Apollo rejected the API key (401 Invalid access credentials.).");
    assert.ok(!rejected.text.includes("fake-key-401-settings"));
    const [row] = await sql`select apollo_api_key_encrypted from public.workspace_settings where workspace_id = ${ws}`;
    assert.equal(row.apollo_api_key_encrypted, null);

    await fakeApollo.reset();
    const good = await callFunction("apollo-settings", { token: owner.token, body: { workspace_id: ws, api_key: "live-key-good-9876" } });
    assert.equal(good.status, 200, good.text);
    assert.ok(!good.text.includes("live-key-good-9876"));
    const test = await callFunction("apollo-settings/test", { token: owner.token, body: { workspace_id: ws } });
    assert.equal((test.body as Record<string, unknown>).ok, true, test.text);
    assert.equal((test.body as Record<string, unknown>).mock, false);
    assert.ok(!test.text.includes("live-key-good-9876"));
    const calls = await fakeApollo.requests();
    assert.ok(calls.some((c) => c.path.includes("users/api_profile")), "the key was checked with Apollo");
  });
});

integration("members may read but not change the key; strangers see nothing", async () => {
  await withUsers(["settings-owner2", "settings-member", "settings-stranger"], async ([owner, member, stranger]) => {
    const ws = owner.workspaceId;
    await sql`insert into public.workspace_members (workspace_id, user_id, role) values (${ws}, ${member.userId}, 'member')`;

    await setApolloKey(ws, "live-key-owner-5678");
    const read = await callFunction("apollo-settings", { method: "GET", token: member.token, query: `?workspace_id=${ws}` });
    assert.equal(read.status, 200);
    assert.equal((read.body as Record<string, unknown>).can_edit, false);
    assert.equal((read.body as Record<string, unknown>).has_apollo_key, true, "a member sees that a key is configured");

    // Testing shows the Apollo account behind the key (email, name, team, usage): not for members.
    await fakeApollo.reset();
    for (const body of [{ workspace_id: ws }, { workspace_id: ws, api_key: "live-key-member-0000" }]) {
      const test = await callFunction("apollo-settings/test", { token: member.token, body });
      assert.equal(test.status, 403, test.text);
      assert.deepEqual(test.body, { error: "Only workspace owners and admins can test the Apollo API key." });
    }
    assert.deepEqual(await fakeApollo.requests(), [], "nothing was sent to Apollo for the member");

    const save = await callFunction("apollo-settings", { token: member.token, body: { workspace_id: ws, api_key: "test-key-12345" } });
    assert.equal(save.status, 403);
    const remove = await callFunction("apollo-settings", { method: "DELETE", token: member.token, query: `?workspace_id=${ws}` });
    assert.equal(remove.status, 403);

    for (const request of [
      callFunction("apollo-settings", { method: "GET", token: stranger.token, query: `?workspace_id=${ws}` }),
      callFunction("apollo-settings", { token: stranger.token, body: { workspace_id: ws, api_key: "test-key-12345" } }),
      callFunction("apollo-settings/test", { token: stranger.token, body: { workspace_id: ws } }),
    ]) {
      assert.equal((await request).status, 404);
    }
    const [row] = await sql`select apollo_api_key_last4 from public.workspace_settings where workspace_id = ${ws}`;
    assert.equal(row.apollo_api_key_last4, "5678", "the owner's key is untouched");
  });
});

integration("bad input gets a 400 that says what is wrong", async () => {
  await withUser("settings-bad", async (owner) => {
    for (const body of [{ workspace_id: "nope", api_key: "test-key-12345" }, { workspace_id: owner.workspaceId, api_key: "short" },
      { workspace_id: owner.workspaceId, api_key: "has spaces in it" }]) {
      const response = await callFunction("apollo-settings", { token: owner.token, body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match((response.body as { error: string }).error, /workspace_id|api_key/);
    }
    const noKey = await callFunction("apollo-settings/test", { token: owner.token, body: { workspace_id: owner.workspaceId } });
    assert.equal(noKey.status, 400);
    assert.match((noKey.body as { error: string }).error, /No Apollo API key/);
  });
});

/** Waits out the end of the current 10-minute rate-limit window when it is near, so a test's hits share one window. */
async function inOneRateLimitWindow() {
  const [{ left }] = await sql<{ left: number }[]>`
    select 600 - mod(extract(epoch from clock_timestamp())::numeric, 600)::float8 as left`;
  if (left < 30) await sleep(left * 1000 + 500);
}

integration("keys typed into a request are checked with Apollo at most N times per user per 10 minutes: then 429", async () => {
  await withUsers(["settings-limit", "settings-limit-other"], async ([owner, other]) => {
    const ws = owner.workspaceId;
    await setApolloKey(ws, "live-key-saved-4321");
    await withSettings({ apollo_key_tests_per_10_minutes: "3" }, async () => {
      await inOneRateLimitWindow();
      await fakeApollo.reset();
      for (let i = 1; i <= 3; i++) {
        const test = await callFunction("apollo-settings/test", { token: owner.token, body: { workspace_id: ws, api_key: `live-key-try-000${i}` } });
        assert.equal(test.status, 200, test.text);
        assert.equal((test.body as { ok: boolean }).ok, true);
      }
      const sentBefore = (await fakeApollo.requests()).length;

      const response = await fetch(`${testEnv.API_URL}/functions/v1/apollo-settings/test`, {
        method: "POST",
        headers: { apikey: testKeys.client, authorization: `Bearer ${owner.token}`, "content-type": "application/json" },
        body: JSON.stringify({ workspace_id: ws, api_key: "live-key-try-0004" }),
      });
      assert.equal(response.status, 429);
      const retryAfter = Number(response.headers.get("retry-after"));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 600, `Retry-After: ${retryAfter}`);
      const { error } = await response.json();
      assert.match(error, /^Too many Apollo API key checks: you can check 3 keys every 10 minutes\. Try again in \d+ (second|minute)s?\.$/);

      // Saving a new key checks it with Apollo too, so it spends the same budget.
      const save = await callFunction("apollo-settings", { token: owner.token, body: { workspace_id: ws, api_key: "live-key-new-9999" } });
      assert.equal(save.status, 429, save.text);
      const [row] = await sql`select apollo_api_key_last4 from public.workspace_settings where workspace_id = ${ws}`;
      assert.equal(row.apollo_api_key_last4, "4321", "the refused key was not saved");
      assert.equal((await fakeApollo.requests()).length, sentBefore, "nothing was sent to Apollo after the limit");

      // The saved key can still be tested, and the limit is per user.
      const stored = await callFunction("apollo-settings/test", { token: owner.token, body: { workspace_id: ws } });
      assert.equal(stored.status, 200, stored.text);
      const theirs = await callFunction("apollo-settings/test", {
        token: other.token,
        body: { workspace_id: other.workspaceId, api_key: "live-key-other-0001" },
      });
      assert.equal(theirs.status, 200, theirs.text);
    });
  });
});

Deno.test("the settings page's messages say Apollo's verdict once and do not point to Settings → API", () => {
  assert.equal(
    forTheSettingsPage("Apollo rejected the API key (401 Invalid access credentials.). Check the key in Settings → API."),
    "Apollo rejected the API key (401 Invalid access credentials.).",
  );
  assert.equal(
    forTheSettingsPage("Apollo did not receive a usable API key (422 Api key required). Save the key again in Settings → API."),
    "Apollo did not receive a usable API key (422 Api key required).",
  );
  assert.equal(
    forTheSettingsPage("... or create a master key in Apollo and save it in Settings → API."),
    "... or create a master key in Apollo and save it here.",
  );
  assert.equal(forTheSettingsPage("Apollo accepted the API key."), "Apollo accepted the API key.");
});
