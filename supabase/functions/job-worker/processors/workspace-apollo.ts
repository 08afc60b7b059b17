// The Apollo client for a job's workspace: its stored key, decrypted, or the mock.
import { apolloClientFor } from "../../_shared/apollo/index.ts";
import type { ApolloClient } from "../../_shared/apollo/types.ts";
import { decryptApiKey, KeyDecryptionError } from "../../_shared/crypto/apollo-key.ts";
import { JobError } from "../../_shared/jobs/errors.ts";
import type { Sql } from "../../_shared/db.ts";

export const NOT_CONFIGURED = "Apollo API key not configured for this workspace";

/** Reads and decrypts the workspace's key; without one, only mock mode (USE_MOCK_APOLLO=true) can run. */
export async function workspaceApiKey(sql: Sql, workspaceId: string): Promise<string | null> {
  const [settings] = await sql<{ apollo_api_key_encrypted: string | null }[]>`
    select apollo_api_key_encrypted from public.workspace_settings where workspace_id = ${workspaceId}`;
  const stored = settings?.apollo_api_key_encrypted ?? null;
  if (stored === null) {
    if (Deno.env.get("USE_MOCK_APOLLO") === "true") return null;
    throw new JobError(`${NOT_CONFIGURED}. Add a key in Settings → API, then retry the job.`, { retryable: false });
  }
  try {
    return await decryptApiKey(stored, workspaceId);
  } catch (error) {
    if (error instanceof KeyDecryptionError) throw new JobError(error.message, { retryable: false, cause: error });
    throw error;
  }
}

export function apolloClient(apiKey: string | null): ApolloClient {
  return apolloClientFor(apiKey ?? "");
}
