/**
 * The test PKI in test/simulator/certs, found from compiled code (dist/test/simulator)
 * by walking up to the repository's package.json.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The folder holding ca.pem, server.pem/key, wrong-host.pem/key, client-admin.pem/key. */
export function certsDir(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, "package.json"))) {
      const candidate = join(dir, "test", "simulator", "certs");
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find test/simulator/certs above ${__dirname}`);
    dir = parent;
  }
}

/** A fixture file's text, e.g. readCert("ca.pem"). */
export function readCert(name: string): string {
  return readFileSync(join(certsDir(), name), "utf8");
}
