// verify:deploy's key items against the stack, in whichever mode it runs: with signing keys the
// JWKS has the public key only and the functions refuse a forged token themselves (PASS, PASS); with
// legacy keys (the gateway-legacy suite) the empty JWKS is a WARN that says how to migrate, and the
// functions still refuse the forgery. Its verdicts on broken deployments: scripts/deploy/tests/checks_test.ts.
import assert from "node:assert/strict";
import { integration, testKeys } from "../../../supabase/functions/tests/helpers/stack.ts";
import { item, verify } from "./helpers/verify.ts";

integration("verify:deploy: the JWKS and the functions' own check of a forged token", async () => {
  const { code, items } = await verify(["--only", "signing-keys,functions-auth"]);
  const keys = item(items, "signing-keys");
  const functions = item(items, "functions-auth");
  assert.equal(functions.status, "PASS", functions.summary);
  assert.match(
    functions.summary,
    /apollo-settings and jobs answer 401 themselves to a user token signed by a made-up key/,
  );
  assert.ok(
    functions.details?.every((d) =>
      /^PASS (apollo-settings|jobs): 401 "The access token was not issued by this project/.test(d)
    ),
    functions.details?.join("\n"),
  );
  if (testKeys.legacy) {
    assert.equal(keys.status, "WARN", keys.summary);
    assert.match(keys.summary, /legacy JWT secret \(HS256\)/);
  } else {
    assert.equal(keys.status, "PASS", keys.summary);
    assert.equal(keys.summary, `1 signing key(s) published, public parts only: ES256 kid ${testKeys.kid}`);
  }
  assert.equal(code, 0);
});
