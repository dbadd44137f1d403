/**
 * Authentication as ONTAP does it: HTTP Basic, OAuth 2.0 bearer tokens (9.14.1+), or a
 * client certificate signed by a trusted CA whose common name is the account.
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Reply } from "./router";

/**
 * Who a request acts as: the cluster administrator, or an SVM-scoped account (vsadmin)
 * that sees only its SVM. The simulator has one set of credentials; `account` decides
 * which of the two they are.
 */
export type Principal = { kind: "cluster" } | { kind: "svm"; svmUuid: string };

/** Parses an account ("admin" or "vsadmin:<svm>") into the SVM name it is scoped to, if any. */
export function parseAccount(value: string): { svm: string | undefined } {
  if (value === "admin") return { svm: undefined };
  const m = /^vsadmin:(.+)$/.exec(value);
  if (!m) throw new Error(`account must be "admin" or "vsadmin:<svm>", got "${value}"`);
  return { svm: m[1] };
}

/** Who may call the simulator. */
export interface AuthSettings {
  username: string;
  password: string;
  bearerTokens: string[];
  clientCertificates: boolean;
}

function certificateAccount(req: IncomingMessage): string | undefined {
  const socket = req.socket as TLSSocket;
  if (!socket.encrypted || !socket.authorized) return undefined;
  const cn = socket.getPeerCertificate()?.subject?.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}

/** Whether the request carries valid credentials. */
export function authenticate(auth: AuthSettings, req: IncomingMessage): boolean {
  if (auth.clientCertificates && certificateAccount(req) === auth.username) return true;
  const header = req.headers.authorization ?? "";
  const [scheme, value = ""] = header.trim().split(/\s+/, 2);
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return (
      colon >= 0 && decoded.slice(0, colon) === auth.username && decoded.slice(colon + 1) === auth.password
    );
  }
  if (/^bearer$/i.test(scheme)) return value !== "" && auth.bearerTokens.includes(value);
  return false;
}

/**
 * ONTAP's 401 comes from its web server before any API code runs: an HTML page, not an
 * ONTAP error body. Clients must decide on the status.
 */
export function unauthorized(auth: AuthSettings): Reply {
  const challenges = ['Basic realm="ONTAP"'];
  if (auth.bearerTokens.length > 0) challenges.push('Bearer realm="ONTAP"');
  return {
    status: 401,
    headers: { "www-authenticate": challenges, "content-type": "text/html; charset=iso-8859-1" },
    body:
      '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>401 Unauthorized</title>\n' +
      "</head><body>\n<h1>Unauthorized</h1>\n<p>This server could not verify that you\nare authorized to access " +
      "the document\nrequested.</p>\n</body></html>\n",
  };
}
