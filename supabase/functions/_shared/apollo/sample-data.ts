// Records made up by our stand-ins for Apollo (the mock client, the local fake Apollo) carry this
// key, so nobody mistakes them for Apollo's data: the account page says "sample data, not from
// Apollo" for them. Apollo's own records never have it. Plain TypeScript with no imports, so Deno,
// the fake and Vite all read it.
export const SAMPLE_DATA_KEY = "x_sample_data";

/** True when a record Apollo's stand-in made up. */
export function isSampleData(record: unknown): boolean {
  return record !== null && typeof record === "object" && (record as Record<string, unknown>)[SAMPLE_DATA_KEY] === true;
}
