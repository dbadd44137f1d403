import { readdirSync, readFileSync, statSync } from "node:fs";
import https from "node:https";
import * as path from "node:path";
import tls from "node:tls";
import { expect } from "chai";
import ts from "typescript";
import type { IscsiServiceOutputs } from "../../provider";
import { repoRoot } from "../../tools/paths";
import { certsDir } from "../../tools/simulator/certs";
import type { TestCluster } from "../support/cluster";
import { FAST_CONFIG, fastCluster, inputs, rejection } from "./helpers";

const ROOT = repoRoot;
const INSECURE_WARNING = /TLS certificate verification is OFF for ONTAP cluster/;

/** What would change TLS for the whole process, not one connection. */
const PROCESS_WIDE = [
  /NODE_TLS_REJECT_UNAUTHORIZED/,
  /\bglobalAgent\b/,
  /\bDEFAULT_(MIN_VERSION|MAX_VERSION|CIPHERS|ECDH_CURVE)\b/,
  /\bsetDefaultCACertificates\b/,
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return file.endsWith(".ts") ? [file] : [];
  });
}

/** The code of a TypeScript file without its comments (a comment may name what the code must not do). */
function code(file: string): string {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  return ts.createPrinter({ removeComments: true }).printFile(source);
}

/** Process-wide TLS state, as text. */
function processTls(): string {
  return JSON.stringify({
    env: process.env,
    globalAgent: https.globalAgent.options,
    defaults: [tls.DEFAULT_MIN_VERSION, tls.DEFAULT_MAX_VERSION, tls.DEFAULT_CIPHERS, tls.DEFAULT_ECDH_CURVE],
  });
}

describe("TLS", () => {
  let c: TestCluster | undefined;
  let initial = "";
  before(() => {
    initial = processTls();
  });
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  const insecureWarnings = (cluster: TestCluster) =>
    cluster.logs.filter((l) => INSECURE_WARNING.test(l)).length;

  it("rejects an unknown CA by default, before any request, with advice naming ontap:caCert", async () => {
    c = await fastCluster({}, { "ontap:caCert": undefined });
    const check = await c.provider.check({}, { svmName: "svm1" });
    expect(
      check.failures?.map((f) => f.property),
      "the preview fails: the create would",
    ).to.deep.equal([""]);
    expect(check.failures?.[0]?.reason)
      .to.include(`Could not verify the TLS certificate of cluster ${c.sim.host}`)
      .and.include("ontap:caCert")
      .and.not.include("ontap:preflight false");
    const err = await rejection(c.provider.create(inputs()));
    expect(err.message)
      .to.include(`Could not verify the TLS certificate of cluster ${c.sim.host}`)
      .and.include('SVM "svm1"')
      .and.include("signed by a CA this connection does not trust")
      .and.include("ontap:caCert")
      .and.include("ONTAP_CA_CERT");
    expect(c.sim.requests).to.deep.equal([]);
    expect(c.sim.services()).to.deep.equal([]);
  });

  it("passes with the right CA, as PEM text or as a file path", async () => {
    for (const ca of ["pem", "path"] as const) {
      c = await fastCluster({}, ca === "path" ? { "ontap:caCert": path.join(certsDir(), "ca.pem") } : {});
      const { outs } = await c.provider.create(inputs());
      await c.provider.delete(outs?.svmUuid ?? "", outs as IscsiServiceOutputs);
      expect(c.sim.services()).to.deep.equal([]);
      expect(insecureWarnings(c)).to.equal(0);
      await c.stop();
    }
  });

  it("rejects a certificate that does not name the host, even from the trusted CA", async () => {
    c = await fastCluster({ certificate: "wrong-host" });
    const err = await rejection(c.provider.create(inputs()));
    expect(err.message)
      .to.include("it does not name the host the connection uses")
      .and.include("ERR_TLS_CERT_ALTNAME_INVALID")
      .and.include("127.0.0.1 is not among the names the certificate carries")
      .and.include("Fix: connect with a host name or address the certificate carries");
    expect(c.sim.requests).to.deep.equal([]);
  });

  it('keeps verification on with insecure "false" given explicitly', async () => {
    c = await fastCluster({}, { "ontap:caCert": undefined, "ontap:insecure": "false" });
    const err = await rejection(c.provider.create(inputs()));
    expect(err.message).to.include("does not trust");
    expect(insecureWarnings(c)).to.equal(0);
  });

  it("with insecure true, works past an unknown CA and a wrong host name, warning once per connection", async () => {
    c = await fastCluster(
      { certificate: "wrong-host" },
      { "ontap:caCert": undefined, "ontap:insecure": "true" },
    );
    const news = (await c.provider.check({}, { svmName: "svm1" })).inputs as ReturnType<typeof inputs>;
    const { outs } = await c.provider.create(news);
    const created = outs as IscsiServiceOutputs;
    await c.provider.read(created.svmUuid, created);
    const { outs: updated } = await c.provider.update(created.svmUuid, created, {
      ...news,
      targetAlias: "db",
    });
    expect(c.sim.service("svm1")?.alias).to.equal("db");
    expect(insecureWarnings(c), "one warning for the first connection").to.equal(1);
    expect(c.logs.find((l) => INSECURE_WARNING.test(l)))
      .to.include(c.sim.host)
      .and.include("ontap:caCert");

    await c.reconfigure({ "ontap:timeoutMs": "301" });
    await c.provider.delete(created.svmUuid, updated as IscsiServiceOutputs);
    expect(c.sim.services()).to.deep.equal([]);
    expect(insecureWarnings(c), "one more for the new connection").to.equal(2);
  });

  it("keeps insecure to the profile that sets it: the default connection still verifies", async () => {
    c = await fastCluster({}, { "ontap:caCert": undefined });
    const lab = {
      host: c.sim.host,
      username: "admin",
      password: "netapp123",
      insecure: "true",
      ...profileOf(FAST_CONFIG),
    };
    await c.reconfigure({ "ontap:clusters": { lab } });
    const { outs } = await c.provider.create(inputs({ cluster: "lab" }));
    expect(outs).to.include({ cluster: "lab" });
    const err = await rejection(c.provider.create(inputs({ svmName: "svm2" })));
    expect(err.message).to.include("does not trust");
    expect(c.sim.service("svm2")).to.equal(undefined);
    expect(insecureWarnings(c)).to.equal(1);
  });

  it("touches no process-wide TLS setting: not in the code of provider/ and sdk/, not at run time", () => {
    const files = [...sources(path.join(ROOT, "provider")), ...sources(path.join(ROOT, "sdk"))];
    expect(files.length).to.be.greaterThan(10);
    const mentioned = files.filter((f) => PROCESS_WIDE.some((p) => p.test(readFileSync(f, "utf8"))));
    expect(mentioned.length, "comments that name the settings prove the search finds them").to.be.greaterThan(
      0,
    );
    const hits = files.flatMap((f) =>
      PROCESS_WIDE.filter((p) => p.test(code(f))).map((p) => `${path.relative(ROOT, f)}: ${p}`),
    );
    expect(hits).to.deep.equal([]);
    expect(processTls(), "process.env, https.globalAgent and tls defaults after the runs above").to.equal(
      initial,
    );
  });
});

/** FAST_CONFIG's `ontap:` keys as the fields of a profile. */
function profileOf(config: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key.replace(/^ontap:/, ""), value]),
  );
}
