// [functions.<name>] settings from supabase/config.toml, the file the Supabase CLI reads.
import { parse } from "smol-toml";
import { repoRoot } from "../../config.ts";

export interface FunctionSettings {
  verify_jwt?: boolean;
}

export async function readFunctionsConfig(): Promise<Record<string, FunctionSettings>> {
  const toml = parse(await Deno.readTextFile(`${repoRoot}/supabase/config.toml`)) as {
    functions?: Record<string, FunctionSettings>;
  };
  return toml.functions ?? {};
}
