// How a function finds the project's keys in the env Supabase gives it: the JSON dictionaries of a
// project with publishable and secret keys first, the legacy JWT keys otherwise.
import assert from "node:assert/strict";
import { projectKey } from "../_shared/project-keys.ts";

const env = (vars: Record<string, string>) => ({ get: (name: string) => vars[name] });

Deno.test("project keys: the dictionaries' default key wins over the legacy keys Supabase still sets", () => {
  const both = env({
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: "sb_publishable_a", web: "sb_publishable_b" }),
    SUPABASE_SECRET_KEYS: '{"default":"sb_secret_a"}',
    SUPABASE_ANON_KEY: "eyJ.anon",
    SUPABASE_SERVICE_ROLE_KEY: "eyJ.service",
  });
  assert.equal(projectKey("publishable", both), "sb_publishable_a");
  assert.equal(projectKey("publishable", both, "web"), "sb_publishable_b");
  assert.equal(projectKey("secret", both), "sb_secret_a");
});

Deno.test("project keys: a legacy project's anon and service_role keys; a single named key", () => {
  const legacy = env({ SUPABASE_ANON_KEY: "eyJ.anon", SUPABASE_SERVICE_ROLE_KEY: "eyJ.service" });
  assert.equal(projectKey("publishable", legacy), "eyJ.anon");
  assert.equal(projectKey("secret", legacy), "eyJ.service");
  assert.equal(projectKey("secret", env({ SUPABASE_SECRET_KEYS: '{"cron":"sb_secret_c"}' })), "sb_secret_c");
});

Deno.test("project keys: what is wrong when they cannot be read", () => {
  assert.throws(
    () => projectKey("publishable", env({ SUPABASE_PUBLISHABLE_KEYS: "sb_publishable_a" })),
    /SUPABASE_PUBLISHABLE_KEYS is not JSON/,
  );
  assert.throws(
    () => projectKey("secret", env({ SUPABASE_SECRET_KEYS: '{"a":"sb_secret_a","b":"sb_secret_b"}' })),
    /SUPABASE_SECRET_KEYS has no key named "default" \(it has: a, b\)/,
  );
  assert.throws(
    () => projectKey("publishable", env({})),
    /Neither SUPABASE_PUBLISHABLE_KEYS nor SUPABASE_ANON_KEY is set/,
  );
});
