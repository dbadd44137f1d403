import * as path from "node:path";
import { inspect } from "node:util";
import { expect } from "chai";
import type { IscsiServiceInputs, IscsiServiceOutputs } from "../../provider";
import { capture, ensurePackageLink } from "../../tools/engine/capture";
import { PROVIDER_KEY } from "../../tools/engine/wire";
import { repoRoot } from "../../tools/paths";
import { certsDir } from "../../tools/simulator/certs";
import type { TestCluster } from "../support/cluster";
import { fastCluster, SERVICES } from "./helpers";

const USER = "admin";
const PASSWORD = "Zq9-s3cr3t-P4ss!word#2024";
const WRONG_PASSWORD = "Wr0ng-Zq9-p4ss-?7x";
const TOKEN = "tok.Zq9-bearer-s3cr3t.7f3a9c";
const WRONG_TOKEN = "tok.Zq9-expired-bearer.00aa";
const KEY_TEXT = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7Zq9secretkeymaterial";

/** A secret and every encoding of it that would reveal it: base64 (of itself and of user:secret), URL encoding, a middle slice. */
function forms(secret: string): string[] {
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");
  return [
    secret,
    secret.slice(4, 16),
    encodeURIComponent(secret),
    b64(secret).replace(/=+$/, ""),
    b64url(secret),
    b64(`${USER}:${secret}`).replace(/=+$/, ""),
    b64url(`${USER}:${secret}`),
  ];
}

/** Everything a run left behind that a person, a log collector or a state file could see. */
class Artifacts {
  readonly items: Array<{ label: string; text: string }> = [];

  add(label: string, value: unknown, showHidden = true): void {
    let json = "";
    try {
      json = JSON.stringify(value) ?? "";
    } catch (err) {
      json = `(not JSON: ${(err as Error).message})`;
    }
    this.items.push({ label, text: `${json}\n${inspect(value, { depth: Infinity, showHidden })}` });
  }

  /** An error with its message, stack, JSON, full inspection and every cause. */
  error(label: string, err: unknown): void {
    for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 10; depth++) {
      const error = e as Error & { cause?: unknown };
      this.items.push({
        label: `${label}${depth ? ` (cause ${depth})` : ""}`,
        text: [String(error), error.stack ?? "", error.message ?? ""].join("\n"),
      });
      this.add(`${label}${depth ? ` (cause ${depth})` : ""}`, error);
      e = error.cause;
    }
  }

  /** Runs a provider call, keeping its result or its error. */
  async call<T>(label: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await fn();
      this.add(`${label} →`, result);
      return result;
    } catch (err) {
      this.error(`${label} threw`, err);
      return undefined;
    }
  }

  /** Where any form of any secret shows up. */
  hits(secrets: string[]): string[] {
    const needles = secrets.flatMap(forms);
    return this.items.flatMap((item) =>
      needles.filter((n) => item.text.includes(n)).map((n) => `${item.label}: contains ${JSON.stringify(n)}`),
    );
  }
}

/** Captures everything the process writes to stdout/stderr and every warning it emits, until `stop`. */
function interceptOutput(artifacts: Artifacts): { stop(): void } {
  const undo: Array<() => void> = [];
  for (const [name, stream] of [
    ["stdout", process.stdout],
    ["stderr", process.stderr],
  ] as const) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: never[]) => {
      artifacts.items.push({ label: `process.${name}`, text: String(chunk) });
      return write(chunk as string, ...rest);
    }) as typeof stream.write;
    undo.push(() => {
      stream.write = write;
    });
  }
  const onWarning = (w: Error) => artifacts.error("process warning", w);
  process.on("warning", onWarning);
  undo.push(() => process.off("warning", onWarning));
  return {
    stop() {
      for (const u of undo.splice(0)) u();
    },
  };
}

/**
 * A whole lifecycle with failures on the way: a lost create, a 500 on read, a lost update,
 * a refused update, wrong credentials, an untrusted certificate, insecure mode, a failed
 * DELETE (re-enabled), then a clean delete. `wrong` are the config changes that make the
 * credentials wrong.
 */
async function lifecycle(c: TestCluster, a: Artifacts, wrong: Record<string, unknown>): Promise<void> {
  const raw = { svmName: "svm1", targetAlias: "web" };
  const checked = await a.call("check", () => c.provider.check({}, raw));
  const news = checked?.inputs as IscsiServiceInputs;
  c.sim.injectFault({ kind: "reset-after", method: "POST", path: SERVICES });
  const created = await a.call("create (lost answer)", () => c.provider.create(news));
  const outs = created?.outs as IscsiServiceOutputs;
  expect(outs?.svmUuid, "the lifecycle created the service").to.be.a("string");
  const id = outs.svmUuid;

  c.sim.injectFault({ kind: "http-error", status: 500, method: "GET" });
  await a.call("read (500)", () => c.provider.read(id, outs));
  await a.call("read", () => c.provider.read(id, outs));
  const update = { ...news, targetAlias: "db" };
  await a.call("diff", () => c.provider.diff(id, outs, update));
  c.sim.injectFault({ kind: "reset-after", method: "PATCH" });
  const updated = await a.call("update (lost answer)", () => c.provider.update(id, outs, update));
  const current = (updated?.outs ?? outs) as IscsiServiceOutputs;
  c.sim.injectFault({ kind: "http-error", status: 500, method: "PATCH" });
  await a.call("update (500)", () => c.provider.update(id, current, { ...update, enabled: false }));

  const good = Object.fromEntries(Object.keys(wrong).map((k) => [k, c.config[k]]));
  await c.reconfigure(wrong);
  await a.call("check (wrong credentials)", () => c.provider.check({}, { svmName: "svm2" }));
  await a.call("read (wrong credentials)", () => c.provider.read(id, current));
  await a.call("delete (wrong credentials)", () => c.provider.delete(id, current));
  await c.reconfigure(good);

  const ca = c.config["ontap:caCert"];
  await c.reconfigure({ "ontap:caCert": undefined });
  await a.call("check (untrusted certificate)", () => c.provider.check({}, { svmName: "svm2" }));
  await a.call("create (untrusted certificate)", () => c.provider.create({ ...news, svmName: "svm2" }));
  await c.reconfigure({ "ontap:insecure": "true" });
  await a.call("read (insecure)", () => c.provider.read(id, current));
  await c.reconfigure({ "ontap:insecure": undefined, "ontap:caCert": ca });

  c.sim.injectFault({ kind: "http-error", status: 500, method: "DELETE" });
  await a.call("delete (500, re-enabled)", () => c.provider.delete(id, current));
  await a.call("delete", () => c.provider.delete(id, current));
  expect(c.sim.services(), "the lifecycle ends with nothing left").to.deep.equal([]);
  a.add("provider logs", c.logs);
  a.add("simulator request log", c.sim.requests);
  // As console.dir(provider, { depth: null }) prints it. (With showHidden, WeakMap entries would show too.)
  a.add("the provider object", c.provider, false);
}

/** The calls of {@link lifecycle} that must fail (the others absorb their faults). */
const EXPECTED_FAILURES = [
  "read (500)",
  "update (500)",
  "read (wrong credentials)",
  "delete (wrong credentials)",
  "create (untrusted certificate)",
  "delete (500, re-enabled)",
];

/** The calls that threw. */
function failures(a: Artifacts): string[] {
  return [
    ...new Set(
      a.items.filter((i) => i.label.endsWith(" threw")).map((i) => i.label.slice(0, -" threw".length)),
    ),
  ];
}

describe("secrets: no credential in any artefact", () => {
  let c: TestCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  it("a password-authenticated lifecycle with failures leaves no trace of the password", async () => {
    const a = new Artifacts();
    const output = interceptOutput(a);
    try {
      c = await fastCluster({ password: PASSWORD }, { "ontap:password": PASSWORD });
      await lifecycle(c, a, { "ontap:password": WRONG_PASSWORD });
    } finally {
      output.stop();
    }
    expect(failures(a), "every failure happened").to.include.members(EXPECTED_FAILURES);
    expect(a.hits([PASSWORD, WRONG_PASSWORD])).to.deep.equal([]);
  });

  it("a token-authenticated lifecycle with failures leaves no trace of the token", async () => {
    const a = new Artifacts();
    const output = interceptOutput(a);
    try {
      c = await fastCluster(
        { bearerTokens: [TOKEN] },
        { "ontap:username": undefined, "ontap:password": undefined, "ontap:token": TOKEN },
      );
      await lifecycle(c, a, { "ontap:token": WRONG_TOKEN });
    } finally {
      output.stop();
    }
    expect(failures(a), "every failure happened").to.include.members(EXPECTED_FAILURES);
    expect(a.hits([TOKEN, WRONG_TOKEN])).to.deep.equal([]);
  });

  it("configuration errors never echo a credential (userinfo in the host, a malformed client key)", async () => {
    const a = new Artifacts();
    c = await fastCluster({ password: PASSWORD }, { "ontap:password": PASSWORD });
    await c.reconfigure({ "ontap:host": `${USER}:${PASSWORD}@${c.sim.host}` });
    await a.call(
      "check (credentials in the host)",
      () => c?.provider.check({}, { svmName: "svm1" }) as Promise<unknown>,
    );
    await c.reconfigure({
      "ontap:host": c.sim.host,
      "ontap:username": undefined,
      "ontap:password": undefined,
      "ontap:clientCert": path.join(certsDir(), "client-admin.pem"),
      "ontap:clientKey": KEY_TEXT,
    });
    await a.call(
      "check (key without its PEM header)",
      () => c?.provider.check({}, { svmName: "svm1" }) as Promise<unknown>,
    );
    // A connection's config error is a Check failure, as the engine shows it (not a throw).
    const refused = a.items
      .filter((i) => i.label.endsWith(" →") && i.text.includes("Configuration error in "))
      .map((i) => i.label.slice(0, -" →".length));
    expect(refused, "both settings were refused").to.include.members([
      "check (credentials in the host)",
      "check (key without its PEM header)",
    ]);
    expect(a.hits([PASSWORD, KEY_TEXT])).to.deep.equal([]);
    expect(c.sim.requests).to.deep.equal([]);
  });

  it("the serialized __provider and the inputs the engine gets carry no credential", async () => {
    const root = repoRoot;
    const programDir = path.join(root, "examples", "basic");
    // As `npm install` links the package on a clean clone (examples/*/node_modules is not committed).
    ensurePackageLink(programDir, "pulumi-ontap-iscsi", root);
    const program = await capture({
      programDir,
      config: {
        "ontap-iscsi-basic:svmName": "svm1",
        "ontap:host": "127.0.0.1:1",
        "ontap:username": USER,
        "ontap:password": PASSWORD,
        "ontap:token": TOKEN,
      },
      secretKeys: ["ontap:password", "ontap:token"],
    });
    const [resource] = program.resources;
    expect(resource.inputs[PROVIDER_KEY]).to.be.a("string").with.length.greaterThan(100);
    const a = new Artifacts();
    a.add("captured resources", program.resources);
    a.items.push({ label: "program output", text: program.stdout + program.stderr });
    expect(a.hits([PASSWORD, TOKEN])).to.deep.equal([]);
  });
});
