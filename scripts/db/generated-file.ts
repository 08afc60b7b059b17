// Files the repository commits although a script makes them (supabase/schema.sql, the database
// types, the sample CSVs): each script either writes its file or checks that the committed copy
// is its output to the letter, so that a change to one is made in its script.
import { repoRoot } from "../stack/config.ts";

/** Lines that differ, for the failure message (a short unified-style listing). */
export function describeDifference(expected: string, actual: string, max = 40): string[] {
  const want = expected.split("\n");
  const got = actual.split("\n");
  const out: string[] = [];
  for (let i = 0; i < Math.max(want.length, got.length) && out.length < max; i++) {
    if (want[i] !== got[i]) {
      out.push(`line ${i + 1}:\n      committed: ${want[i] ?? "(none)"}\n      generated: ${got[i] ?? "(none)"}`);
    }
  }
  return out;
}

/** How the committed copy of `file` differs from `generated`: nothing when it is the same. */
export async function committedDifference(file: string, generated: string, max = 40): Promise<string[]> {
  const committed = await Deno.readTextFile(file).catch(() => "");
  return committed === generated ? [] : describeDifference(committed, generated, max);
}

/**
 * A generating script's command line: writes `generated` to `file`, or (check) says whether the
 * committed copy is the same, exiting 1 with the lines that differ and the command that rewrites it.
 */
export async function writeOrCheck(
  file: string,
  generated: string,
  { write, rewrite }: { write: boolean; rewrite: string },
): Promise<void> {
  const name = file.replace(`${repoRoot}/`, "");
  if (write) {
    await Deno.writeTextFile(file, generated);
    console.log(`wrote ${name} (${generated.split("\n").length} lines)`);
    return;
  }
  const difference = await committedDifference(file, generated);
  if (difference.length === 0) {
    console.log(`${name} is up to date`);
    return;
  }
  console.error(`${name} is not what its script makes now:`);
  for (const line of difference) console.error(`    ${line}`);
  console.error(`rewrite it: ${rewrite}`);
  Deno.exit(1);
}
