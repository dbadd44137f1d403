/**
 * What every route does alike: answer a collection GET or an instance GET over full
 * records, with the resource as the simulated release has it.
 */
import {
  collection,
  parseFields,
  parseReturnTimeout,
  project,
  type ResourceSpec,
  rejectUnknownParams,
  type Selection,
  specFor,
} from "../query";
import type { Reply, RequestContext } from "../router";

/** The resource as the simulated release has it. */
export function specOf(ctx: RequestContext, spec: ResourceSpec): ResourceSpec {
  return specFor(spec, ctx.cluster.settings.release);
}

/** A collection GET: filter, order, page (max_records, or where return_timeout would cut), project. */
export function listReply(
  ctx: RequestContext,
  path: string,
  spec: ResourceSpec,
  records: Array<Record<string, unknown>>,
  options: { params?: URLSearchParams; descending?: boolean } = {},
): Reply {
  const body = collection(
    {
      path,
      params: options.params ?? ctx.params,
      spec: specOf(ctx, spec),
      descending: options.descending,
      timeoutPageRecords: ctx.cluster.settings.timeoutPageRecords,
    },
    records,
  );
  return { status: 200, body };
}

/**
 * An instance GET: validates the query first (as ONTAP does, before looking the object
 * up), then answers every non-expensive field by default, or what `fields=` names.
 */
export function instanceQuery(
  ctx: RequestContext,
  spec: ResourceSpec,
  fallback: Selection = { kind: "all", expensive: false },
): (record: Record<string, unknown>) => Reply {
  rejectUnknownParams(ctx.params, ["fields", "return_timeout"]);
  parseReturnTimeout(ctx.params);
  const gated = specOf(ctx, spec);
  const sel = parseFields(ctx.params, gated, fallback);
  return (record) => ({ status: 200, body: project(record, sel, gated) });
}
