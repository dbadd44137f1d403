import { join } from "node:path";

import { expect } from "chai";
import { renderError } from "../../../provider/diagnostics/render";
import { OntapAuthError, OntapConfigError, OntapTlsError } from "../../../provider/errors/transport";
import { OntapClient } from "../../../provider/ontap/client";
import { certsDir, readCert } from "../../../tools/simulator/certs";
import { type SimulatorInstance, startSimulator } from "../../../tools/simulator/index";
import { capturingLogger, clientFor, clientTracker, rejectionOf } from "./helpers";

const CLUSTER = "/api/cluster";
const ctx = { action: "read the cluster version" };

describe("OntapClient TLS", () => {
  let sim: SimulatorInstance;
  const { track, closeAll } = clientTracker();
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(async () => {
    closeAll();
    await sim.stop();
  });

  it("rejects a certificate from an unknown CA, with advice on supplying it", async () => {
    const client = track(clientFor(sim, { caCert: undefined }));
    const err = await rejectionOf(client.request({ method: "GET", path: CLUSTER }));
    expect(err).to.be.instanceOf(OntapTlsError).and.include({ problem: "unknown-ca", attempts: 1 });
    expect(sim.requests).to.have.length(0);
    const text = renderError(err, ctx);
    expect(text).to.include(`Could not verify the TLS certificate of cluster ${sim.host}`);
    expect(text).to.include("ontap:caCert").and.include("ONTAP_CA_CERT").and.include("ontap:insecure true");
    // A connection profile's user is told the profile's keys too.
    expect(text)
      .to.include("ontap:clusters.<profile>.caCert")
      .and.include("ONTAP_CLUSTERS_<PROFILE>_CA_CERT")
      .and.include("ontap:clusters.<profile>.insecure");
  });

  it("accepts the certificate when the CA is given as PEM text", async () => {
    const client = track(clientFor(sim, { caCert: readCert("ca.pem") }));
    expect((await client.request({ method: "GET", path: CLUSTER })).status).to.equal(200);
  });

  it("accepts the certificate when the CA is given as a file path", async () => {
    const client = track(clientFor(sim, { caCert: join(certsDir(), "ca.pem") }));
    expect((await client.request({ method: "GET", path: CLUSTER })).status).to.equal(200);
  });

  it("refuses a CA path that cannot be read before any request", () => {
    expect(() => clientFor(sim, { caCert: "/nonexistent/ca.pem" }))
      .to.throw(OntapConfigError)
      .with.property("setting", "caCert");
  });

  it("accepts any certificate with insecure, warning exactly once per client", async () => {
    const logger = capturingLogger();
    const client = track(clientFor(sim, { caCert: undefined, insecure: true, logger }));
    await client.request({ method: "GET", path: CLUSTER });
    await client.request({ method: "GET", path: CLUSTER });
    expect(logger.warnings()).to.have.length(1);
    expect(logger.warnings()[0]).to.include(sim.host).and.include("insecure");
  });

  it("keeps insecure to its own connection: nothing process-wide changes", async () => {
    const insecure = track(clientFor(sim, { caCert: undefined, insecure: true, logger: capturingLogger() }));
    expect((await insecure.request({ method: "GET", path: CLUSTER })).status).to.equal(200);
    expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).to.equal(undefined);
    const strict = track(clientFor(sim, { caCert: undefined }));
    expect(await rejectionOf(strict.request({ method: "GET", path: CLUSTER }))).to.be.instanceOf(
      OntapTlsError,
    );
  });

  it("rejects a certificate that does not name the host, even from the trusted CA", async () => {
    const wrong = await startSimulator({ certificate: "wrong-host" });
    try {
      const client = track(clientFor(wrong));
      const err = await rejectionOf(client.request({ method: "GET", path: CLUSTER }));
      expect(err).to.be.instanceOf(OntapTlsError).and.include({ problem: "hostname-mismatch" });
      expect(renderError(err, ctx))
        .to.include("does not name the host")
        .and.include("cluster.example.invalid");
    } finally {
      await wrong.stop();
    }
  });
});

describe("OntapClient authentication", () => {
  let sim: SimulatorInstance;
  const { track, closeAll } = clientTracker();
  beforeEach(async () => {
    sim = await startSimulator({ bearerTokens: ["token-for-tests-1234"] });
  });
  afterEach(async () => {
    closeAll();
    await sim.stop();
  });

  it("fails wrong credentials after one request with an auth error naming their source", async () => {
    const client = track(
      clientFor(sim, { auth: { kind: "basic", username: "admin", password: "wrong-password" } }),
    );
    const err = await rejectionOf(client.request({ method: "GET", path: CLUSTER }));
    expect(err).to.be.instanceOf(OntapAuthError).and.include({ status: 401, authKind: "basic", attempts: 1 });
    expect((err as OntapAuthError).credentialSource).to.equal(
      'stack config "ontap:username"/"ontap:password"',
    );
    expect(sim.requests).to.have.length(1);
    const text = renderError(err, ctx);
    expect(text).to.include('from stack config "ontap:username"/"ontap:password"');
    expect(text).to.not.include("wrong-password");
  });

  it("names a generic source when the caller gave none", async () => {
    const client = track(
      new OntapClient({
        host: sim.host,
        caCert: sim.caCert,
        auth: { kind: "token", token: "not-a-valid-token" },
      }),
    );
    const err = await rejectionOf(client.request({ method: "GET", path: CLUSTER }));
    expect(err).to.be.instanceOf(OntapAuthError);
    expect(renderError(err, ctx)).to.include("bearer token from the connection's token credentials");
  });

  it("authenticates with a bearer token", async () => {
    const client = track(clientFor(sim, { auth: { kind: "token", token: "token-for-tests-1234" } }));
    expect((await client.request({ method: "GET", path: CLUSTER })).status).to.equal(200);
  });

  it("authenticates with a client certificate given as PEM text", async () => {
    const auth = {
      kind: "certificate",
      certPem: readCert("client-admin.pem"),
      keyPem: readCert("client-admin.key"),
    } as const;
    const client = track(clientFor(sim, { auth }));
    // The connection has no password or token: the certificate alone authenticated.
    expect((await client.request({ method: "GET", path: CLUSTER })).status).to.equal(200);
  });

  it("authenticates with a client certificate given as file paths", async () => {
    const dir = certsDir();
    const auth = {
      kind: "certificate",
      certPem: join(dir, "client-admin.pem"),
      keyPem: join(dir, "client-admin.key"),
    } as const;
    const client = track(clientFor(sim, { auth }));
    expect((await client.request({ method: "GET", path: CLUSTER })).status).to.equal(200);
  });

  it("refuses a connection without usable credentials before any request", () => {
    expect(() => clientFor(sim, { auth: { kind: "basic", username: "admin", password: "" } })).to.throw(
      OntapConfigError,
    );
    const garbage = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n";
    const auth = { kind: "certificate", certPem: readCert("client-admin.pem"), keyPem: garbage } as const;
    expect(() => clientFor(sim, { auth }))
      .to.throw(OntapConfigError, /not a PEM private key/)
      .with.property("setting", "auth.keyPem");
  });
});
