/**
 * The one parser of a cluster's management host, and its one canonical text: state,
 * cluster pinning, the pool and the client all name a cluster by what {@link parseHost} returns.
 *
 * Accepted, each with an optional ":port" (1..65535):
 * - a DNS name: letters, digits and hyphens in dot-separated labels; one trailing root dot
 *   ("cluster1.example.com.") is dropped, because it names the same cluster;
 * - an IPv4 address written as four decimal numbers 0..255 without leading zeros;
 * - an IPv6 address, bare ("fd00::5", then without a port) or in brackets ("[fd00::5]:8443");
 *   a bare one whose last group could be a port ("fd00::5:8443") must be bracketed.
 *
 * Canonical: lower case; IPv6 in brackets and in its shortest form (RFC 5952, as the URL
 * parser writes it); ":443" dropped, since HTTPS means 443 anyway.
 *
 * Refused, because a person and the network stack could take them for different machines:
 * IPv4 shorthand ("1.2.3" reaches 1.2.0.3, "10.5" reaches 10.0.0.5), octal ("010.0.0.1") or
 * hexadecimal ("0x0a.0.0.1") octets, anything else of only digits and dots that is not four
 * decimal octets, a name whose last label is a number (the URL parser reads it as IPv4),
 * octets over 255; link-local IPv6 with or without a zone ("fe80::1%eth0", "[fe80::1%25eth0]":
 * the zone names an interface of this machine, not the cluster). Also refused: a scheme, a
 * path or query, credentials, whitespace, non-ASCII names (give the xn-- form).
 */

import { isIPv6 } from "node:net";

import { OntapConfigError } from "../errors/transport";

/** What a host setting looks like, for the messages that say what to give instead. */
export const HOST_FORM = "<cluster management name or address>[:port]";

const HTTPS_PORT = 443;
const NUMBER_LABEL = /^(?:\d+|0x[0-9a-f]*)$/i;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The canonical form of a management host ("name", "name:port", "[v6]", "[v6]:port").
 * Throws {@link OntapConfigError} (setting "host") saying what is wrong and what to give instead;
 * the message never repeats credentials that came before an "@".
 */
export function parseHost(input: string): string {
  if (typeof input !== "string" || input.trim() === "") throw invalid("is empty or not a string");
  const text = input.trim();
  const shown = shownHost(text);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
    throw invalid(`${shown} has a scheme`, "give only the host (HTTPS is always used)");
  if (text.includes("@"))
    throw invalid(
      `${shown} carries credentials`,
      "give only the host; the credentials have settings of their own",
    );
  if (/[/?#\s]/.test(text))
    throw invalid(`${shown} contains a path, query or whitespace`, "give only the host and port");
  const { hostname, port } = splitPort(text, shown);
  const name = hostname.startsWith("[") ? ipv6(hostname.slice(1, -1), shown) : nameOrIPv4(hostname, shown);
  return port === undefined || port === HTTPS_PORT ? name : `${name}:${port}`;
}

/** "[v6]:port" / "v6" / "name:port" → the host part and the port as a number. */
function splitPort(text: string, shown: string): { hostname: string; port?: number } {
  const bracketed = /^(\[[^\]]*\])(?::(.*))?$/.exec(text);
  if (bracketed) {
    const [, hostname = "", port] = bracketed;
    return port === undefined ? { hostname } : { hostname, port: portNumber(port, shown) };
  }
  const colons = text.split(":").length - 1;
  if (colons > 1) {
    // "fd00::5:8443" is an address, but reads as fd00::5 on port 8443 too: brackets decide.
    const colon = text.lastIndexOf(":");
    const head = text.slice(0, colon);
    const tail = text.slice(colon + 1);
    if (isIPv6(text) && isIPv6(head) && /^\d{1,5}$/.test(tail) && Number(tail) >= 1 && Number(tail) <= 65535)
      throw invalid(
        `${shown} is ambiguous: an IPv6 address, or ${head} with port ${tail}`,
        `write [${head}]:${tail} for the port, or [${text}] for the address`,
      );
    return { hostname: `[${text}]` };
  }
  if (colons === 0) return { hostname: text };
  const colon = text.indexOf(":");
  return { hostname: text.slice(0, colon), port: portNumber(text.slice(colon + 1), shown) };
}

function portNumber(text: string, shown: string): number {
  if (!/^\d{1,5}$/.test(text))
    throw invalid(`${shown}: the port ${JSON.stringify(text)} is not a number from 1 to 65535`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw invalid(`${shown}: port ${port} is outside 1..65535`);
  return port;
}

/** An IPv6 address (brackets removed) in its canonical bracketed form. */
function ipv6(address: string, shown: string): string {
  const zone = address.indexOf("%");
  if (zone !== -1 || /^fe[89ab][0-9a-f]:/i.test(address)) {
    const what =
      zone === -1 ? "is link-local, so it would need a zone" : `has a zone (${address.slice(zone)})`;
    throw invalid(
      `${shown} ${what}: zoned link-local addresses are not supported`,
      "use the cluster's global or unique-local address",
    );
  }
  if (!isIPv6(address)) throw invalid(`${shown} is not an IPv6 address`);
  // The URL parser's serialization is RFC 5952's: "FD00:0::5" and "fd00::5" are one cluster.
  return new URL(`https://[${address}]/`).hostname;
}

/** A DNS name (lower case, without its root dot) or a strict dotted-quad IPv4 address. */
function nameOrIPv4(hostname: string, shown: string): string {
  const labels = hostname.toLowerCase().split(".");
  const fqdn = labels.length > 1 && labels.at(-1) === "";
  const bare = fqdn ? labels.slice(0, -1) : labels;
  if (NUMBER_LABEL.test(bare.at(-1) ?? "")) return ipv4(hostname, bare, fqdn, shown);
  if (/[^\x20-\x7e]/.test(hostname))
    throw invalid(`${shown} is not ASCII`, "give the name in its ASCII (xn--) form");
  if (!bare.every((label) => DNS_LABEL.test(label)) || bare.join(".").length > 253)
    throw invalid(`${shown} is not a host name, IPv4 or IPv6 address`);
  return bare.join(".");
}

/** Four decimal octets, or the reason this host that ends in a number is ambiguous. */
function ipv4(hostname: string, labels: string[], fqdn: boolean, shown: string): string {
  if (!labels.every((label) => NUMBER_LABEL.test(label))) {
    throw invalid(
      `${shown} ends in a number, so it would be read as an IPv4 address`,
      "give a host name whose last label is not a number, or the cluster's address",
    );
  }
  const fix = "write the address as four decimal numbers from 0 to 255, without leading zeros";
  const meaning = urlHostname(hostname);
  const reads = meaning === undefined || meaning === labels.join(".") ? "" : ` (it would reach ${meaning})`;
  const hex = labels.find((label) => /^0x/.test(label));
  if (hex !== undefined) throw invalid(`${shown} has a hexadecimal octet, ${hex}${reads}`, fix);
  if (labels.length < 4) throw invalid(`${shown} is IPv4 shorthand${reads}, which is ambiguous`, fix);
  if (labels.length > 4)
    throw invalid(`${shown} has ${labels.length} numbers; an IPv4 address has four`, fix);
  const octal = labels.find((label) => label.length > 1 && label.startsWith("0"));
  if (octal !== undefined)
    throw invalid(
      `${shown} has an octet with a leading zero, ${octal}, which some tools read as octal${reads}`,
      fix,
    );
  const large = labels.find((label) => Number(label) > 255);
  if (large !== undefined) throw invalid(`${shown}: octet ${large} is above 255`, fix);
  if (fqdn) throw invalid(`${shown} is an IPv4 address with a trailing dot`, fix);
  return labels.join(".");
}

/** How the WHATWG URL parser (and so fetch) reads a host, when it reads it at all. */
function urlHostname(hostname: string): string | undefined {
  try {
    return new URL(`https://${hostname}/`).hostname;
  } catch {
    return undefined;
  }
}

/** A host setting as an error may quote it: anything up to the last "@" (user:password) hidden. */
function shownHost(text: string): string {
  const at = text.lastIndexOf("@");
  if (at === -1) return JSON.stringify(text);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? "";
  return JSON.stringify(`${scheme}<credentials>@${text.slice(at + 1)}`);
}

function invalid(problem: string, hint?: string): OntapConfigError {
  return OntapConfigError.invalid("host", problem, hint);
}
