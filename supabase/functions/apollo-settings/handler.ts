// apollo-settings: a workspace's Apollo key. Signed-in members read the status; owners and
// admins save (checked against Apollo first, unless it is the test key), test and remove it.
//   GET    /apollo-settings?workspace_id=...       -> settings view
//   POST   /apollo-settings        {workspace_id, api_key} -> {message, settings}
//   POST   /apollo-settings/test   {workspace_id, api_key?} -> {ok, mock, message, ...}
//   DELETE /apollo-settings?workspace_id=...       -> {message, settings}
// The key is stored AES-256-GCM encrypted and never returned. A key typed into a request is checked
// with Apollo at most apollo_key_tests_per_10_minutes times per user (key-test-limit.ts), and the
// test key is refused in production.
import { z } from "zod";
import { apolloClientFor, MOCK_API_KEY, TestKeyInProductionError } from "../_shared/apollo/index.ts";
import { ApolloError } from "../_shared/apollo/errors.ts";
import { keyPacingKey, teamPacingKey } from "../_shared/apollo/pacing-key.ts";
import { requireUser } from "../_shared/signed-in-user.ts";
import { corsHeaders } from "../_shared/cors.ts";
import { decryptApiKey, encryptApiKey, KeyDecryptionError, lastFour } from "../_shared/crypto/apollo-key.ts";
import { db } from "../_shared/db.ts";
import { errorResponse, HttpError, json, readJsonBody } from "../_shared/http.ts";
import { parseOr400 } from "../_shared/validation.ts";
import { spendKeyTest } from "./key-test-limit.ts";
import { memberRole, readSettings, removeKey, requireEditor, saveKey, storedCiphertext } from "./store.ts";

const workspaceId = z.uuid({ error: "must be a workspace id (uuid)" });
const saveBody = z.object({
  workspace_id: workspaceId,
  // Printable ASCII only: the key travels in an HTTP header (x-api-key), where anything else makes
  // the request itself fail; Apollo's keys are letters, digits, - and _.
  api_key: z.string().trim().min(8, "looks too short for an Apollo API key").max(200)
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces or control characters"),
});
const testBody = z.object({ workspace_id: workspaceId, api_key: saveBody.shape.api_key.optional() });

/**
 * Apollo's verdict on a key, for the settings page the user is on: said once (the Apollo errors
 * already start "Apollo rejected the API key ..."), and without "check the key in Settings → API",
 * which is where the user is.
 */
export function forTheSettingsPage(message: string): string {
  return message
    .replace(/\s*(Check the key|Save the key again) in Settings → API\./g, "")
    .replace(/ in Settings → API/g, " here")
    .trim();
}

function rejection(message: string): string {
  const text = forTheSettingsPage(message);
  return /^Apollo /.test(text) ? text : `Apollo rejected this API key: ${text}`;
}

function workspaceFromQuery(req: Request): string {
  return parseOr400(workspaceId, new URL(req.url).searchParams.get("workspace_id"), "workspace_id");
}

/** The client for a key; the test key in production is a 422 saying what to do instead. */
function clientFor(apiKey: string) {
  try {
    return apolloClientFor(apiKey);
  } catch (error) {
    if (error instanceof TestKeyInProductionError) throw new HttpError(422, error.message);
    throw error;
  }
}

export async function handler(req: Request): Promise<Response> {
  if (req.method === "OPTIONS") return new Response("ok", { headers: corsHeaders });
  try {
    const user = await requireUser(req);
    const sql = db();
    const action = new URL(req.url).pathname.replace(/^.*\/apollo-settings/, "") || "/";

    if (req.method === "GET" && action === "/") {
      const ws = workspaceFromQuery(req);
      return json(await readSettings(sql, ws, await memberRole(sql, ws, user.id)));
    }

    if (req.method === "POST" && action === "/") {
      const body = parseOr400(saveBody, await readJsonBody(req));
      const role = await memberRole(sql, body.workspace_id, user.id);
      requireEditor(role);
      const apollo = clientFor(body.api_key);
      let teamId: string | undefined;
      if (body.api_key !== MOCK_API_KEY) {
        await spendKeyTest(sql, user.id);
        const check = await apollo.checkConnection().catch((error) => {
          if (error instanceof ApolloError && !error.retryable) {
            throw new HttpError(422, rejection(error.message));
          }
          throw new HttpError(502, `Could not reach Apollo to check the key (${(error as Error).message}). Try again.`);
        });
        if (!check.ok) throw new HttpError(422, rejection(check.message));
        teamId = check.user?.team_id;
      }
      const ciphertext = await encryptApiKey(body.api_key, body.workspace_id);
      // the budget this key spends: its Apollo team, or a fingerprint of the key (see pacing-key.ts)
      const pacingKey = teamPacingKey(teamId) ?? await keyPacingKey(body.api_key);
      await saveKey(sql, body.workspace_id, ciphertext, lastFour(body.api_key), user.id, pacingKey);
      return json({ message: "API key saved successfully", settings: await readSettings(sql, body.workspace_id, role) });
    }

    if (req.method === "POST" && action === "/test") {
      const body = parseOr400(testBody, await readJsonBody(req));
      // The test shows the Apollo account behind the key (email, name, team, usage): not for members.
      requireEditor(await memberRole(sql, body.workspace_id, user.id), "test the Apollo API key");
      let apiKey = body.api_key;
      if (apiKey) {
        await spendKeyTest(sql, user.id);
      } else {
        const stored = await storedCiphertext(sql, body.workspace_id);
        if (!stored) throw new HttpError(400, "No Apollo API key is saved for this workspace: enter one first.");
        apiKey = await decryptApiKey(stored, body.workspace_id).catch((error) => {
          // The key was saved under an encryption key that is no longer configured: the user can fix
          // it by saving the key again (409: the stored state is the problem, not the request).
          if (error instanceof KeyDecryptionError) throw new HttpError(409, error.message);
          throw error;
        });
      }
      try {
        const result = await clientFor(apiKey).checkConnection();
        return json({ ...result, message: forTheSettingsPage(result.message) });
      } catch (error) {
        if (error instanceof ApolloError) {
          return json({ ok: false, mock: false, message: forTheSettingsPage(error.message), kind: error.kind });
        }
        throw error;
      }
    }

    if (req.method === "DELETE" && action === "/") {
      const ws = workspaceFromQuery(req);
      const role = await memberRole(sql, ws, user.id);
      requireEditor(role);
      await removeKey(sql, ws, user.id);
      return json({ message: "API key removed", settings: await readSettings(sql, ws, role) });
    }

    throw new HttpError(404, `No route for ${req.method} ${action}`);
  } catch (error) {
    return errorResponse(error, "apollo-settings");
  }
}
