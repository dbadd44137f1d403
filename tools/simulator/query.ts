/**
 * ONTAP's query syntax for collection GETs: field filters (`a|b` OR, `*` wildcard,
 * `!` negation, `<`/`>`/`<=`/`>=`, `a..b` ranges), `fields=` projection (with `*`, `**`
 * and object names), `order_by`, paging with `start.<key>` next links (after
 * `max_records`, or where `return_timeout` would cut the page), `return_records` and
 * `return_timeout`. Fields the release does not have are unknown (./releases).
 */
import { invalidFieldsValue, invalidValue, OntapError, unexpectedArgument } from "./errors";
import { compare, compareToLiteral, getPath, isObject, recordMatches } from "./filter";
import { fieldExists, type OntapRelease, type ResourceName } from "./releases";

export { getPath } from "./filter";

/** What one resource type looks like to the query engine. */
export interface ResourceSpec {
  /** Which resource, for the release table. */
  resource: ResourceName;
  /** Leaf paths that identify a record: always returned, e.g. ["svm.uuid", "svm.name"]. */
  keys: string[];
  /** The key paging and default ordering use. */
  sortKey: string;
  /** Every leaf path a record may carry (even when absent from one record). */
  paths: string[];
  /** Top-level objects returned only when named in `fields` or with `fields=**`. */
  expensive: string[];
  /** Collection GET without `fields`: ONTAP returns only the keys; metrics collections return all. */
  collectionDefault: "keys" | "all";
}

/** Which fields to return. */
export type Selection =
  | { kind: "keys" }
  | { kind: "all"; expensive: boolean }
  | { kind: "named"; names: string[] };

type Json = Record<string, unknown>;

const COLLECTION_PARAMS = new Set(["fields", "max_records", "return_records", "return_timeout", "order_by"]);

function isKnownPath(spec: ResourceSpec, name: string): boolean {
  return spec.paths.some((p) => p === name || p.startsWith(`${name}.`));
}

/** Whether a record's leaf (or array) at `path` is part of the resource on this release. */
function isKnownLeaf(spec: ResourceSpec, path: string): boolean {
  return spec.paths.some((p) => p === path || path.startsWith(`${p}.`));
}

const gatedSpecs = new WeakMap<ResourceSpec, Map<OntapRelease, ResourceSpec>>();

/** The resource as a release has it: fields introduced later are removed. */
export function specFor(spec: ResourceSpec, release: OntapRelease): ResourceSpec {
  const byRelease = gatedSpecs.get(spec) ?? new Map<OntapRelease, ResourceSpec>();
  gatedSpecs.set(spec, byRelease);
  let gated = byRelease.get(release);
  if (!gated) {
    const exists = (p: string) => fieldExists(release, spec.resource, p);
    gated = { ...spec, paths: spec.paths.filter(exists), expensive: spec.expensive.filter(exists) };
    byRelease.set(release, gated);
  }
  return gated;
}

/** Validates `return_timeout` (0..120 seconds); returns it, or undefined when absent. */
export function parseReturnTimeout(params: URLSearchParams): number | undefined {
  const raw = params.get("return_timeout");
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 120) throw invalidValue("return_timeout", raw, "an integer from 0 to 120");
  return n;
}

/** Rejects every query parameter not in `allowed` with 262179, as ONTAP does. */
export function rejectUnknownParams(params: URLSearchParams, allowed: string[]): void {
  for (const name of params.keys()) if (!allowed.includes(name)) throw unexpectedArgument(name);
}

/** Parses `fields=`; `fallback` applies when the parameter is absent. */
export function parseFields(params: URLSearchParams, spec: ResourceSpec, fallback: Selection): Selection {
  const raw = params.get("fields");
  if (raw === null) return fallback;
  const names = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const name of names) {
    if (name !== "*" && name !== "**" && !isKnownPath(spec, name)) throw invalidFieldsValue(name);
  }
  return { kind: "named", names };
}

function included(path: string, sel: Selection, spec: ResourceSpec): boolean {
  if (!isKnownLeaf(spec, path)) return false;
  if (spec.keys.includes(path)) return true;
  const expensive = spec.expensive.some((e) => path === e || path.startsWith(`${e}.`));
  switch (sel.kind) {
    case "keys":
      return false;
    case "all":
      return sel.expensive || !expensive;
    case "named":
      return sel.names.some(
        (n) => n === "**" || (n === "*" && !expensive) || path === n || path.startsWith(`${n}.`),
      );
  }
}

/** Projects a full record onto a selection; `_links` go with every object that keeps a field. */
export function project(record: Json, sel: Selection, spec: ResourceSpec, prefix = ""): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(record)) {
    if (k === "_links") continue;
    const path = prefix ? `${prefix}.${k}` : k;
    if (isObject(v)) {
      const sub = project(v, sel, spec, path);
      if (Object.keys(sub).length > 0) out[k] = sub;
    } else if (Array.isArray(v) && v.some(isObject)) {
      // An array of objects (a session's igroups, connections): each element projected alike.
      const items = v.map((item) => (isObject(item) ? project(item, sel, spec, path) : item));
      if (items.some((item) => !isObject(item) || Object.keys(item).some((key) => key !== "_links")))
        out[k] = items;
    } else if (included(path, sel, spec)) {
      out[k] = v;
    }
  }
  if (record._links !== undefined && (prefix === "" || Object.keys(out).length > 0))
    out._links = record._links;
  return out;
}

function parseOrderBy(raw: string | null, spec: ResourceSpec): Array<{ path: string; desc: boolean }> {
  if (raw === null) return [];
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((term) => {
      const [path, dir, extra] = term.split(/\s+/);
      if (
        !isKnownPath(spec, path) ||
        extra !== undefined ||
        (dir !== undefined && !/^(asc|desc)$/i.test(dir))
      ) {
        throw new OntapError(
          400,
          "262197",
          `The value "${term}" is invalid for field "order_by".`,
          "order_by",
        );
      }
      return { path, desc: dir?.toLowerCase() === "desc" };
    });
}

function positiveInt(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw invalidValue(name, raw, "a positive integer");
  return Number(raw);
}

function bool(params: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = params.get(name);
  if (raw === null) return fallback;
  if (raw !== "true" && raw !== "false") throw invalidValue(name, raw, "true or false");
  return raw === "true";
}

/**
 * The records a query selects, for a collection PATCH or DELETE: every parameter other
 * than `allowed` is a filter on a known field (262179 otherwise), and every filter holds.
 */
export function selectRecords(
  params: URLSearchParams,
  spec: ResourceSpec,
  allowed: string[],
  records: Json[],
): Json[] {
  const filters: Array<[string, string]> = [];
  for (const [name, value] of params) {
    if (allowed.includes(name)) continue;
    if (!isKnownPath(spec, name)) throw unexpectedArgument(name);
    filters.push([name, value]);
  }
  return records
    .filter((r) => filters.every(([path, expr]) => recordMatches(r, path, expr)))
    .sort((a, b) => compare(getPath(a, spec.sortKey), getPath(b, spec.sortKey)));
}

/** Options of one collection GET. */
export interface CollectionRequest {
  /** Path under which the collection lives, e.g. "/api/svm/svms". */
  path: string;
  params: URLSearchParams;
  spec: ResourceSpec;
  /** Newest-first collections (metrics) page with the sort key descending. */
  descending?: boolean;
  /**
   * Where ONTAP's `return_timeout` would end the page: after this many records, with a
   * `next` link, even without `max_records`. Default: never.
   */
  timeoutPageRecords?: number;
}

/** Answers a collection GET over full records: filter, order, page, project. */
export function collection(req: CollectionRequest, records: Json[]): Json {
  const { params, spec } = req;
  const startParam = `start.${spec.sortKey}`;
  const filters: Array<[string, string]> = [];
  for (const [name, value] of params) {
    if (COLLECTION_PARAMS.has(name) || name === startParam) continue;
    if (!isKnownPath(spec, name)) throw unexpectedArgument(name);
    filters.push([name, value]);
  }
  parseReturnTimeout(params);
  const fallback: Selection =
    spec.collectionDefault === "keys" ? { kind: "keys" } : { kind: "all", expensive: true };
  let sel = parseFields(params, spec, fallback);
  // ONTAP returns the fields a query filtered on, as if they had been named in `fields`.
  if (filters.length > 0) {
    const names = filters.map(([n]) => n);
    sel =
      sel.kind === "named"
        ? { kind: "named", names: [...sel.names, ...names] }
        : sel.kind === "keys"
          ? { kind: "named", names }
          : sel;
  }
  const maxRecords = positiveInt(params, "max_records");
  const returnRecords = bool(params, "return_records", true);
  const order = [
    ...parseOrderBy(params.get("order_by"), spec),
    { path: spec.sortKey, desc: !!req.descending },
  ];

  const matching = records
    .filter((r) => filters.every(([path, expr]) => recordMatches(r, path, expr)))
    .sort((a, b) => {
      for (const o of order) {
        const c = compare(getPath(a, o.path), getPath(b, o.path));
        if (c !== 0) return o.desc ? -c : c;
      }
      return 0;
    });
  if (!returnRecords) return { num_records: matching.length };

  let offset = 0;
  const start = params.get(startParam);
  if (start !== null) {
    offset = matching.findIndex((r) => String(getPath(r, spec.sortKey)) === start);
    if (offset < 0) {
      // The record the link named is gone: resume at the first one after it in key order.
      const dir = req.descending ? -1 : 1;
      offset = matching.findIndex((r) => dir * compareToLiteral(getPath(r, spec.sortKey), start) > 0);
      if (offset < 0) offset = matching.length;
    }
  }
  const limit = Math.min(
    maxRecords ?? Number.POSITIVE_INFINITY,
    req.timeoutPageRecords ?? Number.POSITIVE_INFINITY,
  );
  const page = matching.slice(offset, offset + limit);
  const links: Json = { self: { href: selfHref(req.path, params) } };
  const next = matching[offset + page.length];
  if (next !== undefined) {
    const nextParams = new URLSearchParams(params);
    nextParams.set(startParam, String(getPath(next, spec.sortKey)));
    links.next = { href: `${req.path}?${queryString(nextParams)}` };
  }
  return { records: page.map((r) => project(r, sel, spec)), num_records: page.length, _links: links };
}

/** The request's own href, as ONTAP puts it in `_links.self`. */
export function selfHref(path: string, params: URLSearchParams): string {
  const qs = queryString(params);
  return qs ? `${path}?${qs}` : path;
}

/** A query string with ONTAP's list and OR separators left readable (`a,b`, `x|y`). */
export function queryString(params: URLSearchParams): string {
  return params.toString().replace(/%2C/gi, ",").replace(/%7C/gi, "|");
}
