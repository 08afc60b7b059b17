// /auth/v1: the GoTrue subset supabase-js uses with email + password: signup, the emailed links
// (verify, resend, recover), token (password and refresh_token grants), user (GET, PUT), logout,
// admin/users (POST), settings and health. The apikey is required, as Supabase's API gateway requires
// it in front of Auth, except for the key set and /verify, which a browser opens from an email.
import { requireApikey } from "../apikey.ts";
import type { GatewayContext } from "../context.ts";
import { json } from "../http.ts";
import { adminCreateUser } from "./admin.ts";
import { AuthApiError, errorResponse } from "./errors.ts";
import { logout } from "./logout.ts";
import { recover } from "./recover.ts";
import { resend } from "./resend.ts";
import { authSettings } from "./settings.ts";
import { signup } from "./signup.ts";
import { token } from "./token.ts";
import { getUser, updateUser } from "./user.ts";
import { verifyGet, verifyPost } from "./verify.ts";

type Route = (req: Request, ctx: GatewayContext) => Promise<Response>;

const ROUTES: Record<string, Partial<Record<string, Route>>> = {
  "/signup": { POST: signup },
  "/verify": { GET: verifyGet, POST: verifyPost },
  "/resend": { POST: resend },
  "/recover": { POST: recover },
  "/admin/users": { POST: adminCreateUser },
  "/token": { POST: token },
  "/user": { GET: getUser, PUT: updateUser },
  "/logout": { POST: logout },
  "/settings": { GET: settings },
  "/health": { GET: health },
};

export async function handleAuth(req: Request, ctx: GatewayContext): Promise<Response> {
  const path = new URL(req.url).pathname.replace(/^\/auth\/v1/, "").replace(/\/+$/, "") || "/";
  // Key discovery is public, as on Supabase: anyone may verify tokens with the public keys.
  if (path === "/.well-known/jwks.json" && (req.method === "GET" || req.method === "HEAD")) return jwks(ctx);
  // Supabase's gateway lets /verify through without a key: it is a link opened from an email.
  if (path !== "/verify") requireApikey(req, ctx);
  const methods = ROUTES[path];
  try {
    if (!methods) throw new AuthApiError(404, "not_found", "Not Found");
    const route = methods[req.method];
    if (!route) throw new AuthApiError(405, "method_not_allowed", "Method Not Allowed");
    return await route(req, ctx);
  } catch (error) {
    if (error instanceof AuthApiError) return errorResponse(error, req);
    console.error(`[auth] ${req.method} ${path} failed:`, error);
    return errorResponse(
      new AuthApiError(500, "unexpected_failure", "Unexpected failure, please check server logs for more information"),
      req,
    );
  }
}

async function settings(_req: Request, ctx: GatewayContext): Promise<Response> {
  const s = await authSettings(ctx.config);
  const external = Object.fromEntries(
    [
      "anonymous_users",
      "apple",
      "azure",
      "bitbucket",
      "discord",
      "facebook",
      "figma",
      "fly",
      "github",
      "gitlab",
      "google",
      "keycloak",
      "kakao",
      "linkedin_oidc",
      "notion",
      "spotify",
      "slack_oidc",
      "workos",
      "twitch",
      "twitter",
      "zoom",
      "phone",
    ].map((provider) => [provider, false]),
  );
  return json({
    external: { ...external, email: s.signupEnabled },
    disable_signup: !s.signupEnabled,
    mailer_autoconfirm: !s.emailConfirmations,
    phone_autoconfirm: false,
    sms_provider: "",
    saml_enabled: false,
  });
}

/**
 * The signing keys' public halves (none while tokens are HS256 with the legacy secret, which is
 * never published). Supabase's edge caches this 10 minutes; clients may keep it 10 more.
 */
function jwks(ctx: GatewayContext): Response {
  return json(ctx.keys.jwks, 200, { "cache-control": "public, max-age=600" });
}

function health(): Promise<Response> {
  return Promise.resolve(json({
    version: "local-stack",
    name: "GoTrue",
    description: "GoTrue is a user registration and authentication API (local stack subset)",
  }));
}
