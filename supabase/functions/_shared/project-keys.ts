// The project's API keys as Supabase hands them to every function. A project with publishable and
// secret keys gets SUPABASE_PUBLISHABLE_KEYS / SUPABASE_SECRET_KEYS, JSON dictionaries of name ->
// key ({"default": "sb_publishable_..."}); a project with only the legacy JWT keys gets
// SUPABASE_ANON_KEY / SUPABASE_SERVICE_ROLE_KEY. The new keys win: Supabase keeps setting the
// legacy ones after they are disabled, when its gateway refuses them.

export type KeyKind = "publishable" | "secret";

const VARIABLES: Record<KeyKind, { keys: string; legacy: string }> = {
  publishable: { keys: "SUPABASE_PUBLISHABLE_KEYS", legacy: "SUPABASE_ANON_KEY" },
  secret: { keys: "SUPABASE_SECRET_KEYS", legacy: "SUPABASE_SERVICE_ROLE_KEY" },
};

type Env = { get(name: string): string | undefined };

/** The key named `name` (else the only one) of that kind, or the legacy key; throws when neither is set. */
export function projectKey(kind: KeyKind, env: Env = Deno.env, name = "default"): string {
  const { keys, legacy } = VARIABLES[kind];
  const dictionary = env.get(keys)?.trim();
  if (dictionary) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(dictionary);
    } catch {
      throw new Error(`${keys} is not JSON: it must be a dictionary of key names to keys, like {"default": "sb_..."}`);
    }
    const values = parsed && typeof parsed === "object" && !Array.isArray(parsed)
      ? Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string")
      : [];
    const named = values.find(([key]) => key === name) ?? (values.length === 1 ? values[0] : undefined);
    if (named) return named[1];
    throw new Error(`${keys} has no key named "${name}" (it has: ${values.map(([key]) => key).join(", ") || "none"})`);
  }
  const single = env.get(legacy)?.trim();
  if (single) return single;
  throw new Error(`Neither ${keys} nor ${legacy} is set: Supabase sets them for every function`);
}
