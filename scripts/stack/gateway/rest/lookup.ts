// Finding the table or function a request names, with PostgREST's errors when there is none
// (PGRST205, PGRST202, PGRST203) and its "Perhaps you meant ..." hints.
import { RestError } from "./errors.ts";
import { EXPOSED_SCHEMA, type Relation, type Routine, type SchemaCache } from "./schema-cache.ts";

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The most similar name, if it is similar enough to be worth suggesting. */
function closest(name: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestScore = 0.6;
  for (const candidate of candidates) {
    const score = 1 -
      editDistance(name.toLowerCase(), candidate.toLowerCase()) / Math.max(name.length, candidate.length);
    if (score > bestScore) [best, bestScore] = [candidate, score];
  }
  return best;
}

export function findRelation(cache: SchemaCache, name: string): Relation {
  const relation = cache.relations.get(name);
  if (relation) return relation;
  const suggestion = closest(name, cache.relations.keys());
  throw new RestError(
    404,
    "PGRST205",
    `Could not find the table '${EXPOSED_SCHEMA}.${name}' in the schema cache`,
    null,
    suggestion ? `Perhaps you meant the table '${EXPOSED_SCHEMA}.${suggestion}'` : null,
    true,
  );
}

/** Argument names of every overload of `name`: on GET these query parameters are arguments. */
export function argumentNames(cache: SchemaCache, name: string): Set<string> {
  return new Set((cache.routines.get(name) ?? []).flatMap((r) => r.params.map((p) => p.name)));
}

/** The overload callable with exactly these named arguments (every required one given, none unknown). */
export function findRoutine(cache: SchemaCache, name: string, argKeys: string[]): Routine {
  const overloads = cache.routines.get(name) ?? [];
  const matches = overloads.filter((r) =>
    r.namedCallable &&
    argKeys.every((k) => r.params.some((p) => p.name === k)) &&
    r.params.every((p) => !p.required || argKeys.includes(p.name))
  );
  if (matches.length === 1) return matches[0];
  const fn = `${EXPOSED_SCHEMA}.${name}`;
  if (matches.length > 1) {
    throw new RestError(
      300,
      "PGRST203",
      `Could not choose the best candidate function between: ${
        matches.map((r) => `${fn}(${r.params.map((p) => `${p.name} => ${p.type}`).join(", ")})`).join(", ")
      }`,
      null,
      "Try renaming the parameters or the function itself in the database so function overloading can be resolved",
    );
  }
  const keys = [...argKeys].sort();
  const listed = keys.length ? `(${keys.join(", ")})` : " without parameters";
  const searched = keys.length
    ? ` with parameter${keys.length > 1 ? "s" : ""} ${keys.join(", ")}`
    : " without parameters";
  let hint: string | null;
  if (overloads.length) {
    const signatures = overloads.map((r) => `(${r.params.map((p) => p.name).sort().join(", ")})`);
    const best = closest(`(${keys.join(", ")})`, signatures) ?? signatures[0];
    hint = `Perhaps you meant to call the function ${fn}${best}`;
  } else {
    const suggestion = closest(name, cache.routines.keys());
    hint = suggestion ? `Perhaps you meant to call the function ${EXPOSED_SCHEMA}.${suggestion}` : null;
  }
  throw new RestError(
    404,
    "PGRST202",
    `Could not find the function ${fn}${listed} in the schema cache`,
    `Searched for the function ${fn}${searched}, but no matches were found in the schema cache.`,
    hint,
    true,
  );
}
