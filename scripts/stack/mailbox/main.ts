// The stack's mailbox daemon: Auth's emails land here (stackConfig().mailboxUrl) instead of being
// sent; a developer reads them at that URL, tests through its JSON API (README.md).
import { stackConfig } from "../config.ts";
import { startMailbox } from "./server.ts";

const config = stackConfig();
const running = startMailbox({ port: config.ports.mailbox });
console.log(`mailbox listening on ${running.url} (instance ${config.instance})`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    running.close().finally(() => Deno.exit(0));
  });
}
