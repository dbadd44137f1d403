/**
 * The plugin's Pulumi package schema: what `pulumi package gen-sdk` generates the Node.js,
 * Python, Go and .NET SDKs from, what YAML programs are checked against, and what the docs'
 * input/output tables are generated from (tools/docs/schema-tables.ts). The resource's
 * properties come from the field table (../iscsi/fields.ts), the provider's configuration
 * from the connection settings' table (../connection-fields.ts); this module adds only the
 * descriptions of what those tables do not describe, and the data sources' result types.
 * `schema.json` at the repository root is this object, written by `npm run schema` and
 * checked for staleness by test/plugin/schema.test.ts.
 */

import { FIELDS as CONNECTION_FIELDS, type Field, PREFLIGHT } from "../connection-fields";
import { FIELDS, type FieldName } from "../iscsi/fields";

/** The package's name: its resources are `ontap:index:…`, its stack config `ontap:…` (the dynamic provider's keys). */
export const PACKAGE = "ontap";
/** The resource's type token. */
export const ISCSI_SERVICE = `${PACKAGE}:index:IscsiService`;

type Property = {
  type?: "string" | "boolean" | "integer" | "number" | "array" | "object";
  $ref?: string;
  items?: Property;
  additionalProperties?: Property;
  description?: string;
  secret?: boolean;
  default?: unknown;
  defaultInfo?: { environment: string[] };
};
type ObjectType = {
  type: "object";
  description: string;
  properties: Record<string, Property>;
  required?: string[];
};

/** What each connection setting means (the table in ../connection-fields.ts says how it is set). */
const SETTING_DOCS: Record<Field, string> = {
  host: "The cluster management address: a host name or IP address, optionally with :port (default 443).",
  username: "The ONTAP user (basic authentication).",
  password:
    "The ONTAP user's password. A secret: never in a resource's state, encrypted where Pulumi records the provider's configuration.",
  token: "A bearer token (OAuth 2.0, ONTAP 9.14+), instead of username and password. Kept secret.",
  clientCert:
    "A client certificate (PEM text or the path of a PEM file), with clientKey, instead of a password.",
  clientKey: "The client certificate's private key (PEM text or a path). Kept secret.",
  caCert:
    "The CA certificate(s) that sign the cluster's certificate (PEM text or a path). TLS is verified against the system's CAs without it.",
  insecure:
    "true turns TLS certificate verification off for this connection (default false): only on purpose, for a lab.",
  timeoutMs: "The time limit of one request, in milliseconds.",
  jobTimeoutMs: "How long a create or delete waits for its ONTAP job, in milliseconds.",
  maxConcurrent: "Requests in flight to this cluster at once.",
  retries: "Retries of a request that failed in a way worth retrying (429, 503, a reset connection).",
  retryMinDelayMs: "The first retry's delay, in milliseconds (doubled at each retry, with jitter).",
  retryMaxDelayMs: "The longest delay between two retries, in milliseconds.",
  retryMaxTotalMs: "The longest time a request may spend retrying, in milliseconds.",
};

function settingProperty(field: Field): Property {
  const spec = CONNECTION_FIELDS[field];
  const type = spec.bounds !== undefined ? "integer" : field === "insecure" ? "boolean" : "string";
  const description =
    spec.note === undefined ? SETTING_DOCS[field] : `${SETTING_DOCS[field]} (${spec.note}.)`;
  return {
    type,
    description,
    ...(spec.secret ? { secret: true } : {}),
    defaultInfo: { environment: [spec.env] },
  };
}

const CLUSTER_PROFILE = `${PACKAGE}:index:ClusterProfile`;

/** The provider's configuration: `ontap:*` stack config for the default provider, the arguments of `new Provider(...)`. */
function providerConfig(): Record<string, Property> {
  const config: Record<string, Property> = {};
  for (const field of Object.keys(CONNECTION_FIELDS) as Field[]) config[field] = settingProperty(field);
  config.clusters = {
    type: "object",
    additionalProperties: { $ref: `#/types/${CLUSTER_PROFILE}` },
    description:
      "Connection profiles by name, for resources and data sources that name one in `cluster`: each a connection's settings (host, username, password, ...). A profile's setting left out is read from ONTAP_CLUSTERS_<PROFILE>_<SETTING>, never from the default connection's.",
  };
  config.preflight = {
    type: "boolean",
    description:
      "Whether Check looks the SVM up (read-only) before a create, so that a preview fails on a missing SVM, license or protocol (default true).",
    defaultInfo: { environment: [PREFLIGHT.env] },
  };
  return config;
}

function clusterProfile(): ObjectType {
  const properties: Record<string, Property> = {};
  for (const field of Object.keys(CONNECTION_FIELDS) as Field[]) {
    const { defaultInfo: _, ...property } = settingProperty(field);
    properties[field] = property;
  }
  return {
    type: "object",
    description: "One cluster's connection settings, as in the provider's own configuration.",
    properties,
  };
}

/** The resource's properties from the field table: the declared inputs and outputs, each with its rule's type. */
function serviceProperties(): { inputs: Record<string, Property>; outputs: Record<string, Property> } {
  const inputs: Record<string, Property> = {};
  const outputs: Record<string, Property> = {};
  for (const name of Object.keys(FIELDS) as FieldName[]) {
    const { schema, input } = FIELDS[name];
    if (schema === undefined) continue;
    const property: Property = { type: input?.type ?? schema.type ?? "string", description: schema.doc };
    if (input?.default !== undefined) property.default = input.default;
    outputs[name] = { type: property.type, description: schema.doc };
    if (input !== undefined) inputs[name] = property;
  }
  return { inputs, outputs };
}

/** The outputs every service has (the others only when set). */
const ALWAYS_OUTPUT = [
  "svmName",
  "svmUuid",
  "enabled",
  "targetAlias",
  "targetName",
  "host",
  "adopt",
  "adopted",
];

const RATE = (unit: string, other = true): ObjectType => ({
  type: "object",
  description: unit,
  properties: {
    read: { type: "number", description: "Reads." },
    write: { type: "number", description: "Writes." },
    ...(other ? { other: { type: "number", description: "Other operations." } } : {}),
    total: { type: "number", description: "All operations." },
  },
  required: ["read", "write", ...(other ? ["other"] : []), "total"],
});

const t = (name: string) => `${PACKAGE}:index:${name}`;
const ref = (name: string, description: string): Property => ({ $ref: `#/types/${t(name)}`, description });
const list = (name: string, description: string): Property => ({
  type: "array",
  items: { $ref: `#/types/${t(name)}`, description },
  description,
});
const text = (description: string): Property => ({ type: "string", description });
const flag = (description: string): Property => ({ type: "boolean", description });
const integer = (description: string): Property => ({ type: "integer", description });

const SVM_NAME = text("The SVM's name.");
const SVM_UUID = text("The SVM's UUID.");
const CLUSTER = text("The connection profile in `ontap:clusters`; left out, the default connection.");
const HOST = text("The cluster management host it was read from.");

/** The data sources' result types (the SDK's IscsiServiceInfo, sessions, metrics), as the schema declares them. */
function dataTypes(): Record<string, ObjectType> {
  return {
    [t("Iops")]: RATE("Operations per second (a sample) or operations (raw counters)."),
    [t("Latency")]: RATE("Microseconds per operation (a sample) or accumulated microseconds (raw counters)."),
    [t("Throughput")]: RATE("Bytes per second (a sample) or accumulated bytes (raw counters).", false),
    [t("MetricSample")]: {
      type: "object",
      description: "One performance sample. Counters ONTAP leaves out read 0; `status` says why.",
      properties: {
        timestamp: text("ISO 8601 with the cluster's own UTC offset."),
        status: text("ok, error, partial_no_data, partial_no_response, ..."),
        duration: text("The span the sample covers (ISO 8601), when ONTAP gives it."),
        iops: ref("Iops", "Operations per second."),
        latency: ref("Latency", "Microseconds per operation."),
        throughput: ref("Throughput", "Bytes per second."),
      },
      required: ["timestamp", "status", "iops", "latency", "throughput"],
    },
    [t("Statistics")]: {
      type: "object",
      description: "The raw counters, summed over the nodes since they started (a drop means a reset).",
      properties: {
        timestamp: text("When the counters were read (ISO 8601, the cluster's offset)."),
        status: text("ok, error, partial_no_data, negative_delta, ..."),
        iopsRaw: ref("Iops", "Operations."),
        latencyRaw: ref("Latency", "Accumulated microseconds."),
        throughputRaw: ref("Throughput", "Accumulated bytes."),
      },
      required: ["timestamp", "status", "iopsRaw", "latencyRaw", "throughputRaw"],
    },
    [t("IscsiServiceInfo")]: {
      type: "object",
      description: "An iSCSI service as the data sources report it.",
      properties: {
        svmName: SVM_NAME,
        svmUuid: SVM_UUID,
        enabled: flag("Administrative state."),
        targetAlias: text('The target alias ("" when cleared).'),
        targetName: text("The IQN."),
        host: HOST,
        cluster: CLUSTER,
        metric: ref("MetricSample", "With includePerformance: ONTAP's latest 15-second average."),
        statistics: ref("Statistics", "With includePerformance: the raw counters."),
      },
      required: ["svmName", "svmUuid", "enabled", "targetAlias", "targetName", "host"],
    },
    [t("IscsiSessionConnection")]: {
      type: "object",
      description: "One TCP connection of a session.",
      properties: {
        cid: integer("Connection id within the session."),
        authenticationType: text('How the connection logged in: "chap" or "none".'),
        initiatorAddress: text("The host's address."),
        initiatorPort: integer("The host's port."),
        lifName: text("The target LIF the connection reached."),
        lifAddress: text("The LIF's IP address."),
      },
      required: ["cid", "authenticationType", "initiatorAddress", "lifName", "lifAddress"],
    },
    [t("IscsiSessionInfo")]: {
      type: "object",
      description: "One iSCSI session: one initiator logged in through one target portal group.",
      properties: {
        svmName: SVM_NAME,
        svmUuid: SVM_UUID,
        initiatorName: text("The initiator's IQN (or EUI)."),
        initiatorAlias: text('The alias the initiator announced ("" when none).'),
        targetPortalGroup: text("Target portal group."),
        targetPortalGroupTag: integer("Target portal group tag."),
        tsih: integer("Target session identifying handle."),
        isid: text("Initiator part of the session id."),
        igroups: { type: "array", items: text("An initiator group."), description: "The initiator groups." },
        connections: list("IscsiSessionConnection", "The session's connections."),
        host: HOST,
        cluster: CLUSTER,
      },
      required: [
        "svmName",
        "svmUuid",
        "initiatorName",
        "initiatorAlias",
        "targetPortalGroup",
        "tsih",
        "isid",
        "igroups",
        "connections",
        "host",
      ],
    },
  };
}

type Fn = { description: string; inputs: ObjectType; outputs: ObjectType };

const SVM_ARGS = {
  svmName: text("The SVM's name (give it, svmUuid, or both naming the same SVM)."),
  svmUuid: text("The SVM's UUID."),
  cluster: CLUSTER,
};

/** The data sources as functions: the same lookups as the TypeScript SDK's, by the same names. */
function functions(): Record<string, Fn> {
  const infoProperties = dataTypes()[t("IscsiServiceInfo")];
  return {
    [t("getIscsiService")]: {
      description:
        "The live iSCSI service of one SVM, by name or UUID; fails when the SVM has none (IscsiServiceNotFoundError).",
      inputs: {
        type: "object",
        description: "The SVM by name or UUID.",
        properties: {
          ...SVM_ARGS,
          includePerformance: flag("Also read `metric` and `statistics` (ONTAP 9.7+). Default false."),
        },
      },
      outputs: { ...infoProperties, description: "The service." },
    },
    [t("listIscsiServices")]: {
      description:
        "Every iSCSI service whose SVM matches (ONTAP patterns), every page followed, sorted by SVM name.",
      inputs: {
        type: "object",
        description: "Filters; none: every service of the cluster.",
        properties: {
          svmName: text('An ONTAP pattern: "svm*" wildcard, "a|b" either, "!svm1" not.'),
          enabled: flag("Only services in this administrative state."),
          cluster: CLUSTER,
          pageSize: integer("Records per request (ONTAP max_records). Default 500."),
          includePerformance: flag("Also read `metric` and `statistics` of every service (ONTAP 9.7+)."),
        },
      },
      outputs: {
        type: "object",
        description: "The services.",
        properties: { services: list("IscsiServiceInfo", "The services, sorted by SVM name.") },
        required: ["services"],
      },
    },
    [t("getIscsiServiceMetrics")]: {
      description:
        "The historical performance samples of one service over an interval (ONTAP 9.7+), newest first.",
      inputs: {
        type: "object",
        description: "The SVM by name or UUID, and the interval.",
        properties: {
          ...SVM_ARGS,
          interval: text("1h (15 s samples), 1d (5 min), 1w (30 min), 1m (2 h) or 1y (1 day)."),
        },
        required: ["interval"],
      },
      outputs: {
        type: "object",
        description: "The samples.",
        properties: {
          svmName: SVM_NAME,
          svmUuid: SVM_UUID,
          interval: text("The interval asked for."),
          host: HOST,
          cluster: CLUSTER,
          samples: list("MetricSample", "The samples, newest first."),
          note: text("Set when ONTAP has no samples yet: why the list is empty."),
        },
        required: ["svmName", "svmUuid", "interval", "host", "samples"],
      },
    },
    [t("listIscsiSessions")]: {
      description:
        "The iSCSI sessions logged in to an SVM (or the SVMs a pattern matches, or every SVM), sorted by SVM, initiator, portal group and tsih.",
      inputs: {
        type: "object",
        description: "The SVMs; none: every session the account can see.",
        properties: {
          svmName: text('The SVM\'s name, or an ONTAP pattern ("svm*", "a|b", "!test*").'),
          svmUuid: text("The SVM's UUID."),
          cluster: CLUSTER,
          pageSize: integer("Records per request (ONTAP max_records). Default 500."),
        },
      },
      outputs: {
        type: "object",
        description: "The sessions.",
        properties: { sessions: list("IscsiSessionInfo", "The sessions.") },
        required: ["sessions"],
      },
    },
  };
}

const EXAMPLE = [
  "{{% examples %}}",
  "## Example Usage",
  "{{% example %}}",
  "### An enabled service with an alias",
  "```yaml",
  "resources:",
  "  iscsi:",
  "    type: ontap:index:IscsiService",
  "    properties:",
  "      svmName: svm1",
  "      targetAlias: svm1-iscsi",
  "      protectActiveSessions: true",
  "```",
  "{{% /example %}}",
  "{{% /examples %}}",
  "",
  "## Import",
  "",
  "The id is `[<profile>/]<SVM name or UUID>`; the profile is one of `ontap:clusters` (left out: the default connection). Nothing is written.",
  "",
  "```sh",
  "$ pulumi import ontap:index:IscsiService iscsi svm1",
  "$ pulumi import ontap:index:IscsiService iscsi west/1cd8a442-86d1-11e0-ae1c-123478563412",
  "```",
].join("\n");

/** The schema, for a package version. */
export function packageSchema(version: string): Record<string, unknown> {
  const { inputs, outputs } = serviceProperties();
  const config = providerConfig();
  return {
    name: PACKAGE,
    displayName: "NetApp ONTAP iSCSI",
    version,
    description: "Manage NetApp ONTAP iSCSI services (REST /api/protocols/san/iscsi/services) with Pulumi.",
    keywords: ["pulumi", "netapp", "ontap", "iscsi", "san", "category/infrastructure", "kind/native"],
    homepage: "https://github.com/netapp-community/pulumi-ontap-iscsi",
    repository: "https://github.com/netapp-community/pulumi-ontap-iscsi",
    license: "Apache-2.0",
    publisher: "netapp-community",
    meta: { moduleFormat: "(.*)", supportPack: true },
    language: {
      nodejs: {
        packageName: "@netapp-community/pulumi-ontap",
        packageDescription: "Pulumi provider plugin SDK for NetApp ONTAP iSCSI services.",
        respectSchemaVersion: true,
      },
      python: { packageName: "pulumi_ontap", respectSchemaVersion: true, pyproject: { enabled: true } },
      go: {
        importBasePath: "github.com/netapp-community/pulumi-ontap-iscsi/plugin-sdks/go/ontap",
        generateResourceContainerTypes: false,
        respectSchemaVersion: true,
      },
      csharp: { rootNamespace: "NetAppCommunity", respectSchemaVersion: true },
    },
    config: { variables: config },
    provider: {
      description:
        "The ONTAP iSCSI provider: one cluster's connection (host, credentials, CA) and any number of named profiles. Credentials are read when needed and never written to state.",
      inputProperties: config,
    },
    types: { [CLUSTER_PROFILE]: clusterProfile(), ...dataTypes() },
    resources: {
      [ISCSI_SERVICE]: {
        description: `The iSCSI service of one SVM: created, adopted or imported; enabled or disabled; its target alias. A delete disables the service, then deletes it (re-enabling it if the delete fails).\n\n${EXAMPLE}`,
        inputProperties: inputs,
        properties: outputs,
        required: ALWAYS_OUTPUT,
      },
    },
    functions: functions(),
  };
}
