// Running the engine drivers as child processes and reading their JSON lines.
import { repoRoot } from "../../stack/config.ts";

export const DENO = `${repoRoot}/node_modules/.bin/deno`;

export interface ProcResult {
  lines: Record<string, unknown>[];
  stderr: string;
}

/** Runs a command to the end; throws with its stderr when it fails or exceeds timeoutMs. */
export async function runJsonLines(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ProcResult> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: repoRoot,
    env: options.env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, options.timeoutMs ?? 300_000);
  const out = await child.output();
  clearTimeout(timer);
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ").slice(0, 200)} exited with ${out.code}:\n${
        stderr.trim().split("\n").slice(-15).join("\n")
      }`,
    );
  }
  const lines = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  return { lines, stderr };
}
