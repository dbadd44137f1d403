/**
 * The test PKI in tools/simulator/certs, found from compiled code (dist/tools/simulator)
 * through the repository root.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../paths";

/** The folder holding ca.pem, server.pem/key, wrong-host.pem/key, client-admin.pem/key. */
export function certsDir(): string {
  return join(repoRoot, "tools", "simulator", "certs");
}

/** A fixture file's text, e.g. readCert("ca.pem"). */
export function readCert(name: string): string {
  return readFileSync(join(certsDir(), name), "utf8");
}
