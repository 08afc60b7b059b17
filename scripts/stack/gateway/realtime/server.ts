// /realtime/v1/websocket: placeholder until the Phoenix/postgres_changes server lands (issue 4).
import type { GatewayContext } from "../context.ts";
import { json } from "../http.ts";

export class Realtime {
  constructor(readonly ctx: GatewayContext) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  upgrade(_req: Request): Promise<Response> {
    return Promise.resolve(json({ message: "Realtime is not implemented yet" }, 501));
  }
}
