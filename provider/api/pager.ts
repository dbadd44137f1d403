/**
 * The one way every endpoint file reads an ONTAP collection: a GET and every page after it,
 * following `_links.next`, so that no endpoint file writes its own paging loop.
 */
import type { OntapClient } from "../ontap/client";

/** A collection answer as ONTAP returns it (GET, and POST with `return_records=true`). */
export interface Collection {
  records?: unknown[];
  num_records?: number;
  _links?: { next?: { href?: string } };
}

/** A query of a collection GET; `undefined` members are left out of the request. */
export type CollectionQuery = Record<string, string | number | boolean | undefined>;

/** What a filtered listing asks besides its filters: the fields, and the records per page (`max_records`). */
export interface ListOptions {
  fields?: string;
  maxRecords?: number;
}

/** The query of a filtered listing: the filters, then `fields` (default `defaultFields`), then `max_records`. */
export function listQuery(filters: object, options: ListOptions, defaultFields: string): CollectionQuery {
  return { ...filters, fields: options.fields ?? defaultFields, max_records: options.maxRecords };
}

/**
 * One collection GET and every page after it (`_links.next`), each record through
 * `parse`: the requests, in order, are the first GET and then each `next` link as ONTAP
 * gave it. Stops at a page without records even when ONTAP still gives a `next` link.
 */
export async function listRecords<T>(
  client: OntapClient,
  path: string,
  query: CollectionQuery,
  parse: (record: unknown) => T,
): Promise<T[]> {
  const records: T[] = [];
  let response = await client.request<Collection>({ method: "GET", path, query });
  for (;;) {
    const page = response.body.records ?? [];
    for (const record of page) records.push(parse(record));
    const next = response.body._links?.next?.href;
    // A next link may appear even when nothing is left.
    if (!next || page.length === 0) return records;
    response = await client.request<Collection>({ method: "GET", path: next });
  }
}
