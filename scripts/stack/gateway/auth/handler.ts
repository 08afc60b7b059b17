// /auth/v1: placeholder until the GoTrue subset lands (issue 4).
import type { GatewayContext } from "../context.ts";
import { json } from "../http.ts";

export function handleAuth(_req: Request, _ctx: GatewayContext): Promise<Response> {
  return Promise.resolve(json({ code: "not_implemented", message: "Auth is not implemented yet" }, 501));
}
