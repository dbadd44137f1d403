/**
 * examples/fleet run as its README runs it, a plain Node script that drives the real `pulumi`
 * through the Automation API, with the environment of a user's offline setup: the CLI first
 * on PATH, a file backend, PULUMI_HOME and a passphrase of its own.
 *
 * The README runs `npm run fleet`, i.e. `ts-node index.ts`, after `npm install` in the
 * example's folder. The repository installs no ts-node (the example's own devDependency), so
 * a copy of the example runs `node index.js`, its index.ts transpiled by the repository's
 * TypeScript as `ts-node --transpile-only` would (CommonJS, the example's target). The copy
 * sits under .tmp/ inside the repository, so that `@pulumi/pulumi` resolves from the
 * repository's node_modules, with `node_modules/pulumi-ontap-iscsi` linked to the repository
 * as `npm install` of its `file:../..` dependency does. The script's own `workspace/` (its
 * Pulumi.yaml and Pulumi.<cluster>.yaml) is then the copy's, not examples/fleet's.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { ensurePackageLink } from "../../tools/engine/capture";
import { repoRoot } from "../../tools/paths";
import { collect, offlineEnvironment, type PulumiCli } from "../../tools/pulumi-cli/cli";

/** One cluster of fleet.json (examples/fleet/index.ts `ClusterSpec`). */
export interface FleetCluster {
  name: string;
  host: string;
  username?: string;
  caCert?: string;
  svms: Array<{ name: string; targetAlias?: string; enabled?: boolean }>;
}

/** What one `fleet <operation>` run did. */
export interface FleetResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const FLEET_EXAMPLE = path.join(repoRoot, "examples", "fleet");
const SCRATCH_ROOT = path.join(repoRoot, ".tmp", "examples");

/** A scratch copy of examples/fleet with its own backend, PULUMI_HOME and fleet files. */
export class FleetExample {
  /** The copy of examples/fleet: the script's folder. */
  readonly dir: string;
  private readonly scratch: string;
  private readonly env: NodeJS.ProcessEnv;

  /** `passwords`: the ONTAP_PASSWORD_<CLUSTER> / ONTAP_PASSWORD variables the README exports. */
  constructor(cli: PulumiCli, passwords: Record<string, string>) {
    fs.mkdirSync(SCRATCH_ROOT, { recursive: true });
    this.scratch = fs.mkdtempSync(path.join(SCRATCH_ROOT, "fleet-"));
    this.dir = path.join(this.scratch, "fleet");
    fs.cpSync(FLEET_EXAMPLE, this.dir, {
      recursive: true,
      filter: (src) => !/^(node_modules|workspace)$/.test(path.relative(FLEET_EXAMPLE, src)),
    });
    ensurePackageLink(this.dir, "pulumi-ontap-iscsi", repoRoot);
    const source = fs.readFileSync(path.join(this.dir, "index.ts"), "utf8");
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
      fileName: "index.ts",
    });
    fs.writeFileSync(path.join(this.dir, "index.js"), outputText);
    this.env = {
      ...offlineEnvironment(cli, this.scratch, "fleet-example-passphrase"),
      ...passwords,
    };
  }

  /** Writes a fleet file (the CA of each cluster as a PEM file beside it) and returns its path. */
  writeFleet(name: string, clusters: Array<FleetCluster & { caPem?: string }>, parallel = 4): string {
    const folder = path.join(this.scratch, "fleets");
    fs.mkdirSync(folder, { recursive: true });
    const specs = clusters.map(({ caPem, ...cluster }) => {
      if (caPem === undefined) return cluster;
      const caCert = path.join(folder, `${cluster.name}-ca.pem`);
      fs.writeFileSync(caCert, caPem);
      return { ...cluster, caCert };
    });
    const file = path.join(folder, `${name}.json`);
    fs.writeFileSync(file, `${JSON.stringify({ parallel, clusters: specs }, null, 2)}\n`);
    return file;
  }

  /** `npm run fleet -- <operation> <fleetFile>`, as `node index.js <operation> <fleetFile>` in the copy. */
  run(operation: string, fleetFile: string, timeoutMs = 240_000): Promise<FleetResult> {
    const child = spawn(process.execPath, ["index.js", operation, fleetFile], {
      cwd: this.dir,
      env: this.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group: a time-out ends the CLIs it started too
    });
    return collect(child, `fleet ${operation}`, timeoutMs);
  }

  /** Removes the copy, its backend and its fleet files. */
  dispose(): void {
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }
}

/** The lines of the fleet's output that carry a cluster's prefix, without it: `[east] x` → `x`. */
export function linesOf(stdout: string, cluster: string): string[] {
  const prefix = `[${cluster}] `;
  return stdout
    .split("\n")
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length));
}

/** The change counts of a cluster's closing line, `east: up done {"create":3}`, parsed; undefined when absent. */
export function fleetSummary(
  stdout: string,
  cluster: string,
  operation: string,
): Record<string, number> | undefined {
  const line = stdout.split("\n").find((l) => l.startsWith(`${cluster}: ${operation} done `));
  return line === undefined ? undefined : JSON.parse(line.slice(`${cluster}: ${operation} done `.length));
}
