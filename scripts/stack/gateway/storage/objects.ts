// The storage.objects row operations of each Storage request, done as the Storage server does
// them (src/storage/object.ts, uploader.ts, database/knex.ts): as the requesting user, in a
// transaction with the JWT's role and claims set locally (the same GUCs PostgREST and the REST
// part of this gateway set), so the RLS policies on storage.objects decide: INSERT for an upload
// (UPDATE too for an upsert), SELECT for a download, list or info, DELETE for a remove. Two steps
// run with the gateway's own rights instead, as Storage runs them as its superuser: reading the
// bucket (its size limit and mime types) and writing the uploaded object's row once its bytes are
// stored, after the same write was tried as the user and rolled back.
import type { Caller } from "../apikey.ts";
import type { Sql } from "../context.ts";
import { fromDatabaseError, StorageApiFailure } from "./errors.ts";

export interface Bucket {
  id: string;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
}

export interface ObjectRow {
  id: string;
  bucket_id: string;
  name: string;
  owner: string | null;
  owner_id: string | null;
  version: string | null;
  metadata: Record<string, unknown> | null;
  user_metadata: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
  last_accessed_at: string;
}

/** The request's method and path, set for policies that read them (request.method, request.path). */
export interface RequestInfo {
  method: string;
  path: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Storage's owner columns for the caller: owner (uuid, deprecated) and owner_id (the JWT's sub). */
export function ownerOf(caller: Caller): { owner: string | null; ownerId: string | null } {
  const sub = typeof caller.claims.sub === "string" ? caller.claims.sub : null;
  return { owner: sub && UUID.test(sub) ? sub : null, ownerId: sub };
}

class Rollback extends Error {}

async function mapErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof StorageApiFailure || error instanceof Rollback) throw error;
    throw fromDatabaseError(error) ?? error;
  }
}

/** Runs `work` in a transaction as the caller: role, request.jwt.claims (and the older claim GUCs). */
function asCaller<T>(sql: Sql, caller: Caller, request: RequestInfo, work: (tx: Sql) => Promise<T>): Promise<T> {
  return mapErrors(() =>
    sql.begin(async (tx) => {
      const sub = typeof caller.claims.sub === "string" ? caller.claims.sub : "";
      await tx.unsafe(
        `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
          set_config('request.jwt.claim.role', $1, true), set_config('request.jwt.claim.sub', $3, true),
          set_config('request.method', $4, true), set_config('request.path', $5, true)`,
        [caller.role, JSON.stringify(caller.claims), sub, request.method, request.path],
        { prepare: true },
      );
      return await work(tx as unknown as Sql);
    }) as Promise<T>
  );
}

export async function findBucket(sql: Sql, bucketId: string): Promise<Bucket | null> {
  const rows = await mapErrors(() =>
    sql<Bucket[]>`
      select id, coalesce(public, false) as public, file_size_limit::float8 as file_size_limit, allowed_mime_types
      from storage.buckets where id = ${bucketId}`
  );
  return rows[0] ?? null;
}

/**
 * Tries the upload's row write as the caller and rolls it back (Storage's canUpload): an insert,
 * or for an upsert an insert that updates the existing row. RLS refusals and a duplicate name
 * come out as Storage's AccessDenied and ResourceAlreadyExists before any byte is read.
 */
export async function checkCanUpload(
  sql: Sql,
  caller: Caller,
  request: RequestInfo,
  target: { bucketId: string; name: string; upsert: boolean },
): Promise<void> {
  const { owner, ownerId } = ownerOf(caller);
  try {
    await asCaller(sql, caller, request, async (tx) => {
      if (target.upsert) {
        await tx`
          insert into storage.objects (bucket_id, name, owner, owner_id, version)
          values (${target.bucketId}, ${target.name}, ${owner}, ${ownerId}, '1')
          on conflict (bucket_id, name) do update
            set owner = excluded.owner, owner_id = excluded.owner_id, version = excluded.version
          returning id`;
      } else {
        await tx`
          insert into storage.objects (bucket_id, name, owner, owner_id, version)
          values (${target.bucketId}, ${target.name}, ${owner}, ${ownerId}, '1')
          returning id`;
      }
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
}

/**
 * Writes the uploaded object's row (Storage's completeUpload, as its superuser): the new version,
 * its metadata and owner. Returns the row's id and the version it replaced, whose bytes can go.
 */
export async function completeUpload(
  sql: Sql,
  caller: Caller,
  object: {
    bucketId: string;
    name: string;
    version: string;
    metadata: Record<string, unknown>;
    userMetadata: Record<string, unknown> | null;
  },
): Promise<{ id: string; previousVersion: string | null }> {
  const { owner, ownerId } = ownerOf(caller);
  return await mapErrors(() =>
    sql.begin(async (tx) => {
      const [previous] = await tx<{ version: string | null }[]>`
        select version from storage.objects where bucket_id = ${object.bucketId} and name = ${object.name} for update`;
      const [row] = await tx<{ id: string }[]>`
        insert into storage.objects (bucket_id, name, owner, owner_id, version, metadata, user_metadata)
        values (${object.bucketId}, ${object.name}, ${owner}, ${ownerId}, ${object.version},
                ${tx.json(object.metadata as never)}, ${
        object.userMetadata ? tx.json(object.userMetadata as never) : null
      })
        on conflict (bucket_id, name) do update
          set owner = excluded.owner, owner_id = excluded.owner_id, version = excluded.version,
              metadata = excluded.metadata, user_metadata = excluded.user_metadata, last_accessed_at = now()
        returning id`;
      return { id: row.id, previousVersion: previous?.version ?? null };
    }) as Promise<{ id: string; previousVersion: string | null }>
  );
}

/** The object as the caller may see it (SELECT policies), or null. */
export async function findObject(
  sql: Sql,
  caller: Caller,
  request: RequestInfo,
  bucketId: string,
  name: string,
): Promise<ObjectRow | null> {
  const rows = await asCaller(sql, caller, request, (tx) =>
    tx<ObjectRow[]>`
      select id, bucket_id, name, owner, owner_id, version, metadata, user_metadata, created_at, updated_at,
             last_accessed_at
      from storage.objects where bucket_id = ${bucketId} and name = ${name}`);
  return rows[0] ?? null;
}

/** The object read with the gateway's own rights: public buckets and signed URLs. */
export async function findObjectUnchecked(sql: Sql, bucketId: string, name: string): Promise<ObjectRow | null> {
  const rows = await mapErrors(() =>
    sql<ObjectRow[]>`
      select id, bucket_id, name, owner, owner_id, version, metadata, user_metadata, created_at, updated_at,
             last_accessed_at
      from storage.objects where bucket_id = ${bucketId} and name = ${name}`
  );
  return rows[0] ?? null;
}

/** Deletes the named objects the caller may delete (DELETE and SELECT policies); returns the deleted rows. */
export async function deleteObjects(
  sql: Sql,
  caller: Caller,
  request: RequestInfo,
  bucketId: string,
  names: string[],
): Promise<ObjectRow[]> {
  if (names.length === 0) return [];
  return await asCaller(sql, caller, request, (tx) =>
    tx<ObjectRow[]>`
      delete from storage.objects where bucket_id = ${bucketId} and name = any(${names}::text[])
      returning id, bucket_id, name, owner, owner_id, version, metadata, user_metadata, created_at, updated_at,
                last_accessed_at`);
}

export interface ListOptions {
  prefix: string;
  limit: number;
  offset: number;
  search: string;
  sortColumn: "name" | "updated_at" | "created_at" | "last_accessed_at";
  sortOrder: "asc" | "desc";
}

export interface ListEntry {
  name: string;
  id: string | null;
  updated_at: string | null;
  created_at: string | null;
  last_accessed_at: string | null;
  metadata: Record<string, unknown> | null;
}

/**
 * One folder level of a bucket as the caller may see it (Storage's storage.search): the files
 * directly under `prefix`, and each deeper folder once, as an entry whose id and metadata are null.
 */
export async function listObjects(
  sql: Sql,
  caller: Caller,
  request: RequestInfo,
  bucketId: string,
  options: ListOptions,
): Promise<ListEntry[]> {
  const prefix = options.prefix === "" || options.prefix.endsWith("/") ? options.prefix : `${options.prefix}/`;
  const order = `${options.sortColumn} ${options.sortOrder === "desc" ? "desc" : "asc"}, name`;
  const searchPattern = `${options.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return await asCaller(sql, caller, request, (tx) =>
    tx.unsafe<ListEntry[]>(
      `with level as (
         select split_part(substr(o.name, $2::int + 1), '/', 1) as entry,
                strpos(substr(o.name, $2::int + 1), '/') > 0 as folder,
                o.id, o.updated_at, o.created_at, o.last_accessed_at, o.metadata
         from storage.objects o
         where o.bucket_id = $1 and left(o.name, $2::int) = $3 and substr(o.name, $2::int + 1) ilike $4
       ), entries as (
         select distinct on (entry) entry as name,
                case when folder then null else id end as id,
                case when folder then null else updated_at end as updated_at,
                case when folder then null else created_at end as created_at,
                case when folder then null else last_accessed_at end as last_accessed_at,
                case when folder then null else metadata end as metadata
         from level order by entry, folder desc
       )
       select * from entries order by ${order} limit $5 offset $6`,
      [bucketId, [...prefix].length, prefix, searchPattern, options.limit, options.offset],
    ));
}
