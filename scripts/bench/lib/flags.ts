// The bench's command line (see the top of scripts/bench/main.ts), parsed with node:util's parseArgs.
import { parseArgs } from "node:util";
import { repoRoot } from "../../stack/config.ts";

export const SECTIONS = ["queue", "cron", "pickup", "enrichment", "fairness", "scale", "realtime", "browser", "import", "apollo"] as const;
export type Section = (typeof SECTIONS)[number];
/** Sections only --only runs: "apollo" spends ~10 min waiting on Apollo's windows by design. */
export const ON_REQUEST: readonly Section[] = ["apollo"];

export interface Flags {
  quick: boolean;
  sections: Section[];
  n: number;
  runs: number;
  keepStack: boolean;
  out: string;
}

/** The flags, or null after printing the usage for --help. Throws on an unknown flag or value. */
export function parseFlags(args: string[]): Flags | null {
  const { values } = parseArgs({
    args: checked(args),
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: "boolean", default: false },
      // --only and --skip may be repeated: their lists add up
      only: { type: "string", multiple: true, default: [] },
      skip: { type: "string", multiple: true, default: [] },
      n: { type: "string" },
      runs: { type: "string" },
      "keep-stack": { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    const usage = Deno.readTextFileSync(new URL("../main.ts", import.meta.url)).split("\n").filter((l) => l.startsWith("//"));
    console.log(usage.join("\n"));
    return null;
  }
  const list = (key: "only" | "skip") => {
    const names = values[key].flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
    for (const name of names) {
      if (!SECTIONS.includes(name as Section)) {
        throw new Error(`--${key}: unknown section "${name}"; sections: ${SECTIONS.join(", ")}`);
      }
    }
    return names as Section[];
  };
  const only = list("only");
  const skip = list("skip");
  const partial = values.quick || only.length > 0 || skip.length > 0;
  const number = (key: "n" | "runs", fallback: number) => {
    const v = Number(values[key] ?? fallback);
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${key} must be a positive integer`);
    return v;
  };
  return {
    quick: values.quick,
    sections: (only.length ? only : SECTIONS.filter((s) => !ON_REQUEST.includes(s))).filter((s) => !skip.includes(s)),
    n: number("n", values.quick ? 5000 : 20_000),
    runs: number("runs", values.quick ? 1 : 3),
    keepStack: values["keep-stack"],
    out: values.out ?? `${repoRoot}/bench${partial ? "/tmp" : ""}`,
  };
}

const KNOWN = ["quick", "only", "skip", "n", "runs", "keep-stack", "out", "help"];

/** parseArgs' own errors name the option but not the ones there are. */
function checked(args: string[]): string[] {
  for (const arg of args) {
    const name = /^--([^=]+)/.exec(arg)?.[1];
    if (name === undefined || !KNOWN.includes(name)) {
      throw new Error(`unknown argument "${arg}"; flags: ${KNOWN.map((k) => `--${k}`).join(", ")} (see the top of scripts/bench/main.ts)`);
    }
  }
  return args;
}
