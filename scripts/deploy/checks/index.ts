// The production checklist, in the order verify:deploy runs it (docs/deploy.md maps each item to
// the testing guide's "Production Testing" section).
import type { Check } from "../lib/context.ts";
import { advisorsCheck } from "./advisors.ts";
import { authEmailsCheck } from "./auth-emails.ts";
import { cronJobsCheck } from "./cron-jobs.ts";
import { cronRunsCheck } from "./cron-runs.ts";
import { enrichmentCheck } from "./enrichment.ts";
import { functionsAuthCheck } from "./functions-auth.ts";
import { importMapsCheck } from "./import-maps.ts";
import { migrationsCheck } from "./migrations.ts";
import { realtimeCheck } from "./realtime.ts";
import { signingKeysCheck } from "./signing-keys.ts";
import { workerCallsCheck } from "./worker-calls.ts";
import { workerDatabaseCheck } from "./worker-database.ts";
import { workerHealthCheck } from "./worker-health.ts";

export const CHECKS: Check[] = [
  importMapsCheck,
  migrationsCheck,
  cronJobsCheck,
  cronRunsCheck,
  workerCallsCheck,
  workerHealthCheck,
  workerDatabaseCheck,
  signingKeysCheck,
  functionsAuthCheck,
  authEmailsCheck,
  realtimeCheck,
  advisorsCheck,
  enrichmentCheck,
];
