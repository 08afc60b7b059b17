// /storage/v1: the Supabase Storage object routes storage-js 2.x calls (src/packages/
// StorageFileApi.ts), answered as the Storage server answers them (src/http/routes/object/):
//   POST   /object/<bucket>/<name>                upload (x-upsert: true to replace), body binary or multipart
//   PUT    /object/<bucket>/<name>                update (replaces)
//   GET    /object/[authenticated/]<bucket>/<name>  download (HEAD too; one Range: 206 / 416)
//   GET    /object/public/<bucket>/<name>         download from a public bucket, no key needed
//   GET    /object/info/[authenticated/]<bucket>/<name>  info (storage-js info() and exists())
//   DELETE /object/<bucket>  {prefixes}           remove; DELETE /object/<bucket>/<name> removes one
//   POST   /object/list/<bucket>                  list one folder level
//   POST   /object/sign/<bucket>/<name> {expiresIn}  signed URL; GET it with ?token= to download
// Row operations run as the caller, so RLS on storage.objects decides (objects.ts); bytes live
// on disk (file-store.ts); errors have Storage's shape (errors.ts). The Bucket API is not served:
// buckets are made in SQL (migrations), as this project does.
import { AuthError, type Caller, resolveCaller } from "../apikey.ts";
import type { GatewayContext } from "../context.ts";
import { json, readBodyCapped } from "../http.ts";
import { JwtVerifier, signHs256 } from "../../jwt.ts";
import { StorageApiFailure, storageErrors } from "./errors.ts";
import { FileStore } from "./file-store.ts";
import { boundaryOf, firstFile } from "./multipart.ts";
import {
  type Bucket,
  checkCanUpload,
  completeUpload,
  deleteObjects,
  findBucket,
  findObject,
  findObjectUnchecked,
  listObjects,
  type ListOptions,
  type ObjectRow,
  type RequestInfo,
} from "./objects.ts";

/** The Free plan's per-file upload limit (hosted Storage's default FILE_SIZE_LIMIT, 50 MB). */
export const GLOBAL_FILE_SIZE_LIMIT = 50 * 1024 * 1024;
/** Storage's cap on the paths of one remove call. */
const MAX_PREFIXES = 1000;
const JSON_BODY_LIMIT = 1024 * 1024;

const stores = new WeakMap<GatewayContext, FileStore>();
function storeOf(ctx: GatewayContext): FileStore {
  let store = stores.get(ctx);
  if (!store) stores.set(ctx, store = new FileStore(`${ctx.config.dir}/storage`));
  return store;
}

export async function handleStorage(req: Request, ctx: GatewayContext): Promise<Response> {
  const url = new URL(req.url);
  try {
    return await route(req, url, ctx);
  } catch (error) {
    if (error instanceof StorageApiFailure) {
      await req.body?.cancel().catch(() => {});
      return error.toResponse();
    }
    throw error;
  }
}

function decodeSegments(segments: string[]): string {
  try {
    return segments.map(decodeURIComponent).join("/");
  } catch {
    throw storageErrors.invalidKey(segments.join("/"));
  }
}

/** Storage refuses empty names and control characters (mustBeValidKey); so does the stand-in. */
function objectName(segments: string[]): string {
  const name = decodeSegments(segments);
  // deno-lint-ignore no-control-regex
  if (name === "" || /[\u0000-\u001f\u007f]/.test(name)) throw storageErrors.invalidKey(name);
  return name;
}

/** Which object a route names: its bucket and its name within the bucket. */
interface ObjectPath {
  bucketId: string;
  name: string;
}

/** `<bucket>/<name...>` of a route's path. */
function objectPath(segments: string[]): ObjectPath {
  return { bucketId: decodeSegments([segments[0]]), name: objectName(segments.slice(1)) };
}

async function route(req: Request, url: URL, ctx: GatewayContext): Promise<Response> {
  const segments = url.pathname.slice("/storage/v1/".length).split("/");
  const method = req.method;
  const info: RequestInfo = { method, path: url.pathname.slice("/storage/v1".length) };
  const range = req.headers.get("range");
  const notFound = () => storageErrors.notFoundRoute(method, url.pathname.slice("/storage/v1".length));
  if (segments[0] !== "object" || segments.length < 2 || segments[1] === "") throw notFound();
  const [, first, ...rest] = segments;

  if (first === "public" && (method === "GET" || method === "HEAD") && rest.length >= 2) {
    return await downloadPublic(ctx, objectPath(rest), method, range);
  }
  if (first === "sign" && method === "GET" && rest.length >= 2) {
    return await downloadSigned(ctx, objectPath(rest), url, method, range);
  }

  const caller = await storageCaller(req, ctx);
  if (first === "list" && method === "POST" && rest.length === 1) {
    return await list(req, ctx, caller, info, decodeSegments(rest));
  }
  if (first === "sign" && method === "POST" && rest.length >= 2) {
    return await sign(req, ctx, caller, info, objectPath(rest));
  }
  if (first === "info" && method === "GET") {
    const path = rest[0] === "authenticated" ? rest.slice(1) : rest;
    if (path.length < 2) throw notFound();
    return await objectInfo(ctx, caller, info, objectPath(path));
  }
  if (first === "authenticated" && (method === "GET" || method === "HEAD") && rest.length >= 2) {
    return await download(ctx, caller, info, objectPath(rest), method, range);
  }

  const bucketId = decodeSegments([first]);
  if (rest.length === 0 || (rest.length === 1 && rest[0] === "")) {
    if (method === "DELETE") return await removeMany(req, ctx, caller, info, bucketId);
    throw notFound();
  }
  const path = { bucketId, name: objectName(rest) };
  switch (method) {
    case "POST":
      return await upload(req, ctx, caller, info, path, req.headers.get("x-upsert") === "true");
    case "PUT":
      return await upload(req, ctx, caller, info, path, true);
    case "GET":
    case "HEAD":
      return await download(ctx, caller, info, path, method, range);
    case "DELETE":
      return await removeOne(ctx, caller, info, path);
  }
  throw notFound();
}

/**
 * The caller as Supabase's gateway and Storage decide it: the apikey is checked by the gateway
 * (its 401s are the gateway's), a bad or expired JWT is Storage's InvalidJWT.
 */
async function storageCaller(req: Request, ctx: GatewayContext): Promise<Caller> {
  try {
    return await resolveCaller(req, ctx);
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    const body = await error.response.clone().json().catch(() => ({}));
    if (typeof body.code === "string" && body.code.startsWith("PGRST3")) {
      throw storageErrors.invalidJwt(body.code === "PGRST303" ? "jwt expired" : body.message);
    }
    throw error;
  }
}

async function bucketOrFail(ctx: GatewayContext, bucketId: string): Promise<Bucket> {
  const bucket = await findBucket(ctx.sql, bucketId);
  if (!bucket) throw storageErrors.noSuchBucket();
  return bucket;
}

function checkMimeType(mimeType: string, allowed: string[] | null) {
  if (!allowed || allowed.length === 0) return;
  const [type, subtype] = mimeType.split(";")[0].trim().split("/");
  if (!subtype) throw storageErrors.invalidMimeType(mimeType);
  for (const entry of allowed) {
    const [allowedType, allowedSubtype] = entry.split("/");
    if (allowedType === type && (allowedSubtype === "*" || allowedSubtype === subtype)) return;
  }
  throw storageErrors.invalidMimeType(mimeType);
}

function decodeUserMetadata(text: string | null | undefined, base64: boolean): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const parsed = JSON.parse(
      base64 ? new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0))) : text,
    );
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

async function upload(
  req: Request,
  ctx: GatewayContext,
  caller: Caller,
  info: RequestInfo,
  { bucketId, name }: ObjectPath,
  upsert: boolean,
): Promise<Response> {
  const bucket = await bucketOrFail(ctx, bucketId);
  // As Storage does, the row write is tried as the caller (and rolled back) before any byte is read.
  await checkCanUpload(ctx.sql, caller, info, { bucketId, name, upsert });
  const limit = Math.min(GLOBAL_FILE_SIZE_LIMIT, bucket.file_size_limit ?? Infinity);

  const contentType = req.headers.get("content-type") ?? "";
  let body: ReadableStream<Uint8Array>;
  let mimeType: string;
  let cacheControl: string;
  let userMetadata: Record<string, unknown> | null;
  if (contentType.toLowerCase().startsWith("multipart/form-data")) {
    const boundary = boundaryOf(contentType);
    if (!boundary || !req.body) throw storageErrors.noContent();
    const file = await firstFile(req.body, boundary);
    if (!file) throw storageErrors.noContent();
    body = file.stream;
    mimeType = file.fields.contentType || file.mimeType;
    cacheControl = file.fields.cacheControl ? `max-age=${file.fields.cacheControl}` : "no-cache";
    userMetadata = decodeUserMetadata(file.fields.metadata ?? file.fields.userMetadata, false);
  } else {
    if (!req.body) throw storageErrors.noContent();
    body = req.body;
    mimeType = contentType || "application/octet-stream";
    cacheControl = req.headers.get("cache-control") ?? "no-cache";
    userMetadata = decodeUserMetadata(req.headers.get("x-metadata"), true);
  }
  try {
    checkMimeType(mimeType, bucket.allowed_mime_types);
  } catch (error) {
    await body.cancel().catch(() => {});
    throw error;
  }

  const store = storeOf(ctx);
  const version = crypto.randomUUID();
  const stored = await store.write(bucketId, name, version, body, limit);
  const metadata = {
    eTag: stored.eTag,
    size: stored.size,
    mimetype: mimeType,
    cacheControl,
    lastModified: stored.lastModified.toISOString(),
    contentLength: stored.size,
    httpStatusCode: 200,
  };
  let saved: { id: string; previousVersion: string | null };
  try {
    saved = await completeUpload(ctx.sql, caller, { bucketId, name, version, metadata, userMetadata });
  } catch (error) {
    await store.remove(bucketId, name, version);
    throw error;
  }
  if (saved.previousVersion && saved.previousVersion !== version) {
    await store.remove(bucketId, name, saved.previousVersion);
  }
  return json({ Id: saved.id, Key: `${bucketId}/${name}` });
}

/**
 * The bytes a Range header asks for, as Storage serves them: one range (`bytes=a-b`, `bytes=a-`,
 * `bytes=-n`); null for no header or one it does not serve (several ranges: the whole object);
 * "unsatisfiable" for a range that starts past the end.
 */
export function byteRange(header: string | null, size: number): { start: number; end: number } | "unsatisfiable" | null {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === "" && match[2] === "")) return null;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    return suffix === 0 ? "unsatisfiable" : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

/** The object's bytes (all, or the range asked for) with the headers Storage sends (from the metadata it stored at upload). */
async function objectResponse(ctx: GatewayContext, object: ObjectRow, method: string, rangeHeader: string | null = null): Promise<Response> {
  const opened = object.version ? await storeOf(ctx).open(object.bucket_id, object.name, object.version) : null;
  if (!opened) throw storageErrors.noSuchKey();
  const range = byteRange(rangeHeader, opened.size);
  if (range === "unsatisfiable") {
    await opened.stream.cancel();
    return new Response(null, { status: 416, headers: { "content-range": `bytes */${opened.size}` } });
  }
  const metadata = object.metadata ?? {};
  const headers: Record<string, string> = {
    "content-type": String(metadata.mimetype ?? "application/octet-stream"),
    "content-length": String(opened.size),
    "cache-control": String(metadata.cacheControl ?? "no-cache"),
    "last-modified": new Date(String(metadata.lastModified ?? object.updated_at)).toUTCString(),
    "accept-ranges": "bytes",
  };
  if (typeof metadata.eTag === "string") headers.etag = metadata.eTag;
  if (method === "HEAD") {
    await opened.stream.cancel();
    return new Response(null, { status: 200, headers });
  }
  if (range) {
    await opened.stream.cancel();
    const part = await storeOf(ctx).open(object.bucket_id, object.name, object.version!, range);
    if (!part) throw storageErrors.noSuchKey();
    headers["content-length"] = String(range.end - range.start + 1);
    headers["content-range"] = `bytes ${range.start}-${range.end}/${opened.size}`;
    return new Response(part.stream, { status: 206, headers });
  }
  return new Response(opened.stream, { status: 200, headers });
}

async function download(
  ctx: GatewayContext,
  caller: Caller,
  info: RequestInfo,
  { bucketId, name }: ObjectPath,
  method: string,
  range: string | null,
): Promise<Response> {
  const object = await findObject(ctx.sql, caller, info, bucketId, name);
  if (!object) throw storageErrors.noSuchKey();
  return await objectResponse(ctx, object, method, range);
}

async function downloadPublic(ctx: GatewayContext, { bucketId, name }: ObjectPath, method: string, range: string | null) {
  const bucket = await findBucket(ctx.sql, bucketId);
  if (!bucket || !bucket.public) throw storageErrors.noSuchBucket();
  const object = await findObjectUnchecked(ctx.sql, bucketId, name);
  if (!object) throw storageErrors.noSuchKey();
  return await objectResponse(ctx, object, method, range);
}

async function objectInfo(ctx: GatewayContext, caller: Caller, info: RequestInfo, { bucketId, name }: ObjectPath) {
  const object = await findObject(ctx.sql, caller, info, bucketId, name);
  if (!object) throw storageErrors.noSuchKey();
  const metadata = object.metadata ?? {};
  return json({
    id: object.id,
    name: object.name,
    version: object.version,
    bucket_id: object.bucket_id,
    size: metadata.size ?? null,
    content_type: metadata.mimetype ?? null,
    cache_control: metadata.cacheControl ?? null,
    etag: metadata.eTag ?? null,
    metadata: object.user_metadata ?? {},
    last_modified: metadata.lastModified ?? object.updated_at,
    created_at: object.created_at,
  });
}

async function readJson(req: Request): Promise<Record<string, unknown>> {
  const text = await readBodyCapped(req, JSON_BODY_LIMIT, () => storageErrors.entityTooLarge());
  try {
    const parsed = JSON.parse(text || "{}");
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed;
  } catch { /* below */ }
  throw storageErrors.invalidRequest("body must be a JSON object");
}

async function removeMany(req: Request, ctx: GatewayContext, caller: Caller, info: RequestInfo, bucketId: string) {
  const body = await readJson(req);
  const prefixes = body.prefixes;
  if (!Array.isArray(prefixes) || prefixes.length === 0 || !prefixes.every((p) => typeof p === "string")) {
    throw storageErrors.invalidRequest("body/prefixes must be a non-empty array of strings");
  }
  if (prefixes.length > MAX_PREFIXES) {
    throw storageErrors.invalidRequest(`body/prefixes must NOT have more than ${MAX_PREFIXES} items`);
  }
  const deleted = await deleteObjects(ctx.sql, caller, info, bucketId, prefixes as string[]);
  const store = storeOf(ctx);
  for (const object of deleted) await store.remove(object.bucket_id, object.name, object.version);
  return json(deleted);
}

async function removeOne(ctx: GatewayContext, caller: Caller, info: RequestInfo, { bucketId, name }: ObjectPath) {
  const deleted = await deleteObjects(ctx.sql, caller, info, bucketId, [name]);
  if (deleted.length === 0) throw storageErrors.noSuchKey();
  await storeOf(ctx).remove(bucketId, name, deleted[0].version);
  return json({ message: "Successfully deleted" });
}

const SORT_COLUMNS = new Set(["name", "updated_at", "created_at", "last_accessed_at"]);

async function list(req: Request, ctx: GatewayContext, caller: Caller, info: RequestInfo, bucketId: string) {
  const body = await readJson(req);
  const sortBy = (body.sortBy ?? {}) as { column?: string; order?: string };
  const int = (value: unknown, fallback: number) =>
    Number.isInteger(value) && (value as number) >= 0 ? value as number : fallback;
  const options: ListOptions = {
    prefix: typeof body.prefix === "string" ? body.prefix : "",
    limit: Math.min(int(body.limit, 100), 1000),
    offset: int(body.offset, 0),
    search: typeof body.search === "string" ? body.search : "",
    sortColumn: (SORT_COLUMNS.has(sortBy.column ?? "") ? sortBy.column : "name") as ListOptions["sortColumn"],
    sortOrder: sortBy.order?.toLowerCase() === "desc" ? "desc" : "asc",
  };
  await bucketOrFail(ctx, bucketId);
  return json(await listObjects(ctx.sql, caller, info, bucketId, options));
}

function urlSigner(ctx: GatewayContext): JwtVerifier {
  return JwtVerifier.forSecret(ctx.keys.legacy.jwtSecret);
}

async function sign(req: Request, ctx: GatewayContext, caller: Caller, info: RequestInfo, path: ObjectPath) {
  const { bucketId, name } = path;
  const body = await readJson(req);
  const expiresIn = Number(body.expiresIn);
  if (!Number.isFinite(expiresIn) || expiresIn < 1) throw storageErrors.invalidRequest("body/expiresIn must be >= 1");
  const object = await findObject(ctx.sql, caller, info, bucketId, name);
  if (!object) throw storageErrors.noSuchKey();
  const iat = Math.floor(Date.now() / 1000);
  const token = await signHs256(
    { url: `${bucketId}/${name}`, iat, exp: iat + Math.floor(expiresIn) },
    ctx.keys.legacy.jwtSecret,
  );
  return json({ signedURL: `/object/sign/${bucketId}/${name}?token=${token}` });
}

async function downloadSigned(ctx: GatewayContext, { bucketId, name }: ObjectPath, url: URL, method: string, range: string | null) {
  const token = url.searchParams.get("token");
  if (!token) throw storageErrors.invalidSignature("Missing token");
  let claims: Record<string, unknown>;
  try {
    claims = await urlSigner(ctx).verify(token);
  } catch (error) {
    throw storageErrors.invalidJwt((error as Error).message);
  }
  if (claims.url !== `${bucketId}/${name}`) throw storageErrors.invalidSignature();
  const object = await findObjectUnchecked(ctx.sql, bucketId, name);
  if (!object) throw storageErrors.noSuchKey();
  return await objectResponse(ctx, object, method, range);
}
