/**
 * The conversions between the models of an iSCSI service, derived from the field table
 * (./fields): `IscsiServiceRecord` (what ONTAP returns), `IscsiServiceBody` (what we send),
 * `IscsiServiceInputs` / `IscsiServiceOutputs` (what Pulumi stores). One conversion for
 * each pair; none of them names a field that the table could tell it.
 */
import {
  FIELDS,
  type FieldName,
  INPUT_NAMES,
  type IscsiServiceInputs,
  type IscsiServiceOutputs,
  STATE_VERSION,
  type SvmNamedBy,
} from "./fields";

export {
  desiredAlias,
  type IscsiServiceInputs,
  type IscsiServiceOutputs,
  STATE_VERSION,
  type SvmNamedBy,
} from "./fields";

/** A record of /api/protocols/san/iscsi/services as ONTAP returns it (only the fields we ask for). */
export interface IscsiServiceRecord {
  svm: { uuid: string; name: string };
  enabled?: boolean;
  /** Absent or "" once cleared. */
  target?: { alias?: string; name?: string };
}

/** A POST or PATCH body. PATCH never carries `svm`, and never `enabled` together with `target` (5374081). */
export interface IscsiServiceBody {
  svm?: { name?: string; uuid?: string };
  enabled?: boolean;
  target?: { alias: string };
}

const NAMES = Object.keys(FIELDS) as FieldName[];
/** The fields ONTAP keeps, in table order. */
const ONTAP_FIELDS = NAMES.filter((name) => FIELDS[name].ontap !== undefined);

/** The ONTAP fields in the order an update PATCHes them: `patchLast` ones after the others. */
const PATCH_ORDER = [...ONTAP_FIELDS].sort(
  (a, b) => Number(FIELDS[a].input?.patchLast === true) - Number(FIELDS[b].input?.patchLast === true),
);

/** The fields every read asks for: never `metric`/`statistics` (expensive). */
export const SERVICE_FIELDS = ONTAP_FIELDS.map((name) => FIELDS[name].ontap).join(",");

/** The value at a dotted path of a record; undefined when any step is missing or not an object. */
function valueAt(record: unknown, path: string): unknown {
  let value = record;
  for (const step of path.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/** Sets the value at a dotted path, making the objects on the way. */
function setAt(record: Record<string, unknown>, path: string, value: unknown): void {
  const steps = path.split(".");
  let target = record;
  for (const step of steps.slice(0, -1)) {
    target[step] = { ...(target[step] as Record<string, unknown> | undefined) };
    target = target[step] as Record<string, unknown>;
  }
  target[steps[steps.length - 1] as string] = value;
}

/** A field's value in a record, with ONTAP's meaning of absent. */
function recordValue(record: IscsiServiceRecord, name: FieldName): string | boolean {
  const rule = FIELDS[name];
  const value = valueAt(record, rule.ontap as string) as string | boolean | undefined;
  return value ?? rule.whenAbsent ?? "";
}

/** Which SVM identifiers these inputs give. */
export function svmNamedBy(inputs: Pick<IscsiServiceInputs, "svmName" | "svmUuid">): SvmNamedBy {
  if (inputs.svmUuid === undefined) return "name";
  return inputs.svmName === undefined ? "uuid" : "both";
}

/** How a service came under this resource: the outputs that neither the record nor the inputs say. */
export interface Provenance {
  /** The cluster management address it was reached at. */
  host: string;
  adopted: boolean;
  asaR2: boolean;
  claimId?: string | undefined;
}

/**
 * Record → outputs: ONTAP's fields from the record, the inputs the provider keeps (cluster,
 * adopt, the guard…) and how the program named things from `inputs`. One builder for
 * create, update, adopt, refresh and a pending create.
 */
export function toOutputs(
  record: IscsiServiceRecord,
  inputs: IscsiServiceInputs,
  provenance: Provenance,
): IscsiServiceOutputs {
  const outputs = {
    targetAliasDefault: inputs.targetAlias === undefined,
    svmNamedBy: svmNamedBy(inputs),
    host: provenance.host,
    adopted: provenance.adopted,
    asaR2: provenance.asaR2,
    stateVersion: STATE_VERSION,
  } as IscsiServiceOutputs;
  const fields = outputs as unknown as Record<string, unknown>;
  for (const name of ONTAP_FIELDS) fields[name] = recordValue(record, name);
  for (const name of INPUT_NAMES) {
    const rule = FIELDS[name];
    if (rule.ontap !== undefined) continue;
    const value = inputs[name];
    // A kept input with a default is always recorded; without one, only when set (a guard
    // only when on: state written before it existed reads the same).
    if (rule.input?.default !== undefined) fields[name] = value ?? rule.input.default;
    else if (value !== undefined && value !== false) fields[name] = value;
  }
  if (provenance.claimId !== undefined) outputs.claimId = provenance.claimId;
  return outputs;
}

/**
 * Outputs → the inputs that reproduce them, for `pulumi refresh` (ReadResult.inputs) and
 * for the outputs a refresh writes.
 */
export function toInputs(outputs: IscsiServiceOutputs): IscsiServiceInputs {
  const inputs: Record<string, unknown> = {};
  for (const name of INPUT_NAMES) {
    const rule = FIELDS[name].input;
    const value = rule?.fromOutputs ? rule.fromOutputs(outputs) : outputs[name];
    if (value !== undefined) inputs[name] = value;
  }
  return inputs as unknown as IscsiServiceInputs;
}

/** The state's outputs, refreshed from a record read now (a refresh; a pending create's job done). */
export function refreshedOutputs(
  record: IscsiServiceRecord,
  olds: IscsiServiceOutputs,
  host: string,
): IscsiServiceOutputs {
  const outputs = toOutputs(record, toInputs(olds), { ...olds, host });
  // What the program gave is kept as state recorded it (older state may lack svmNamedBy).
  outputs.targetAliasDefault = olds.targetAliasDefault;
  if (olds.svmNamedBy === undefined) delete outputs.svmNamedBy;
  else outputs.svmNamedBy = olds.svmNamedBy;
  return outputs;
}

/** The record state describes: ONTAP's fields as last recorded. */
export function stateRecord(outputs: IscsiServiceOutputs): IscsiServiceRecord {
  const record = {} as IscsiServiceRecord;
  for (const name of ONTAP_FIELDS)
    setAt(record as unknown as Record<string, unknown>, FIELDS[name].ontap as string, outputs[name]);
  return record;
}

/** The desired value of an ONTAP field for these inputs on this SVM; undefined: left as it is. */
function desiredValue(
  inputs: IscsiServiceInputs,
  name: FieldName,
  svmName: string,
): string | boolean | undefined {
  const rule = FIELDS[name].input;
  if (rule === undefined || rule.onChange !== "update") return undefined;
  return rule.desired ? rule.desired(inputs, svmName) : inputs[name as keyof IscsiServiceInputs];
}

/** The record of a service as a POST of these inputs makes it on this SVM (its IQN unknown). */
export function intendedRecord(
  inputs: IscsiServiceInputs,
  svm: { uuid: string; name: string },
): IscsiServiceRecord {
  const record = { svm: { ...svm } } as IscsiServiceRecord;
  for (const name of ONTAP_FIELDS) {
    const value = desiredValue(inputs, name, svm.name);
    if (value !== undefined)
      setAt(record as unknown as Record<string, unknown>, FIELDS[name].ontap as string, value);
  }
  return record;
}

/** Whether a live service is as these inputs make it: every field the inputs manage. */
export function matchesInputs(record: IscsiServiceRecord, inputs: IscsiServiceInputs): boolean {
  return ONTAP_FIELDS.every((name) => {
    const value = desiredValue(inputs, name, record.svm.name);
    return value === undefined || recordValue(record, name) === value;
  });
}

/**
 * Whether a live service is as a POST of these inputs makes it: an empty string is not
 * posted, so ONTAP's default stands for it (the alias: the SVM name).
 */
export function asPosted(record: IscsiServiceRecord, inputs: IscsiServiceInputs): boolean {
  const posted = Object.fromEntries(Object.entries(inputs).filter(([, value]) => value !== ""));
  return matchesInputs(record, posted as unknown as IscsiServiceInputs);
}

/**
 * The PATCH bodies that bring a live service to the inputs, one per field that differs
 * (ONTAP refuses `enabled` together with `target`, 5374081), in the order they are sent.
 */
export function patchesFor(
  record: IscsiServiceRecord,
  inputs: IscsiServiceInputs,
): Array<{ name: FieldName; value: string | boolean; body: IscsiServiceBody }> {
  const patches: Array<{ name: FieldName; value: string | boolean; body: IscsiServiceBody }> = [];
  for (const name of PATCH_ORDER) {
    const value = desiredValue(inputs, name, record.svm.name);
    if (value === undefined || recordValue(record, name) === value) continue;
    const body: Record<string, unknown> = {};
    setAt(body, FIELDS[name].ontap as string, value);
    patches.push({ name, value, body: body as IscsiServiceBody });
  }
  return patches;
}

/** Applies a PATCH that succeeded to the record the caller keeps. */
export function applyPatch(record: IscsiServiceRecord, name: FieldName, value: string | boolean): void {
  setAt(record as unknown as Record<string, unknown>, FIELDS[name].ontap as string, value);
}

/**
 * Inputs → the POST body: the SVM as given, and each managed field. An empty string is not
 * posted (ONTAP rejects an empty alias on POST): the PATCH after the create applies it.
 */
export function toCreateBody(inputs: IscsiServiceInputs): IscsiServiceBody {
  const svm: { name?: string; uuid?: string } = {};
  if (inputs.svmName !== undefined) svm.name = inputs.svmName;
  if (inputs.svmUuid !== undefined) svm.uuid = inputs.svmUuid;
  const body: Record<string, unknown> = { svm };
  for (const name of ONTAP_FIELDS) {
    const rule = FIELDS[name].input;
    if (rule?.onChange !== "update") continue;
    const value = inputs[name as keyof IscsiServiceInputs];
    if (value !== undefined && value !== "") setAt(body, FIELDS[name].ontap as string, value);
  }
  return body as IscsiServiceBody;
}

/** The error for a field of a service record from the wire that is not of its type. */
export function malformedField(field: string, got: unknown, want: string): Error {
  return new Error(
    `ONTAP returned an iSCSI service record whose "${field}" is ${JSON.stringify(got) ?? "missing"} (${typeof got}), not ${want}`,
  );
}

/** The JSON type of an ONTAP field, as the table's input says (fields without an input are strings). */
function ontapType(name: FieldName): "string" | "boolean" {
  return FIELDS[name].input?.type ?? "string";
}

/**
 * Guards a record from the wire: a malformed one fails only its own resource, naming the
 * field, and never reaches state.
 */
export function parseRecord(value: unknown): IscsiServiceRecord {
  const bad = (field: string, got: unknown, want: string) =>
    new Error(`${malformedField(field, got, want).message}; it was not recorded`);
  if (!value || typeof value !== "object")
    throw new Error("ONTAP returned an iSCSI service record that is not an object");
  for (const name of ONTAP_FIELDS) {
    const path = FIELDS[name].ontap as string;
    const type = ontapType(name);
    const want = type === "boolean" ? "a boolean" : "a string";
    const field = valueAt(value, path);
    if (FIELDS[name].required) {
      if (typeof field !== type) throw bad(path, field, want);
      continue;
    }
    const parent = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : undefined;
    const holder = parent === undefined ? undefined : valueAt(value, parent);
    if (parent !== undefined && holder !== undefined && (typeof holder !== "object" || holder === null))
      throw bad(parent, holder, "an object");
    if (field !== undefined && typeof field !== type) throw bad(path, field, want);
  }
  return value as IscsiServiceRecord;
}
