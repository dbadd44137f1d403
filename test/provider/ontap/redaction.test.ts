import { inspect } from "node:util";

import { expect } from "chai";

import { renderError, toDiagnosticError } from "../../../provider/diagnostics/render";
import { redact } from "../../../provider/ontap/redact";
import type { OntapConnection } from "../../../provider/ontap/types";
import { type SimulatorInstance, startSimulator } from "../../../tools/simulator/index";
import { capturingLogger, clientFor, clientTracker, rejectionOf, SERVICES } from "./helpers";

const PASSWORD = "Pa55-w0rd-that-must-not-leak";
const TOKEN = "bearer-token-that-must-not-leak-42";
const USER = "admin";
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");
const SECRETS = [PASSWORD, TOKEN, BASIC];

/** Everything that could show a secret: messages, stacks, properties, inspection, rendering. */
function everythingAbout(err: unknown): string[] {
  const ctx = { action: "create the iSCSI service", svm: "svm1" };
  const diagnostic = toDiagnosticError(err, ctx);
  return [
    String(err),
    (err as Error).stack ?? "",
    JSON.stringify(err),
    inspect(err, { showHidden: true, depth: 10 }),
    renderError(err, ctx),
    diagnostic.stack ?? "",
    JSON.stringify(diagnostic),
    inspect(diagnostic, { showHidden: true, depth: 10 }),
  ];
}

describe("redaction", () => {
  let sim: SimulatorInstance;
  const captured: string[] = [];
  const restore: Array<() => void> = [];

  before(async () => {
    sim = await startSimulator({ password: PASSWORD, bearerTokens: [TOKEN] });
    // Everything the process prints during these tests is searched too.
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: never[]) => {
        captured.push(String(chunk));
        return write(chunk as string, ...rest);
      }) as typeof stream.write;
      restore.push(() => {
        stream.write = write;
      });
    }
  });
  after(async () => {
    for (const undo of restore.splice(0)) undo();
    await sim.stop();
  });

  const { track, closeAll } = clientTracker();
  const logger = capturingLogger();
  const connect = (overrides: Partial<OntapConnection> = {}) => {
    const client = clientFor(sim, {
      auth: { kind: "basic", username: USER, password: PASSWORD },
      logger,
      ...overrides,
    });
    return track(client);
  };
  afterEach(closeAll);

  const expectClean = (texts: string[]) => {
    const all = texts.join("\n");
    for (const secret of SECRETS) expect(all).to.not.include(secret);
  };

  it("keeps credentials out of the client object", () => {
    const basic = connect();
    const token = connect({ auth: { kind: "token", token: TOKEN } });
    expectClean([
      JSON.stringify(basic),
      inspect(basic, { showHidden: true, depth: 10 }),
      inspect(token, { showHidden: true, depth: 10 }),
      Object.keys(basic).join(","),
      JSON.stringify({ ...token }),
    ]);
  });

  it("keeps credentials out of every failure kind, its rendering and the log", async () => {
    const client = connect({ timeoutMs: 200 });
    const failures: unknown[] = [];
    const attempt = async (setup: () => void, method: "GET" | "POST" = "POST") => {
      setup();
      const body = method === "POST" ? { svm: { name: "svm1" } } : undefined;
      failures.push(await rejectionOf(client.request({ method, path: SERVICES, body })));
      sim.clearFaults();
    };
    await attempt(() => sim.injectFault({ kind: "http-error", status: 500, path: SERVICES }));
    await attempt(
      () => sim.injectFault({ kind: "http-error", status: 503, times: 9, path: SERVICES }),
      "GET",
    );
    await attempt(() => sim.injectFault({ kind: "job-failure", path: SERVICES, code: "5374893" }));
    await attempt(() => sim.injectFault({ kind: "reset-after", path: SERVICES }));
    await attempt(() => sim.injectFault({ kind: "hang", path: SERVICES, ms: 1_000 }));
    await attempt(() => sim.injectFault({ kind: "malformed-json", path: SERVICES }));
    await attempt(() => sim.injectFault({ kind: "hang", path: SERVICES, times: 9, ms: 1_000 }), "GET");
    const wrong = connect({ auth: { kind: "basic", username: USER, password: `${PASSWORD}-wrong` } });
    failures.push(await rejectionOf(wrong.request({ method: "GET", path: SERVICES })));
    const badToken = connect({ auth: { kind: "token", token: `${TOKEN}-wrong` } });
    failures.push(await rejectionOf(badToken.request({ method: "GET", path: SERVICES })));
    const untrusted = connect({ caCert: undefined });
    failures.push(await rejectionOf(untrusted.request({ method: "GET", path: SERVICES })));

    expect(failures.map((f) => (f as { kind?: string }).kind)).to.deep.equal([
      "api",
      "api",
      "job",
      "lost-response",
      "lost-response",
      "lost-response",
      "timeout",
      "auth",
      "auth",
      "tls",
    ]);
    expectClean(failures.flatMap(everythingAbout));
    expect(logger.lines.length).to.be.above(0);
    expectClean(logger.lines.map((l) => l.message));
  });

  it("scrubs a secret that ONTAP echoes back in its message", async () => {
    const client = connect();
    sim.injectFault({ kind: "http-error", status: 400, path: SERVICES, message: `bad value "${PASSWORD}"` });
    const err = await rejectionOf(client.request({ method: "GET", path: SERVICES }));
    expect(err.message).to.include('bad value "[redacted]"');
    expectClean(everythingAbout(err));
  });

  it("puts no secret in any path, query, body or header the cluster received (Authorization aside)", () => {
    expect(sim.requests).to.not.be.empty;
    expectClean(sim.requests.map((r) => JSON.stringify(r)));
  });

  it("printed nothing containing a secret while these tests ran", () => {
    expect(captured.length).to.be.above(0);
    expectClean(captured);
  });

  it("redact() replaces every occurrence and leaves short strings alone", () => {
    expect(redact("a secret-1 b secret-1", ["secret-1"])).to.equal("a [redacted] b [redacted]");
    expect(redact("abc", ["b"])).to.equal("abc");
  });
});
