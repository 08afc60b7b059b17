// Edge Function entry point: only HTTP wiring; see handler.ts.
import { handler } from "./handler.ts";

Deno.serve(handler);
