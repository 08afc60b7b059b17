// One WebSocket: Phoenix frames in and out, channel joins/leaves, heartbeats and access tokens.
// Messages of one socket are handled one after another, so a join is registered before an
// access_token or leave that follows it.
import { ChannelAuthorizationError, revokedMessage, unauthorizedReason } from "./broadcast.ts";
import type { Catalog } from "./catalog.ts";
import { type ChannelState, JoinPayload, parseBindings, UnsupportedJoinError } from "./channel.ts";
import { decodeBinary, decodeText, encode, type Frame, FrameError, type Vsn } from "./protocol.ts";
import { type ChannelAuth, ChannelTokenError, checkChannelToken } from "./token.ts";
import type { JwtVerifier } from "../../jwt.ts";
import type { Tenant } from "./tenant.ts";

/** What a connection needs from the server. */
export interface Hub {
  catalog: Catalog;
  tokens: JwtVerifier;
  /** The project's Realtime limits and counters. */
  tenant: Tenant;
  log(message: string): void;
  channelsChanged(): void;
  /** Whether `auth` may read the private channel `name` (RLS on realtime.messages); see broadcast.ts. */
  canRead(name: string, auth: ChannelAuth): Promise<boolean>;
}

/** Longest a token-expiry timer waits before checking again (setTimeout's limit is ~24.8 days). */
const MAX_EXPIRY_TIMER_MS = 60 * 60 * 1000;
const NOT_SUPPORTED =
  "is not supported by the local stack's Realtime, which serves postgres_changes and broadcasts from the database only";

export class Connection {
  readonly channels = new Map<string, ChannelState>();
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly ws: WebSocket,
    readonly vsn: Vsn,
    /** The token the socket's apikey stands for: a channel's token when its join sends none (or an API key). */
    private readonly tenantToken: string,
    private readonly hub: Hub,
    private readonly onClose: (c: Connection) => void,
  ) {
    ws.binaryType = "arraybuffer";
    ws.onmessage = (event) => {
      this.#queue = this.#queue.then(() => this.#receive(event.data)).catch((error) => {
        this.hub.log(`websocket message failed: ${(error as Error).stack ?? error}`);
      });
    };
    ws.onclose = () => this.#teardown();
    ws.onerror = () => this.#teardown();
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(frame: Frame): void {
    if (this.#closed || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(encode(this.vsn, frame));
  }

  /** A binary frame (vsn 2.0.0's user broadcast). */
  sendBinary(data: Uint8Array): void {
    if (this.#closed || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(data);
  }

  /** A server push on a channel: `join_ref` set for channel pushes, null for broadcasts (fastlane). */
  push(channel: ChannelState, event: string, payload: unknown, withJoinRef = true): void {
    this.send({ join_ref: withJoinRef ? channel.joinRef : null, ref: null, topic: channel.topic, event, payload });
  }

  close(code = 1001, reason = "server shutting down"): void {
    try {
      this.ws.close(code, reason);
    } catch { /* already closing */ }
    this.#teardown();
  }

  #teardown(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const channel of this.channels.values()) clearTimeout(channel.expiryTimer);
    this.channels.clear();
    this.hub.tenant.userLeft(this);
    this.onClose(this);
    this.hub.channelsChanged();
  }

  #reply(frame: Frame, status: "ok" | "error", response: unknown): void {
    this.send({
      join_ref: frame.join_ref,
      ref: frame.ref,
      topic: frame.topic,
      event: "phx_reply",
      payload: { status, response },
    });
  }

  async #receive(data: unknown): Promise<void> {
    let frame: Frame;
    try {
      frame = typeof data === "string" ? decodeText(this.vsn, data) : decodeBinary(data as ArrayBuffer);
    } catch (error) {
      if (error instanceof FrameError) {
        this.hub.log(`ignored a malformed frame: ${error.message}`);
        return;
      }
      throw error;
    }
    if (frame.topic === "phoenix") {
      if (frame.event === "heartbeat") this.#reply(frame, "ok", {});
      else this.#reply(frame, "error", { reason: `unknown event "${frame.event}" on topic phoenix` });
      return;
    }
    if (frame.event === "phx_join") return await this.#join(frame);

    const channel = this.channels.get(frame.topic);
    if (!channel) {
      this.#reply(frame, "error", { reason: "unmatched topic" });
      return;
    }
    switch (frame.event) {
      case "phx_leave":
        this.#remove(channel);
        this.#reply(frame, "ok", {});
        return;
      case "access_token":
        return await this.#accessToken(channel, frame);
      case "broadcast":
        this.#reply(frame, "error", { reason: `Broadcast ${NOT_SUPPORTED}` });
        return;
      case "presence":
        this.#reply(frame, "error", { reason: `Presence ${NOT_SUPPORTED}` });
        return;
      default:
        this.#reply(frame, "error", { reason: `Unexpected event "${frame.event}": it ${NOT_SUPPORTED}` });
    }
  }

  async #join(frame: Frame): Promise<void> {
    const fail = (reason: string) => this.#reply(frame, "error", { reason });
    if (!frame.topic.startsWith("realtime:")) return fail("unmatched topic");
    const name = frame.topic.slice("realtime:".length);
    if (name === "") return fail("TopicNameRequired: You must provide a topic name");

    const parsed = JoinPayload.safeParse(frame.payload ?? {});
    if (!parsed.success) {
      return fail(`InvalidJoinPayload: ${parsed.error.issues[0]?.message ?? "invalid join payload"}`);
    }
    const payload = parsed.data;
    const config = payload.config ?? {};
    const isPrivate = config.private === true;
    if (config.presence?.enabled) return fail(`PresenceNotSupported: Presence ${NOT_SUPPORTED}`);
    if (config.broadcast?.replay) return fail(`BroadcastReplayNotSupported: Broadcast replay ${NOT_SUPPORTED}`);

    const refusal = this.hub.tenant.refuseJoin(this, this.channels.size - (this.channels.has(frame.topic) ? 1 : 0));
    if (refusal) {
      fail(refusal.reason);
      // Over the joins limit Realtime disconnects the socket too; realtime-js reconnects and rejoins.
      if (refusal.closeSocket) this.close(1001, "Too many joins per second");
      return;
    }

    const requested = payload.access_token ?? payload.user_token ?? null;
    const token = requested && !requested.startsWith("sb_") ? requested : this.tenantToken;
    let auth;
    try {
      auth = await checkChannelToken(token, this.hub.tokens);
    } catch (error) {
      if (error instanceof ChannelTokenError) return fail(error.reason);
      throw error;
    }

    // A private channel is joined only if the RLS policies on realtime.messages let the user read
    // its topic (Realtime's maybe_assign_policies); a public one needs no policy.
    if (isPrivate) {
      try {
        if (!(await this.hub.canRead(name, auth))) return fail(unauthorizedReason(name));
      } catch (error) {
        if (error instanceof ChannelAuthorizationError) return fail(error.reason);
        throw error;
      }
    }

    let parsedBindings;
    try {
      parsedBindings = await parseBindings(config.postgres_changes ?? [], this.hub.catalog);
    } catch (error) {
      if (error instanceof UnsupportedJoinError) return fail(error.reason);
      this.hub.log(`join of ${frame.topic} failed: ${(error as Error).message}`);
      return fail("UnableToConnectToProject: Realtime was unable to connect to the project database");
    }
    const { echo, bindings, error } = parsedBindings;
    const wait = config.postgres_changes_options?.wait === true && echo.length > 0;
    if (error && wait) return fail(`RealtimeDisabledForConfiguration: ${error}`);

    // Joining a topic again replaces the earlier join (Phoenix closes the old one first).
    const previous = this.channels.get(frame.topic);
    if (previous) {
      this.#remove(previous);
      this.send({
        join_ref: previous.joinRef,
        ref: previous.joinRef,
        topic: previous.topic,
        event: "phx_close",
        payload: {},
      });
    }
    const channel: ChannelState = {
      topic: frame.topic,
      name,
      joinRef: frame.join_ref ?? frame.ref,
      auth,
      bindings: error ? [] : bindings,
      private: isPrivate,
    };
    this.channels.set(frame.topic, channel);
    this.hub.tenant.userJoined(this);
    this.#scheduleExpiry(channel);
    this.#reply(frame, "ok", { postgres_changes: echo });
    if (echo.length > 0) {
      if (error) {
        this.push(channel, "system", { extension: "postgres_changes", status: "error", message: error, channel: name });
      } else this.#subscribed(channel);
    }
    this.hub.channelsChanged();
  }

  #subscribed(channel: ChannelState): void {
    this.push(channel, "system", {
      extension: "postgres_changes",
      status: "ok",
      message: "Subscribed to PostgreSQL",
      channel: channel.name,
    });
  }

  async #accessToken(channel: ChannelState, frame: Frame): Promise<void> {
    const token = (frame.payload as { access_token?: unknown } | null)?.access_token;
    // Realtime ignores null, publishable/secret keys (sb_...) and the token it already has; no reply.
    if (typeof token !== "string" || token.startsWith("sb_") || token === channel.auth.token) return;
    let auth;
    try {
      auth = await checkChannelToken(token, this.hub.tokens);
    } catch (error) {
      if (error instanceof ChannelTokenError) return this.#shutdown(channel, error.message);
      throw error;
    }
    // A private channel's policies are checked again with the new token (Realtime's
    // check_read_permissions_revoked): read taken away closes the channel.
    if (channel.private) {
      let allowed;
      try {
        allowed = await this.hub.canRead(channel.name, auth);
      } catch (error) {
        if (!(error instanceof ChannelAuthorizationError)) throw error;
        return this.#shutdown(channel, "Realtime was unable to connect to the project database");
      }
      if (this.channels.get(channel.topic) !== channel) return;
      if (!allowed) return this.#shutdown(channel, revokedMessage(channel.name));
    }
    channel.auth = auth;
    this.#scheduleExpiry(channel);
    // Realtime re-subscribes with the new claims and says so again.
    if (channel.bindings.length > 0) this.#subscribed(channel);
    this.hub.channelsChanged();
  }

  #scheduleExpiry(channel: ChannelState): void {
    clearTimeout(channel.expiryTimer);
    const ms = channel.auth.exp * 1000 - Date.now();
    channel.expiryTimer = setTimeout(() => {
      if (this.channels.get(channel.topic) !== channel) return;
      const overdue = Math.floor(Date.now() / 1000) - channel.auth.exp;
      if (overdue >= 0) this.#shutdown(channel, `Token has expired ${overdue} seconds ago`);
      else this.#scheduleExpiry(channel);
    }, Math.max(0, Math.min(ms, MAX_EXPIRY_TIMER_MS)));
  }

  /** Realtime's shutdown_response: a system error on the channel, then the channel closes. */
  #shutdown(channel: ChannelState, message: string): void {
    this.push(channel, "system", { extension: "system", status: "error", message, channel: channel.name });
    this.#remove(channel);
    this.send({
      join_ref: channel.joinRef,
      ref: channel.joinRef,
      topic: channel.topic,
      event: "phx_close",
      payload: {},
    });
    this.hub.channelsChanged();
  }

  #remove(channel: ChannelState): void {
    clearTimeout(channel.expiryTimer);
    if (this.channels.get(channel.topic) === channel) this.channels.delete(channel.topic);
    this.hub.channelsChanged();
  }
}
