import { expect } from "chai";
import { OntapConfigError } from "../../../provider/errors/transport";
import { OntapClient } from "../../../provider/ontap/client";
import { parseHost } from "../../../provider/ontap/host";

/** Hosts that name a cluster, and the one form state, pinning and the client use for each. */
const CANONICAL: Array<[given: string, canonical: string]> = [
  ["cluster1.example.com", "cluster1.example.com"],
  ["Cluster1.Example.COM", "cluster1.example.com"],
  // The root dot names the same cluster: state must not see another one.
  ["cluster1.example.com.", "cluster1.example.com"],
  ["cluster1.example.com.:8443", "cluster1.example.com:8443"],
  ["cluster1.example.com:443", "cluster1.example.com"],
  ["  10.0.0.5  ", "10.0.0.5"],
  ["10.0.0.5:8443", "10.0.0.5:8443"],
  ["10.0.0.5:08443", "10.0.0.5:8443"],
  ["0.0.0.0", "0.0.0.0"],
  ["fd00::5", "[fd00::5]"],
  ["FD00:0:0::5", "[fd00::5]"],
  ["[fd00::5]:443", "[fd00::5]"],
  ["[FD00::5]:8443", "[fd00::5]:8443"],
  ["2001:db8::10", "[2001:db8::10]"],
  ["[fd00::5:8443]", "[fd00::5:8443]"],
];

/** Hosts refused, with what the message must say. */
const REFUSED: Array<[given: string, problem: RegExp]> = [
  ["", /is empty/],
  ["1.2.3", /"1\.2\.3" is IPv4 shorthand \(it would reach 1\.2\.0\.3\), which is ambiguous/],
  ["10.5", /IPv4 shorthand \(it would reach 10\.0\.0\.5\)/],
  ["4294967295", /IPv4 shorthand \(it would reach 255\.255\.255\.255\)/],
  ["010.0.0.1", /leading zero, 010, which some tools read as octal \(it would reach 8\.0\.0\.1\)/],
  ["0x0a.0.0.1", /hexadecimal octet, 0x0a \(it would reach 10\.0\.0\.1\)/],
  ["10.0.0.256", /octet 256 is above 255/],
  ["1.2.3.4.5", /has 5 numbers; an IPv4 address has four/],
  ["10.0.0.5.", /IPv4 address with a trailing dot/],
  ["cluster.123", /ends in a number, so it would be read as an IPv4 address/],
  [
    "fe80::1%eth0",
    /has a zone \(%eth0\): zoned link-local addresses are not supported: use the cluster's global or unique-local address$/,
  ],
  ["[fe80::1%25eth0]", /has a zone \(%25eth0\): zoned link-local addresses are not supported/],
  ["fe80::1", /is link-local, so it would need a zone/],
  ["fd00::5:8443", /ambiguous: .*write \[fd00::5\]:8443 for the port, or \[fd00::5:8443\] for the address/],
  ["[10.0.0.5]", /is not an IPv6 address/],
  ["https://10.0.0.5", /has a scheme: give only the host \(HTTPS is always used\)/],
  ["10.0.0.5/api", /contains a path/],
  ["10.0.0.5:0", /port 0 is outside 1\.\.65535/],
  ["10.0.0.5:https", /the port "https" is not a number/],
  ["10.0.0.5:", /the port "" is not a number/],
  ["clu_ster.example.com", /is not a host name, IPv4 or IPv6 address/],
  ["a..b", /is not a host name/],
  ["clüster.example.com", /is not ASCII: give the name in its ASCII \(xn--\) form/],
];

describe("host: one canonical parse", () => {
  for (const [given, canonical] of CANONICAL) {
    it(`names ${JSON.stringify(given)} as ${canonical}`, () => {
      expect(parseHost(given)).to.equal(canonical);
    });
  }

  for (const [given, problem] of REFUSED) {
    it(`refuses ${JSON.stringify(given)}`, () => {
      expect(() => parseHost(given))
        .to.throw(OntapConfigError, problem)
        .with.property("setting", "host");
    });
  }

  it("never repeats credentials given before an @", () => {
    for (const host of ["admin:secret@10.0.0.5", "https://admin:secret@10.0.0.5", "admin:secret@1.2.3"]) {
      expect(() => parseHost(host))
        .to.throw(OntapConfigError)
        .with.property("message")
        .that.does.not.include("secret");
    }
  });

  it("is what a client given a raw connection goes through: the same error, before any request", () => {
    const raw = { host: "1.2.3", auth: { kind: "basic", username: "admin", password: "pw" } } as const;
    expect(() => new OntapClient(raw))
      .to.throw(OntapConfigError, /IPv4 shorthand \(it would reach 1\.2\.0\.3\)/)
      .with.property("setting", "host");
  });
});
