import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { expect } from "chai";
import { directProvider, startHttpsSimulator } from "../../../tools/engine/scenario";
import { repoRoot } from "../../../tools/paths";
import { readCert } from "../../../tools/simulator/certs";
import { parseArgs, parseCommandLine, USAGE } from "../../../tools/simulator/cli";
import { basic, call, field, SERVICES } from "../../../tools/simulator/client";
import type { Simulator } from "../../../tools/simulator/types";

const CLI = join(repoRoot, "dist", "tools", "simulator", "cli.js");

/** Starts the CLI and resolves with the first stdout line. */
function launch(args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("\n")) resolve({ child, line: out.split("\n")[0] });
    });
    child.on("exit", (code) => reject(new Error(`CLI exited with ${code} before printing`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

/** Runs the CLI to its end (for arguments that make it exit), with what it printed. */
async function runToExit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await exited(child);
  return { code, stdout, stderr };
}

/** The simulator a CLI line serves, as a client that trusts its CA sees it. */
const served = (url: string | undefined) => ({ url, caCert: readCert("ca.pem") }) as Simulator;

describe("simulator: CLI", () => {
  it("prints one line with its URL, serves the SVMs asked for, and stops on SIGTERM", async () => {
    const { child, line } = await launch([
      "--port",
      "0",
      "--svms",
      "a,b",
      "--username",
      "u",
      "--password",
      "p",
    ]);
    try {
      const m = /^ONTAP simulator listening on (https:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      expect(m, line).to.not.equal(null);
      const sim = served(m?.[1]);
      const a = await call(sim, "GET", "/api/svm/svms?fields=name", { auth: basic("u", "p") });
      expect(a.json).to.have.property("num_records", 2);
      const created = await call(sim, "POST", SERVICES, {
        body: { svm: { name: "a" } },
        auth: basic("u", "p"),
      });
      expect(created.status).to.equal(201);
    } finally {
      const done = exited(child);
      child.kill("SIGTERM");
      expect(await done).to.equal(0);
    }
  });

  it("serves HTTPS by default", async () => {
    const { child, line } = await launch(["--port", "0", "--asa-r2", "--latency-ms", "1"]);
    const done = exited(child);
    child.kill("SIGINT");
    expect(line).to.match(/^ONTAP simulator listening on https:\/\/127\.0\.0\.1:\d+$/);
    expect(await done).to.equal(0);
  });

  it("serves the release and account asked for", async () => {
    const { child, line } = await launch([
      "--svms",
      "a,b",
      "--ontap-version",
      "9.8",
      "--account",
      "vsadmin:a",
      "--timezone",
      "-08:00",
      "--timeout-page-records",
      "1",
    ]);
    try {
      const sim = served(/listening on (\S+)$/.exec(line)?.[1]);
      const svms = await call(sim, "GET", "/api/svm/svms?fields=iscsi.enabled");
      expect(field(svms.json, "records")).to.have.length(1);
      expect(field(svms.json, "records.0.name")).to.equal("a");
      expect((await call(sim, "GET", "/api/cluster")).status).to.equal(403);
      expect((await call(sim, "GET", "/api/svm/svms?fields=iscsi.allowed")).status).to.equal(400);
    } finally {
      const done = exited(child);
      child.kill("SIGTERM");
      expect(await done).to.equal(0);
    }
  });

  it("exits 2 on an unknown release, account or timezone", async () => {
    for (const args of [
      ["--ontap-version", "9.13.1"],
      ["--account", "root"],
      ["--timezone", "UTC"],
    ]) {
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let err = "";
      child.stderr?.on("data", (c: Buffer) => {
        err += c.toString();
      });
      expect(await exited(child), args.join(" ")).to.equal(2);
      expect(err).to.include("usage: npm run simulator");
    }
  });

  it("exits 2 on an unknown flag", async () => {
    const child = spawn(process.execPath, [CLI, "--colour"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr?.on("data", (c: Buffer) => {
      err += c.toString();
    });
    expect(await exited(child)).to.equal(2);
    expect(err).to.include("unknown argument: --colour");
  });

  it("parses every flag", () => {
    expect(
      parseArgs([
        "--port=18080",
        "--svms",
        "x, y",
        "--username",
        "u",
        "--password",
        "p",
        "--latency-ms",
        "5",
        "--asa-r2",
        "--ontap-version=9.12.1",
        "--account",
        "vsadmin:x",
        "--timezone",
        "+05:30",
        "--timeout-page-records",
        "50",
      ]),
    ).to.deep.equal({
      port: 18080,
      svms: ["x", "y"],
      username: "u",
      password: "p",
      latencyMs: 5,
      asaR2: true,
      ontapVersion: "9.12.1",
      account: "vsadmin:x",
      timezone: "+05:30",
      timeoutPageRecords: 50,
    });
    expect(() => parseArgs(["--port", "abc"])).to.throw(/--port/);
    expect(() => parseArgs(["--svms"])).to.throw(/--svms/);
    expect(() => parseArgs(["--ontap-version", "9.7"])).to.throw(/9\.6, 9\.8/);
    expect(() => parseArgs(["--timeout-page-records", "0"])).to.throw(/positive/);
    expect(parseArgs(["--timezone", "-08:00"])).to.deep.equal({ timezone: "-08:00" });
    expect(() => parseArgs(["--asa-r2=yes"])).to.throw(/--asa-r2 takes no value/);
    expect(() => parseArgs(["svm1"])).to.throw(/unknown argument: svm1/);
  });

  it("--help prints every flag and exits 0", async () => {
    const { code, stdout, stderr } = await runToExit(["--help"]);
    expect(code).to.equal(0);
    expect(stderr).to.equal("");
    expect(stdout).to.equal(`${USAGE}\n`);
    for (const flag of [
      "--port",
      "--svms",
      "--username",
      "--password",
      "--latency-ms",
      "--ontap-version",
      "--account",
      "--timezone",
      "--timeout-page-records",
      "--sessions",
      "--sessions-relogin",
      "--asa-r2",
      "--unlicensed",
      "--stopped",
      "--nvme",
      "--iscsi-not-allowed",
    ])
      expect(stdout).to.include(`  ${flag} `);
    expect(stdout).to.not.include("--http");
    expect(parseCommandLine(["-h"])).to.deep.equal({ help: true });
  });

  it("refuses --http, saying the provider speaks HTTPS only and how to trust the simulator's CA", async () => {
    const { code, stderr } = await runToExit(["--http"]);
    expect(code).to.equal(2);
    expect(stderr).to.match(/^--http is not offered: the provider connects over HTTPS only/);
    expect(stderr).to.include(
      `pulumi config set ontap:caCert ${join(repoRoot, "tools", "simulator", "certs")}/ca.pem`,
    );
  });

  it("parses the flags that break the cluster or an SVM into the simulator's seeds", () => {
    expect(parseArgs(["--unlicensed"])).to.deep.equal({ iscsiLicensed: false });
    expect(
      parseArgs([
        "--svms",
        "svm1,svm2,svm3",
        "--stopped",
        "svm2",
        "--nvme",
        "svm3",
        "--iscsi-not-allowed",
        "svm3",
      ]),
    ).to.deep.equal({
      svms: [
        { name: "svm1" },
        { name: "svm2", state: "stopped" },
        { name: "svm3", nvmeService: { enabled: true }, iscsiAllowed: false },
      ],
    });
    // Without --svms, the default SVMs.
    expect(parseArgs(["--stopped", "svm2"])).to.deep.equal({
      svms: [{ name: "svm1" }, { name: "svm2", state: "stopped" }],
    });
    expect(() => parseArgs(["--stopped", "svm9"])).to.throw(
      "--stopped names svm9, which is not one of the SVMs (svm1, svm2): add it to --svms",
    );
    expect(() => parseArgs(["--nvme"])).to.throw("--nvme needs a value");
    expect(() => parseArgs(["--iscsi-not-allowed", ","])).to.throw(/--iscsi-not-allowed needs SVM names/);
  });

  it("serves what those flags say: a stopped SVM, an NVMe SVM, iSCSI not allowed, no iSCSI license", async () => {
    const { child, line } = await launch([
      "--svms",
      "svm1,svm2,svm3,svm4",
      "--stopped",
      "svm2",
      "--nvme",
      "svm3",
      "--iscsi-not-allowed",
      "svm4",
      "--unlicensed",
    ]);
    try {
      const sim = served(/listening on (\S+)$/.exec(line)?.[1]);
      const svms = await call(
        sim,
        "GET",
        "/api/svm/svms?fields=state,nvme.enabled,iscsi.allowed&order_by=name",
      );
      const records = field(svms.json, "records") as Array<Record<string, unknown>>;
      expect(records.map((r) => [r.name, r.state])).to.deep.equal([
        ["svm1", "running"],
        ["svm2", "stopped"],
        ["svm3", "running"],
        ["svm4", "running"],
      ]);
      expect(field(svms.json, "records.2.nvme.enabled")).to.equal(true);
      expect(field(svms.json, "records.3.iscsi.allowed")).to.equal(false);
      const licenses = await call(sim, "GET", "/api/cluster/licensing/licenses?name=iscsi");
      expect(field(licenses.json, "num_records")).to.equal(0);
    } finally {
      const done = exited(child);
      child.kill("SIGTERM");
      expect(await done).to.equal(0);
    }
  });
});

describe("simulator: CLI flags make the preflight failures docs/preflight.md lists", function () {
  this.timeout(30_000);
  const PASSWORD = "Sim-Cli-3vT!pw-88qd";
  const cases: Array<[flags: string[], svm: string, code: string, fix: RegExp]> = [
    [["--stopped", "svm2"], "svm2", "5374893", /vserver start -vserver svm2/],
    [["--nvme", "svm2"], "svm2", "5373966", /vserver nvme (delete|modify) -vserver svm2/],
    [
      ["--iscsi-not-allowed", "svm2"],
      "svm2",
      "2621507",
      /vserver add-protocols -vserver svm2 -protocols iscsi/,
    ],
    [["--unlicensed"], "svm1", "1115127", /system license add/],
  ];
  for (const [flags, svm, code, fix] of cases) {
    it(`${flags.join(" ")}: a preview of a service on ${svm} fails with ONTAP ${code} and its fix`, async () => {
      const sim = await startHttpsSimulator({ ...parseArgs(flags), password: PASSWORD });
      try {
        const provider = await directProvider({
          "ontap:host": sim.host,
          "ontap:username": "admin",
          "ontap:password": PASSWORD,
          "ontap:caCert": sim.caCert ?? "",
        });
        const { failures } = await provider.check({}, { svmName: svm });
        const reasons = (failures ?? []).map((f) => f.reason).join("\n");
        expect(reasons).to.include(`[ONTAP ${code}, POST /api/protocols/san/iscsi/services]`).and.match(fix);
        expect(sim.requests.every((r) => r.method === "GET")).to.equal(true);
      } finally {
        await sim.stop();
      }
    });
  }
});
