// The gateway-legacy suite of npm test: the tests that depend on API keys and JWTs, run again on the
// stack switched to legacy keys (STACK_LEGACY_KEYS=1: the anon and service_role JWT keys, HS256 user
// tokens), so that both generations of keys are proven. Switching restarts only the gateway (and the
// functions, which get the legacy env); afterwards the stack goes back to the keys it had.
// Type-checking is the types suite's job, so the tests run without it here.
//   deno run -A scripts/test/legacy-keys.ts
import { repoRoot, stackConfig } from "../stack/config.ts";
import { readKeys } from "../stack/keys.ts";

const GATEWAY_TESTS = [
  "scripts/stack/tests/api_keys_test.ts",
  "scripts/stack/tests/auth_session_test.ts",
  "scripts/stack/tests/auth_signup_test.ts",
  "scripts/stack/tests/auth_admin_test.ts",
  "scripts/stack/tests/rest_security_test.ts",
  "scripts/stack/tests/realtime_rls_test.ts",
  "scripts/stack/tests/abuse_auth_test.ts",
  "scripts/stack/tests/abuse_realtime_test.ts",
];
const FUNCTION_TESTS = [
  "supabase/functions/tests/functions_auth_test.ts",
  "supabase/functions/tests/apollo_settings_test.ts",
  "supabase/functions/tests/jobs_api_test.ts",
  "scripts/deploy/tests/keys_test.ts",
];

const deno = Deno.execPath();

async function run(args: string[], env: Record<string, string> = {}): Promise<number> {
  const child = new Deno.Command(deno, { args, cwd: repoRoot, env, stdout: "inherit", stderr: "inherit" }).spawn();
  return (await child.status).code;
}

const config = stackConfig(Deno.env.get("STACK_INSTANCE") ?? "test");
const before = await readKeys(config).then((k) => k.mode).catch(() => "signing-keys" as const);

console.log(`\n-- stack "${config.instance}": switching to legacy keys (STACK_LEGACY_KEYS=1)`);
let code = await run(["run", "-A", "scripts/stack/cli.ts", "up"], { STACK_LEGACY_KEYS: "1" });
if (code === 0) code = await run(["test", "-A", "--no-check", ...GATEWAY_TESTS, ...FUNCTION_TESTS]);
else console.error("The stack could not be switched to legacy keys; see the error above.");

console.log(`\n-- stack "${config.instance}": back to ${before === "legacy" ? "legacy keys" : "signing keys"}`);
const restored = await run(["run", "-A", "scripts/stack/cli.ts", "up"], {
  STACK_LEGACY_KEYS: before === "legacy" ? "1" : "0",
});
Deno.exit(code || restored);
