/**
 * The state a resource records for a simulator's service, for a refresh to start from: a
 * module of its own, so that a provider test can use it without loading the benchmark.
 */
import type { IscsiServiceOutputs } from "../../provider/iscsi/model";
import type { ServiceState } from "../simulator/types";

/**
 * The state a resource records for a simulator's service that it created (alias set by
 * the program, not adopted): what a refresh's Reads start from.
 */
export function recordedState(
  s: Pick<ServiceState, "svmName" | "svmUuid" | "enabled" | "alias" | "iqn">,
  host: string,
): IscsiServiceOutputs {
  return {
    svmName: s.svmName,
    svmUuid: s.svmUuid,
    enabled: s.enabled,
    targetAlias: s.alias,
    targetAliasDefault: false,
    targetName: s.iqn,
    host,
    adopt: false,
    adopted: false,
    asaR2: false,
  };
}
