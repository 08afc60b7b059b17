// /realtime/v1/websocket: Supabase Realtime's Phoenix protocol (vsn 1.0.0 and 2.0.0) serving
// postgres_changes from the instance's wal2json slot, each change checked against RLS as the
// subscriber. Broadcast, presence and private channels are refused with an error reply.
import postgres from "npm:postgres@3.4.9";
import { type ApiKey, requireApikey } from "../apikey.ts";
import type { GatewayContext } from "../context.ts";
import type { JwtVerifier } from "../../jwt.ts";
import { json } from "../http.ts";
import { Catalog } from "./catalog.ts";
import { Connection, type Hub } from "./connection.ts";
import { dispatchChanges } from "./dispatch.ts";
import { type Vsn, VSNS } from "./protocol.ts";
import { SlotReader } from "./slot.ts";

/**
 * When the slot has a backlog at start (changes made while the gateway was down), it waits for
 * clients to reconnect and rejoin before it is delivered — realtime-js retries 1, 3, 8 and 18 s
 * after losing the socket — until HOLD_AFTER_FIRST_JOIN_MS after the first join, never longer than
 * HOLD_MAX_MS. Without a backlog nothing is held.
 */
const HOLD_MAX_MS = 20_000;
const HOLD_AFTER_FIRST_JOIN_MS = 1_000;

export { realtimeSlotName } from "./slot.ts";

export class Realtime implements Hub {
  readonly catalog: Catalog;
  readonly tokens: JwtVerifier;
  #sql: postgres.Sql;
  #connections = new Set<Connection>();
  #reader: SlotReader;
  #startedAt = Date.now();
  #firstJoinAt: number | null = null;
  #released = false;

  constructor(readonly ctx: GatewayContext) {
    this.tokens = ctx.tokens;
    // Realtime's own small pool: RLS checks and catalog reads never wait behind /rest/v1 requests.
    this.#sql = postgres(ctx.config.dbUrl, {
      max: 4,
      idle_timeout: 30,
      connect_timeout: 5,
      onnotice: () => {},
      connection: { application_name: "stack-realtime" },
    });
    this.catalog = new Catalog(this.#sql);
    this.#reader = new SlotReader({
      config: ctx.config,
      catalog: this.catalog,
      onChanges: (changes) =>
        dispatchChanges(
          { sql: this.#sql, catalog: this.catalog, connections: this.#connections, log: this.log },
          changes,
        ),
      hold: () => this.#hold(),
      log: this.log,
    });
  }

  log = (message: string): void => console.log(`[realtime] ${message}`);

  async start(): Promise<void> {
    this.#startedAt = Date.now();
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

  channelsChanged(): void {
    if (this.#firstJoinAt === null && this.#hasSubscriptions()) this.#firstJoinAt = Date.now();
  }

  #hasSubscriptions(): boolean {
    for (const conn of this.#connections) {
      for (const channel of conn.channels.values()) if (channel.bindings.length) return true;
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
