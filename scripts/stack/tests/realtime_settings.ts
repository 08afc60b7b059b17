// The stack's Realtime limits, read and changed through its settings route (secret key), for the
// tests that lower a limit and put it back afterwards.
import { testEnv, testKeys } from "../../test/env.ts";

/** The stack's Realtime limits and counters (`GET /_stack/realtime/settings`, secret key). */
export interface RealtimeSettings {
  max_events_per_second: number;
  max_joins_per_second: number;
  max_channels_per_client: number;
  max_concurrent_users: number;
  concurrent_users: number;
  db_events: RateReading;
  joins: RateReading;
}

/** A rate the stack's Realtime counts (per second, over its window) and whether it is over its limit. */
export interface RateReading {
  per_second: number;
  rate_limited: boolean;
}

/** Reads the stack's Realtime settings, or changes some (which disconnects every client and restarts the counters). */
export async function realtimeSettings(patch?: Partial<RealtimeSettings>): Promise<RealtimeSettings> {
  const response = await fetch(`${testEnv.API_URL}/_stack/realtime/settings`, {
    method: patch ? "PATCH" : "GET",
    headers: { apikey: testKeys.server, "content-type": "application/json" },
    body: patch ? JSON.stringify(patch) : undefined,
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`realtime settings: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Runs `fn` with some Realtime limits changed, then puts the limits back as they were. */
export async function withRealtimeLimits<T>(patch: Partial<RealtimeSettings>, fn: () => Promise<T>): Promise<T> {
  const before = await realtimeSettings();
  await realtimeSettings(patch);
  try {
    return await fn();
  } finally {
    await realtimeSettings({
      max_events_per_second: before.max_events_per_second,
      max_joins_per_second: before.max_joins_per_second,
      max_channels_per_client: before.max_channels_per_client,
      max_concurrent_users: before.max_concurrent_users,
    });
  }
}
