// The worker is called by pg_cron/pg_net and by operators with `Authorization: Bearer <WORKER_SECRET_TOKEN>`.
const encoder = new TextEncoder();

/** Constant-time comparison (no early exit on the first differing byte, nor on length). */
export function tokensMatch(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  }
  return difference === 0 && expected.length > 0;
}

export function isAuthorized(req: Request, secretToken: string): boolean {
  const match = req.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i);
  return match !== null && match !== undefined && tokensMatch(match[1].trim(), secretToken);
}
