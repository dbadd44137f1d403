/**
 * `pulumi import` (and the `import` resource option) of a service that already exists: a
 * Read with no state, by an id that names the SVM. Nothing is written: the resource takes
 * the service over as it is, recorded as adopted, and the inputs it answers reproduce it
 * (the code `pulumi import` generates, and a next preview with no change).
 */

import { findService } from "../api/protocols-san-iscsi-services";
import { toDiagnosticError } from "../diagnostics/render";
import { IscsiServiceNotFoundError } from "../errors/data-sources";
import { ImportIdError } from "../errors/resource";
import { FIELDS, INPUT_NAMES } from "../iscsi/fields";
import { type IscsiServiceInputs, toInputs, toOutputs } from "../iscsi/model";
import { newClaimId } from "../ownership";
import { UUID_PATTERN } from "../values";
import type { Connections } from "./connections";
import type { Refreshed } from "./operations";

/** What an import id names: the connection profile (absent: the default connection) and the SVM. */
export interface ImportId {
  cluster?: string;
  svm: { name?: string; uuid?: string };
}

// An SVM name or UUID never contains "/": everything before the last one is the profile.
const SVM_PART = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,46}$/;

/** Parses `[<profile>/]<SVM name or UUID>`; throws {@link ImportIdError}. */
export function parseImportId(id: string): ImportId {
  const slash = id.lastIndexOf("/");
  const cluster = slash < 0 ? undefined : id.slice(0, slash);
  const svm = id.slice(slash + 1);
  if (cluster === "" || !SVM_PART.test(svm)) throw new ImportIdError(id);
  const named = UUID_PATTERN.test(svm) ? { uuid: svm.toLowerCase() } : { name: svm };
  return cluster === undefined ? { svm: named } : { cluster, svm: named };
}

/** The live service an import id names, as the resource's outputs and the inputs that reproduce them. */
export async function importResource(conns: Connections, id: string): Promise<Refreshed> {
  const { cluster, svm } = parseImportId(id);
  const run = conns.runFor(cluster);
  const label = svm.name ?? svm.uuid ?? id;
  let record: Awaited<ReturnType<typeof findService>>;
  try {
    record = await findService(run.client, svm);
  } catch (err) {
    throw toDiagnosticError(err, { action: "import the iSCSI service", svm: label });
  }
  if (!record) throw new IscsiServiceNotFoundError(label, run.host);
  const alias = record.target?.alias;
  const inputs: IscsiServiceInputs = {
    // Named as the id names it, so that the generated code says what the user typed.
    ...(svm.uuid === undefined ? { svmName: record.svm.name } : { svmUuid: record.svm.uuid }),
    enabled: record.enabled ?? true,
    adopt: false,
    ...(alias === undefined || alias === record.svm.name ? {} : { targetAlias: alias }),
    ...(cluster === undefined ? {} : { cluster }),
  };
  const asaR2 = await run.cache.isAsaR2();
  const outputs = toOutputs(record, inputs, { host: run.host, adopted: true, asaR2, claimId: newClaimId() });
  return { outputs, inputs: withoutDefaults(toInputs(outputs)) };
}

/**
 * The inputs without those equal to their default (`enabled: true`, `adopt: false`): the code
 * `pulumi import` generates from them says what the service has that a default would not.
 */
function withoutDefaults(inputs: IscsiServiceInputs): IscsiServiceInputs {
  const kept: Record<string, unknown> = { ...inputs };
  for (const name of INPUT_NAMES) if (kept[name] === FIELDS[name].input?.default) delete kept[name];
  return kept as unknown as IscsiServiceInputs;
}
