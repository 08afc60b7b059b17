// Running commands for the stack CLI, with errors that say which command failed and why.
import { setTimeout as sleep } from "node:timers/promises";
export class StackError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; stdin?: string; inherit?: boolean } = {},
): Promise<RunResult> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, {
      args,
      env: options.env,
      cwd: options.cwd,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: options.inherit ? "inherit" : "piped",
      stderr: options.inherit ? "inherit" : "piped",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new StackError(`command not found: ${cmd}`);
    throw error;
  }
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: options.inherit ? "" : decoder.decode(out.stdout), stderr: options.inherit ? "" : decoder.decode(out.stderr) };
}

/** Runs a command and throws a StackError carrying its stderr when it fails. */
export async function runChecked(cmd: string, args: string[], what: string, options: Parameters<typeof run>[2] = {}) {
  const result = await run(cmd, args, options);
  if (result.code !== 0) {
    const detail = (result.stderr || result.stdout).trim().split("\n").slice(-15).join("\n");
    throw new StackError(`${what} failed (exit ${result.code}):\n${detail}`);
  }
  return result;
}

export const isRoot = () => Deno.uid() === 0;

export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

export async function portInUse(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` every intervalMs until it is true (true) or timeoutMs has passed (false): the one polling loop. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(intervalMs);
  }
  return false;
}
