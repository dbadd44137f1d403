/**
 * The one place that turns a failure into advice for a person: a table of every ONTAP
 * code this provider knows (both tables of the project's ONTAP reference), and
 * `renderError`, which writes a summary line naming the action, SVM, cluster, code and
 * request, then what it means here and the fix with the real names filled in.
 */

import {
  OntapApiError,
  OntapAuthError,
  OntapConfigError,
  OntapError,
  type OntapErrorKind,
  OntapJobError,
  OntapLostResponseError,
  OntapNetworkError,
  OntapResponseError,
  OntapTimeoutError,
  OntapTlsError,
  type TlsProblem,
} from "./errors";
import type { HttpMethod } from "./types";

/** What the provider was doing when the error happened. */
export interface DiagnosticContext {
  /** The action in words that follow "to", e.g. "create the iSCSI service". */
  action: string;
  /** The SVM's name (or UUID) the action was about. */
  svm?: string;
}

/** What a piece of advice can refer to. */
export interface Situation {
  /** The SVM as a CLI argument: its name, or "<svm>" when unknown. */
  svm: string;
  /** "SVM "svm1"" or "the SVM". */
  svmLabel: string;
  /** The cluster's host. */
  cluster: string;
  method: HttpMethod;
  path: string;
  /** ONTAP's own message. */
  ontapMessage: string;
  /** The field ONTAP blames, if any. */
  target?: string;
}

/** Advice for one ONTAP code. */
export interface CodeAdvice {
  /** One line, lower case, no final stop. */
  summary: string;
  /** What it means for this SVM and cluster. */
  meaning(s: Situation): string;
  /** The command to run or the input to change, names filled in. */
  fix(s: Situation): string;
}

const REFRESH = "run `pulumi refresh`, then `pulumi up`";
const RERUN_SAFE = "Re-running `pulumi up` is safe: the provider reads the service's state before it writes.";
const ADOPT =
  "set `adopt: true` on the IscsiService resource so that it takes over the existing service " +
  "(`pulumi import` does not work for dynamic providers)";
const EVENT_LOG = "event log show -severity ERROR";

/** The field and ONTAP's words, for generic codes where they are the only specifics. */
function ontapSays(s: Situation): string {
  const field = s.target === undefined ? "" : `field "${s.target}": `;
  return `ONTAP says: ${field}${s.ontapMessage || "(no message)"}`;
}

function fieldInput(s: Situation): string {
  return s.target === undefined ? "the input ONTAP's message names" : `the input that sets "${s.target}"`;
}

const invalidValue = (summary: string): CodeAdvice => ({
  summary,
  meaning: (s) => `ONTAP on cluster ${s.cluster} rejected a value in ${s.method} ${s.path}. ${ontapSays(s)}`,
  fix: (s) => `correct ${fieldInput(s)} in the IscsiService resource, then re-run \`pulumi up\``,
});

const internalError = (summary: string): CodeAdvice => ({
  summary,
  meaning: (s) =>
    `ONTAP on cluster ${s.cluster} failed internally while handling ${s.method} ${s.path}; a write may or may not have been applied. ${ontapSays(s)}`,
  fix: () =>
    `re-run \`pulumi up\` (the provider reads before it writes); if it keeps failing, check the cluster's events: ${EVENT_LOG}`,
});

const notAuthorized = (summary: string): CodeAdvice => ({
  summary,
  meaning: (s) =>
    `The ONTAP account in use may not ${s.method} ${s.path} on cluster ${s.cluster}. ${ontapSays(s)}`,
  fix: () =>
    "give the account a role with access to the iSCSI API, e.g. security login rest-role create -vserver <cluster> " +
    "-role pulumi-iscsi -api /api/protocols/san/iscsi -access all (check with: security login show)",
});

/** The codes of the iSCSI-service table. */
const ISCSI_CODES: Readonly<Record<string, CodeAdvice>> = {
  "1115127": {
    summary: "the cluster has no valid iSCSI license",
    meaning: (s) =>
      `Cluster ${s.cluster} has no valid iSCSI license, so no SVM on it, ${s.svmLabel} included, can serve iSCSI.`,
    fix: () => "system license add -license-code <iSCSI license key>   (check with: system license show)",
  },
  "2621462": {
    summary: "the SVM does not exist",
    meaning: (s) => `${cap(s.svmLabel)} does not exist on cluster ${s.cluster} (by that name or UUID).`,
    fix: (s) =>
      `list the SVMs with: vserver show; then correct \`svmName\`/\`svmUuid\`, or create the SVM: vserver create -vserver ${s.svm}`,
  },
  "2621507": {
    summary: "iSCSI is not an allowed protocol on this SVM",
    meaning: (s) =>
      `${cap(s.svmLabel)} on cluster ${s.cluster} does not list iscsi among its allowed protocols, so it cannot have an iSCSI service (check: vserver show-protocols -vserver ${s.svm}).`,
    fix: (s) => `vserver add-protocols -vserver ${s.svm} -protocols iscsi`,
  },
  "2621706": {
    summary: "svm.uuid and svm.name name different SVMs",
    meaning: (s) =>
      `The resource names its SVM both by name and by UUID, and on cluster ${s.cluster} they are two different SVMs.`,
    fix: () =>
      "give only the SVM name, or a UUID that matches it (list both with: vserver show -fields uuid)",
  },
  "2621707": {
    summary: "neither svm.name nor svm.uuid was given",
    meaning: () => "The request did not say which SVM the iSCSI service belongs to.",
    fix: () => "set `svmName` (or `svmUuid`) on the IscsiService resource",
  },
  "5373966": {
    summary: "the SVM is configured for NVMe, so iSCSI cannot be added",
    meaning: (s) =>
      `${cap(s.svmLabel)} on cluster ${s.cluster} serves NVMe; ONTAP does not add an iSCSI service beside it.`,
    fix: (s) =>
      `use another SVM, or remove NVMe from this one: vserver nvme modify -vserver ${s.svm} -status-admin down; vserver nvme delete -vserver ${s.svm}`,
  },
  "5374077": {
    summary: "the SVM already has an iSCSI service",
    meaning: (s) =>
      `${cap(s.svmLabel)} on cluster ${s.cluster} already has an iSCSI service that this stack does not manage (an SVM has at most one; inspect it with: vserver iscsi show -vserver ${s.svm}).`,
    fix: () => ADOPT,
  },
  "5374893": {
    summary: "the SVM is stopped",
    meaning: (s) =>
      `${cap(s.svmLabel)} on cluster ${s.cluster} is stopped; ONTAP creates its iSCSI service only while it runs.`,
    fix: (s) => `vserver start -vserver ${s.svm}`,
  },
  "5376452": {
    summary: "not supported on ASA r2 systems",
    meaning: (s) =>
      `Cluster ${s.cluster} is an ASA r2 system: ${s.svmLabel} always has an iSCSI service, which can be enabled or disabled but neither created nor deleted.`,
    fix: () =>
      `do not create or delete it: ${ADOPT}, then manage \`enabled\` and \`targetAlias\`; to stop serving iSCSI, set \`enabled: false\``,
  },
  "5373960": {
    summary: "the iSCSI service is enabled",
    meaning: (s) =>
      `ONTAP deletes an iSCSI service only once it is disabled, and the one on ${s.svmLabel} is enabled (perhaps re-enabled outside Pulumi).`,
    fix: (s) => `vserver iscsi stop -vserver ${s.svm}, then re-run \`pulumi up\` / \`pulumi destroy\``,
  },
  "5374078": {
    summary: "the SVM has no iSCSI service",
    meaning: (s) =>
      `${cap(s.svmLabel)} on cluster ${s.cluster} has no iSCSI service (it may have been deleted outside Pulumi).`,
    fix: (s) =>
      `${REFRESH} to create it again, or create it on the cluster: vserver iscsi create -vserver ${s.svm}`,
  },
  "5374081": {
    summary: "`enabled` cannot change together with another field",
    meaning: () =>
      "ONTAP refuses a PATCH that changes the service's state and another field at once; the provider sends them separately, so this is a provider bug.",
    fix: () => "change `enabled` and `targetAlias` in two separate `pulumi up` runs, and report the bug",
  },
  "8585947": {
    summary: "no metrics are available for the object",
    meaning: (s) =>
      `ONTAP has not collected metrics for the iSCSI service on ${s.svmLabel} yet (new or idle services have none).`,
    fix: () => "nothing to fix: metrics appear once the service has run for a while",
  },
  "8586225": {
    summary: "unexpected error retrieving metrics",
    meaning: (s) => `ONTAP on cluster ${s.cluster} failed to read the iSCSI metrics of ${s.svmLabel}.`,
    fix: () => `retry later; if it persists, check the cluster's events: ${EVENT_LOG}`,
  },
};

/** The codes of the common table (any ONTAP REST endpoint). */
const COMMON_CODES: Readonly<Record<string, CodeAdvice>> = {
  "1": {
    summary: "an entry with the same identifiers already exists",
    meaning: (s) => `Cluster ${s.cluster} already holds an object with these identifiers. ${ontapSays(s)}`,
    fix: () => `${ADOPT}, or change the identifying inputs`,
  },
  "2": invalidValue("a field is invalid, missing or extra"),
  "3": {
    summary: "operation not supported",
    meaning: (s) => `ONTAP on cluster ${s.cluster} does not support ${s.method} ${s.path}. ${ontapSays(s)}`,
    fix: () => "check the ONTAP release with: version (the iSCSI REST API needs ONTAP 9.6 or later)",
  },
  "4": {
    summary: "entry not found",
    meaning: (s) =>
      `Nothing exists at ${s.path} on cluster ${s.cluster} (it may have been deleted outside Pulumi).`,
    fix: () => REFRESH,
  },
  "6": notAuthorized("permission denied"),
  "7": {
    summary: "resource limit exceeded",
    meaning: (s) =>
      `Cluster ${s.cluster} hit a resource limit and stayed there through the provider's retries. ${ontapSays(s)}`,
    fix: () => "re-run later, or lower ontap:maxConcurrent so that fewer requests run at once",
  },
  "8": {
    summary: "resource in use",
    meaning: (s) => `Another operation on cluster ${s.cluster} holds the object right now. ${ontapSays(s)}`,
    fix: () => "re-run `pulumi up` once the other operation has finished (see: job show -state running)",
  },
  "65541": internalError("RPC timeout"),
  "65552": internalError("RPC failure"),
  "65562": internalError("internal error"),
  "262145": internalError("unexpected exception"),
  "262160": {
    summary: "too many requests in progress",
    meaning: (s) =>
      `Cluster ${s.cluster} stayed too busy through the provider's retries (each honoured ONTAP's Retry-After).`,
    fix: () => "re-run later, or lower ontap:maxConcurrent so that fewer requests run at once",
  },
  "262177": invalidValue("a required value is missing"),
  "262212": invalidValue("a required value is missing"),
  "262179": {
    summary: "unexpected argument (unknown field)",
    meaning: (s) =>
      `ONTAP on cluster ${s.cluster} does not know a field that ${s.method} ${s.path} sent, likely an older release. ${ontapSays(s)}`,
    fix: () => "check the ONTAP release with: version; leave out inputs that release does not support",
  },
  "262185": invalidValue("invalid value"),
  "262197": invalidValue("invalid value"),
  "262245": invalidValue("invalid value"),
  "262247": invalidValue("invalid value"),
  "262186": invalidValue("a field is used in an invalid context with another field"),
  "262196": {
    summary: "the field cannot be set in this operation",
    meaning: (s) => `ONTAP cannot change this field of an existing object. ${ontapSays(s)}`,
    fix: () => "revert that input; changing the SVM of an iSCSI service means replacing the resource",
  },
  "262203": {
    summary: "the field is not supported in PATCH",
    meaning: (s) => `ONTAP cannot change this field of an existing object. ${ontapSays(s)}`,
    fix: () => "revert that input; changing the SVM of an iSCSI service means replacing the resource",
  },
  "262199": invalidJson(),
  "262200": invalidJson(),
  "262201": invalidJson(),
  "6691623": notAuthorized("user not authorized"),
  "39387137": {
    summary: "invalid URL",
    meaning: (s) => `Cluster ${s.cluster} does not serve ${s.path}. ${ontapSays(s)}`,
    fix: () =>
      "check the ONTAP release with: version (iSCSI REST needs 9.6, metrics 9.7, one metric sample 9.14)",
  },
};

function invalidJson(): CodeAdvice {
  return {
    summary: "invalid JSON",
    meaning: (s) =>
      `ONTAP could not parse the body of ${s.method} ${s.path}: the provider sent malformed JSON, which is a provider bug. ${ontapSays(s)}`,
    fix: () => "report the bug with this message; nothing on the cluster needs to change",
  };
}

/** Every ONTAP code with advice, iSCSI codes first. */
export const KNOWN_ONTAP_CODES: readonly string[] = Object.freeze([
  ...Object.keys(ISCSI_CODES),
  ...Object.keys(COMMON_CODES),
]);

/** The advice for an ONTAP code, or undefined for a code not in the table. */
export function adviceFor(code: string | undefined): CodeAdvice | undefined {
  if (code === undefined) return undefined;
  return ISCSI_CODES[code] ?? COMMON_CODES[code];
}

/** What a bare HTTP status means when ONTAP gave no code: the code it stands for. */
const STATUS_CODES: Readonly<Record<number, string>> = {
  403: "6",
  404: "4",
  405: "3",
  429: "262160",
  500: "65562",
};

const UNAVAILABLE: CodeAdvice = {
  summary: "the cluster, or a proxy in front of it, is unavailable",
  meaning: (s) =>
    `Cluster ${s.cluster} kept answering ${s.method} ${s.path} with this status through the provider's retries.`,
  fix: () =>
    `check that the cluster is healthy (cluster show; ${EVENT_LOG}) and any proxy in between, then re-run. ${RERUN_SAFE}`,
};

/** Advice for a bare HTTP status (no ONTAP code). */
function adviceForStatus(status: number): CodeAdvice | undefined {
  const code = STATUS_CODES[status];
  if (code !== undefined) return adviceFor(code);
  return status === 502 || status === 503 || status === 504 ? UNAVAILABLE : undefined;
}

const TLS_PROBLEMS: Readonly<Record<TlsProblem, string>> = {
  "unknown-ca": "it is signed by a CA this connection does not trust",
  "self-signed": "it is self-signed, and this connection does not trust it",
  "hostname-mismatch": "it does not name the host the connection uses",
  expired: "it has expired",
  "not-yet-valid": "it is not valid yet (check the clocks of both machines)",
  handshake: "the TLS handshake failed",
};

const SUPPLY_CA =
  "give the CA certificate that signed the cluster's certificate (for a self-signed one, the certificate itself), " +
  "as PEM text or a file path, in config ontap:caCert or environment variable ONTAP_CA_CERT " +
  "(see the cluster's certificate with: security certificate show -type server); " +
  "or, as an explicit choice for this connection only, set ontap:insecure true";

/** Renders any error as a person should read it: what failed, where, why, and the fix. */
export function renderError(err: unknown, ctx: DiagnosticContext): string {
  if (err instanceof OntapDiagnosticError) return err.message;
  const on = ctx.svm === undefined ? "" : ` on SVM "${ctx.svm}"`;
  if (err instanceof OntapConfigError) {
    return `Could not ${ctx.action}${on}: the ONTAP connection settings are not usable: ${err.message}.\nFix: correct the connection's ${err.setting} setting.`;
  }
  if (!(err instanceof OntapError)) {
    const message = err instanceof Error ? err.message : String(err);
    return `Could not ${ctx.action}${on}: ${message}`;
  }
  const s = situation(err, ctx);
  const where = `${err.method} ${err.path}${err.attempts > 1 ? `, ${err.attempts} attempts` : ""}`;
  if (err instanceof OntapApiError) return renderApiError(err, ctx, s, on, where);
  if (err instanceof OntapJobError) {
    const advice = adviceFor(err.code);
    const head = `ONTAP job ${err.jobUuid} failed to ${ctx.action}${on} (cluster ${err.host}): ${advice?.summary ?? err.jobMessage} [ONTAP ${err.code || "job failure"}, ${where}].`;
    const detail = advice
      ? advice.meaning({ ...s, ontapMessage: err.jobMessage })
      : `ONTAP says: ${err.jobMessage}`;
    const fix = advice
      ? advice.fix(s)
      : `look into the job on the cluster: job show -uuid ${err.jobUuid}; ${RERUN_SAFE}`;
    return `${head}\n${detail}\nFix: ${fix}`;
  }
  if (err instanceof OntapAuthError) {
    return `ONTAP rejected the credentials while trying to ${ctx.action}${on} (cluster ${err.host}) [HTTP 401, ${where}].\nFix: ${authFix(err)}`;
  }
  if (err instanceof OntapTlsError) {
    const fix =
      err.problem === "hostname-mismatch"
        ? `connect with a host name or address the certificate carries, or reissue the cluster's certificate for ${hostnameOf(err.host)} (security certificate create -vserver <cluster> -type server -common-name ${hostnameOf(err.host)}); ontap:insecure true skips this check, as an explicit per-connection choice`
        : err.problem === "expired" || err.problem === "not-yet-valid"
          ? "renew the cluster's server certificate (security certificate show -type server), or set ontap:insecure true as an explicit per-connection choice"
          : SUPPLY_CA;
    return `Could not verify the TLS certificate of cluster ${err.host} while trying to ${ctx.action}${on}: ${TLS_PROBLEMS[err.problem]} (${err.code}: ${err.reason}) [${where}].\nFix: ${fix}`;
  }
  if (err instanceof OntapTimeoutError) {
    if (err.jobUuid !== undefined) {
      return `ONTAP job ${err.jobUuid} to ${ctx.action}${on} (cluster ${err.host}) was still running after ${seconds(err.timeoutMs)} [${where}].\nCheck: the job with: job show -uuid ${err.jobUuid}; wait for it to finish, then re-run \`pulumi up\`. ${RERUN_SAFE}`;
    }
    return `Cluster ${err.host} did not answer within ${seconds(err.timeoutMs)} while trying to ${ctx.action}${on} [${where}].\nCheck: the cluster's load and the network path to it; for a slow cluster raise ontap:timeoutMs (ONTAP_TIMEOUT_MS). ${RERUN_SAFE}`;
  }
  if (err instanceof OntapLostResponseError) {
    const job = err.jobUuid === undefined ? "" : ` (ONTAP job ${err.jobUuid})`;
    return `The answer from cluster ${err.host} was lost while trying to ${ctx.action}${on}: ${err.reason}${job} [${err.method} ${err.path}]. ONTAP may or may not have applied it.\nFix: re-run \`pulumi up\`: the provider reads the cluster before it writes again. To look by hand: vserver iscsi show -vserver ${s.svm}`;
  }
  if (err instanceof OntapNetworkError) {
    const fix =
      err.code === "ENOTFOUND"
        ? `the host name "${err.host}" does not resolve: correct ontap:host (ONTAP_HOST)`
        : `that ${err.host} is the cluster's management address and port (ontap:host), that it answers HTTPS (network interface show -service-policy default-management), and any firewall in between`;
    return `Could not reach cluster ${err.host} to ${ctx.action}${on}: ${err.reason} (${err.code}) [${where}].\nCheck: ${fix}. ${RERUN_SAFE}`;
  }
  if (err instanceof OntapResponseError) {
    return `Cluster ${err.host} answered HTTP ${err.status} but ${err.reason} while trying to ${ctx.action}${on} [${where}].\nCheck: any proxy or load balancer between here and the cluster. ${RERUN_SAFE}`;
  }
  return `Could not ${ctx.action}${on}: ${err.message}`;
}

function renderApiError(
  err: OntapApiError,
  ctx: DiagnosticContext,
  s: Situation,
  on: string,
  where: string,
): string {
  const known = err.code === undefined ? adviceForStatus(err.status) : adviceFor(err.code);
  const label = err.code === undefined ? `HTTP ${err.status}` : `ONTAP ${err.code}`;
  const head = `ONTAP refused to ${ctx.action}${on} (cluster ${err.host})`;
  if (known !== undefined) {
    return `${head}: ${known.summary} [${label}, ${where}].\n${known.meaning(s)}\nFix: ${known.fix(s)}`;
  }
  const target = err.target === undefined ? "" : ` (field "${err.target}")`;
  const retried = err.status >= 500 ? ` ${RERUN_SAFE}` : "";
  const fix =
    err.code === undefined
      ? `ONTAP gave no error code; check the cluster's events: ${EVENT_LOG}.${retried}`
      : `no advice is known for ONTAP code ${err.code}: ONTAP's message above is the best guide (look the code up in the ONTAP REST API reference).${retried}`;
  const status = err.code === undefined ? "" : `HTTP ${err.status}, `;
  return `${head}: ${err.ontapMessage}${target} [${label}, ${status}${where}].\nFix: ${fix}`;
}

function authFix(err: OntapAuthError): string {
  const from = `from ${err.credentialSource}`;
  switch (err.authKind) {
    case "basic":
      return `check the user name and password ${from} (an ONTAP account with http access: security login show -application http)`;
    case "token":
      return `check the bearer token ${from}: it may have expired or been issued for another cluster (OAuth 2.0 needs ONTAP 9.14.1 or later)`;
    case "certificate":
      return `check the client certificate ${from}: its common name must be an ONTAP account that logs in by certificate (security login create -user-or-group-name <CN> -application http -authentication-method cert) and its CA must be installed (security certificate install -vserver <cluster> -type client-ca)`;
  }
}

function situation(err: OntapError, ctx: DiagnosticContext): Situation {
  const s: Situation = {
    svm: ctx.svm ?? "<svm>",
    svmLabel: ctx.svm === undefined ? "the SVM" : `SVM "${ctx.svm}"`,
    cluster: err.host,
    method: err.method,
    path: err.path,
    ontapMessage: err instanceof OntapApiError ? err.ontapMessage : "",
  };
  if (err instanceof OntapApiError && err.target !== undefined) s.target = err.target;
  return s;
}

/** "name:port" → "name", "[v6]:port" → "v6": the name a certificate would carry. */
function hostnameOf(host: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(host);
  if (bracketed) return bracketed[1] ?? host;
  return host.replace(/:\d+$/, "");
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** The kinds an OntapDiagnosticError reports: the transport's, a settings problem, or anything else. */
export type DiagnosticKind = OntapErrorKind | "config" | "unknown";

/** The error the provider throws: its message is the rendered advice. */
export class OntapDiagnosticError extends Error {
  /** The ONTAP code, when the failure carried one. */
  readonly code?: string;
  /** The underlying failure's kind ("api", "tls", ...), "config", or "unknown". */
  readonly kind: DiagnosticKind;
  /** The HTTP status, when one arrived. */
  readonly status?: number;

  constructor(message: string, details: { kind: DiagnosticKind; code?: string; status?: number }) {
    super(message);
    this.name = "OntapDiagnosticError";
    this.kind = details.kind;
    if (details.code !== undefined && details.code !== "") this.code = details.code;
    if (details.status !== undefined) this.status = details.status;
  }
}

/** `err` rendered for `ctx`, as the error the provider throws. An OntapDiagnosticError passes through. */
export function toDiagnosticError(err: unknown, ctx: DiagnosticContext): OntapDiagnosticError {
  if (err instanceof OntapDiagnosticError) return err;
  const kind: DiagnosticKind =
    err instanceof OntapError || err instanceof OntapConfigError ? err.kind : "unknown";
  const code = err instanceof OntapApiError || err instanceof OntapJobError ? err.code : undefined;
  const status = (err as { status?: unknown } | null)?.status;
  return new OntapDiagnosticError(renderError(err, ctx), {
    kind,
    ...(code === undefined ? {} : { code }),
    ...(typeof status === "number" && err instanceof OntapError ? { status } : {}),
  });
}
