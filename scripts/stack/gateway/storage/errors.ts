// Supabase Storage's error answers, as the Storage server sends them (supabase/storage
// src/internal/errors/codes.ts, storage-error.ts, src/http/error-handler.ts,
// src/storage/database/errors.ts): the body is {statusCode, code, error, message}, where
// statusCode is the error's own status as a string ("403", "404", "409", "413") and error is the
// older name ("Unauthorized", "not_found", "Duplicate", "Payload too large") or else the code. The
// HTTP status is 400 for all of them except a 500 (the server's userStatusCode), so storage-js
// reports e.g. status 400 with statusCode "404" for a missing object; that is what hosted answers.
import { json } from "../http.ts";

export class StorageApiFailure extends Error {
  constructor(
    /** The error's own status, sent as the body's statusCode. */
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** The body's error field: the older name where the Storage server has one, else the code. */
    readonly error: string = code,
  ) {
    super(message);
  }

  /** 400, except a 500 and the database timeout's 544, which the Storage server sends as they are. */
  get httpStatus(): number {
    return this.statusCode === 500 || this.statusCode === 544 ? this.statusCode : 400;
  }

  toResponse(): Response {
    return json(
      { statusCode: String(this.statusCode), code: this.code, error: this.error, message: this.message },
      this.httpStatus,
    );
  }
}

export const storageErrors = {
  noSuchBucket: () => new StorageApiFailure(404, "NoSuchBucket", "Bucket not found", "Bucket not found"),
  noSuchKey: () => new StorageApiFailure(404, "NoSuchKey", "Object not found", "not_found"),
  accessDenied: (message = "new row violates row-level security policy") =>
    new StorageApiFailure(403, "AccessDenied", message, "Unauthorized"),
  alreadyExists: () => new StorageApiFailure(409, "ResourceAlreadyExists", "The resource already exists", "Duplicate"),
  entityTooLarge: () =>
    new StorageApiFailure(413, "EntityTooLarge", "The object exceeded the maximum allowed size", "Payload too large"),
  invalidMimeType: (mimeType: string) =>
    new StorageApiFailure(415, "InvalidMimeType", `mime type ${mimeType} is not supported`, "invalid_mime_type"),
  invalidKey: (key: string) => new StorageApiFailure(400, "InvalidKey", `Invalid key: ${key}`),
  invalidJwt: (message: string) => new StorageApiFailure(400, "InvalidJWT", message),
  invalidSignature: (message = "Invalid signature") => new StorageApiFailure(400, "InvalidSignature", message),
  noContent: (message = "No content provided") => new StorageApiFailure(400, "InvalidRequest", message),
  invalidRequest: (message: string) => new StorageApiFailure(400, "InvalidRequest", message),
  relatedNotFound: () => new StorageApiFailure(404, "InvalidRequest", "The related resource does not exist"),
  notFoundRoute: (method: string, path: string) =>
    new StorageApiFailure(404, "NotFound", `Route ${method}:${path} not found`, "Not Found"),
  internal: (message = "Internal server error") => new StorageApiFailure(500, "InternalError", message),
};

/** A database error in Storage's words, as its DBError.fromDBError maps SQLSTATEs. */
export function fromDatabaseError(error: unknown): StorageApiFailure | null {
  const pg = error as { code?: string; message?: string; name?: string };
  if (typeof pg?.code !== "string" || pg.name !== "PostgresError") return null;
  switch (pg.code) {
    case "42501":
      return storageErrors.accessDenied(
        pg.message?.includes("row-level security") ? "new row violates row-level security policy" : pg.message,
      );
    case "23505":
      return storageErrors.alreadyExists();
    case "23503":
      return storageErrors.relatedNotFound();
    case "57014":
      return new StorageApiFailure(544, "DatabaseTimeout", "The connection to the database timed out");
    default:
      return new StorageApiFailure(500, "DatabaseError", `database error, code: ${pg.code}`);
  }
}
