// What every gateway route needs: the stack's configuration, a database pool, and the keys.
import postgres from "npm:postgres@3.4.9";
import { apiKey, type StackConfig } from "../config.ts";

export type Sql = postgres.Sql;

export interface GatewayContext {
  config: StackConfig;
  /** Pool for API requests; each request runs in its own transaction as the JWT's role. */
  sql: Sql;
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  /** Origins allowed by CORS (the SPA's). */
  allowedOrigins: string[];
}

export async function createContext(config: StackConfig): Promise<GatewayContext> {
  const sql = postgres(config.dbUrl, {
    max: 20,
    idle_timeout: 30,
    connect_timeout: 5,
    onnotice: () => {},
    connection: { application_name: "stack-gateway" },
  });
  return {
    config,
    sql,
    jwtSecret: config.jwtSecret,
    anonKey: await apiKey("anon", config.jwtSecret),
    serviceRoleKey: await apiKey("service_role", config.jwtSecret),
    allowedOrigins: [config.spaUrl, config.spaUrl.replace("127.0.0.1", "localhost")],
  };
}
