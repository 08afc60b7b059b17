// A stand-in for the supabase-js client in unit tests: query builders record what the code
// asked for and answer from a handler; channels let a test push Realtime changes.
import { vi } from "vitest";
import type { AppSupabaseClient } from "../lib/supabase";
import { setSupabaseForTests } from "../lib/supabase";
import { jobTopic, workspaceAccountsTopic, workspaceJobsTopic } from "../lib/topics";

export interface RecordedQuery {
  table: string;
  method: "select" | "insert" | "update" | "delete";
  columns?: string;
  count?: string;
  values?: unknown;
  filters: Array<{ op: string; column?: string; value?: unknown }>;
  orders: Array<{ column: string; ascending: boolean }>;
  range?: [number, number];
  limit?: number;
  single?: "single" | "maybeSingle";
}

export type QueryResult = { data: unknown; error: unknown; count?: number | null; status?: number };
export type QueryHandler = (query: RecordedQuery) => QueryResult | Promise<QueryResult>;

class FakeQuery implements PromiseLike<QueryResult> {
  constructor(
    private readonly query: RecordedQuery,
    private readonly handler: QueryHandler,
    private readonly log: RecordedQuery[],
  ) {}
  select(columns = "*", options: { count?: string } = {}) {
    if (this.query.method === "select") this.query.columns = columns;
    else this.query.columns = columns;
    if (options.count) this.query.count = options.count;
    return this;
  }
  insert(values: unknown) {
    this.query.method = "insert";
    this.query.values = values;
    return this;
  }
  update(values: unknown) {
    this.query.method = "update";
    this.query.values = values;
    return this;
  }
  delete() {
    this.query.method = "delete";
    return this;
  }
  eq(column: string, value: unknown) {
    this.query.filters.push({ op: "eq", column, value });
    return this;
  }
  in(column: string, value: unknown) {
    this.query.filters.push({ op: "in", column, value });
    return this;
  }
  or(value: string) {
    this.query.filters.push({ op: "or", value });
    return this;
  }
  order(column: string, options: { ascending?: boolean } = {}) {
    this.query.orders.push({ column, ascending: options.ascending ?? true });
    return this;
  }
  range(from: number, to: number) {
    this.query.range = [from, to];
    return this;
  }
  limit(n: number) {
    this.query.limit = n;
    return this;
  }
  single() {
    this.query.single = "single";
    return this;
  }
  maybeSingle() {
    this.query.single = "maybeSingle";
    return this;
  }
  then<T1 = QueryResult, T2 = never>(
    onfulfilled?: ((value: QueryResult) => T1 | PromiseLike<T1>) | null,
    onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null,
  ): PromiseLike<T1 | T2> {
    this.log.push(this.query);
    return Promise.resolve()
      .then(() => this.handler(this.query))
      .then((result) => ({ count: null, ...result }))
      .then(onfulfilled, onrejected);
  }
}

type ChangeCallback = (payload: Record<string, unknown>) => void;
type Row = Record<string, unknown>;

/** Whether the database would broadcast this row's change to this topic (lib/topics.ts's names). */
function topicCarries(topic: string, table: string, row: Row): boolean {
  // jobs: on their workspace's topic only, as lean rows (a job's own topic carries its log lines)
  if (table === "jobs") return topic === workspaceJobsTopic(String(row.workspace_id));
  if (table === "job_logs") return topic === jobTopic(String(row.job_id));
  if (table === "accounts") return topic === workspaceAccountsTopic(String(row.workspace_id));
  return false;
}

/** The columns of a job the database broadcasts (migration 20261205007700_lean_job_broadcasts). */
const LEAN_JOB_COLUMNS = ["id", "workspace_id", "job_type", "subject_id", "status", "progress", "attempts", "scheduled_for", "updated_at"];
const leanJob = (row: Row): Row => Object.fromEntries(LEAN_JOB_COLUMNS.filter((c) => c in row).map((c) => [c, row[c]]));

/** The tables whose changes a topic carries. */
function tablesOf(topic: string): string[] {
  if (/^workspace:.+:jobs$/.test(topic)) return ["jobs"];
  if (/^workspace:.+:accounts$/.test(topic)) return ["accounts"];
  if (/^job:/.test(topic)) return ["job_logs"];
  return [];
}

export class FakeChannel {
  /** The postgres_changes bindings. */
  bindings: Array<{ filter: { event: string; table: string; filter?: string }; callback: ChangeCallback }> = [];
  /** The broadcast listeners (a private topic the database broadcasts to). */
  broadcastListeners: Array<{ event: string; callback: ChangeCallback }> = [];
  /** Listeners of `system` events. */
  systemListeners: ChangeCallback[] = [];
  statusCallback?: (status: string, error?: Error) => void;
  removed = false;
  constructor(readonly name: string, readonly options: { config?: { private?: boolean } } = {}) {}
  on(type: string, filter: { event: string; table?: string; filter?: string }, callback: ChangeCallback) {
    if (type === "system") this.systemListeners.push(callback);
    else if (type === "broadcast") this.broadcastListeners.push({ event: filter.event, callback });
    else this.bindings.push({ filter: filter as { event: string; table: string }, callback });
    return this;
  }
  /** The tables whose changes reach this channel. */
  tables(): string[] {
    return [...new Set([...this.bindings.map((b) => b.filter.table), ...(this.broadcastListeners.length ? tablesOf(this.name) : [])])];
  }
  /** A `system` event from the server, e.g. Realtime's {extension: "system", status: "error", message: "Too many messages per second"}. */
  emitSystem(payload: { extension: string; status: string; message: string }) {
    for (const listener of this.systemListeners) listener({ ...payload, channel: this.name });
  }
  subscribe(callback?: (status: string, error?: Error) => void) {
    this.statusCallback = callback;
    queueMicrotask(() => callback?.("SUBSCRIBED"));
    return this;
  }
  /**
   * Delivers a change: to the postgres_changes bindings whose table (and event) match, and, as the
   * database's broadcast ({operation, table, record, old_record}), to a topic that carries it.
   */
  emit(table: string, eventType: "INSERT" | "UPDATE" | "DELETE", row: Row, old: Row = {}) {
    for (const b of this.bindings) {
      if (b.filter.table !== table) continue;
      if (b.filter.event !== "*" && b.filter.event !== eventType) continue;
      b.callback({ schema: "public", table, eventType, new: eventType === "DELETE" ? {} : row, old, commit_timestamp: new Date().toISOString(), errors: null });
    }
    const carried = eventType === "DELETE" ? old : row;
    if (!topicCarries(this.name, table, carried)) return;
    // a workspace's jobs topic carries lean rows of a statement's jobs as `records`
    const payload = table === "jobs"
      ? { operation: eventType, table, schema: "public", records: [leanJob(carried)] }
      : { operation: eventType, table, schema: "public", record: eventType === "DELETE" ? null : row, old_record: eventType === "DELETE" ? old : null };
    for (const l of this.broadcastListeners) {
      if (l.event === "*" || l.event === eventType) l.callback({ type: "broadcast", event: eventType, payload });
    }
  }
}

export function createFakeSupabase(handler: QueryHandler = () => ({ data: [], error: null, count: 0 })) {
  const queries: RecordedQuery[] = [];
  const channels: FakeChannel[] = [];
  let currentHandler = handler;
  const session = {
    access_token: "token",
    refresh_token: "refresh",
    token_type: "bearer",
    expires_in: 3600,
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    user: { id: "user-1", email: "demo@example.com", aud: "authenticated", app_metadata: {}, user_metadata: {}, created_at: "" },
  };
  const client = {
    from: (table: string) =>
      new FakeQuery({ table, method: "select", filters: [], orders: [] }, (q) => currentHandler(q), queries),
    rpc: vi.fn(async (_name: string, _args: unknown) => ({ data: null, error: null })),
    functions: { invoke: vi.fn(async (_name: string, _options?: unknown) => ({ data: null, error: null })) },
    channel: vi.fn((name: string, options?: { config?: { private?: boolean } }) => {
      const channel = new FakeChannel(name, options);
      channels.push(channel);
      return channel;
    }),
    removeChannel: vi.fn(async (channel: FakeChannel) => {
      channel.removed = true;
      return "ok";
    }),
    auth: {
      getSession: vi.fn(async () => ({ data: { session }, error: null })),
      onAuthStateChange: vi.fn(() => ({ data: { subscription: { unsubscribe: () => {} } } })),
      signInWithPassword: vi.fn(async (_credentials: unknown) => ({ data: { session }, error: null })),
      signUp: vi.fn(async (_credentials: unknown) => ({ data: { session, user: session.user }, error: null })),
      signOut: vi.fn(async () => ({ error: null })),
      resend: vi.fn(async (_params: unknown) => ({ data: { user: null, session: null }, error: null })),
      resetPasswordForEmail: vi.fn(async (_email: string, _options?: unknown) => ({ data: {}, error: null })),
      updateUser: vi.fn(async (_attributes: unknown) => ({ data: { user: session.user }, error: null })),
    },
  };
  setSupabaseForTests(client as unknown as AppSupabaseClient);
  return {
    client,
    queries,
    channels,
    setHandler(next: QueryHandler) {
      currentHandler = next;
    },
    /** The live channels (not removed) that hear this table's changes. */
    channelsFor(table: string) {
      return channels.filter((c) => !c.removed && c.tables().includes(table));
    },
  };
}
