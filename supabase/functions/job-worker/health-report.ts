// What the health check adds to "the database answers": is the queue moving, and is the worker
// configured for production? The queue side is SQL (ops.health_snapshot(), migration
// 20261129002000_operator_views.sql); the configuration side is read from the environment here.
// Pure functions, so they are tested without a stack (ops_health_test.ts).
import { type Deployment, type EnvReader, mockApolloRequested } from "../_shared/environment.ts";

/** One alert of ops.current_alerts(): jobs_overdue, worker_not_configured, worker_calls_failing. */
export interface Alert {
  kind: string;
  message: string;
  details: Record<string, unknown>;
}

/** ops.health_snapshot(): the headline numbers. */
export interface OperationsSnapshot {
  oldest_due_age_seconds: number;
  last_24h: {
    completed: number;
    failed: number;
    failure_rate: number | null;
    top_error: { message: string; jobs: number } | null;
  };
  last_worker_call: {
    reason: string;
    at: string;
    status_code: number | null;
    outcome: string;
    round_trip_ms: number | null;
  } | null;
  thresholds: { alert_due_after_seconds: number; alert_failed_calls: number };
  alerts: Alert[];
}

export type KeyState = "set" | "missing" | "invalid";

export interface Configuration {
  apollo_key_encryption_key: KeyState;
  /** APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS is set: a key rotation is in progress. */
  apollo_key_rotation: boolean;
  /** USE_MOCK_APOLLO=true: every workspace gets the mock's sample data (outside production; ignored in it). */
  mock_apollo: boolean;
  /** WORKER_SECRET_TOKEN_PREVIOUS is accepted: a worker token rotation is in progress. */
  worker_token_rotation: boolean;
}

/** An AES-256 key as apollo-key.ts wants it: 32 bytes, base64. */
export function keyState(value: string | undefined): KeyState {
  if (!value || value.trim() === "") return "missing";
  try {
    return atob(value.trim()).length === 32 ? "set" : "invalid";
  } catch {
    return "invalid";
  }
}

export function readConfiguration(env: EnvReader, acceptsPreviousToken: boolean): Configuration {
  return {
    apollo_key_encryption_key: keyState(env.get("APOLLO_KEY_ENCRYPTION_KEY")),
    apollo_key_rotation: keyState(env.get("APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS")) === "set",
    mock_apollo: mockApolloRequested(env),
    worker_token_rotation: acceptsPreviousToken,
  };
}

/** What makes the worker degraded on its side: it cannot decrypt any stored Apollo key. */
export function configurationAlerts(configuration: Configuration): Alert[] {
  const state = configuration.apollo_key_encryption_key;
  if (state === "set") return [];
  return [{
    kind: "encryption_key_" + state,
    message: state === "missing"
      ? "APOLLO_KEY_ENCRYPTION_KEY is not set: stored Apollo keys cannot be decrypted, so enrichment jobs fail " +
        "(supabase secrets set APOLLO_KEY_ENCRYPTION_KEY=$(openssl rand -base64 32))"
      : "APOLLO_KEY_ENCRYPTION_KEY is not 32 bytes of base64: stored Apollo keys cannot be decrypted " +
        "(generate one with: openssl rand -base64 32)",
    details: {},
  }];
}

/** Worth knowing, not worth paging anyone: shown in the health body and by verify:deploy as warnings. */
export function configurationWarnings(configuration: Configuration, env: Deployment): string[] {
  const warnings: string[] = [];
  if (configuration.mock_apollo && env === "production") {
    warnings.push(
      "USE_MOCK_APOLLO=true is set but ignored in production: workspaces enrich with their own keys " +
        "(supabase secrets unset USE_MOCK_APOLLO)",
    );
  }
  if (configuration.apollo_key_rotation) {
    warnings.push(
      "APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS is set: finish the key rotation (re-encrypt, then supabase secrets unset APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS)",
    );
  }
  if (configuration.worker_token_rotation) {
    warnings.push(
      "WORKER_SECRET_TOKEN_PREVIOUS is accepted: finish the token rotation (update Vault, then supabase secrets unset WORKER_SECRET_TOKEN_PREVIOUS)",
    );
  }
  return warnings;
}

/** healthy: nothing to report; degraded: the reasons, each one line an operator can act on. */
export function verdict(alerts: Alert[]): { status: "healthy" | "degraded"; reasons: string[] } {
  return alerts.length === 0
    ? { status: "healthy", reasons: [] }
    : { status: "degraded", reasons: alerts.map((a) => a.message) };
}
