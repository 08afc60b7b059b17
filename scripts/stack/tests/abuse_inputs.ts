// The hostile inputs of the abuse suites: fast-check's settings (seeded, bounded runs), arbitrary
// JSON and near-miss objects, strings that have broken SQL builders and parsers, and a body that
// streams without a Content-Length.
import fc from "fast-check";

export { fc };

/** Every property runs this many seeded cases: the suite stays fast and a failure replays. */
export const FC_RUNS = Number(Deno.env.get("ABUSE_FC_RUNS") ?? 100);
export const FC_SEED = Number(Deno.env.get("ABUSE_FC_SEED") ?? 20261129);
export const fcOptions = { numRuns: FC_RUNS, seed: FC_SEED, endOnFailure: true };

/** A request body sent in chunks of "x" with no Content-Length: only counting what arrives can refuse it. */
export function streamedBody(chunks: number, chunkBytes: number): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < chunks; i++) controller.enqueue(new TextEncoder().encode("x".repeat(chunkBytes)));
      controller.close();
    },
  });
}

/** Arbitrary JSON values (objects, arrays, scalars, deep nesting, odd strings). */
export const anyJson = fc.jsonValue({ maxDepth: 4 });

/** Objects whose keys are sometimes the real field names, with values of any JSON type. */
export function objectsNear(fields: string[]) {
  const key = fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 12 }));
  return fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 });
}

/** Strings that have broken SQL builders, parsers and loggers elsewhere. */
export const NASTY_STRINGS = [
  "x'; drop table public.accounts; --",
  "' or '1'='1",
  "1) or (1=1",
  "1 or 1=1",
  '"; select pg_sleep(3); --',
  "$$; delete from public.jobs; $$",
  "') union select email, encrypted_password from auth.users --",
  "\\'; truncate public.accounts; --",
  "*",
  "%",
  "(",
  ")",
  ",",
  ".",
  '"',
  "\\",
  "{1,2",
  "[1,2)",
  "{}",
  "[]",
  "null",
  "true",
  "-1",
  "1e309",
  "99999999999999999999999",
  "00000000-0000-0000-0000-000000000000",
  "\u0000",
  "\u202e🙂",
  "a".repeat(5000),
];
