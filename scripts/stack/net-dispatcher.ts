// The pg_net shim's background worker: sends the HTTP requests queued in
// net.http_request_queue and records each answer in net._http_response, as pg_net does.
// It wakes on NOTIFY pg_net_wake (sent by net.http_* and delivered only after commit) and
// polls every second as well, so nothing waits if a notification is missed.
// Usage: STACK_INSTANCE=dev deno run -A scripts/stack/net-dispatcher.ts
import { stackConfig } from "./config.ts";
import { namedPool } from "./pool.ts";

const BATCH_SIZE = 200; // pg_net.batch_size
const TTL = "6 hours"; // pg_net.ttl

const config = stackConfig();
const sql = namedPool(config.dbUrl, "stack-net-dispatcher", { max: 4 });

interface QueuedRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string> | null;
  body: Uint8Array | null;
  timeout_milliseconds: number;
}

let draining = false;
let again = false;

async function send(request: QueuedRequest): Promise<void> {
  const started = Date.now();
  try {
    const response = await fetch(request.url, {
      method: request.method.toUpperCase(),
      headers: request.headers ?? {},
      body: request.body && request.method.toUpperCase() !== "GET" ? new Uint8Array(request.body) : undefined,
      signal: AbortSignal.timeout(request.timeout_milliseconds),
    });
    const content = await response.text();
    const headers = Object.fromEntries(response.headers.entries());
    await sql`
      insert into net._http_response (id, status_code, content_type, headers, content, timed_out)
      values (${request.id}, ${response.status}, ${response.headers.get("content-type")}, ${sql.json(headers)},
              ${content}, false)`;
    console.log(`[net] ${request.id} ${request.method} ${request.url} -> ${response.status} in ${Date.now() - started} ms`);
  } catch (error) {
    const timedOut = (error as Error).name === "TimeoutError";
    const message = timedOut
      ? `Timeout of ${request.timeout_milliseconds} ms reached`
      : `Couldn't connect to server: ${(error as Error).message}`;
    // pg_net records a failure as a row with only id, error_msg and created (timed_out for timeouts).
    await sql`insert into net._http_response (id, timed_out, error_msg) values (${request.id}, ${timedOut ? true : null}, ${message})`
      .catch((e) => console.error(`[net] could not record failure of ${request.id}:`, e.message));
    console.error(`[net] ${request.id} ${request.method} ${request.url} failed: ${message}`);
  }
}

async function drain(): Promise<void> {
  if (draining) {
    again = true;
    return;
  }
  draining = true;
  try {
    do {
      again = false;
      const batch = await sql<QueuedRequest[]>`
        delete from net.http_request_queue
        where id in (select id from net.http_request_queue order by id limit ${BATCH_SIZE} for update skip locked)
        returning id, method, url, headers, body, timeout_milliseconds`;
      // Fire and forget, like pg_net: slow endpoints do not hold up the next batch.
      for (const request of batch) send(request);
      if (batch.length === BATCH_SIZE) again = true;
    } while (again);
  } catch (error) {
    console.error("[net] could not read the request queue:", (error as Error).message);
  } finally {
    draining = false;
  }
}

async function purgeOldResponses() {
  await sql`delete from net._http_response where created < now() - ${TTL}::interval`.catch(() => {});
}

await sql.listen("pg_net_wake", () => drain(), () => drain());
setInterval(drain, 1000);
setInterval(purgeOldResponses, 60_000);
console.log(`[net] dispatcher running for ${config.dbUrl.replace(/:[^:@]+@/, ":***@")}`);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, async () => {
    await sql.end({ timeout: 2 });
    Deno.exit(0);
  });
}
