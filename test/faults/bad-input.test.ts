import { join } from "node:path";
import { expect } from "chai";
import { ConfigError, IscsiServiceProvider } from "../../provider";
import { certsDir, readCert } from "../../tools/simulator/certs";
import type { TestCluster } from "../support/cluster";
import { fastCluster, inputs, rejection, SERVICES, settle } from "./helpers";

const UUID = "3f2b8c1e-5a4d-4c3b-9e2f-1a2b3c4d5e6f";

/** A malformed resource input: the Check failure must name `property` and say how to fix it (`reason`). */
interface InputCase {
  what: string;
  raw: Record<string, unknown>;
  property: string;
  reason: RegExp;
}

const BAD_INPUTS: InputCase[] = [
  { what: "no SVM at all", raw: {}, property: "svmName", reason: /set svmName/ },
  { what: "svmName a number", raw: { svmName: 42 }, property: "svmName", reason: /must be a string/ },
  { what: "svmName an array", raw: { svmName: ["svm1"] }, property: "svmName", reason: /must be a string/ },
  {
    what: "svmName empty",
    raw: { svmName: "" },
    property: "svmName",
    reason: /not a valid SVM name.*vserver show/,
  },
  {
    what: "svmName with a space",
    raw: { svmName: "svm 1" },
    property: "svmName",
    reason: /not a valid SVM name/,
  },
  {
    what: "svmName of 48 characters",
    raw: { svmName: "s".repeat(48) },
    property: "svmName",
    reason: /1\.\.47/,
  },
  {
    what: "svmName starting with a dash",
    raw: { svmName: "-svm" },
    property: "svmName",
    reason: /not a valid/,
  },
  {
    what: "svmName non-ASCII",
    raw: { svmName: "svmé" },
    property: "svmName",
    reason: /not a valid SVM name/,
  },
  {
    what: "svmUuid not a UUID",
    raw: { svmUuid: "not-a-uuid" },
    property: "svmUuid",
    reason: /vserver show -fields uuid/,
  },
  {
    what: "svmUuid without dashes",
    raw: { svmUuid: UUID.replace(/-/g, "") },
    property: "svmUuid",
    reason: /8-4-4-4-12/,
  },
  { what: "svmUuid in braces", raw: { svmUuid: `{${UUID}}` }, property: "svmUuid", reason: /not a UUID/ },
  {
    what: "svmUuid with a trailing space",
    raw: { svmUuid: `${UUID} ` },
    property: "svmUuid",
    reason: /not a UUID/,
  },
  {
    what: "svmUuid one digit short",
    raw: { svmUuid: UUID.slice(0, -1) },
    property: "svmUuid",
    reason: /not a UUID/,
  },
  { what: "svmUuid a number", raw: { svmUuid: 7 }, property: "svmUuid", reason: /must be a string/ },
  { what: "svmUuid empty", raw: { svmUuid: "" }, property: "svmUuid", reason: /not a UUID/ },
  {
    what: 'enabled as "true"',
    raw: { svmName: "svm1", enabled: "true" },
    property: "enabled",
    reason: /boolean/,
  },
  { what: "enabled as 1", raw: { svmName: "svm1", enabled: 1 }, property: "enabled", reason: /boolean/ },
  { what: "enabled null", raw: { svmName: "svm1", enabled: null }, property: "enabled", reason: /boolean/ },
  {
    what: "alias of 129 characters",
    raw: { svmName: "svm1", targetAlias: "a".repeat(129) },
    property: "targetAlias",
    reason: /129 characters.*at most 128/,
  },
  {
    what: "alias with a space",
    raw: { svmName: "svm1", targetAlias: "my alias" },
    property: "targetAlias",
    reason: /whitespace/,
  },
  {
    what: "alias only a space",
    raw: { svmName: "svm1", targetAlias: " " },
    property: "targetAlias",
    reason: /whitespace/,
  },
  {
    what: "alias with a tab",
    raw: { svmName: "svm1", targetAlias: "my\talias" },
    property: "targetAlias",
    reason: /whitespace/,
  },
  {
    what: "alias with a newline",
    raw: { svmName: "svm1", targetAlias: "my\nalias" },
    property: "targetAlias",
    reason: /whitespace/,
  },
  {
    what: "alias with a no-break space",
    raw: { svmName: "svm1", targetAlias: "a\u00a0b" },
    property: "targetAlias",
    reason: /whitespace/,
  },
  {
    what: "alias with BEL",
    raw: { svmName: "svm1", targetAlias: "a\u0007b" },
    property: "targetAlias",
    reason: /control character/,
  },
  {
    what: "alias with DEL",
    raw: { svmName: "svm1", targetAlias: "a\u007fb" },
    property: "targetAlias",
    reason: /control character/,
  },
  {
    what: "alias with NUL",
    raw: { svmName: "svm1", targetAlias: "a\u0000b" },
    property: "targetAlias",
    reason: /control character/,
  },
  {
    what: "alias with an accent",
    raw: { svmName: "svm1", targetAlias: "zürich" },
    property: "targetAlias",
    reason: /non-ASCII/,
  },
  {
    what: "alias in CJK",
    raw: { svmName: "svm1", targetAlias: "目标" },
    property: "targetAlias",
    reason: /non-ASCII/,
  },
  {
    what: "alias with a zero-width space",
    raw: { svmName: "svm1", targetAlias: "a\u200bb" },
    property: "targetAlias",
    reason: /non-ASCII/,
  },
  {
    what: "alias a number",
    raw: { svmName: "svm1", targetAlias: 5 },
    property: "targetAlias",
    reason: /must be a string/,
  },
  {
    what: "cluster empty",
    raw: { svmName: "svm1", cluster: "" },
    property: "cluster",
    reason: /ontap:clusters/,
  },
  {
    what: "cluster a number",
    raw: { svmName: "svm1", cluster: 7 },
    property: "cluster",
    reason: /ontap:clusters/,
  },
  { what: 'adopt as "yes"', raw: { svmName: "svm1", adopt: "yes" }, property: "adopt", reason: /boolean/ },
  {
    what: "an input with a typo",
    raw: { svmName: "svm1", targetalias: "x" },
    property: "targetalias",
    reason: /Remove it/,
  },
  {
    what: "a credential as an input",
    raw: { svmName: "svm1", password: "hunter2" },
    property: "password",
    reason: /not an input/,
  },
];

const PROFILE = { host: "127.0.0.1:1", username: "admin", password: "pw" };

/**
 * A broken connection setting: `check` of a new resource (or `create`) must fail naming
 * `key` and the fix, before any request. `raw` defaults to a plain resource on svm1.
 */
interface ConfigCase {
  what: string;
  config: (c: TestCluster) => Record<string, unknown>;
  raw?: Record<string, unknown>;
  key: string;
  problem: RegExp;
  /** What the line after "Fix: " must say, when the case is about the fix. */
  fix?: RegExp;
  /** `ontap:preflight` is read by check only: create does not look at it. */
  checkOnly?: boolean;
}

const BAD_CONFIGS: ConfigCase[] = [
  {
    what: "host with a scheme",
    config: (c) => ({ "ontap:host": `https://${c.sim.host}` }),
    key: "ontap:host",
    problem: /has a scheme/,
  },
  {
    what: "host with a path",
    config: (c) => ({ "ontap:host": `${c.sim.host}/api` }),
    key: "ontap:host",
    problem: /contains a path/,
  },
  {
    what: "host with a semicolon for a colon",
    config: (c) => ({ "ontap:host": c.sim.host.replace(":", ";") }),
    key: "ontap:host",
    problem: /not a host name/,
  },
  {
    what: "host with port 70000",
    config: () => ({ "ontap:host": "127.0.0.1:70000" }),
    key: "ontap:host",
    problem: /outside 1\.\.65535/,
  },
  {
    what: "host with a named port",
    config: () => ({ "ontap:host": "127.0.0.1:https" }),
    key: "ontap:host",
    problem: /the port "https" is not a number/,
  },
  {
    what: "no host",
    config: () => ({ "ontap:host": undefined }),
    key: "ontap:host",
    problem: /no cluster is configured/,
  },
  {
    what: "CA that is not a certificate",
    config: () => ({
      "ontap:caCert": "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
    }),
    key: "ontap:caCert",
    problem: /not a valid PEM certificate/,
  },
  {
    what: "CA path that does not exist",
    config: () => ({ "ontap:caCert": "/nonexistent/cluster-ca.pem" }),
    key: "ontap:caCert",
    problem: /neither PEM text nor the path/,
  },
  {
    what: "password missing",
    config: () => ({ "ontap:password": undefined }),
    key: "ontap:password",
    problem: /has no password/,
  },
  {
    what: "no credentials at all",
    config: () => ({ "ontap:username": undefined, "ontap:password": undefined }),
    key: "ontap:username",
    problem: /no credentials/,
  },
  {
    what: "user/password and a token",
    config: () => ({ "ontap:token": "tok-1234567890" }),
    key: "ontap:token",
    problem: /more than one way/,
  },
  {
    what: "client certificate without its key",
    config: () => ({
      "ontap:username": undefined,
      "ontap:password": undefined,
      "ontap:clientCert": readCert("client-admin.pem"),
    }),
    key: "ontap:clientKey",
    problem: /without its key/,
  },
  {
    what: "client key that is not a key",
    config: () => ({
      "ontap:username": undefined,
      "ontap:password": undefined,
      "ontap:clientCert": join(certsDir(), "client-admin.pem"),
      "ontap:clientKey": join(certsDir(), "ca.pem"),
    }),
    key: "ontap:clientKey",
    problem: /not a PEM private key/,
  },
  {
    what: "username an object",
    config: () => ({ "ontap:username": '{"name":"admin"}' }),
    key: "ontap:username",
    problem: /must be a string/,
  },
  {
    what: 'insecure given as "yes"',
    config: () => ({ "ontap:insecure": "yes" }),
    key: "ontap:insecure",
    problem: /true or false/,
    fix: /^pulumi config set ontap:insecure true {3}\(or false, the default; true turns TLS certificate verification off/,
  },
  {
    what: "timeoutMs not a number",
    config: () => ({ "ontap:timeoutMs": "3s" }),
    key: "ontap:timeoutMs",
    problem: /whole number/,
  },
  {
    what: "timeoutMs zero",
    config: () => ({ "ontap:timeoutMs": "0" }),
    key: "ontap:timeoutMs",
    problem: /whole number from 1/,
  },
  {
    what: "maxConcurrent above 256",
    config: () => ({ "ontap:maxConcurrent": "1000" }),
    key: "ontap:maxConcurrent",
    problem: /to 256/,
  },
  {
    what: "retries negative",
    config: () => ({ "ontap:retries": "-1" }),
    key: "ontap:retries",
    problem: /whole number from 0/,
  },
  {
    what: 'preflight given as "maybe"',
    config: () => ({ "ontap:preflight": "maybe" }),
    key: "ontap:preflight",
    problem: /true or false/,
    // Not the insecure setting's advice: nothing about TLS.
    fix: /^pulumi config set ontap:preflight false {3}\(or true, the default: check looks the SVM up, read-only, before a create\)$/,
    checkOnly: true,
  },
  {
    what: "jobTimeoutMs in words",
    config: () => ({ "ontap:jobTimeoutMs": "5 min" }),
    key: "ontap:jobTimeoutMs",
    problem: /must be a whole number from 1 to 3600000, got "5 min"/,
    fix: /^pulumi config set ontap:jobTimeoutMs <milliseconds> {3}\(1 to 3600000; default 300000\)$/,
  },
  {
    what: "jobTimeoutMs zero",
    config: () => ({ "ontap:jobTimeoutMs": "0" }),
    key: "ontap:jobTimeoutMs",
    problem: /whole number from 1 to 3600000, got 0/,
  },
  {
    what: "client key of another certificate",
    config: () => ({
      "ontap:username": undefined,
      "ontap:password": undefined,
      "ontap:clientCert": join(certsDir(), "client-admin.pem"),
      "ontap:clientKey": join(certsDir(), "server.key"),
    }),
    key: "ontap:clientKey",
    problem: /does not work with the client certificate/,
    fix: /^pulumi config set --secret ontap:clientKey -- "\$\(cat client\.key\)"/,
  },
  {
    what: "unknown cluster profile",
    config: () => ({ "ontap:clusters": { west: PROFILE } }),
    raw: { svmName: "svm1", cluster: "east" },
    key: "ontap:clusters.east",
    problem: /no connection profile named "east".*known: west/,
    fix: /^pulumi config set --path 'ontap:clusters\.east\.host'/,
  },
  {
    what: "ontap:clusters a string",
    config: () => ({ "ontap:clusters": "west" }),
    raw: { svmName: "svm1", cluster: "west" },
    key: "ontap:clusters",
    problem: /must be an object/,
  },
  {
    what: "ontap:clusters a JSON array",
    config: () => ({ "ontap:clusters": '["west"]' }),
    raw: { svmName: "svm1", cluster: "west" },
    key: "ontap:clusters",
    problem: /must be an object/,
  },
  {
    what: "profile host with a scheme",
    config: () => ({ "ontap:clusters": { west: { ...PROFILE, host: "https://west" } } }),
    raw: { svmName: "svm1", cluster: "west" },
    key: "ontap:clusters.west.host",
    problem: /has a scheme/,
  },
  {
    what: "profile without a password",
    config: () => ({ "ontap:clusters": JSON.stringify({ west: { ...PROFILE, password: undefined } }) }),
    raw: { svmName: "svm1", cluster: "west" },
    key: "ontap:clusters.west.password",
    problem: /has no password/,
  },
  {
    what: 'profile insecure "yes"',
    config: () => ({ "ontap:clusters": { west: { ...PROFILE, insecure: "yes" } } }),
    raw: { svmName: "svm1", cluster: "west" },
    key: "ontap:clusters.west.insecure",
    problem: /true or false/,
    fix: /^pulumi config set --path 'ontap:clusters\.west\.insecure' true /,
  },
  {
    what: "profile jobTimeoutMs negative",
    config: () => ({ "ontap:clusters": { west: { ...PROFILE, jobTimeoutMs: -5 } } }),
    raw: { svmName: "svm1", cluster: "west" },
    key: "ontap:clusters.west.jobTimeoutMs",
    problem: /whole number from 1 to 3600000, got -5/,
    fix: /^pulumi config set --path 'ontap:clusters\.west\.jobTimeoutMs' <milliseconds>/,
  },
  {
    what: "profile with a misspelt setting",
    config: () => ({ "ontap:clusters": { west: { ...PROFILE, hots: "10.0.0.5" } } }),
    raw: { svmName: "svm1", cluster: "west" },
    key: "ontap:clusters.west.hots",
    problem: /is not a connection setting \(known: host, /,
    fix: /^pulumi config rm --path 'ontap:clusters\.west\.hots'/,
  },
];

/**
 * A host that must be refused, as `ontap:host`, as a profile's host and as ONTAP_HOST:
 * `problem` says why, `hint` what to give instead (before the command in the Fix line).
 */
interface HostCase {
  host: string;
  problem: RegExp;
  hint: RegExp;
}

const FOUR_OCTETS = /^write the address as four decimal numbers from 0 to 255, without leading zeros: /;
const NOT_LINK_LOCAL = /^use the cluster's global or unique-local address: /;

const BAD_HOSTS: HostCase[] = [
  { host: "1.2.3", problem: /"1\.2\.3" is IPv4 shorthand \(it would reach 1\.2\.0\.3\)/, hint: FOUR_OCTETS },
  { host: "10.5", problem: /"10\.5" is IPv4 shorthand \(it would reach 10\.0\.0\.5\)/, hint: FOUR_OCTETS },
  { host: "010.0.0.1", problem: /leading zero, 010, which some tools read as octal/, hint: FOUR_OCTETS },
  { host: "0x0a.0.0.1", problem: /hexadecimal octet, 0x0a/, hint: FOUR_OCTETS },
  { host: "10.0.0.256", problem: /octet 256 is above 255/, hint: FOUR_OCTETS },
  { host: "1.2.3.4.5", problem: /has 5 numbers; an IPv4 address has four/, hint: FOUR_OCTETS },
  { host: "10.0.0.5.", problem: /IPv4 address with a trailing dot/, hint: FOUR_OCTETS },
  { host: "fe80::1%eth0", problem: /zoned link-local addresses are not supported/, hint: NOT_LINK_LOCAL },
  {
    host: "[fe80::1%25eth0]:8443",
    problem: /zoned link-local addresses are not supported/,
    hint: NOT_LINK_LOCAL,
  },
  {
    host: "cluster.123",
    problem: /ends in a number, so it would be read as an IPv4 address/,
    hint: /^give a host name/,
  },
  {
    host: "fd00::5:8443",
    problem: /ambiguous: an IPv6 address, or fd00::5 with port 8443/,
    hint: /^write \[fd00::5\]:8443/,
  },
];

/** The line after "Fix: " in a configuration error. */
function fixOf(message: string): string {
  return message.slice(message.indexOf("\nFix: ") + "\nFix: ".length);
}

/**
 * A provider configured only from this environment (no stack config), as when ONTAP_*
 * variables are exported; `c` gives it a simulator to count requests.
 */
async function fromEnvironment(c: TestCluster, env: Record<string, string>): Promise<IscsiServiceProvider> {
  const provider = new IscsiServiceProvider({
    env: {
      ONTAP_HOST: c.sim.host,
      ONTAP_USERNAME: "admin",
      ONTAP_PASSWORD: "netapp123",
      ...(c.sim.caCert === undefined ? {} : { ONTAP_CA_CERT: c.sim.caCert }),
      ...env,
    },
    logger: { debug: () => {}, warn: () => {} },
  });
  await provider.configure({ config: { get: () => undefined } });
  return provider;
}

/**
 * The config problem `check` reports: a Check failure, never a thrown error (the CLI would
 * print that twice, with a stack trace), on `cluster` for a profile, on the resource ("")
 * for the default connection.
 */
async function checkProblem(
  c: TestCluster,
  raw: Record<string, unknown>,
  provider = c.provider,
): Promise<string> {
  const result = await settle(provider.check({}, raw));
  if (!result.ok) throw result.error;
  const failures = result.value.failures ?? [];
  expect(failures.map((f) => f.property)).to.deep.equal([raw.cluster === undefined ? "" : "cluster"]);
  return failures[0].reason;
}

describe(`bad input: ${BAD_INPUTS.length} malformed inputs, ${BAD_CONFIGS.length} broken settings and ${BAD_HOSTS.length} ambiguous hosts, zero requests`, () => {
  let c: TestCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  describe("inputs: a Check failure naming the property and the fix", () => {
    let shared: TestCluster;
    before(async () => {
      shared = await fastCluster();
    });
    after(() => shared.stop());

    for (const bad of BAD_INPUTS) {
      it(`${bad.what} → ${bad.property}`, async () => {
        shared.sim.clearRequests();
        const { failures = [] } = await shared.provider.check({}, bad.raw);
        const failure = failures.find((f) => f.property === bad.property);
        expect(failure, JSON.stringify(failures)).to.not.equal(undefined);
        expect(failure?.reason).to.match(bad.reason);
        expect(shared.sim.requests).to.deep.equal([]);
      });
    }
  });

  describe("settings: a configuration error naming the key and the fix", () => {
    for (const bad of BAD_CONFIGS) {
      it(`${bad.what} → ${bad.key}`, async () => {
        c = await fastCluster();
        await c.reconfigure(bad.config(c));
        const raw = bad.raw ?? { svmName: "svm1" };
        const said = await checkProblem(c, raw);
        expect(said.startsWith(`Configuration error in ${bad.key}: `), said).to.equal(true);
        expect(said)
          .to.match(bad.problem)
          .and.match(/\nFix: \S/);
        if (bad.fix) expect(fixOf(said)).to.match(bad.fix);
        if (!bad.checkOnly) {
          const err = await rejection(
            c.provider.create(inputs(raw.cluster ? { cluster: String(raw.cluster) } : {})),
          );
          expect(err).to.be.instanceOf(ConfigError);
          expect(err.message).to.include(bad.key);
        }
        expect(c.sim.requests).to.deep.equal([]);
      });
    }
  });

  describe("hosts: one canonical parse; an ambiguous host is refused, naming where it came from", () => {
    const sources = [
      {
        key: "ontap:host",
        command: /pulumi config set ontap:host <cluster management name or address>\[:port\]$/,
        problem: async (c: TestCluster, host: string) => {
          await c.reconfigure({ "ontap:host": host });
          return checkProblem(c, { svmName: "svm1" });
        },
      },
      {
        key: "ontap:clusters.lab.host",
        command:
          /pulumi config set --path 'ontap:clusters\.lab\.host' <cluster management name or address>\[:port\]$/,
        problem: async (c: TestCluster, host: string) => {
          const lab = { host, username: "admin", password: "netapp123", caCert: c.sim.caCert };
          await c.reconfigure({ "ontap:clusters": { lab } });
          return checkProblem(c, { svmName: "svm1", cluster: "lab" });
        },
      },
      {
        key: "ONTAP_HOST",
        command: /export ONTAP_HOST=<cluster management name or address>\[:port\]$/,
        problem: async (c: TestCluster, host: string) =>
          checkProblem(c, { svmName: "svm1" }, await fromEnvironment(c, { ONTAP_HOST: host })),
      },
    ];
    for (const bad of BAD_HOSTS) {
      for (const source of sources) {
        it(`${bad.host} as ${source.key}`, async () => {
          c = await fastCluster();
          const said = await source.problem(c, bad.host);
          expect(said.startsWith(`Configuration error in ${source.key}: `), said).to.equal(true);
          expect(said).to.match(bad.problem);
          expect(fixOf(said)).to.match(bad.hint).and.match(source.command);
          expect(c.sim.requests).to.deep.equal([]);
        });
      }
    }
  });

  describe("settings from the environment: the variable is named, and the fix exports it", () => {
    const cases: Array<{ env: Record<string, string>; key: string; problem: RegExp; fix: RegExp }> = [
      {
        env: { ONTAP_INSECURE: "yes" },
        key: "ONTAP_INSECURE",
        problem: /must be true or false, got "yes"/,
        fix: /^export ONTAP_INSECURE=true {3}\(or false, the default; true turns TLS certificate verification off/,
      },
      {
        env: { ONTAP_PREFLIGHT: "maybe" },
        key: "ONTAP_PREFLIGHT",
        problem: /must be true or false, got "maybe"/,
        fix: /^export ONTAP_PREFLIGHT=false {3}\(or true, the default: check looks the SVM up/,
      },
      {
        env: { ONTAP_JOB_TIMEOUT_MS: "soon" },
        key: "ONTAP_JOB_TIMEOUT_MS",
        problem: /must be a whole number from 1 to 3600000, got "soon"/,
        fix: /^export ONTAP_JOB_TIMEOUT_MS=<milliseconds> {3}\(1 to 3600000; default 300000\)$/,
      },
      {
        env: { ONTAP_MAX_CONCURRENT: "0" },
        key: "ONTAP_MAX_CONCURRENT",
        problem: /must be a whole number from 1 to 256, got 0/,
        fix: /^export ONTAP_MAX_CONCURRENT=<requests>/,
      },
      {
        env: { ONTAP_CA_CERT: "/nonexistent/cluster-ca.pem" },
        key: "ONTAP_CA_CERT",
        problem:
          /neither PEM text nor the path of a readable file \("\/nonexistent\/cluster-ca\.pem": ENOENT\)/,
        fix: /^export ONTAP_CA_CERT=\/path\/to\/cluster-ca\.pem {3}\(PEM text, or the path of a PEM file\)$/,
      },
    ];
    for (const bad of cases) {
      it(`${bad.key}=${Object.values(bad.env)[0]}`, async () => {
        c = await fastCluster();
        const said = await checkProblem(c, { svmName: "svm1" }, await fromEnvironment(c, bad.env));
        expect(said.startsWith(`Configuration error in ${bad.key}: `), said).to.equal(true);
        expect(said).to.match(bad.problem).and.not.include("pulumi config set");
        expect(fixOf(said)).to.match(bad.fix);
        expect(c.sim.requests).to.deep.equal([]);
      });
    }
  });

  describe("a name and a UUID of two different SVMs (only the cluster knows)", () => {
    it("create fails with 2621706's diagnostic and creates nothing", async () => {
      c = await fastCluster();
      const other = c.sim.svm("svm2")?.uuid;
      const err = await rejection(c.provider.create(inputs({ svmUuid: other })));
      expect(err.message)
        .to.include('SVM "svm1"')
        .and.include("ONTAP 2621706")
        .and.include("svm.uuid and svm.name name different SVMs")
        .and.include(
          "Fix: give only the SVM name, or a UUID that matches it (list both with: vserver show -fields uuid)",
        );
      expect(c.sim.services()).to.deep.equal([]);
      expect(c.sim.requests.map((r) => [r.method, r.path, r.applied])).to.deep.equal([
        ["POST", SERVICES, false],
      ]);
    });

    it("check's read-only preflight reports it on svmUuid, before any write", async () => {
      c = await fastCluster();
      const other = c.sim.svm("svm2")?.uuid;
      const { failures = [] } = await c.provider.check({}, { svmName: "svm1", svmUuid: other });
      expect(failures.map((f) => f.property)).to.deep.equal(["svmUuid"]);
      expect(failures[0].reason).to.include("2621706").and.include("nothing was changed");
      expect(c.sim.requests.every((r) => r.method === "GET")).to.equal(true);
    });
  });
});
