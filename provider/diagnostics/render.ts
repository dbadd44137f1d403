/**
 * The one place that turns a failure into advice for a person: `renderError` writes a
 * summary line naming the action, SVM, cluster, code and request, then what it means here
 * and the fix with the real names filled in, from the code table in ./codes.
 */

import { type DiagnosticKind, OntapDiagnosticError } from "../errors";
import {
  OntapApiError,
  OntapAuthError,
  OntapConfigError,
  OntapError,
  OntapJobError,
  OntapJobPendingError,
  OntapLostResponseError,
  OntapNetworkError,
  OntapResponseError,
  OntapTimeoutError,
  OntapTlsError,
  type TlsProblem,
} from "../errors/transport";
import { seconds, UUID_PATTERN } from "../values";
import { adviceFor, EVENT_LOG, type Situation, UNAVAILABLE, UNAVAILABLE_STATUSES } from "./codes";

/** What the provider was doing when the error happened. */
export interface DiagnosticContext {
  /** The action in words that follow "to", e.g. "create the iSCSI service". */
  action: string;
  /** The SVM's name the action was about (a UUID only when the name cannot be known). */
  svm?: string;
  /** The account is SVM-scoped: an SVM it cannot see is not visible, rather than missing. */
  svmScopedAccount?: boolean;
  /** The command that runs the operation again; default "`pulumi up`". A delete's is the destroy's too. */
  rerun?: string;
}

/** The command that runs the failed operation again. */
function rerunOf(ctx: DiagnosticContext): string {
  return ctx.rerun ?? "`pulumi up`";
}

const TLS_PROBLEMS: Readonly<Record<TlsProblem, string>> = {
  "unknown-ca": "it is signed by a CA this connection does not trust",
  "self-signed": "it is self-signed, and this connection does not trust it",
  "hostname-mismatch": "it does not name the host the connection uses",
  expired: "it has expired",
  "not-yet-valid": "it is not valid yet (check the clocks of both machines)",
  handshake: "the TLS handshake failed",
};

// The default connection's keys, with a profile's beside them: the transport does not know
// which connection profile (if any) it serves, and the fix must name the right key.
const SUPPLY_CA =
  "give the CA certificate that signed the cluster's certificate (for a self-signed one, the certificate itself), " +
  "as PEM text or a file path, in config ontap:caCert or environment variable ONTAP_CA_CERT " +
  "(for a connection profile: ontap:clusters.<profile>.caCert or ONTAP_CLUSTERS_<PROFILE>_CA_CERT; " +
  "see the cluster's certificate with: security certificate show -type server); " +
  "or, as an explicit choice for this connection only, set ontap:insecure true (a profile's: ontap:clusters.<profile>.insecure)";

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
      : `look into the job on the cluster: job show -id ${err.jobUuid}; then re-run ${rerunOf(ctx)}`;
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
  if (err instanceof OntapJobPendingError) {
    return (
      `ONTAP job ${err.jobUuid} to ${ctx.action}${on} (cluster ${err.host}) is still ${err.state} after ${seconds(err.waitedMs)} [${where}]. ` +
      "ONTAP accepted the change and may still apply it; this run stopped waiting for it and sent nothing again.\n" +
      `Check: job show -id ${err.jobUuid}; once it shows success or failure, re-run ${rerunOf(ctx)}. ` +
      "If jobs on this cluster are routinely this slow, raise ontap:jobTimeoutMs (ONTAP_JOB_TIMEOUT_MS; default 300000)."
    );
  }
  if (err instanceof OntapTimeoutError) {
    return `Cluster ${err.host} did not answer within ${seconds(err.timeoutMs)} while trying to ${ctx.action}${on} [${where}].\nCheck: the cluster's load and the network path to it; for a slow cluster raise ontap:timeoutMs (ONTAP_TIMEOUT_MS); then re-run ${rerunOf(ctx)}.`;
  }
  if (err instanceof OntapLostResponseError) {
    const job = err.jobUuid === undefined ? "" : ` (ONTAP job ${err.jobUuid})`;
    return `The answer from cluster ${err.host} was lost while trying to ${ctx.action}${on}: ${err.reason}${job} [${err.method} ${err.path}]. ONTAP may or may not have applied it.\nFix: look with: vserver iscsi show -vserver ${s.svm}; then re-run ${rerunOf(ctx)}${err.method === "POST" ? " (a create reads the cluster back before it sends anything again)" : ""}.`;
  }
  if (err instanceof OntapNetworkError) {
    const fix =
      err.code === "ENOTFOUND"
        ? `the host name "${err.host}" does not resolve: correct ontap:host (ONTAP_HOST)`
        : `that ${err.host} is the cluster's management address and port (ontap:host), that it answers HTTPS (network interface show -service-policy default-management), and any firewall in between`;
    return `Could not reach cluster ${err.host} to ${ctx.action}${on}: ${err.reason} (${err.code}) [${where}].\nCheck: ${fix}; then re-run ${rerunOf(ctx)}.`;
  }
  if (err instanceof OntapResponseError) {
    return `Cluster ${err.host} answered HTTP ${err.status} but ${err.reason} while trying to ${ctx.action}${on} [${where}].\nCheck: any proxy or load balancer between here and the cluster; then re-run ${rerunOf(ctx)}.`;
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
  if (err.code === undefined && !UNAVAILABLE_STATUSES.has(err.status))
    return renderNotOntap(err, ctx, on, where);
  const known = err.code === undefined ? UNAVAILABLE : adviceFor(err.code);
  const label = err.code === undefined ? `HTTP ${err.status}` : `ONTAP ${err.code}`;
  const head = `ONTAP refused to ${ctx.action}${on} (cluster ${err.host})`;
  if (known !== undefined) {
    return `${head}: ${known.summary} [${label}, ${where}].\n${known.meaning(s)}\nFix: ${known.fix(s)}`;
  }
  const target = err.target === undefined ? "" : ` (field "${err.target}")`;
  return (
    `${head}: ${err.ontapMessage}${target} [${label}, HTTP ${err.status}, ${where}].\n` +
    `Fix: no advice is known for ONTAP code ${err.code}: ONTAP's message above is the best guide (look the code up in the ONTAP REST API reference).`
  );
}

/**
 * An answer without ONTAP's error body (an HTML page, a redirect, a bare 404): something
 * other than ONTAP's REST API answered, so no ONTAP code's meaning applies.
 */
function renderNotOntap(err: OntapApiError, ctx: DiagnosticContext, on: string, where: string): string {
  const redirect = err.status >= 300 && err.status < 400;
  const check = redirect
    ? "ontap:host must be the cluster management address that serves /api itself; a redirect means a proxy or web front end answered"
    : "that ontap:host is the cluster management address (not a proxy or web front end), and any proxy in between";
  return (
    `Could not ${ctx.action}${on}: host ${err.host} answered HTTP ${err.status}, which is not an ONTAP answer (no ONTAP error code) [${where}]. ` +
    `It began: ${err.ontapMessage}\nCheck: ${check}; ONTAP's own events: ${EVENT_LOG}.`
  );
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
  // An SVM named only by its UUID: commands get a placeholder, never the UUID as a vserver name.
  const byUuid = ctx.svm !== undefined && UUID_PATTERN.test(ctx.svm);
  const s: Situation = {
    svm: ctx.svm === undefined || byUuid ? "<svm>" : ctx.svm,
    svmLabel:
      ctx.svm === undefined ? "the SVM" : byUuid ? `the SVM with UUID ${ctx.svm}` : `SVM "${ctx.svm}"`,
    cluster: err.host,
    method: err.method,
    path: err.path,
    ontapMessage: err instanceof OntapApiError ? err.ontapMessage : "",
    rerun: rerunOf(ctx),
  };
  if (err instanceof OntapApiError && err.target !== undefined) s.target = err.target;
  if (ctx.svmScopedAccount) s.svmScopedAccount = true;
  return s;
}

/** "name:port" → "name", "[v6]:port" → "v6": the name a certificate would carry. */
function hostnameOf(host: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(host);
  if (bracketed) return bracketed[1] ?? host;
  return host.replace(/:\d+$/, "");
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
