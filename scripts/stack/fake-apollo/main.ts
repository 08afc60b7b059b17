// Placeholder: the fake Apollo HTTP server (issue 3) answers health only for now.
import { stackConfig } from "../config.ts";

const config = stackConfig();
Deno.serve({ port: config.ports.fakeApollo, hostname: "127.0.0.1" }, () =>
  new Response(JSON.stringify({ healthy: true, is_logged_in: false }), { headers: { "content-type": "application/json" } }));
