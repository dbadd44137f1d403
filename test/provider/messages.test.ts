import { expect } from "chai";
import type { IscsiServiceOutputs, IscsiServiceProvider } from "../../provider";
import { reenabledAfterFailedDelete } from "../../provider/diagnostics/messages";
import { directProvider, startHttpsSimulator } from "../../tools/engine/scenario";
import type { Simulator } from "../../tools/simulator/types";
import { rejectionOf } from "../support/rejection";

const PASSWORD = "Messages-6nV!pw-31bd";
const SESSIONS_PATH = "/api/protocols/san/iscsi/sessions";

/**
 * Messages that name the operation that ran and the fix that applies (issue 19 item 12):
 * a delete's disable step, the command that runs a delete again, a guard that could not
 * look, and the causes of an existing service.
 */
describe("messages name the step that failed and the fix that applies", function () {
  this.timeout(30_000);
  let sim: Simulator;
  let provider: IscsiServiceProvider;

  beforeEach(async () => {
    sim = await startHttpsSimulator({ svms: ["svm1", "svm2"], password: PASSWORD });
    provider = await directProvider({
      "ontap:host": sim.host,
      "ontap:username": "admin",
      "ontap:password": PASSWORD,
      "ontap:caCert": sim.caCert ?? "",
      "ontap:jobTimeoutMs": "500",
    });
  });
  afterEach(() => sim.stop());

  async function created(inputs: Record<string, unknown> = {}): Promise<IscsiServiceOutputs> {
    const checked = await provider.check({}, { svmName: "svm1", ...inputs });
    const result = await provider.create(checked.inputs);
    if (!result.outs) throw new Error("no outputs");
    return result.outs;
  }

  it("a delete whose disable job outlives the wait names the disable, not the delete", async () => {
    const outs = await created();
    sim.setAsyncJobs(true, 0, { held: true });
    const err = await rejectionOf(provider.delete(outs.svmUuid, outs));
    expect(err.message)
      .to.include("disable the iSCSI service before deleting it")
      .and.not.include("to delete");
    sim.finishJobs();
  });

  it("a delete that ONTAP fails internally (500) says to re-run pulumi destroy, not only pulumi up", async () => {
    const outs = await created({ enabled: false });
    sim.injectFault({ kind: "http-error", status: 500, code: "65562", method: "DELETE", times: 5 });
    const err = await rejectionOf(provider.delete(outs.svmUuid, outs));
    expect(err.message).to.include("re-run `pulumi destroy` (or the `pulumi up` that removes the resource)");
  });

  it("a guard that cannot read the sessions (401) says to fix the lookup, never to turn the guard off", async () => {
    const outs = await created({ protectActiveSessions: true });
    sim.injectFault({ kind: "http-error", status: 401, method: "GET", path: SESSIONS_PATH, times: 5 });
    const err = await rejectionOf(provider.delete(outs.svmUuid, outs));
    expect(err.message).to.include("Refused: protectActiveSessions is true");
    expect(err.message)
      .to.include("Fix what stopped the lookup")
      .and.not.include("protectActiveSessions: false");
    expect(sim.service("svm1")).to.include({ enabled: true });
  });

  it("the advice for an existing service names an interrupted earlier run, and adopt as its way back", async () => {
    sim.outOfBand.createService("svm2");
    const checked = await provider.check({}, { svmName: "svm2" });
    const reason = checked.failures?.map((f) => f.reason).join("\n") ?? "";
    expect(reason).to.include("an earlier run was interrupted");
    expect(reason).to.include("for a service an interrupted run of this stack created, set `adopt: true`");
  });
});

describe("the re-enable after a failed delete, worded by what is known of the disable", () => {
  it("says only that the service was re-enabled when the disable had ended", () => {
    expect(reenabledAfterFailedDelete("svm1")).to.equal(
      'Deleting the iSCSI service on SVM "svm1" failed; it was re-enabled so its hosts keep their sessions.',
    );
  });

  it("names the disable's job, which may end after the re-enable, and the commands to check and start the service", () => {
    const text = reenabledAfterFailedDelete("svm1", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    expect(text)
      .to.include("Its disable is still running as ONTAP job 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
      .and.include("job show -id 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
      .and.include("vserver iscsi start -vserver svm1");
  });
});
