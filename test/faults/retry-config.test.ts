import { expect } from "chai";
import { ConnectionSettings } from "../../provider/config";
import type { TestCluster } from "../support/cluster";
import { fastCluster, rejection, SERVICES, seeded } from "./helpers";

describe("retry settings: ontap:retries, ontap:retryMinDelayMs, ontap:retryMaxDelayMs, ontap:retryMaxTotalMs", () => {
  let c: TestCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  /** How many times a refresh sends its GET to a cluster that answers 503 to every one. */
  async function attempts(
    config: (c: TestCluster) => Record<string, unknown>,
    cluster?: string,
  ): Promise<number> {
    c = await fastCluster();
    const outs = await seeded(c, { svmName: "svm1" });
    await c.reconfigure(config(c));
    c.sim.injectFault({
      kind: "http-error",
      status: 503,
      method: "GET",
      path: `${SERVICES}/${outs.svmUuid}`,
      times: 50,
    });
    const err = await rejection(c.provider.read(outs.svmUuid, cluster ? { ...outs, cluster } : outs));
    expect(err.message).to.include('SVM "svm1"');
    return c.sim.requests.filter((r) => r.status === 503).length;
  }

  it("ontap:retries 0 turns retrying off", async () => {
    expect(await attempts(() => ({ "ontap:retries": "0" }))).to.equal(1);
  });

  it("ontap:retries bounds the attempts", async () => {
    expect(await attempts(() => ({ "ontap:retries": "2" }))).to.equal(3);
  });

  it("ontap:retryMaxTotalMs bounds the time, whatever the count", async () => {
    const config = { "ontap:retries": "20", "ontap:retryMinDelayMs": "100", "ontap:retryMaxTotalMs": "250" };
    expect(await attempts(() => config)).to.be.within(2, 3);
  });

  it("a profile in ontap:clusters takes the same fields", async () => {
    const lab = (cluster: TestCluster) => ({
      host: cluster.sim.host,
      username: "admin",
      password: "netapp123",
      caCert: cluster.sim.caCert,
      retries: "1",
      retryMinDelayMs: "5",
    });
    expect(await attempts((cluster) => ({ "ontap:clusters": { lab: lab(cluster) } }), "lab")).to.equal(2);
  });

  it("reads ONTAP_RETRIES and ONTAP_RETRY_* from the environment for the default connection", () => {
    const settings = new ConnectionSettings(undefined, {
      ONTAP_HOST: "cluster1.example.com",
      ONTAP_USERNAME: "admin",
      ONTAP_PASSWORD: "pw",
      ONTAP_RETRIES: "4",
      ONTAP_RETRY_MIN_DELAY_MS: "100",
      ONTAP_RETRY_MAX_DELAY_MS: "2000",
      ONTAP_RETRY_MAX_TOTAL_MS: "20000",
    });
    expect(settings.resolve().retry).to.deep.equal({
      retries: 4,
      minDelayMs: 100,
      maxDelayMs: 2000,
      maxTotalMs: 20000,
    });
  });
});
