// The stack instance's one logical replication slot (wal2json), read by polling.
//
// Lifecycle: the slot is permanent and named per instance (stack_realtime_<instance>), created on
// first start and reused by every later start, so a gateway restart resumes where the last one
// stopped and no second slot is ever made. Changes are *peeked* (not consumed), handed to the
// dispatcher, and only then is the slot advanced past the last whole transaction handled: a crash
// or a lost connection in between replays those changes instead of losing them (at-least-once).
// A Postgres restart keeps the slot (it is persistent); the reader reconnects with backoff.
// `stack:down` leaves the slot in place: a stopped Postgres retains no WAL, and the next `up`
// continues from the same position.
//
// Polling: every POLL_MS a cheap `pg_current_wal_flush_lsn()` tells whether anything was written
// since the last peek; only then is the slot decoded. wal2json's add-tables limits decoding output to
// the tables of publication supabase_realtime, re-read before each peek, and schema realtime (the
// daily partitions of realtime.messages, for Broadcast from the database; see broadcast.ts).
import type postgres from "postgres";
import type { StackConfig } from "../../config.ts";
import { namedPool } from "../../pool.ts";
import type { Catalog } from "./catalog.ts";
import { parseWalRows, type WalChange } from "./wal.ts";
import { isBroadcastChange } from "./broadcast.ts";

export const SLOT_APPLICATION_NAME = "stack-realtime-slot";
const POLL_MS = 25;
/**
 * A peek decodes from the slot's restart point, which Postgres moves only every 15 s or so (when
 * it logs the running transactions), so under heavy writes each peek re-reads seconds of WAL:
 * the reader waits this many times its last peek's duration, which keeps it under a quarter of a
 * core instead of taking one from the database it serves.
 */
const PEEK_PAUSE_RATIO = 3;
/** Rows per peek; the peek always ends at a transaction boundary, so it may return more. */
const MAX_ROWS = 1000;
const MAX_BACKOFF_MS = 5_000;
const START_WAIT_MS = 5_000;

/** The slot of a stack instance: one per instance, stable across restarts. */
export function realtimeSlotName(config: StackConfig): string {
  return `stack_realtime_${config.instance.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`.slice(0, 63);
}

/** wal2json's add-tables syntax: schema.table, comma-separated, with , . * \ escaped. */
function wal2jsonTableList(tables: Iterable<string>): string {
  const escape = (s: string) => s.replace(/([\\,.*\s])/g, "\\$1");
  const list = [...tables].map((t) => {
    const dot = t.indexOf(".");
    return `${escape(t.slice(0, dot))}.${escape(t.slice(dot + 1))}`;
  });
  // Every table of schema realtime: realtime.messages' partitions, whatever days exist.
  return [...list, "realtime.*"].join(",");
}

export interface SlotReaderOptions {
  config: StackConfig;
  catalog: Catalog;
  /** Handles a batch of changes in commit order; the slot advances only after it resolves. */
  onChanges: (changes: WalChange[]) => Promise<void>;
  /** While true, the backlog stays in the slot (after a restart, until subscribers are back). */
  hold: () => boolean;
  log: (message: string) => void;
}

export class SlotReader {
  readonly slotName: string;
  #db: postgres.Sql;
  #stopped = false;
  #ready = false;
  #lastFlush: string | null = null;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #failures = 0;
  #inUseRetries = 0;
  #lastPeekMs = 0;

  constructor(private readonly options: SlotReaderOptions) {
    this.slotName = realtimeSlotName(options.config);
    this.#db = namedPool(options.config.dbUrl, SLOT_APPLICATION_NAME, { max: 1, idle_timeout: 0, connect_timeout: 5 });
  }

  /** Makes sure the slot exists (so changes from now on are kept), then polls in the background. */
  async start(): Promise<void> {
    // Creating a slot waits for running transactions to end: the gateway does not wait longer than
    // START_WAIT_MS for it (the reader keeps trying in the background).
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.#ensureSlot(),
        new Promise((_, reject) => timer = setTimeout(() => reject(new Error("still waiting")), START_WAIT_MS)),
      ]);
    } catch (error) {
      this.options.log(`replication slot not ready yet (${(error as Error).message}); retrying in the background`);
    } finally {
      clearTimeout(timer);
    }
    this.#loop = this.#run();
  }

  /** Whether the slot holds changes of published tables not yet handled (e.g. made while the gateway was down). */
  async hasBacklog(): Promise<boolean> {
    try {
      const published = await this.options.catalog.publication();
      const [{ n }] = await this.#db<Array<{ n: number }>>`
        select count(*)::int as n from pg_catalog.pg_logical_slot_peek_changes(
          ${this.slotName}, null, 1, 'format-version', '2', 'include-transaction', 'false',
          'actions', 'insert,update,delete', 'add-tables', ${wal2jsonTableList(published)})`;
      return n > 0;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop?.catch(() => {});
    await this.#db.end({ timeout: 2 }).catch(() => {});
  }

  async #ensureSlot(): Promise<void> {
    const rows = await this.#db<Array<{ plugin: string; database: string; wal_status: string | null }>>`
      select plugin, database, wal_status from pg_catalog.pg_replication_slots where slot_name = ${this.slotName}`;
    const slot = rows[0];
    const [{ db }] = await this.#db<Array<{ db: string }>>`select current_database() as db`;
    if (slot && (slot.plugin !== "wal2json" || slot.database !== db || slot.wal_status === "lost")) {
      this.options.log(
        `replication slot ${this.slotName} is unusable (plugin ${slot.plugin}, database ${slot.database}, ` +
          `wal ${slot.wal_status}): dropping and recreating it; changes it held are lost`,
      );
      await this.#db`select pg_catalog.pg_drop_replication_slot(${this.slotName})`;
    } else if (slot) {
      this.#ready = true;
      return;
    }
    try {
      await this.#db`select pg_catalog.pg_create_logical_replication_slot(${this.slotName}, 'wal2json')`;
      this.options.log(`created replication slot ${this.slotName} (wal2json)`);
    } catch (error) {
      // Created meanwhile by another process of this instance: use it.
      if ((error as { code?: string }).code !== "42710") throw error;
    }
    this.#ready = true;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let more = false;
      try {
        more = await this.#poll();
        if (this.#failures > 0) this.options.log("replication slot reader recovered");
        this.#failures = 0;
        this.#inUseRetries = 0;
      } catch (error) {
        if (this.#stopped) break;
        await this.#onError(error);
        continue;
      }
      if (!more) await this.#sleep(Math.max(POLL_MS, this.#lastPeekMs * PEEK_PAUSE_RATIO));
    }
  }

  /** One poll; true when the slot may hold more than one peek returned. */
  async #poll(): Promise<boolean> {
    if (!this.#ready) {
      await this.#ensureSlot();
      this.options.catalog.clear();
      this.#lastFlush = null;
    }
    this.#lastPeekMs = 0;
    if (this.options.hold()) return false;
    const [{ flush }] = await this.#db<
      Array<{ flush: string }>
    >`select pg_catalog.pg_current_wal_flush_lsn()::text as flush`;
    if (flush === this.#lastFlush) return false;
    // Re-read before each peek (changing a publication writes WAL too), as realtime's list_changes does.
    const published = await this.options.catalog.publication(true);

    const peekStarted = performance.now();
    const rows = await this.#db<Array<{ lsn: string; data: string }>>`
      select lsn::text, data from pg_catalog.pg_logical_slot_peek_changes(
        ${this.slotName}, null, ${MAX_ROWS},
        'format-version', '2', 'include-transaction', 'true', 'include-timestamp', 'true',
        'include-pk', 'true', 'include-type-oids', 'true', 'actions', 'insert,update,delete',
        'add-tables', ${wal2jsonTableList(published)})`;
    this.#lastPeekMs = performance.now() - peekStarted;
    const batch = parseWalRows(rows);
    const changes = batch.changes.filter((c) => published.has(`${c.schema}.${c.table}`) || isBroadcastChange(c));
    if (changes.length > 0) await this.options.onChanges(changes);
    const more = rows.length >= MAX_ROWS;
    // A peek that read to the end has handled every transaction committed before `flush`, those of
    // other databases too, which print nothing: the slot moves past them as well, or each later
    // peek decodes their WAL again (a busy neighbour database, such as a benchmark's, made every
    // poll re-read all it had written).
    const advanceTo = more ? batch.advanceTo : flush;
    if (advanceTo) {
      await this.#db`
        select pg_catalog.pg_replication_slot_advance(${this.slotName},
                                                      greatest(${batch.advanceTo}::pg_lsn, ${advanceTo}::pg_lsn))`;
    }
    if (!more) this.#lastFlush = flush;
    return more;
  }

  async #onError(error: unknown): Promise<void> {
    const e = error as { code?: string; message?: string };
    this.#failures++;
    // 55006: the slot is held by another backend, e.g. a connection of a gateway that was killed.
    if (e.code === "55006" && ++this.#inUseRetries > 3) {
      const ended = await this.#db`
        select pg_catalog.pg_terminate_backend(s.active_pid) from pg_catalog.pg_replication_slots s
        join pg_catalog.pg_stat_activity a on a.pid = s.active_pid
        where s.slot_name = ${this.slotName} and a.application_name = ${SLOT_APPLICATION_NAME}
          and s.active_pid <> pg_catalog.pg_backend_pid()`.catch(() => []);
      if (ended.length) this.options.log(`ended a stale backend holding replication slot ${this.slotName}`);
    }
    if (this.#failures === 1 || this.#failures % 20 === 0) {
      this.options.log(
        `replication slot reader failed (${e.code ?? "error"}: ${e.message ?? String(error)}); retrying`,
      );
    }
    if (e.code !== "55006") this.#ready = false;
    const backoff = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(this.#failures, 6));
    await this.#sleep(backoff);
  }
}
