// POST /auth/v1/logout?scope=global|local|others: ends sessions (their refresh tokens go with them,
// on delete cascade). 204 without a body, as GoTrue's logout.go.
import type { GatewayContext } from "../context.ts";
import { badRequest } from "./errors.ts";
import { requireBearerUser } from "./request.ts";

export async function logout(req: Request, ctx: GatewayContext): Promise<Response> {
  const scope = new URL(req.url).searchParams.get("scope") ?? "";
  if (!["", "global", "local", "others"].includes(scope)) {
    throw badRequest("validation_failed", `Unsupported logout scope "${scope}"`);
  }
  const { user, sessionId } = await requireBearerUser(req, ctx);
  await ctx.sql.begin(async (tx) => {
    if (!sessionId) {
      await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where user_id = ${user.id} and revoked = false`;
    } else if (scope === "local") {
      await tx`delete from auth.sessions where id = ${sessionId}`;
    } else if (scope === "others") {
      await tx`delete from auth.sessions where user_id = ${user.id} and id <> ${sessionId}`;
    } else {
      await tx`delete from auth.sessions where user_id = ${user.id}`;
      await tx`delete from auth.refresh_tokens where user_id = ${user.id}`;
    }
  });
  return new Response(null, { status: 204 });
}
