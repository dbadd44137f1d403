/**
 * The URL of a request on one cluster (./client): the path under /api/ on the cluster's
 * origin, with the request's query merged into any the path carries. Its own module
 * because the encoding rules (ONTAP's readable list and OR separators) are a small grammar
 * of their own, unrelated to sending.
 */

import type { OntapRequest } from "./types";

/** The request's URL on the cluster at `origin`; a path elsewhere would carry the credentials elsewhere. */
export function requestUrl(origin: string, req: Pick<OntapRequest, "path" | "query">): URL {
  if (!req.path.startsWith("/api/")) {
    throw new TypeError(`ONTAP request path must start with "/api/", got "${req.path.split("?", 1)[0]}"`);
  }
  const url = new URL(req.path, origin);
  const added = Object.entries(req.query ?? {}).filter(([, value]) => value !== undefined);
  const replaced = new Set(added.map(([key]) => key));
  const kept = url.search
    .slice(1)
    .split("&")
    .filter((pair) => pair !== "" && !replaced.has(decodeKey(pair)));
  const pairs = [
    ...kept,
    ...added.map(([key, value]) => `${encodeQuery(key)}=${encodeQuery(String(value))}`),
  ];
  url.search = pairs.length === 0 ? "" : `?${pairs.join("&")}`;
  return url;
}

/** Query encoding that leaves ONTAP's list and OR separators readable: `fields=a,b`, `svm.uuid=a|b`. */
function encodeQuery(text: string): string {
  return encodeURIComponent(text).replace(/%2C/gi, ",").replace(/%7C/gi, "|");
}

function decodeKey(pair: string): string {
  const key = pair.split("=", 1)[0] ?? "";
  try {
    return decodeURIComponent(key.replace(/\+/g, " "));
  } catch {
    return key;
  }
}
