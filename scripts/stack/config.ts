// Where a local stack instance lives and how to reach it. Two instances exist so that
// `npm test` (instance "test") can run while `npm start` (instance "dev") is up.
import { instanceDir } from "./instance-dir.ts";

export const repoRoot = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** Development-only AES-256 key (base64, 32 bytes). Production sets its own with `supabase secrets set`. */
export const LOCAL_APOLLO_KEY_ENCRYPTION_KEY = "ZGV2LW9ubHktYXBvbGxvLWtleS1lbmNyeXB0aW9uMzI=";
export const LOCAL_WORKER_SECRET_TOKEN = "dev-secret-token";

const BASE_PORTS: Record<string, number> = { dev: 54321, test: 55321 };

export interface StackConfig {
  instance: string;
  dir: string;
  dataDir: string;
  logDir: string;
  ports: { api: number; db: number; pooler: number; fakeApollo: number; spa: number; functionsBase: number; mailbox: number };
  /** The connection everything uses: `postgres`, not a superuser, as on a hosted project. */
  dbUrl: string;
  /** The cluster's superuser, supabase_admin (Supabase's platform role): the bootstrap only. */
  adminDbUrl: string;
  /** Vault's root key (base64), kept outside the database as Supabase keeps its key outside SQL. */
  vaultKeyFile: string;
  /** The transaction pooler in front of the database (scripts/stack/pooler.ts), Supavisor's port 6543 on hosted. */
  poolerUrl: string;
  apiUrl: string;
  fakeApolloUrl: string;
  spaUrl: string;
  /** The local mailbox Auth sends its emails to (scripts/stack/mailbox/), like the Supabase CLI's Inbucket. */
  mailboxUrl: string;
  /** Where the stand-in keeps settings tests and developers change at run time (scripts/stack/gateway/auth/settings.ts). */
  authOverridesFile: string;
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
  const dir = instanceDir(repoRoot, instance);
  // The pooler is on base + 8: 54329 in the dev instance, the port the Supabase CLI gives its own pooler.
  const ports = {
    api: base,
    db: base + 1,
    pooler: base + 8,
    fakeApollo: base + 4,
    spa: base === 54321 ? 5173 : base + 20,
    functionsBase: base + 10,
    mailbox: base + 24,
  };
  return {
    instance,
    dir,
    dataDir: `${dir}/pgdata`,
    logDir: `${dir}/logs`,
    ports,
    dbUrl: `postgresql://postgres:postgres@127.0.0.1:${ports.db}/postgres`,
    adminDbUrl: `postgresql://supabase_admin:postgres@127.0.0.1:${ports.db}/postgres`,
    vaultKeyFile: `${dir}/vault-root.key`,
    poolerUrl: `postgresql://postgres:postgres@127.0.0.1:${ports.pooler}/postgres`,
    apiUrl: `http://127.0.0.1:${ports.api}`,
    fakeApolloUrl: `http://127.0.0.1:${ports.fakeApollo}`,
    spaUrl: `http://127.0.0.1:${ports.spa}`,
    mailboxUrl: `http://127.0.0.1:${ports.mailbox}`,
    authOverridesFile: `${dir}/auth-overrides.json`,
    workerSecretToken: LOCAL_WORKER_SECRET_TOKEN,
    apolloKeyEncryptionKey: LOCAL_APOLLO_KEY_ENCRYPTION_KEY,
    demo: { email: "demo@example.com", password: "demo-password" },
    other: { email: "other@example.com", password: "other-password" },
  };
}
