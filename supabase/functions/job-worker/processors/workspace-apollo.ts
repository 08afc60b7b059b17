// The Apollo client for a job's workspace: its stored key, decrypted, or the mock (outside production).
import { apolloClientFor, MockApolloClient, TestKeyInProductionError } from "../../_shared/apollo/index.ts";
import type { ApolloClient } from "../../_shared/apollo/types.ts";
import { decryptApiKey, KeyDecryptionError } from "../../_shared/crypto/apollo-key.ts";
import { type EnvReader, mockApolloEnabled, processEnv } from "../../_shared/environment.ts";
import { JobError } from "../../_shared/jobs/errors.ts";
import type { Sql } from "../../_shared/db.ts";
import { keyPacingKey } from "../../_shared/apollo/pacing-key.ts";
import { pacedClient, Pacer } from "../pacer.ts";

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

/**
 * The client with its enrichment calls paced to the workspace's Apollo team (pacer.ts). The mock
 * is not Apollo and is not paced. A workspace whose key was saved before teams were recorded is
 * paced by a fingerprint of its key, recorded for next time.
 */
export async function withPacing(sql: Sql, workspaceId: string, apiKey: string | null, client: ApolloClient): Promise<ApolloClient> {
  if (apiKey === null || client instanceof MockApolloClient) return client;
  const [settings] = await sql<{ apollo_pacing_key: string | null }[]>`
    select apollo_pacing_key from public.workspace_settings where workspace_id = ${workspaceId}`;
  let pacingKey = settings?.apollo_pacing_key ?? null;
  if (pacingKey === null) {
    pacingKey = await keyPacingKey(apiKey);
    await sql`select public.set_apollo_pacing_key(${workspaceId}, ${pacingKey})`;
  }
  return pacedClient(client, new Pacer(sql, pacingKey));
}
