import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { certsDir } from "../../../tools/simulator/certs";
import { basic, call, SERVICES } from "../../../tools/simulator/client";
import { type SimulatorInstance, startSimulator } from "../../../tools/simulator/index";

const pem = (name: string) => readFileSync(join(certsDir(), name), "utf8");
const adminCert = () => ({ cert: pem("client-admin.pem"), key: pem("client-admin.key") });

describe("simulator: authentication and TLS", () => {
  let sim: SimulatorInstance;
  beforeEach(async () => {
    sim = await startSimulator({
      username: "ops",
      password: "s3cret",
      bearerTokens: ["tok-1"],
      svms: ["svm1"],
    });
  });
  afterEach(() => sim.stop());

  it("serves HTTPS by default with a certificate the exposed CA verifies", async () => {
    expect(sim.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.host).to.equal(`127.0.0.1:${sim.port}`);
    expect(sim.caCert).to.include("BEGIN CERTIFICATE");
    expect((await call(sim, "GET", "/api/cluster", { auth: basic("ops", "s3cret") })).status).to.equal(200);
  });

  it("answers 401 with WWW-Authenticate without or with wrong credentials", async () => {
    for (const auth of [null, basic("ops", "wrong"), basic("admin", "s3cret"), "Bearer nope", "Digest x"]) {
      const a = await call(sim, "GET", SERVICES, { auth });
      expect(a.status, String(auth)).to.equal(401);
      expect(a.headers["www-authenticate"]).to.include('Basic realm="ONTAP"');
    }
    expect(sim.requests.every((r) => r.status === 401 && !r.applied)).to.equal(true);
  });

  it("accepts a configured bearer token", async () => {
    expect((await call(sim, "GET", SERVICES, { auth: "Bearer tok-1" })).status).to.equal(200);
  });

  it("accepts a client certificate whose CN is the account, and no other", async () => {
    const admin = await startSimulator({ svms: ["svm1"] });
    try {
      expect((await call(admin, "GET", SERVICES, { auth: null, cert: adminCert() })).status).to.equal(200);
    } finally {
      await admin.stop();
    }
    expect((await call(sim, "GET", SERVICES, { auth: null, cert: adminCert() })).status).to.equal(401);
    const wrong = { cert: pem("wrong-host.pem"), key: pem("wrong-host.key") };
    expect((await call(sim, "GET", SERVICES, { auth: null, cert: wrong })).status).to.equal(401);
  });

  it("ignores client certificates when clientCertificates is false", async () => {
    const noCerts = await startSimulator({ clientCertificates: false });
    try {
      expect((await call(noCerts, "GET", SERVICES, { auth: null, cert: adminCert() })).status).to.equal(401);
    } finally {
      await noCerts.stop();
    }
  });

  it("presents a certificate for another host when asked (hostname verification fails)", async () => {
    const wrong = await startSimulator({ certificate: "wrong-host" });
    try {
      let error: (Error & { code?: string }) | undefined;
      await call(wrong, "GET", "/api/cluster").catch((e) => (error = e));
      expect(error?.code).to.equal("ERR_TLS_CERT_ALTNAME_INVALID");
    } finally {
      await wrong.stop();
    }
  });

  it("is rejected by a client that does not trust the test CA", async () => {
    let error: (Error & { code?: string }) | undefined;
    await call({ ...sim, url: sim.url, caCert: undefined }, "GET", "/api/cluster").catch((e) => (error = e));
    expect(error?.code).to.match(/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/);
  });

  it("serves plain HTTP with http: true", async () => {
    const plain = await startSimulator({ http: true });
    try {
      expect(plain.url).to.match(/^http:\/\//);
      expect(plain.caCert).to.equal(undefined);
      expect((await call(plain, "GET", "/api/cluster")).status).to.equal(200);
    } finally {
      await plain.stop();
    }
  });

  it("stops quickly with keep-alive connections open", async () => {
    const https = await import("node:https");
    const agent = new https.Agent({ keepAlive: true, ca: sim.caCert });
    await new Promise<void>((resolve, reject) => {
      https
        .get(
          `${sim.url}/api/cluster`,
          { agent, headers: { authorization: basic("ops", "s3cret") } },
          (res) => {
            res.resume();
            res.on("end", () => resolve());
          },
        )
        .on("error", reject);
    });
    const started = Date.now();
    await sim.stop();
    expect(Date.now() - started).to.be.below(500);
    agent.destroy();
  });
});
