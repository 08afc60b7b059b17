// The query string of a /rest/v1 request, parsed into an AST with PostgREST's grammar
// (src/PostgREST/ApiRequest/QueryParams.hs): select, filters, and/or trees, order, limit/offset,
// columns. Pure: it knows nothing of the schema; sql-builder.ts checks every name against the cache.
import { badQuery, RestError, unsupported } from "./errors.ts";

export interface JsonStep {
  arrow: "->" | "->>";
  /** A key, or an array index (digits, maybe with a leading minus) when `index`. */
  key: string;
  index: boolean;
}

export interface Field {
  name: string;
  path: JsonStep[];
}

export type SelectItem =
  | { kind: "star" }
  | { kind: "column"; field: Field; alias: string | null; cast: string | null };

export const SIMPLE_OPERATORS = [
  "eq",
  "neq",
  "gt",
  "gte",
  "lt",
  "lte",
  "like",
  "ilike",
  "match",
  "imatch",
  "cs",
  "cd",
  "ov",
  "sl",
  "sr",
  "nxr",
  "nxl",
  "adj",
  "isdistinct",
] as const;
export type SimpleOperator = typeof SIMPLE_OPERATORS[number];

export type Operation =
  | { op: SimpleOperator; value: string }
  | { op: "in"; values: string[] }
  | { op: "is"; value: "null" | "true" | "false" | "unknown" };

export interface Filter {
  field: Field;
  negate: boolean;
  operation: Operation;
}

export type Condition =
  | { kind: "filter"; filter: Filter }
  | { kind: "logic"; negate: boolean; operator: "and" | "or"; children: Condition[] };

export interface OrderTerm {
  field: Field;
  direction: "asc" | "desc" | null;
  nulls: "first" | "last" | null;
}

export interface ParsedQuery {
  /** `select=` as given; [*] when absent. An empty list (`select=`) selects no columns: rows are {}. */
  select: SelectItem[];
  /** Top-level conditions, joined with AND. */
  where: Condition[];
  order: OrderTerm[];
  limit: number | null;
  offset: number | null;
  /** `columns=` of an insert. */
  columns: string[] | null;
  onConflict: string | null;
  /** Arguments of a GET/HEAD rpc call: the parameters named like the function's arguments. */
  args: Record<string, string>;
}

/** A syntax error at a position; turned into PostgREST's PGRST100 message. */
class ParseError extends Error {
  constructor(readonly what: string, readonly input: string, readonly column: number, readonly details: string) {
    super(details);
  }

  toRestError(): RestError {
    return badQuery(`"failed to parse ${this.what} (${this.input})" (line 1, column ${this.column})`, this.details);
  }
}

class Cursor {
  pos = 0;
  constructor(readonly text: string, readonly what: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }
  eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }
  skipSpaces(): void {
    while (this.text[this.pos] === " " || this.text[this.pos] === "\t") this.pos++;
  }
  fail(details: string, at = this.pos): never {
    throw new ParseError(this.what, this.text, at + 1, details);
  }
  expect(s: string): void {
    if (this.eat(s)) return;
    this.fail(
      this.done
        ? `expected "${s}" but the input ended`
        : `expected "${s}" at "${this.text.slice(this.pos, this.pos + 12)}"`,
    );
  }
  expectEnd(what: string): void {
    if (!this.done) this.fail(`unexpected "${this.text.slice(this.pos, this.pos + 12)}", expecting ${what}`);
  }
  /** One or more items separated by ",", with spaces around each, every one read by `item`. */
  commaSeparated<T>(item: (c: Cursor) => T): T[] {
    const items: T[] = [];
    do {
      this.skipSpaces();
      items.push(item(this));
      this.skipSpaces();
    } while (this.eat(","));
    return items;
  }
}

// PostgREST's identifier characters: letters, digits, _, space and $; pieces may be joined by "-".
const IDENTIFIER_CHAR = /[\p{L}\p{N}_ $]/u;

function quotedValue(c: Cursor): string {
  const start = c.pos;
  c.expect('"');
  let value = "";
  while (!c.done) {
    const ch = c.text[c.pos++];
    if (ch === '"') return value;
    if (ch === "\\" && !c.done) value += c.text[c.pos++];
    else value += ch;
  }
  return c.fail("unterminated quoted value", start);
}

function fieldName(c: Cursor): string {
  if (c.peek('"')) return quotedValue(c);
  const start = c.pos;
  const pieces: string[] = [];
  for (;;) {
    const from = c.pos;
    while (!c.done && IDENTIFIER_CHAR.test(c.text[c.pos])) c.pos++;
    if (c.pos === from) c.fail('expected a field name (letters, digits, _, $ or a "quoted name")');
    pieces.push(c.text.slice(from, c.pos).trim());
    if (c.peek("-") && !c.peek("->")) c.pos++;
    else break;
  }
  const name = pieces.join("-");
  if (name === "" || pieces.includes("")) c.fail("expected a field name", start);
  return name;
}

/** `->key`, `->>key`, `->0`, `->>-1`... after a column name. */
function jsonPath(c: Cursor): JsonStep[] {
  const steps: JsonStep[] = [];
  for (;;) {
    const arrow = c.eat("->>") ? "->>" : c.eat("->") ? "->" : null;
    if (!arrow) return steps;
    const index = /^-?\d+/.exec(c.text.slice(c.pos));
    const after = index ? c.text.slice(c.pos + index[0].length) : "";
    if (index && (after === "" || /^(->|::|\.|,|\))/.test(after))) {
      c.pos += index[0].length;
      steps.push({ arrow, key: index[0], index: true });
    } else {
      steps.push({ arrow, key: fieldName(c), index: false });
    }
  }
}

function field(c: Cursor): Field {
  const name = fieldName(c);
  return { name, path: jsonPath(c) };
}

function embeddingError(name: string): RestError {
  return unsupported(
    `Resource embedding ('${name}(...)' in select)`,
    "Select from a view that joins the tables, or query each table separately.",
  );
}

// ---------------------------------------------------------------------------------- select

function selectItem(c: Cursor): SelectItem {
  if (c.peek("..")) throw embeddingError(c.text.slice(c.pos + 2).split(/[(!]/)[0]);
  if (c.eat("*")) return { kind: "star" };
  let alias: string | null = null;
  const start = c.pos;
  try {
    const name = fieldName(c);
    if (c.peek(":") && !c.peek("::")) {
      c.pos++;
      alias = name;
    } else c.pos = start;
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    c.pos = start;
  }
  const name = fieldName(c);
  if (c.peek("(") || c.peek("!")) {
    if (c.peek("()")) throw new RestError(400, "PGRST123", "Use of aggregate functions is not allowed");
    throw embeddingError(name);
  }
  const path = jsonPath(c);
  let cast: string | null = null;
  if (c.eat("::")) {
    const from = c.pos;
    while (!c.done && /[A-Za-z0-9_ $]/.test(c.text[c.pos])) c.pos++;
    cast = c.text.slice(from, c.pos).trim();
    if (!cast) c.fail("expected a type name after ::");
  }
  return { kind: "column", field: { name, path }, alias, cast };
}

export function parseSelect(text: string): SelectItem[] {
  if (text.trim() === "") return [];
  const c = new Cursor(text, "select parameter");
  const items = c.commaSeparated(selectItem);
  c.expectEnd('"," or end of input');
  return items;
}

// --------------------------------------------------------------------------------- filters

type ValueParser = (c: Cursor) => string;

/** A filter's value at the top level: everything that is left. */
const restOfInput: ValueParser = (c) => {
  const value = c.text.slice(c.pos);
  c.pos = c.text.length;
  return value;
};

/** A value inside and/or: a "quoted value", a {pg,array}, or characters up to "," or ")". */
const logicValue: ValueParser = (c) => {
  if (c.peek('"')) {
    const start = c.pos;
    const value = quotedValue(c);
    if (c.done || c.peek(",") || c.peek(")")) return value;
    c.pos = start;
  }
  if (c.peek("{")) {
    const end = c.text.indexOf("}", c.pos);
    if (end >= 0) {
      const value = c.text.slice(c.pos, end + 1);
      c.pos = end + 1;
      return value;
    }
  }
  const start = c.pos;
  while (!c.done && !",)".includes(c.text[c.pos])) c.pos++;
  return c.text.slice(start, c.pos);
};

function listValues(c: Cursor): string[] {
  c.skipSpaces();
  c.expect("(");
  c.skipSpaces();
  if (c.eat(")")) return [];
  const values: string[] = [];
  do {
    if (c.peek('"')) {
      const start = c.pos;
      const value = quotedValue(c);
      if (c.peek(",") || c.peek(")")) {
        values.push(value);
        continue;
      }
      c.pos = start;
    }
    const start = c.pos;
    while (!c.done && !",)".includes(c.text[c.pos])) c.pos++;
    values.push(c.text.slice(start, c.pos));
  } while (c.eat(","));
  c.expect(")");
  c.skipSpaces();
  return values;
}

const TRILEAN = ["null", "unknown", "true", "false"] as const;
const FTS_OPERATOR = /^(fts|plfts|phfts|wfts)(\(.*\))?$/;

function operation(c: Cursor, value: ValueParser): Operation {
  if (c.eat("in.")) return { op: "in", values: listValues(c) };
  if (c.eat("is.")) {
    const word = TRILEAN.find((w) => c.text.slice(c.pos, c.pos + w.length).toLowerCase() === w);
    if (!word) c.fail("expecting null or trilean value (unknown, true, false)");
    c.pos += word.length;
    return { op: "is", value: word };
  }
  const start = c.pos;
  const dot = c.text.indexOf(".", c.pos);
  if (dot < 0) c.fail('expecting an operator and a value separated by "." (e.g. eq.5)');
  const op = c.text.slice(c.pos, dot);
  if (FTS_OPERATOR.test(op)) throw unsupported(`Full-text search (${op})`);
  if (!(SIMPLE_OPERATORS as readonly string[]).includes(op)) {
    const quantified = /^\w+\((any|all)\)$/.test(op) ? " (the (any)/(all) quantifiers are not supported here)" : "";
    c.fail(`unknown single value operator ${op}${quantified}`, start);
  }
  c.pos = dot + 1;
  return { op: op as SimpleOperator, value: value(c) };
}

function opExpr(c: Cursor, value: ValueParser): { negate: boolean; operation: Operation } {
  const negate = c.eat("not.");
  return { negate, operation: operation(c, value) };
}

/** `key=value` of a filter parameter, e.g. `name=ilike.*acme*` or `payload->>account_id=eq.<uuid>`. */
export function parseFilter(key: string, value: string): Filter {
  const keyCursor = new Cursor(key, "filter column");
  const target = field(keyCursor);
  keyCursor.expectEnd("end of the column name");
  const c = new Cursor(value, "filter");
  const { negate, operation: op } = opExpr(c, restOfInput);
  c.expectEnd("end of input");
  return { field: target, negate, operation: op };
}

function logicFilter(c: Cursor): Condition {
  const target = field(c);
  c.expect(".");
  const { negate, operation: op } = opExpr(c, logicValue);
  if (!c.done && !c.peek(",") && !c.peek(")")) c.fail('expecting "," or ")"');
  return { kind: "filter", filter: { field: target, negate, operation: op } };
}

function logicChildren(c: Cursor): Condition[] {
  c.skipSpaces();
  c.expect("(");
  const children = c.commaSeparated(condition);
  c.expect(")");
  return children;
}

function condition(c: Cursor): Condition {
  const start = c.pos;
  let filterError: ParseError;
  try {
    return logicFilter(c);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    filterError = error;
    c.pos = start;
  }
  try {
    const negate = c.eat("not.");
    const operator = c.eat("and") ? "and" : c.eat("or") ? "or" : null;
    if (!operator) c.fail("expecting a filter (column.operator.value) or and(...)/or(...)");
    return { kind: "logic", negate, operator, children: logicChildren(c) };
  } catch (error) {
    // Report whichever reading got further: that is the one the caller meant.
    if (error instanceof ParseError && error.column <= filterError.column) throw filterError;
    throw error;
  }
}

/** `or=(a.eq.1,b.gt.2)`, `and=(...)`, `not.or=(...)`. */
export function parseLogic(key: string, value: string): Condition {
  const negate = key.startsWith("not.");
  const operator = (negate ? key.slice(4) : key) as "and" | "or";
  const c = new Cursor(value, "logic tree");
  const children = logicChildren(c);
  c.skipSpaces();
  c.expectEnd("end of input");
  return { kind: "logic", negate, operator, children };
}

// ----------------------------------------------------------------------------------- order

export function parseOrder(text: string): OrderTerm[] {
  return new Cursor(text, "order").commaSeparated((c) => {
    const name = fieldName(c);
    if (c.peek("(")) throw unsupported("Ordering by an embedded resource");
    const term: OrderTerm = { field: { name, path: jsonPath(c) }, direction: null, nulls: null };
    if (c.eat(".asc")) term.direction = "asc";
    else if (c.eat(".desc")) term.direction = "desc";
    if (c.eat(".nullsfirst")) term.nulls = "first";
    else if (c.eat(".nullslast")) term.nulls = "last";
    c.skipSpaces();
    if (!c.done && !c.peek(",")) c.fail('expecting "asc", "desc", "nullsfirst" or "nullslast"');
    return term;
  });
}

function parseColumns(text: string): string[] {
  const c = new Cursor(text, "columns parameter");
  const names = c.commaSeparated(fieldName);
  c.expectEnd('"," or end of input');
  return names;
}

function nonNegativeInteger(name: string, value: string): number {
  if (!/^\d{1,15}$/.test(value.trim())) throw badQuery(`"${name}" must be a non-negative integer`, `got "${value}"`);
  return Number(value.trim());
}

// ----------------------------------------------------------------------------- whole query

// Parameters that are not filters. `apikey` is Supabase's gateway key, allowed in the URL.
const RESERVED = new Set(["select", "columns", "on_conflict", "order", "limit", "offset", "apikey"]);
const LOGIC_KEYS = new Set(["and", "or", "not.and", "not.or"]);

/** select, order, limit, or...: parameters that can never be a function argument. */
export function isReservedParam(key: string): boolean {
  return RESERVED.has(key) || LOGIC_KEYS.has(key);
}

/**
 * Parses every query parameter. `argNames` are the argument names of the function a GET/HEAD rpc
 * call targets: those parameters are arguments, not filters.
 */
export function parseQuery(params: URLSearchParams, argNames: ReadonlySet<string> = new Set()): ParsedQuery {
  const query: ParsedQuery = {
    select: [{ kind: "star" }],
    where: [],
    order: [],
    limit: null,
    offset: null,
    columns: null,
    onConflict: null,
    args: {},
  };
  try {
    const select = params.get("select");
    if (select !== null) query.select = parseSelect(select);
    const columns = params.get("columns");
    if (columns !== null) query.columns = parseColumns(columns);
    query.onConflict = params.get("on_conflict");
    for (const [key, value] of params) {
      if (argNames.has(key)) query.args[key] = value;
      else if (key === "order") query.order.push(...parseOrder(value));
      else if (key === "limit") query.limit = nonNegativeInteger("limit", value);
      else if (key === "offset") query.offset = nonNegativeInteger("offset", value);
      else if (RESERVED.has(key) || (key === "" && value === "")) continue;
      else if (LOGIC_KEYS.has(key)) query.where.push(parseLogic(key, value));
      else if (key.includes(".")) {
        // `contacts.name=eq.x`, `contacts.order=...`: options of an embedded resource (PostgREST reads any dot so).
        throw unsupported(`Filtering or ordering an embedded resource ('${key}')`);
      } else query.where.push({ kind: "filter", filter: parseFilter(key, value) });
    }
  } catch (error) {
    if (error instanceof ParseError) throw error.toRestError();
    throw error;
  }
  return query;
}
