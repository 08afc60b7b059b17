// The stack that tests talk to: instance "test" unless STACK_INSTANCE says otherwise.
// Tests import this instead of hard-coding ports or keys.
import { envBlock, stackConfig } from "../stack/config.ts";

export const testConfig = stackConfig(Deno.env.get("STACK_INSTANCE") ?? "test");
export const testEnv = await envBlock(testConfig);
