import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { expect } from "chai";
import { repoRoot } from "../../../tools/paths";
import { parseArgs } from "../../../tools/simulator/cli";
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

describe("simulator: CLI", () => {
  it("prints one line with its URL, serves the SVMs asked for, and stops on SIGTERM", async () => {
    const { child, line } = await launch([
      "--port",
      "0",
      "--http",
      "--svms",
      "a,b",
      "--username",
      "u",
      "--password",
      "p",
    ]);
    try {
      const m = /^ONTAP simulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      expect(m, line).to.not.equal(null);
      const sim = { url: m?.[1], caCert: undefined } as Simulator;
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
      "--http",
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
      const url = /listening on (\S+)$/.exec(line)?.[1];
      const sim = { url, caCert: undefined } as Simulator;
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
      expect(err).to.include("usage: simulator");
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
        "--http",
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
      http: true,
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
  });
});
