import { expect } from "chai";
import { adviceFor, KNOWN_ONTAP_CODES } from "../../provider/diagnostics/codes";
import { renderError, toDiagnosticError } from "../../provider/diagnostics/render";
import { OntapDiagnosticError } from "../../provider/errors";
import {
  OntapApiError,
  OntapConfigError,
  OntapLostResponseError,
  OntapNetworkError,
  OntapTimeoutError,
} from "../../provider/errors/transport";
import type { OntapClient } from "../../provider/ontap/client";
import type { HttpMethod } from "../../provider/ontap/types";
import { type SimulatorInstance, startSimulator } from "../../tools/simulator/index";
import { clientFor, rejectionOf, SERVICES } from "./ontap/helpers";

/** Both tables of the ONTAP reference (shared/ontap-iscsi-rest.md), code by code. */
const ISCSI_TABLE = [
  "1115127",
  "2621462",
  "2621507",
  "2621706",
  "2621707",
  "5373966",
  "5374077",
  "5374893",
  "5376452",
  "5373960",
  "5374078",
  "5374081",
  "8585947",
  "8586225",
];
const COMMON_TABLE = [
  "1",
  "2",
  "3",
  "4",
  "6",
  "7",
  "8",
  "65541",
  "65552",
  "65562",
  "262145",
  "262160",
  "262177",
  "262212",
  "262179",
  "262185",
  "262197",
  "262245",
  "262247",
  "262186",
  "262196",
  "262203",
  "262199",
  "262200",
  "262201",
  "6691623",
  "39387137",
];

/** What each iSCSI code's fix must say, with the SVM "svm-x" filled in. */
const ISCSI_FIXES: Record<string, { method: HttpMethod; fix: string[] }> = {
  "1115127": { method: "POST", fix: ["system license add -license-code"] },
  "2621462": { method: "POST", fix: ["vserver show", "vserver create -vserver svm-x"] },
  "2621507": { method: "POST", fix: ["vserver add-protocols -vserver svm-x -protocols iscsi"] },
  "2621706": { method: "POST", fix: ["vserver show -fields uuid"] },
  "2621707": { method: "POST", fix: ["`svmName`"] },
  "5373966": {
    method: "POST",
    fix: ["vserver nvme modify -vserver svm-x -status-admin down", "vserver nvme delete -vserver svm-x"],
  },
  "5374077": {
    method: "POST",
    fix: [
      "`adopt: true`",
      "`pulumi import ontap:index:IscsiService <name> <SVM>`",
      "the dynamic provider cannot import",
    ],
  },
  "5374893": { method: "POST", fix: ["vserver start -vserver svm-x"] },
  "5376452": {
    method: "DELETE",
    fix: ["`adopt: true`", "the dynamic provider cannot import", "`enabled: false`"],
  },
  "5373960": { method: "DELETE", fix: ["vserver iscsi stop -vserver svm-x"] },
  "5374078": { method: "PATCH", fix: ["vserver iscsi create -vserver svm-x", "pulumi refresh"] },
  "5374081": { method: "PATCH", fix: ["separate"] },
  "8585947": { method: "GET", fix: ["metrics appear"] },
  "8586225": { method: "GET", fix: ["event log show"] },
};

const site = (method: HttpMethod, path = SERVICES) => ({ method, path, host: "10.0.0.5" });
const apiError = (
  code: string | undefined,
  method: HttpMethod = "POST",
  extra: { target?: string; status?: number; message?: string } = {},
) =>
  new OntapApiError(site(method), {
    status: extra.status ?? 400,
    ontapMessage: extra.message ?? "ONTAP's own words.",
    ...(code === undefined ? {} : { code }),
    ...(extra.target === undefined ? {} : { target: extra.target }),
  });
const lines = (text: string) => text.split("\n");

describe("diagnostics table", () => {
  it("has advice for every code of both tables, and no others", () => {
    expect([...KNOWN_ONTAP_CODES].sort()).to.deep.equal([...ISCSI_TABLE, ...COMMON_TABLE].sort());
  });

  for (const code of ISCSI_TABLE) {
    const { method, fix } = ISCSI_FIXES[code] ?? { method: "POST", fix: [] };
    it(`renders ${code} with the SVM, the cluster, the request and the fix`, () => {
      const text = renderError(apiError(code, method), { action: "change the iSCSI service", svm: "svm-x" });
      const [head, meaning, fixLine] = lines(text);
      const summary = adviceFor(code)?.summary ?? "";
      expect(head).to.equal(
        `ONTAP refused to change the iSCSI service on SVM "svm-x" (cluster 10.0.0.5): ${summary} [ONTAP ${code}, ${method} ${SERVICES}].`,
      );
      expect(meaning).to.be.a("string").and.not.equal("");
      expect(fixLine).to.match(/^Fix: /);
      for (const part of fix) expect(fixLine).to.include(part);
      expect(text).to.not.include("<svm>");
    });
  }

  it("renders the style guide's example line for line (2621507)", () => {
    const text = renderError(apiError("2621507"), { action: "create the iSCSI service", svm: "svm1" });
    const all = lines(text);
    expect(all[0]).to.equal(
      'ONTAP refused to create the iSCSI service on SVM "svm1" (cluster 10.0.0.5): iSCSI is not an allowed protocol on this SVM [ONTAP 2621507, POST /api/protocols/san/iscsi/services].',
    );
    expect(all.at(-1)).to.equal("Fix: vserver add-protocols -vserver svm1 -protocols iscsi");
  });

  for (const code of COMMON_TABLE) {
    it(`renders common code ${code} with its summary and a fix`, () => {
      const err = apiError(code, "PATCH", { target: "target.alias" });
      const text = renderError(err, { action: "update the iSCSI service", svm: "svm-x" });
      expect(lines(text)[0]).to.include(`${adviceFor(code)?.summary} [ONTAP ${code}, PATCH ${SERVICES}]`);
      expect(text).to.match(/\nFix: \S/);
    });
  }

  it("quotes the field and ONTAP's words for field errors", () => {
    const text = renderError(apiError("262185", "PATCH", { target: "target.alias" }), {
      action: "update it",
      svm: "s",
    });
    expect(text).to.include('field "target.alias": ONTAP\'s own words.');
    expect(text).to.include('the input that sets "target.alias"');
  });

  it("keeps the code, ONTAP's message and the target of an unknown code", () => {
    const text = renderError(apiError("999999", "POST", { target: "svm.name" }), {
      action: "create it",
      svm: "s",
    });
    expect(lines(text)[0]).to.equal(
      `ONTAP refused to create it on SVM "s" (cluster 10.0.0.5): ONTAP's own words. (field "svm.name") [ONTAP 999999, HTTP 400, POST ${SERVICES}].`,
    );
    expect(text).to.include("no advice is known for ONTAP code 999999");
  });

  it("uses a placeholder when the SVM is not known", () => {
    const text = renderError(apiError("2621507"), { action: "create the iSCSI service" });
    expect(lines(text)[0]).to.include("create the iSCSI service (cluster 10.0.0.5)");
    expect(text).to.include("vserver add-protocols -vserver <svm> -protocols iscsi");
  });

  it("reports an answer without an ONTAP code as not an ONTAP answer, never with a code's meaning", () => {
    for (const status of [301, 403, 404, 500]) {
      const err = apiError(undefined, "DELETE", { status, message: "<html>Not Found</html>" });
      const text = renderError(err, { action: "delete the iSCSI service", svm: "svm1" });
      expect(lines(text)[0]).to.include(
        `host 10.0.0.5 answered HTTP ${status}, which is not an ONTAP answer`,
      );
      expect(text).to.include("<html>Not Found</html>");
      expect(text).not.to.match(/deleted outside Pulumi|permission denied|entry not found/);
    }
    expect(renderError(apiError(undefined, "GET", { status: 301 }), { action: "read it" })).to.include(
      "a redirect means a proxy",
    );
  });

  it("explains a gateway's bare 503 as the cluster or a proxy being unavailable", () => {
    const text = renderError(apiError(undefined, "GET", { status: 503 }), { action: "read it" });
    expect(lines(text)[0]).to.include("is unavailable [HTTP 503, GET");
  });

  it("says what to check for network failures and timeouts, and claims nothing about what a re-run reads", () => {
    const network = renderError(new OntapNetworkError(site("GET"), "ECONNREFUSED", "connect ECONNREFUSED"), {
      action: "read the iSCSI service",
    });
    expect(network).to.include("Could not reach cluster 10.0.0.5").and.include("then re-run `pulumi up`");
    expect(network).not.to.include("reads the service's state");
    const timeout = renderError(new OntapTimeoutError(site("GET"), 1500), {
      action: "read the iSCSI service",
    });
    expect(timeout).to.include("did not answer within 1.5 s").and.include("ontap:timeoutMs");
    expect(timeout).not.to.include("safe");
  });

  it("says a lost write may or may not have been applied", () => {
    const lost = new OntapLostResponseError(site("POST"), "the connection was reset (ECONNRESET)");
    const text = renderError(lost, { action: "create the iSCSI service", svm: "svm1" });
    expect(text).to.include("may or may not have applied it").and.include("vserver iscsi show -vserver svm1");
  });

  it("renders settings problems and foreign errors without a request", () => {
    const config = renderError(new OntapConfigError("caCert", "caCert: not PEM text"), { action: "connect" });
    expect(config).to.include("not usable: caCert: not PEM text").and.include("caCert setting");
    expect(renderError(new Error("boom"), { action: "read it", svm: "s" })).to.equal(
      'Could not read it on SVM "s": boom',
    );
  });
});

describe("toDiagnosticError", () => {
  it("carries the rendered message, the code and the kind", () => {
    const err = toDiagnosticError(apiError("5373960", "DELETE", { status: 409 }), {
      action: "delete it",
      svm: "s",
    });
    expect(err)
      .to.be.instanceOf(OntapDiagnosticError)
      .and.include({ code: "5373960", kind: "api", status: 409 });
    expect(err.message).to.include("Fix: vserver iscsi stop -vserver s");
  });

  it("passes an OntapDiagnosticError through unchanged", () => {
    const once = toDiagnosticError(apiError("2"), { action: "a" });
    expect(toDiagnosticError(once, { action: "b" })).to.equal(once);
  });

  it("marks errors from outside the transport as unknown", () => {
    expect(toDiagnosticError(new TypeError("x"), { action: "a" })).to.include({
      kind: "unknown",
      code: undefined,
    });
  });
});

describe("diagnostics for real refusals from the simulator", () => {
  let sim: SimulatorInstance;
  let client: OntapClient;
  before(async () => {
    sim = await startSimulator({
      svms: [{ name: "svm1", iscsiAllowed: false }, { name: "svm2", service: { enabled: true } }, "svm3"],
    });
    client = clientFor(sim);
  });
  after(async () => {
    client.close();
    await sim.stop();
  });

  const failure = async (method: HttpMethod, path: string, body?: unknown) =>
    rejectionOf(client.request({ method, path, ...(body === undefined ? {} : { body }) }));

  it("2621507: adding iSCSI to an SVM that does not allow it", async () => {
    const err = await failure("POST", SERVICES, { svm: { name: "svm1" } });
    const text = renderError(err, { action: "create the iSCSI service", svm: "svm1" });
    expect(lines(text)[0]).to.equal(
      `ONTAP refused to create the iSCSI service on SVM "svm1" (cluster ${sim.host}): iSCSI is not an allowed protocol on this SVM [ONTAP 2621507, POST ${SERVICES}].`,
    );
    expect(lines(text).at(-1)).to.equal("Fix: vserver add-protocols -vserver svm1 -protocols iscsi");
  });

  it("5374077: creating a service that exists points at adopt: true", async () => {
    const err = await failure("POST", SERVICES, { svm: { name: "svm2" } });
    expect(renderError(err, { action: "create the iSCSI service", svm: "svm2" })).to.include("`adopt: true`");
  });

  it("5373960: deleting an enabled service says to stop it first", async () => {
    const err = await failure("DELETE", `${SERVICES}/${sim.svm("svm2")?.uuid}`);
    const text = renderError(err, { action: "delete the iSCSI service", svm: "svm2" });
    expect(text).to.include("[ONTAP 5373960, DELETE").and.include("Fix: vserver iscsi stop -vserver svm2");
  });

  it("5374078: reading a service that is gone says how to create it", async () => {
    const err = await failure("GET", `${SERVICES}/${sim.svm("svm3")?.uuid}`);
    expect(renderError(err, { action: "read the iSCSI service", svm: "svm3" })).to.include(
      "vserver iscsi create -vserver svm3",
    );
  });

  it("2621462: an SVM that does not exist", async () => {
    const err = await failure("POST", SERVICES, { svm: { name: "nope" } });
    expect(renderError(err, { action: "create the iSCSI service", svm: "nope" })).to.include(
      "[ONTAP 2621462, POST",
    );
  });
});
