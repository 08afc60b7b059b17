// The Apollo client for a job's workspace: its stored key, decrypted, or the mock (outside production).
import { apolloClientFor, TestKeyInProductionError } from "../../_shared/apollo/index.ts";
import type { ApolloClient } from "../../_shared/apollo/types.ts";
import { decryptApiKey, KeyDecryptionError } from "../../_shared/crypto/apollo-key.ts";
import { type EnvReader, mockApolloEnabled, processEnv } from "../../_shared/environment.ts";
import { JobError } from "../../_shared/jobs/errors.ts";
import type { Sql } from "../../_shared/db.ts";

export const NOT_CONFIGURED = "Apollo API key not configured for this workspace";

/** Reads and decrypts the workspace's key; without one, only mock mode (USE_MOCK_APOLLO=true, not in production) can run. */
export async function workspaceApiKey(sql: Sql, workspaceId: string, env: EnvReader = processEnv): Promise<string | null> {
  const [settings] = await sql<{ apollo_api_key_encrypted: string | null }[]>`
    select apollo_api_key_encrypted from public.workspace_settings where workspace_id = ${workspaceId}`;
  const stored = settings?.apollo_api_key_encrypted ?? null;
  if (stored === null) {
    if (mockApolloEnabled(env)) return null;
    throw new JobError(`${NOT_CONFIGURED}. Add a key in Settings → API, then retry the job.`, { retryable: false });
  }
  try {
    return await decryptApiKey(stored, workspaceId, env);
  } catch (error) {
    if (error instanceof KeyDecryptionError) throw new JobError(error.message, { retryable: false, cause: error });
    throw error;
  }
}

/** The client for that key; a stored test key in production fails the job (retrying cannot help). */
export function apolloClient(apiKey: string | null, env: EnvReader = processEnv): ApolloClient {
  try {
    return apolloClientFor(apiKey ?? "", env);
  } catch (error) {
    if (error instanceof TestKeyInProductionError) {
      throw new JobError(`${error.message} in Settings → API, then retry the job.`, { retryable: false, cause: error });
    }
    throw error;
  }
}
