// /realtime/v1/websocket: Supabase Realtime's Phoenix protocol (vsn 1.0.0 and 2.0.0) serving
// postgres_changes from the instance's wal2json slot, each change checked against RLS as the
// subscriber, and Broadcast from the database: rows inserted into realtime.messages (read from the
// same slot) sent to the channels joined with their topic, private channels being authorized by
// the RLS policies on realtime.messages when joined (broadcast.ts). Broadcasts sent by clients and
// presence are refused with an error reply.
//
// The project's Realtime limits are enforced as hosted Realtime enforces them (limits.ts has the
// details): database changes over max_events_per_second (default 100/s, averaged over up to a
// minute, checked every 5 s) are skipped without a word to the client, whose channel stays joined
// (broadcasts from the database have their own counter with the same limit, as Realtime's events);
// joins over max_joins_per_second close the socket; joins over max_channels_per_client or
// max_concurrent_users are refused. The limits come from STACK_REALTIME_MAX_EVENTS_PER_SECOND,
// ..._JOINS_PER_SECOND, ..._CHANNELS_PER_CLIENT and ..._CONCURRENT_USERS when the gateway starts,
// and can be changed while it runs with the secret key: `PATCH /_stack/realtime/settings` with e.g.
// {"max_events_per_second": 5} (`GET` shows them and whether a limit is being hit). Like a change in
// the Dashboard's Realtime settings, a change disconnects every client and restarts the counters.
import type postgres from "postgres";
import { type ApiKey, requireApikey } from "../apikey.ts";
import type { GatewayContext } from "../context.ts";
import type { JwtVerifier } from "../../jwt.ts";
import { json } from "../http.ts";
import { namedPool } from "../../pool.ts";
import { limitsFromEnv, LimitsError, patchLimits } from "./limits.ts";
import { Tenant } from "./tenant.ts";
import { Catalog } from "./catalog.ts";
import { Connection, type Hub } from "./connection.ts";
import { dispatchChanges } from "./dispatch.ts";
import { broadcastMessage, canRead, deliverBroadcasts, isBroadcastChange, maintainPartitions } from "./broadcast.ts";
import type { ChannelAuth } from "./token.ts";
import { type Vsn, VSNS } from "./protocol.ts";
import { SlotReader } from "./slot.ts";
import type { WalChange } from "./wal.ts";

/**
 * When the slot has a backlog at start (changes made while the gateway was down), it waits for
 * clients to reconnect and rejoin before it is delivered — realtime-js retries 1, 3, 8 and 18 s
 * after losing the socket — until HOLD_AFTER_FIRST_JOIN_MS after the first join, never longer than
 * HOLD_MAX_MS. Without a backlog nothing is held.
 */
const HOLD_MAX_MS = 20_000;
const HOLD_AFTER_FIRST_JOIN_MS = 1_000;
/** How often realtime.messages' daily partitions are looked after (Realtime's janitor runs hourly-ish too). */
const PARTITIONS_EVERY_MS = 60 * 60 * 1000;

export { realtimeSlotName } from "./slot.ts";

export class Realtime implements Hub {
  readonly catalog: Catalog;
  readonly tokens: JwtVerifier;
  readonly tenant: Tenant;
  #sql: postgres.Sql;
  /** Changes skipped since the events limit tripped (reported when delivery resumes). */
  #skipped = 0;
  /** Broadcasts from the database dropped since the events limit tripped. */
  #droppedBroadcasts = 0;
  #connections = new Set<Connection>();
  #reader: SlotReader;
  #startedAt = Date.now();
  #firstJoinAt: number | null = null;
  #released = false;
  #partitionsTimer: ReturnType<typeof setInterval> | undefined;

  constructor(readonly ctx: GatewayContext) {
    this.tokens = ctx.tokens;
    // Realtime's own small pool: RLS checks and catalog reads never wait behind /rest/v1 requests.
    this.#sql = namedPool(ctx.config.dbUrl, "stack-realtime", { max: 4, idle_timeout: 30, connect_timeout: 5 });
    this.catalog = new Catalog(this.#sql);
    this.tenant = new Tenant(limitsFromEnv(), this.log);
    this.#reader = new SlotReader({
      config: ctx.config,
      catalog: this.catalog,
      onChanges: (changes) => this.#deliver(changes),
      hold: () => this.#hold(),
      log: this.log,
    });
  }

  log = (message: string): void => console.log(`[realtime] ${message}`);

  /**
   * A batch from the slot: skipped whole while the events limit is tripped (the slot still moves
   * past it, as Realtime's poller consumes its slot), otherwise delivered and counted.
   */
  async #deliver(changes: WalChange[]): Promise<void> {
    const broadcasts = changes.filter(isBroadcastChange);
    const postgresChanges = broadcasts.length ? changes.filter((c) => !isBroadcastChange(c)) : changes;
    if (broadcasts.length) this.#broadcast(broadcasts);
    if (postgresChanges.length === 0) return;
    if (this.tenant.dbEvents.tripped) {
      this.#skipped += postgresChanges.length;
      return;
    }
    if (this.#skipped > 0) {
      this.log(`postgres changes delivered again; ${this.#skipped} change(s) were skipped over the events limit`);
      this.#skipped = 0;
    }
    const delivered = await dispatchChanges(
      { sql: this.#sql, catalog: this.catalog, connections: this.#connections, log: this.log },
      postgresChanges,
    );
    this.tenant.dbEvents.add(delivered);
  }

  /**
   * Rows inserted into realtime.messages, sent in commit order without a query. As Realtime's
   * ReplicationConnection does, each counts once against the events limit whoever receives it, and
   * while that limit is tripped they are dropped (it logs UnableToBroadcastChanges; clients hear nothing).
   */
  #broadcast(changes: WalChange[]): void {
    if (this.tenant.events.tripped) {
      this.#droppedBroadcasts += changes.length;
      return;
    }
    if (this.#droppedBroadcasts > 0) {
      this.log(`broadcasts from the database sent again; ${this.#droppedBroadcasts} were dropped over the events limit`);
      this.#droppedBroadcasts = 0;
    }
    const messages = changes.map(broadcastMessage).filter((m) => m !== null);
    deliverBroadcasts(this.#connections, messages, this.log);
    this.tenant.events.add(messages.length);
  }

  canRead(name: string, auth: ChannelAuth): Promise<boolean> {
    return canRead(this.#sql, name, auth, this.log);
  }

  async #maintainPartitions(): Promise<void> {
    try {
      await maintainPartitions(this.#sql);
    } catch (error) {
      this.log(`PartitionCreationFailed: realtime.messages partitions: ${(error as Error).message}`);
    }
  }

  async start(): Promise<void> {
    this.#startedAt = Date.now();
    await this.#maintainPartitions();
    this.#partitionsTimer = setInterval(() => this.#maintainPartitions(), PARTITIONS_EVERY_MS);
    await this.#reader.start();
    if (await this.#reader.hasBacklog()) {
      this.log(
        `replication slot ${this.#reader.slotName} has changes from before this start: held until clients rejoin`,
      );
    } else {
      this.#released = true;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#partitionsTimer);
    for (const conn of [...this.#connections]) conn.close(1001, "server shutting down");
    await this.#reader.stop();
    await this.#sql.end({ timeout: 2 }).catch(() => {});
  }

  async upgrade(req: Request): Promise<Response> {
    const apikey = requireApikey(req, this.ctx);
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return json({ message: "Expected a WebSocket upgrade (Upgrade: websocket)" }, 400);
    }
    const vsn = new URL(req.url).searchParams.get("vsn") ?? "1.0.0";
    if (!VSNS.includes(vsn as Vsn)) {
      return json({ message: `Unsupported protocol version vsn=${vsn}: use 1.0.0 or 2.0.0` }, 400);
    }
    const refused = this.tenant.refuseSocket();
    if (refused) return json({ error: refused }, 429);
    const { socket, response } = Deno.upgradeWebSocket(req);
    const conn = new Connection(socket, vsn as Vsn, await this.#tenantToken(apikey), this, (c) => this.#connections.delete(c));
    this.#connections.add(conn);
    return response;
  }

  /**
   * The token a socket's apikey stands for. A legacy key is a JWT already; for a publishable or
   * secret key Supabase's gateway mints one with the key's role, valid 24 hours (the limit of a
   * Realtime connection that no user signs in on).
   */
  async #tenantToken(apikey: ApiKey): Promise<string> {
    if (this.ctx.keys.mode === "legacy") return apikey.value;
    const iat = Math.floor(Date.now() / 1000);
    return await this.ctx.sign({ iss: "supabase", role: apikey.role, iat, exp: iat + 24 * 3600 });
  }

  /** `GET|PATCH /_stack/realtime/settings` (secret key only): the limits, and where the counters stand. */
  async settings(req: Request): Promise<Response> {
    const apikey = requireApikey(req, this.ctx);
    if (apikey.role !== "service_role") {
      return json({ message: "Realtime settings need the secret key (SECRET_KEY in npm run stack:status)" }, 403);
    }
    if (req.method === "PATCH") {
      let next;
      try {
        next = patchLimits(this.tenant.limits, await req.json().catch(() => null));
      } catch (error) {
        if (error instanceof LimitsError) return json({ message: error.message }, 400);
        throw error;
      }
      this.tenant.setLimits(next);
      this.#skipped = 0;
      this.#droppedBroadcasts = 0;
      this.log(`Realtime settings changed: ${JSON.stringify(next)}; disconnecting every client`);
      for (const conn of [...this.#connections]) conn.close(1001, "Realtime settings changed");
    } else if (req.method !== "GET") {
      return json({ message: "Use GET or PATCH" }, 405);
    }
    return json(this.tenant.status());
  }

  channelsChanged(): void {
    if (this.#firstJoinAt === null && this.#hasSubscriptions()) this.#firstJoinAt = Date.now();
  }

  #hasSubscriptions(): boolean {
    for (const conn of this.#connections) {
      // Any joined channel may be sent broadcasts; one with bindings, postgres changes too.
      if (conn.channels.size) return true;
    }
    return false;
  }

  #hold(): boolean {
    if (this.#released) return false;
    const now = Date.now();
    if (
      now - this.#startedAt >= HOLD_MAX_MS ||
      (this.#firstJoinAt !== null && now - this.#firstJoinAt >= HOLD_AFTER_FIRST_JOIN_MS)
    ) {
      this.#released = true;
    }
    return !this.#released;
  }
}
