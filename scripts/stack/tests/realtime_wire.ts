// Realtime below supabase-js: a bare WebSocket speaking Phoenix frames (both serializers), and
// access tokens signed as the stack's Auth signs them (or by a key it does not trust) to join
// with, for the tests of the wire format and of what the server does with a token.
import { testEnv, testKeys, userClaims } from "../../test/env.ts";
import { waitFor } from "./auth_realtime_helpers.ts";

export interface RawFrame {
  join_ref: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Record<string, unknown>;
}

/** A bare WebSocket speaking Phoenix frames, for checking the wire format itself. */
export class RawSocket {
  readonly frames: RawFrame[] = [];
  /** The frames as received, before decoding. */
  readonly texts: string[] = [];
  /** The close code, once the socket has closed. */
  closeCode: number | null = null;
  #closed: Promise<void>;

  private constructor(private readonly ws: WebSocket, readonly vsn: "1.0.0" | "2.0.0") {
    this.#closed = new Promise((resolve) =>
      ws.addEventListener("close", (e) => {
        this.closeCode = e.code;
        resolve();
      })
    );
    ws.addEventListener("message", (e) => {
      this.texts.push(String(e.data));
      const raw = JSON.parse(String(e.data));
      this.frames.push(
        Array.isArray(raw)
          ? { join_ref: raw[0], ref: raw[1], topic: raw[2], event: raw[3], payload: raw[4] }
          : { join_ref: raw.join_ref ?? null, ref: raw.ref, topic: raw.topic, event: raw.event, payload: raw.payload },
      );
    });
  }

  static url(vsn: string, apikey: string): string {
    return `${testEnv.API_URL.replace(/^http/, "ws")}/realtime/v1/websocket?apikey=${
      encodeURIComponent(apikey)
    }&vsn=${vsn}`;
  }

  static open(vsn: "1.0.0" | "2.0.0", apikey = testKeys.client): Promise<RawSocket> {
    const ws = new WebSocket(RawSocket.url(vsn, apikey));
    return new Promise((resolve, reject) => {
      ws.onopen = () => resolve(new RawSocket(ws, vsn));
      ws.onerror = () => reject(new Error("websocket failed to open"));
    });
  }

  send(frame: RawFrame): void {
    this.ws.send(
      this.vsn === "2.0.0"
        ? JSON.stringify([frame.join_ref, frame.ref, frame.topic, frame.event, frame.payload])
        : JSON.stringify(frame),
    );
  }

  /** The first frame (received so far or later) matching `match`. */
  async next(match: (f: RawFrame) => boolean, what: string, timeoutMs = 3000): Promise<RawFrame> {
    await waitFor(() => this.frames.some(match), timeoutMs, what);
    return this.frames.find(match)!;
  }

  /** The reply to the frame with this ref. */
  reply(ref: string): Promise<RawFrame> {
    return this.next((f) => f.event === "phx_reply" && f.ref === ref, `the reply to ref ${ref}`);
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.#closed;
  }
}

/**
 * An access token as /auth/v1 would sign it for the user, expiring in `expiresIn` seconds; with
 * `foreign`, signed by a key the stack does not trust.
 */
export async function userToken(
  user: { id: string; email: string },
  expiresIn: number,
  { foreign = false } = {},
): Promise<string> {
  const claims = userClaims(user, { exp: Math.floor(Date.now() / 1000) + expiresIn });
  return await (foreign ? testKeys.signForeign : testKeys.sign)(claims);
}
