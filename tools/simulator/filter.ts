/**
 * Matching values against ONTAP query expressions (`a|b` OR, `*` wildcard, `!` negation,
 * `<`, `>`, `<=`, `>=`, `a..b` ranges), value ordering, and dotted-path access.
 */

type Json = Record<string, unknown>;

/** Whether a value is a plain JSON object. */
export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at a dotted path, or undefined. */
export function getPath(record: unknown, path: string): unknown {
  let cur: unknown = record;
  for (const part of path.split(".")) {
    if (Array.isArray(cur) && /^\d+$/.test(part)) cur = cur[Number(part)];
    else if (isObject(cur)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

/**
 * Every value at a dotted path, looking through arrays of objects (`igroups.name` is the
 * name of each igroup); empty when there is none.
 */
export function valuesAt(record: unknown, path: string): unknown[] {
  let cur: unknown[] = [record];
  for (const part of path.split(".")) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (Array.isArray(v) && /^\d+$/.test(part)) next.push(v[Number(part)]);
      else if (Array.isArray(v)) for (const item of v) next.push(isObject(item) ? item[part] : undefined);
      else if (isObject(v)) next.push(v[part]);
    }
    cur = next.flatMap((v) => (Array.isArray(v) && v.every((i) => !isObject(i)) ? v : [v]));
  }
  return cur.filter((v) => v !== undefined);
}

/**
 * Whether a record's field holds a value matching a query expression. A field inside an
 * array of objects matches when one element does [inferred: ONTAP's rule for arrays is
 * not documented; this is how `igroups.name=ig1` reads].
 */
export function recordMatches(record: unknown, path: string, expression: string): boolean {
  const values = valuesAt(record, path);
  if (values.length <= 1) return matchesFilter(values[0], expression);
  return values.some((v) => matchesFilter(v, expression));
}

/** Orders two field values: numbers numerically, false before true, absent last. */
export function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return a ? 1 : -1;
  return String(a) < String(b) ? -1 : 1;
}

/** Compares a value with a query literal (numerically when both are numbers). */
export function compareToLiteral(v: unknown, literal: string): number {
  if (typeof v === "number" && literal.trim() !== "" && !Number.isNaN(Number(literal)))
    return v - Number(literal);
  const s = String(v);
  return s === literal ? 0 : s < literal ? -1 : 1;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`);
}

/** Whether one alternative (without its `!`) matches a value. */
function matchesPositive(v: unknown, alt: string): boolean {
  if (v === undefined || v === null) return alt === "null" || alt === "";
  if (Array.isArray(v) || isObject(v)) return false;
  const range = /^(.+)\.\.(.+)$/.exec(alt);
  if (range) return compareToLiteral(v, range[1]) >= 0 && compareToLiteral(v, range[2]) <= 0;
  const op = /^(<=|>=|<|>)(.*)$/.exec(alt);
  if (op) {
    const c = compareToLiteral(v, op[2]);
    return op[1] === "<" ? c < 0 : op[1] === ">" ? c > 0 : op[1] === "<=" ? c <= 0 : c >= 0;
  }
  if (alt.includes("*")) return globToRegExp(alt).test(String(v));
  return String(v) === alt;
}

/**
 * ONTAP filter semantics: plain alternatives are OR'ed; negated ones (`!x`) must all hold.
 * `svm.name=svm1|svm2` is either; `svm.name=!svm1|!svm2` is neither.
 */
export function matchesFilter(v: unknown, expression: string): boolean {
  const alts = expression.split("|");
  const positives = alts.filter((a) => !a.startsWith("!"));
  const negatives = alts.filter((a) => a.startsWith("!")).map((a) => a.slice(1));
  if (negatives.some((n) => matchesPositive(v, n))) return false;
  return positives.length === 0 || positives.some((p) => matchesPositive(v, p));
}
