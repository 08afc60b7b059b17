// Where a local stack instance lives and how to reach it. Two instances exist so that
// `npm test` (instance "test") can run while `npm start` (instance "dev") is up.
import { signJwt } from "./jwt.ts";

export const repoRoot = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** Supabase CLI's local JWT secret: the anon and service keys derived from it are the well-known local ones. */
export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
/** Development-only AES-256 key (base64, 32 bytes). Production sets its own with `supabase secrets set`. */
export const LOCAL_APOLLO_KEY_ENCRYPTION_KEY = "ZGV2LW9ubHktYXBvbGxvLWtleS1lbmNyeXB0aW9uMzI=";
export const LOCAL_WORKER_SECRET_TOKEN = "dev-secret-token";

const BASE_PORTS: Record<string, number> = { dev: 54321, test: 55321 };

export interface StackConfig {
  instance: string;
  dir: string;
  dataDir: string;
  logDir: string;
  ports: { api: number; db: number; fakeApollo: number; spa: number; functionsBase: number };
  dbUrl: string;
  apiUrl: string;
  fakeApolloUrl: string;
  spaUrl: string;
  jwtSecret: string;
  workerSecretToken: string;
  apolloKeyEncryptionKey: string;
  demo: { email: string; password: string };
  other: { email: string; password: string };
}

export function stackConfig(instance = Deno.env.get("STACK_INSTANCE") ?? "dev"): StackConfig {
  const base = Number(Deno.env.get("STACK_PORT_BASE") ?? BASE_PORTS[instance]);
  if (!Number.isInteger(base)) {
    throw new Error(`Unknown stack instance "${instance}": use dev or test, or set STACK_PORT_BASE.`);
  }
  const dir = `${repoRoot}/.stack/${instance}`;
  const ports = { api: base, db: base + 1, fakeApollo: base + 4, spa: base === 54321 ? 5173 : base + 20, functionsBase: base + 10 };
  return {
    instance,
    dir,
    dataDir: `${dir}/pgdata`,
    logDir: `${dir}/logs`,
    ports,
    dbUrl: `postgresql://postgres:postgres@127.0.0.1:${ports.db}/postgres`,
    apiUrl: `http://127.0.0.1:${ports.api}`,
    fakeApolloUrl: `http://127.0.0.1:${ports.fakeApollo}`,
    spaUrl: `http://127.0.0.1:${ports.spa}`,
    jwtSecret: LOCAL_JWT_SECRET,
    workerSecretToken: LOCAL_WORKER_SECRET_TOKEN,
    apolloKeyEncryptionKey: LOCAL_APOLLO_KEY_ENCRYPTION_KEY,
    demo: { email: "demo@example.com", password: "demo-password" },
    other: { email: "other@example.com", password: "other-password" },
  };
}

/** Long-lived keys with Supabase's local claims, so they equal the keys `supabase status` prints. */
export function apiKey(role: "anon" | "service_role", secret = LOCAL_JWT_SECRET): Promise<string> {
  return signJwt({ iss: "supabase-demo", role, exp: 1983812996 }, secret);
}

/** The env block printed by `stack:status`, in the order `supabase status -o env` uses. */
export async function envBlock(config: StackConfig): Promise<Record<string, string>> {
  return {
    API_URL: config.apiUrl,
    DB_URL: config.dbUrl,
    ANON_KEY: await apiKey("anon", config.jwtSecret),
    SERVICE_ROLE_KEY: await apiKey("service_role", config.jwtSecret),
    JWT_SECRET: config.jwtSecret,
    WORKER_SECRET_TOKEN: config.workerSecretToken,
    DEMO_EMAIL: config.demo.email,
    DEMO_PASSWORD: config.demo.password,
    FAKE_APOLLO_URL: config.fakeApolloUrl,
    SPA_URL: config.spaUrl,
  };
}
