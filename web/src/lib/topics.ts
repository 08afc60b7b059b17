// The private Realtime topics the database broadcasts to (migrations 20261205007400_broadcast_changes
// and 20261205007700_lean_job_broadcasts: their triggers build the same names; broadcast_topics_test
// compares them). Plain TypeScript with no imports, so the Deno tests read it too.

/** Every job of a workspace, as lean rows (payload.records): the jobs list, the accounts list, Activity. */
export const workspaceJobsTopic = (workspaceId: string) => `workspace:${workspaceId}:jobs`;

/** Every account of a workspace: the account page. */
export const workspaceAccountsTopic = (workspaceId: string) => `workspace:${workspaceId}:accounts`;

/** One job's updates (whole rows) and its log lines: the job page. */
export const jobTopic = (jobId: string) => `job:${jobId}`;
