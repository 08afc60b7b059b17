// /rest/v1: placeholder until the PostgREST subset lands (issue 4).
import type { GatewayContext } from "../context.ts";
import { json } from "../http.ts";

export function handleRest(_req: Request, _ctx: GatewayContext): Promise<Response> {
  return Promise.resolve(json({ code: "PGRST000", message: "REST is not implemented yet", details: null, hint: null }, 501));
}
