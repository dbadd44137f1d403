import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { expect } from "chai";
import { fromStruct, toStruct } from "../../provider/plugin/properties";
import { pulumiRpc } from "../../provider/plugin/rpc";
import { ISCSI_SERVICE, packageSchema } from "../../provider/plugin/schema";
import { PluginServer } from "../../provider/plugin/server";
import { parseImportId } from "../../provider/resource/import";
import { generated, SCHEMA_COMMAND } from "../../tools/docs/schema";
import { repoRoot } from "../../tools/paths";
import { type SimulatorInstance, startSimulator } from "../../tools/simulator";

const PASSWORD = "Plugin-Unit-7hQ!pw-2xv";
const URN = `urn:pulumi:dev::p::${ISCSI_SERVICE}::iscsi`;
const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

type Call<Req, Res> = (req: Req, cb: (err: Error | null, res: Res) => void) => unknown;
function ask<Req, Res>(client: ResourceProviderClient, method: string, req: Req): Promise<Res> {
  const fn = (client as unknown as Record<string, Call<Req, Res>>)[method].bind(client);
  return new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));
}

describe("the provider plugin over gRPC (in-process server, simulator over HTTPS)", function () {
  this.timeout(30_000);
  const { grpc, provGrpc, provProto: p } = pulumiRpc();
  let sim: SimulatorInstance;
  let server: PluginServer;
  let client: ResourceProviderClient;

  before(async () => {
    sim = await startSimulator({
      svms: ["svm1", { name: "svm2", service: { alias: "legacy", enabled: true } }],
      password: PASSWORD,
      sessions: { svm2: 3 },
    });
    server = new PluginServer("0.5.0", undefined, {});
    const port = await server.start();
    client = new provGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    // The engine's Configure: stack config without the namespace, the password in a secret envelope.
    const args = {
      host: sim.host,
      username: "admin",
      password: { ...SECRET, value: PASSWORD },
      caCert: sim.caCert,
    };
    const res = await ask<unknown, InstanceType<typeof p.ConfigureResponse>>(
      client,
      "configure",
      new p.ConfigureRequest().setArgs(toStruct(args)).setAcceptsecrets(true),
    );
    expect(res.getSupportspreview()).to.equal(true);
    expect(res.getAcceptsecrets()).to.equal(false);
  });
  after(async () => {
    client?.close();
    server?.stop();
    await sim?.stop();
  });
  beforeEach(() => sim.clearRequests());

  it("serves the schema that schema.json holds, at the plugin's version", async () => {
    const res = await ask<unknown, InstanceType<typeof p.GetSchemaResponse>>(
      client,
      "getSchema",
      new p.GetSchemaRequest(),
    );
    const served = JSON.parse(res.getSchema()) as { version: string };
    const file = JSON.parse(readFileSync(path.join(repoRoot, "schema.json"), "utf8")) as { version: string };
    expect(served).to.deep.equal({ ...file, version: "0.5.0" });
  });

  it("refuses a provider setting it does not have, naming it, in CheckConfig", async () => {
    const res = await ask<unknown, InstanceType<typeof p.CheckResponse>>(
      client,
      "checkConfig",
      new p.CheckRequest().setNews(toStruct({ host: "h", pasword: "x", version: "0.5.0" })),
    );
    expect(res.getFailuresList().map((f) => f.getProperty())).to.deep.equal(["pasword"]);
    expect(res.getFailuresList()[0].getReason()).to.match(
      /ontap:pasword is not a setting.*known: host, username, password/,
    );
  });

  it("never replaces the provider for a changed setting (DiffConfig): its services stay", async () => {
    const res = await ask<unknown, InstanceType<typeof p.DiffResponse>>(
      client,
      "diffConfig",
      new p.DiffRequest()
        .setOlds(toStruct({ host: "a", password: "old" }))
        .setNews(toStruct({ host: "a", password: "new" })),
    );
    expect(res.getChanges()).to.equal(p.DiffResponse.DiffChanges.DIFF_SOME);
    expect(res.getReplacesList()).to.deep.equal([]);
  });

  it("previews a create with no request: the inputs' values known, ONTAP's unknown", async () => {
    const check = await ask<unknown, InstanceType<typeof p.CheckResponse>>(
      client,
      "check",
      new p.CheckRequest()
        .setUrn(URN)
        .setType(ISCSI_SERVICE)
        .setOlds(toStruct({}))
        .setNews(toStruct({ svmName: "svm1" })),
    );
    expect(check.getFailuresList()).to.deep.equal([]);
    const writesBefore = sim.requests.filter((r) => r.method !== "GET").length;
    const res = await ask<unknown, InstanceType<typeof p.CreateResponse>>(
      client,
      "create",
      new p.CreateRequest().setUrn(URN).setProperties(check.getInputs()).setPreview(true),
    );
    const outs = fromStruct(res.getProperties());
    expect(outs).to.include({
      svmName: "svm1",
      enabled: true,
      targetAlias: "svm1",
      host: sim.host,
      adopted: false,
    });
    expect(outs.targetName).to.equal("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
    expect(sim.requests.filter((r) => r.method !== "GET").length).to.equal(writesBefore);
  });

  it("creates, then diffs an alias change as one property update (a detailed diff)", async () => {
    const created = await ask<unknown, InstanceType<typeof p.CreateResponse>>(
      client,
      "create",
      new p.CreateRequest()
        .setUrn(URN)
        .setProperties(toStruct({ svmName: "svm1", enabled: true, adopt: false })),
    );
    expect(created.getId()).to.equal(sim.service("svm1")?.svmUuid);
    const diff = await ask<unknown, InstanceType<typeof p.DiffResponse>>(
      client,
      "diff",
      new p.DiffRequest()
        .setUrn(URN)
        .setId(created.getId())
        .setOlds(created.getProperties())
        .setNews(toStruct({ svmName: "svm1", enabled: true, adopt: false, targetAlias: "db" })),
    );
    expect(diff.getChanges()).to.equal(p.DiffResponse.DiffChanges.DIFF_SOME);
    expect(diff.getHasdetaileddiff()).to.equal(true);
    expect(diff.getReplacesList()).to.deep.equal([]);
    const detailed = diff.getDetaileddiffMap();
    expect(detailed.getEntryList().map(([k]) => k)).to.deep.equal(["targetAlias"]);
    expect(detailed.get("targetAlias")?.getKind()).to.equal(p.PropertyDiff.Kind.UPDATE);
  });

  it("imports by [<profile>/]<SVM>: reads the live service, writes nothing, answers inputs that reproduce it", async () => {
    const res = await ask<unknown, InstanceType<typeof p.ReadResponse>>(
      client,
      "read",
      new p.ReadRequest().setUrn(URN).setId("svm2").setProperties(toStruct({})).setInputs(toStruct({})),
    );
    expect(res.getId()).to.equal(sim.service("svm2")?.svmUuid);
    // Defaults (enabled: true, adopt: false) left out: the code `pulumi import` generates says what differs.
    expect(fromStruct(res.getInputs())).to.deep.equal({ svmName: "svm2", targetAlias: "legacy" });
    expect(fromStruct(res.getProperties())).to.include({
      adopted: true,
      targetAlias: "legacy",
      host: sim.host,
    });
    expect(sim.requests.filter((r) => r.method !== "GET")).to.deep.equal([]);
  });

  it("says what an import id must look like, before any request", async () => {
    const err = await ask(
      client,
      "read",
      new p.ReadRequest().setUrn(URN).setId("west/").setProperties(toStruct({})),
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/\[<profile>\/\]<SVM name or UUID>/);
    expect(sim.requests).to.deep.equal([]);
    expect(parseImportId("west/1CD8A442-86D1-11E0-AE1C-123478563412")).to.deep.equal({
      cluster: "west",
      svm: { uuid: "1cd8a442-86d1-11e0-ae1c-123478563412" },
    });
  });

  it("answers the data sources as functions, with only the keys the schema declares", async () => {
    const schema = packageSchema("0.5.0") as {
      types: Record<string, { properties: Record<string, unknown> }>;
    };
    const res = await ask<unknown, InstanceType<typeof p.InvokeResponse>>(
      client,
      "invoke",
      new p.InvokeRequest()
        .setTok("ontap:index:listIscsiServices")
        .setArgs(toStruct({ includePerformance: true })),
    );
    const { services } = fromStruct(res.getReturn()) as { services: Array<Record<string, unknown>> };
    expect(services.map((s) => s.svmName)).to.deep.equal(["svm1", "svm2"]);
    const declared = Object.keys(schema.types["ontap:index:IscsiServiceInfo"].properties);
    for (const service of services) expect(declared).to.include.members(Object.keys(service));
    const sessions = await ask<unknown, InstanceType<typeof p.InvokeResponse>>(
      client,
      "invoke",
      new p.InvokeRequest().setTok("ontap:index:listIscsiSessions").setArgs(toStruct({ svmName: "svm2" })),
    );
    const listed = (fromStruct(sessions.getReturn()) as { sessions: Array<Record<string, unknown>> })
      .sessions;
    expect(listed).to.have.length(3);
    const sessionKeys = Object.keys(schema.types["ontap:index:IscsiSessionInfo"].properties);
    for (const session of listed) expect(sessionKeys).to.include.members(Object.keys(session));
  });

  it("never puts the password in what it answers or logs", async () => {
    const logged: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => logged.push(String(chunk)) > 0) as typeof process.stderr.write;
    let answered: string;
    try {
      const res = await ask<unknown, InstanceType<typeof p.InvokeResponse>>(
        client,
        "invoke",
        new p.InvokeRequest().setTok("ontap:index:getIscsiService").setArgs(toStruct({ svmName: "svm9" })),
      ).then(
        (r) => JSON.stringify(fromStruct(r.getReturn())),
        (e: Error) => e.message,
      );
      answered = res;
    } finally {
      process.stderr.write = write;
    }
    expect(answered).to.match(/No iSCSI service on SVM "svm9"/);
    expect([answered, ...logged].join("\n")).to.not.include(PASSWORD);
  });
});

describe("schema.json and the docs' tables generated from it", () => {
  it("are what `npm run schema` writes today", () => {
    const stale = Object.entries(generated()).filter(([file, text]) => readFileSync(file, "utf8") !== text);
    expect(
      stale.map(([file]) => path.relative(repoRoot, file)),
      `stale: regenerate with ${SCHEMA_COMMAND}`,
    ).to.deep.equal([]);
  });
});
