/**
 * The OData query options Dataverse clients use (docs/protocol/dataverse.md B4 examples): $select, $filter (eq/ne/
 * gt/ge/lt/le, and/or/not, parentheses, null, true/false, numbers, 'quoted strings', unquoted GUID
 * literals, contains/startswith/endswith), $orderby, $top, $count, $expand with nested options.
 *
 * Dataverse compares strings case-insensitively and refuses comparing a Guid property with a string
 * literal ("A binary operator with incompatible types was detected"), both reproduced here.
 */
import { failDataverse } from "../errors";

export type AttributeType = "guid" | "string" | "number" | "boolean" | "datetime";

export interface QueryableShape {
  /** Type name for messages, e.g. "account". */
  entity: string;
  attributes: Record<string, AttributeType>;
  navigations: string[];
}

type Literal =
  | { type: "null" }
  | { type: "boolean"; value: boolean }
  | { type: "number"; value: number }
  | { type: "string"; value: string }
  | { type: "guid"; value: string }
  | { type: "datetime"; value: string };

export type FilterNode =
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; operand: FilterNode }
  | { kind: "compare"; op: "eq" | "ne" | "gt" | "ge" | "lt" | "le"; property: string; literal: Literal }
  | { kind: "function"; name: "contains" | "startswith" | "endswith"; property: string; value: string };

export interface QueryOptions {
  select?: string[];
  filter?: FilterNode;
  orderby?: { property: string; descending: boolean }[];
  top?: number;
  count?: boolean;
  /** `{ options, raw }`: `raw` is the text between the parentheses, for the expanded collection's nextLink. */
  expand?: { navigation: string; options: QueryOptions; raw: string }[];
  /** The paging cookie of an `@odata.nextLink` (api.ts reads it). */
  skiptoken?: string;
}

// ------------------------------------------------------------------ tokenizer

type Token =
  | { t: "ident"; v: string; pos: number }
  | { t: "string"; v: string; pos: number }
  | { t: "guid"; v: string; pos: number }
  | { t: "number"; v: number; pos: number }
  | { t: "datetime"; v: string; pos: number }
  | { t: "("; pos: number }
  | { t: ")"; pos: number }
  | { t: ","; pos: number };

const GUID_AT = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const DATETIME_AT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/;

function syntaxError(expression: string, position: number): never {
  return failDataverse("querySyntax", { expression, position });
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const ch = expression[i] ?? "";
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "(" || ch === ")" || ch === ",") {
      tokens.push({ t: ch, pos: i });
      i++;
      continue;
    }
    if (ch === "'") {
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= expression.length) syntaxError(expression, i);
        const c = expression[j];
        if (c === "'") {
          if (expression[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += c;
        j++;
      }
      tokens.push({ t: "string", v: value, pos: i });
      i = j + 1;
      continue;
    }
    const rest = expression.slice(i);
    const guid = GUID_AT.exec(rest);
    if (guid && !/[A-Za-z0-9_]/.test(rest[guid[0].length] ?? "")) {
      tokens.push({ t: "guid", v: guid[0].toLowerCase(), pos: i });
      i += guid[0].length;
      continue;
    }
    const date = DATETIME_AT.exec(rest);
    if (date && date[0].length >= 10 && /^\d{4}-/.test(rest)) {
      tokens.push({ t: "datetime", v: date[0], pos: i });
      i += date[0].length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    if (num) {
      tokens.push({ t: "number", v: Number(num[0]), pos: i });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_./@]*/.exec(rest);
    if (ident) {
      tokens.push({ t: "ident", v: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    syntaxError(expression, i);
  }
  return tokens;
}

// ------------------------------------------------------------------ $filter parser

class FilterParser {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly expression: string,
    private readonly shape: QueryableShape,
  ) {}

  parse(): FilterNode {
    const node = this.parseOr();
    const extra = this.tokens[this.index];
    if (extra) syntaxError(this.expression, extra.pos);
    return node;
  }

  private peekIdent(value: string): boolean {
    const token = this.tokens[this.index];
    return token?.t === "ident" && token.v.toLowerCase() === value;
  }

  private next(): Token {
    const token = this.tokens[this.index++];
    if (!token) syntaxError(this.expression, this.expression.length);
    return token;
  }

  private expect(kind: "(" | ")" | ","): void {
    const token = this.next();
    if (token.t !== kind) syntaxError(this.expression, token.pos);
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.peekIdent("or")) {
      this.index++;
      left = { kind: "or", left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseNot();
    while (this.peekIdent("and")) {
      this.index++;
      left = { kind: "and", left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): FilterNode {
    if (this.peekIdent("not")) {
      this.index++;
      return { kind: "not", operand: this.parseNot() };
    }
    return this.parsePrimary();
  }

  private property(token: Token): string {
    if (token.t !== "ident") syntaxError(this.expression, token.pos);
    const name = token.v;
    if (!(name in this.shape.attributes))
      failDataverse("propertyNotFound", { property: name, entity: this.shape.entity });
    return name;
  }

  private parsePrimary(): FilterNode {
    const token = this.next();
    if (token.t === "(") {
      const inner = this.parseOr();
      this.expect(")");
      return inner;
    }
    if (
      token.t === "ident" &&
      ["contains", "startswith", "endswith"].includes(token.v.toLowerCase()) &&
      this.tokens[this.index]?.t === "("
    ) {
      this.expect("(");
      const property = this.property(this.next());
      this.expect(",");
      const value = this.next();
      if (value.t !== "string") syntaxError(this.expression, value.pos);
      this.expect(")");
      return {
        kind: "function",
        name: token.v.toLowerCase() as "contains" | "startswith" | "endswith",
        property,
        value: value.v,
      };
    }
    const property = this.property(token);
    const opToken = this.next();
    const op = opToken.t === "ident" ? opToken.v.toLowerCase() : "";
    if (!["eq", "ne", "gt", "ge", "lt", "le"].includes(op)) syntaxError(this.expression, opToken.pos);
    const literal = this.literal(this.next());
    this.checkTypes(property, literal, op);
    return { kind: "compare", op: op as "eq", property, literal };
  }

  private literal(token: Token): Literal {
    switch (token.t) {
      case "string":
        return { type: "string", value: token.v };
      case "guid":
        return { type: "guid", value: token.v };
      case "number":
        return { type: "number", value: token.v };
      case "datetime":
        return { type: "datetime", value: token.v };
      case "ident": {
        const lower = token.v.toLowerCase();
        if (lower === "null") return { type: "null" };
        if (lower === "true" || lower === "false") return { type: "boolean", value: lower === "true" };
        return syntaxError(this.expression, token.pos);
      }
      default:
        return syntaxError(this.expression, token.pos);
    }
  }

  /** OData type rules as Dataverse enforces them (e.g. Guid property vs 'string' literal). */
  private checkTypes(property: string, literal: Literal, op: string): void {
    if (literal.type === "null") return;
    const attributeType = this.shape.attributes[property];
    const literalEdm: Record<Literal["type"], string> = {
      null: "null",
      boolean: "Edm.Boolean",
      number: "Edm.Int32",
      string: "Edm.String",
      guid: "Edm.Guid",
      datetime: "Edm.DateTimeOffset",
    };
    const attributeEdm: Record<AttributeType, string> = {
      guid: "Edm.Guid",
      string: "Edm.String",
      number: "Edm.Decimal",
      boolean: "Edm.Boolean",
      datetime: "Edm.DateTimeOffset",
    };
    const compatible =
      (attributeType === "guid" && literal.type === "guid") ||
      (attributeType === "string" && literal.type === "string") ||
      (attributeType === "number" && literal.type === "number") ||
      (attributeType === "boolean" && literal.type === "boolean") ||
      (attributeType === "datetime" && literal.type === "datetime");
    if (!compatible && attributeType) {
      const kinds: Record<string, string> = {
        eq: "Equal",
        ne: "NotEqual",
        gt: "GreaterThan",
        ge: "GreaterThanOrEqual",
        lt: "LessThan",
        le: "LessThanOrEqual",
      };
      failDataverse("badRequest", {
        detail: `A binary operator with incompatible types was detected. Found operand types '${attributeEdm[attributeType]}' and '${literalEdm[literal.type]}' for operator kind '${kinds[op] ?? op}'.`,
      });
    }
  }
}

export function parseFilter(expression: string, shape: QueryableShape): FilterNode {
  const tokens = tokenize(expression);
  if (tokens.length === 0) syntaxError(expression, 0);
  return new FilterParser(tokens, expression, shape).parse();
}

// ------------------------------------------------------------------ evaluation

function comparable(value: unknown, literal: Literal): [unknown, unknown] {
  switch (literal.type) {
    case "string":
      return [typeof value === "string" ? value.toLowerCase() : value, literal.value.toLowerCase()];
    case "guid":
      return [typeof value === "string" ? value.toLowerCase() : value, literal.value];
    case "datetime":
      return [typeof value === "string" ? Date.parse(value) : value, Date.parse(literal.value)];
    case "null":
      return [value ?? null, null];
    default:
      return [value, literal.value];
  }
}

export function evaluateFilter(node: FilterNode, record: Record<string, unknown>): boolean {
  switch (node.kind) {
    case "and":
      return evaluateFilter(node.left, record) && evaluateFilter(node.right, record);
    case "or":
      return evaluateFilter(node.left, record) || evaluateFilter(node.right, record);
    case "not":
      return !evaluateFilter(node.operand, record);
    case "function": {
      const value = record[node.property];
      if (typeof value !== "string") return false;
      const haystack = value.toLowerCase();
      const needle = node.value.toLowerCase();
      if (node.name === "contains") return haystack.includes(needle);
      if (node.name === "startswith") return haystack.startsWith(needle);
      return haystack.endsWith(needle);
    }
    case "compare": {
      const [left, right] = comparable(record[node.property], node.literal);
      if (node.op === "eq") return left === right || (left === undefined && right === null);
      if (node.op === "ne") return !(left === right || (left === undefined && right === null));
      if (left === null || left === undefined || right === null) return false;
      const l = left as number | string;
      const r = right as number | string;
      if (node.op === "gt") return l > r;
      if (node.op === "ge") return l >= r;
      if (node.op === "lt") return l < r;
      return l <= r;
    }
  }
}

// ------------------------------------------------------------------ option parsing

export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let current = "";
  for (const ch of text) {
    if (ch === "'") inString = !inString;
    if (!inString && ch === "(") depth++;
    if (!inString && ch === ")") depth--;
    if (!inString && depth === 0 && ch === separator) {
      parts.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** The system query options the emulator implements on a collection or record (names are case-sensitive). */
const SUPPORTED_OPTIONS = new Set(["$select", "$filter", "$orderby", "$top", "$count", "$expand", "$skiptoken"]);
/** Inside `$expand(…)` (docs/protocol/dataverse.md "Paging": no $count or $skiptoken there). */
const EXPAND_OPTIONS = new Set(["$select", "$filter", "$orderby", "$top", "$expand"]);
/** Every query parameter some resource of the emulator reads; `$id` names the record of a `$ref` DELETE. */
export const KNOWN_QUERY_PARAMETERS = new Set([...SUPPORTED_OPTIONS, "$id"]);
/**
 * Query options Dataverse supports and the emulator does not implement (docs/protocol/dataverse.md "Query
 * options"): refused rather than ignored, so no client can believe it was answered.
 */
const NOT_EMULATED = new Set(["fetchXml", "savedQuery", "userQuery", "$apply", "tag"]);

/**
 * Dataverse refuses a query parameter it does not know with 400 "The query parameter x is not supported"
 * (docs/protocol/dataverse.md "Query options"); the emulator refuses the ones it does not implement too.
 */
export function refuseQueryParameter(name: string): never {
  return failDataverse(NOT_EMULATED.has(name) ? "queryParameterNotEmulated" : "queryParameterNotSupported", { name });
}

/** Every parameter of a request must be one the emulator knows; `@name` parameter aliases are values, not options. */
export function checkQueryParameterNames(query: URLSearchParams, known: Set<string> = KNOWN_QUERY_PARAMETERS): void {
  for (const name of query.keys()) {
    if (!name.startsWith("@") && !known.has(name)) refuseQueryParameter(name);
  }
}

/**
 * Parses query options. `shapeOf(navigation)` gives the shape of an expanded navigation target.
 * Options the emulator does not implement fail as Dataverse fails unknown ones ($skip is not supported there either).
 */
export function parseQueryOptions(
  options: Map<string, string>,
  shape: QueryableShape,
  shapeOf: (navigation: string) => QueryableShape | undefined,
  within: "request" | "expand" = "request",
): QueryOptions {
  const result: QueryOptions = {};
  for (const [name, value] of options) {
    if (within === "request" && name.startsWith("@")) continue;
    if (!(within === "request" ? SUPPORTED_OPTIONS : EXPAND_OPTIONS).has(name)) refuseQueryParameter(name);
    if (name === "$skiptoken") {
      result.skiptoken = value;
    } else if (name === "$select") {
      const names = value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      for (const n of names)
        if (!(n in shape.attributes)) failDataverse("propertyNotFound", { property: n, entity: shape.entity });
      result.select = names;
    } else if (name === "$filter") {
      result.filter = parseFilter(value, shape);
    } else if (name === "$orderby") {
      result.orderby = value.split(",").map((part) => {
        const [property = "", direction = "asc", ...extra] = part.trim().split(/\s+/);
        if (!(property in shape.attributes)) failDataverse("propertyNotFound", { property, entity: shape.entity });
        if (extra.length > 0 || !["asc", "desc"].includes(direction.toLowerCase()))
          failDataverse("querySyntax", { expression: value, position: 0 });
        return { property, descending: direction.toLowerCase() === "desc" };
      });
    } else if (name === "$top") {
      if (!/^\d+$/.test(value))
        failDataverse("badRequest", {
          detail: `Invalid value '${value}' for $top query option found. The $top query option requires a non-negative integer value.`,
        });
      result.top = Number(value);
    } else if (name === "$count") {
      if (value !== "true" && value !== "false")
        failDataverse("badRequest", { detail: `'${value}' is not a valid count option.` });
      result.count = value === "true";
    } else if (name === "$expand") {
      result.expand = splitTopLevel(value, ",").map((item) => {
        const open = item.indexOf("(");
        const navigation = (open < 0 ? item : item.slice(0, open)).trim();
        if (!shape.navigations.includes(navigation))
          failDataverse("propertyNotFound", { property: navigation, entity: shape.entity });
        const targetShape = shapeOf(navigation);
        if (!targetShape) failDataverse("propertyNotFound", { property: navigation, entity: shape.entity });
        const nested = new Map<string, string>();
        if (open >= 0) {
          if (!item.endsWith(")")) failDataverse("querySyntax", { expression: value, position: open });
          for (const option of splitTopLevel(item.slice(open + 1, -1), ";")) {
            const eq = option.indexOf("=");
            if (eq < 0) failDataverse("querySyntax", { expression: value, position: open });
            nested.set(option.slice(0, eq).trim(), option.slice(eq + 1).trim());
          }
        }
        return {
          navigation,
          options: parseQueryOptions(nested, targetShape, () => undefined, "expand"),
          raw: open >= 0 ? item.slice(open + 1, -1) : "",
        };
      });
    }
  }
  return result;
}

/** Applies $filter, $orderby and $top (in that order) to rows. */
export function applyQuery<T extends { record: Record<string, unknown> }>(rows: T[], options: QueryOptions): T[] {
  let result = options.filter ? rows.filter((r) => evaluateFilter(options.filter as FilterNode, r.record)) : [...rows];
  if (options.orderby && options.orderby.length > 0) {
    const order = options.orderby;
    result = result.sort((a, b) => {
      for (const { property, descending } of order) {
        const av = a.record[property];
        const bv = b.record[property];
        if (av === bv) continue;
        if (av === null || av === undefined) return descending ? 1 : -1;
        if (bv === null || bv === undefined) return descending ? -1 : 1;
        const cmp =
          typeof av === "string" && typeof bv === "string"
            ? av.localeCompare(bv, "en", { sensitivity: "base" })
            : av < bv
              ? -1
              : av > bv
                ? 1
                : 0;
        if (cmp !== 0) return descending ? -cmp : cmp;
      }
      return 0;
    });
  }
  if (options.top !== undefined) result = result.slice(0, options.top);
  return result;
}

export function project(
  record: Record<string, unknown>,
  select: string[] | undefined,
  primaryKey: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (record["@odata.etag"] !== undefined) out["@odata.etag"] = record["@odata.etag"];
  const keys = select ?? Object.keys(record).filter((k) => !k.startsWith("@"));
  for (const key of keys) out[key] = record[key] ?? null;
  if (!(primaryKey in out)) out[primaryKey] = record[primaryKey];
  return out;
}
