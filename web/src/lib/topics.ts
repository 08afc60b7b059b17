// The private Realtime topics the database broadcasts to (migration 20261205007400_broadcast_changes:
// its triggers build the same names; broadcast_topics_test compares them). Plain TypeScript with no
// imports, so the Deno tests read it too.

/** Every job of a workspace: the jobs list, the accounts list, Activity. */
export const workspaceJobsTopic = (workspaceId: string) => `workspace:${workspaceId}:jobs`;

/** Every account of a workspace: the account page. */
export const workspaceAccountsTopic = (workspaceId: string) => `workspace:${workspaceId}:accounts`;

/** One job and its log lines: the job page. */
export const jobTopic = (jobId: string) => `job:${jobId}`;
