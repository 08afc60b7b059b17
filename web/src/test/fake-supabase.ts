// A stand-in for the supabase-js client in unit tests: query builders record what the code
// asked for and answer from a handler; channels let a test push Realtime changes.
import { vi } from "vitest";
import type { AppSupabaseClient } from "../lib/supabase";
import { setSupabaseForTests } from "../lib/supabase";

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

export class FakeChannel {
  /** The postgres_changes bindings. */
  bindings: Array<{ filter: { event: string; table: string; filter?: string }; callback: ChangeCallback }> = [];
  /** Listeners of `system` events. */
  systemListeners: ChangeCallback[] = [];
  statusCallback?: (status: string, error?: Error) => void;
  removed = false;
  constructor(readonly name: string) {}
  on(type: string, filter: { event: string; table: string; filter?: string }, callback: ChangeCallback) {
    if (type === "system") this.systemListeners.push(callback);
    else this.bindings.push({ filter, callback });
    return this;
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
  /** Delivers a change to the bindings whose table (and event) match. */
  emit(table: string, eventType: "INSERT" | "UPDATE" | "DELETE", row: Record<string, unknown>, old: Record<string, unknown> = {}) {
    for (const b of this.bindings) {
      if (b.filter.table !== table) continue;
      if (b.filter.event !== "*" && b.filter.event !== eventType) continue;
      b.callback({ schema: "public", table, eventType, new: eventType === "DELETE" ? {} : row, old, commit_timestamp: new Date().toISOString(), errors: null });
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
    channel: vi.fn((name: string) => {
      const channel = new FakeChannel(name);
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
    /** The live channels (not removed) whose bindings include this table. */
    channelsFor(table: string) {
      return channels.filter((c) => !c.removed && c.bindings.some((b) => b.filter.table === table));
    },
  };
}
