/**
 * A fleet of ONTAP clusters, one Pulumi stack per cluster, driven in parallel (with a
 * bound) by the Automation API. Not a Pulumi program itself: a plain Node script.
 *
 *   npm install
 *   export PULUMI_CONFIG_PASSPHRASE=…            # or log in to a backend with its own secrets
 *   export ONTAP_PASSWORD_EAST=… ONTAP_PASSWORD_WEST=…
 *   npm run fleet -- preview|up|refresh|destroy [fleet.json]
 */
import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { type ConfigMap, LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { IscsiService } from "pulumi-ontap-iscsi";

/** One cluster of fleet.json: its connection and the services it should carry. */
interface ClusterSpec {
  /** Also the stack name. */
  name: string;
  host: string;
  username?: string;
  /** Path to the cluster's CA certificate (PEM). */
  caCert?: string;
  svms: Array<{ name: string; targetAlias?: string; enabled?: boolean }>;
}

interface Fleet {
  /** How many stacks run at once. Default 4. */
  parallel?: number;
  clusters: ClusterSpec[];
}

type Operation = "preview" | "up" | "refresh" | "destroy";

const PROJECT = "ontap-iscsi-fleet";
/**
 * Where the Automation API keeps Pulumi.yaml and Pulumi.<stack>.yaml. It is also the
 * working directory of the dynamic provider host, which resolves the `__provider`'s
 * `require("pulumi-ontap-iscsi/host")` from there: it must sit under this package's
 * node_modules (an inline program's default, a fresh temporary directory, would not).
 */
const WORK_DIR = path.join(__dirname, "workspace");
/**
 * Resource operations in flight per stack. The engine's default is 4 × CPU cores; a
 * refresh sends that many Reads at once, and the provider batches the Reads that are in
 * flight together, so a higher bound means fewer, larger batched requests per cluster.
 */
const ENGINE_PARALLEL = 64;

/** The inline program of one cluster's stack: its services, from the fleet file. */
function programFor(cluster: ClusterSpec) {
  return async () => {
    const services = cluster.svms.map(
      (svm) =>
        new IscsiService(svm.name, {
          svmName: svm.name,
          enabled: svm.enabled ?? true,
          targetAlias: svm.targetAlias,
        }),
    );
    return { targets: services.map((s) => ({ svm: s.svmName, iqn: s.targetName })) };
  };
}

/** Connection settings go into the stack's config (the password as a secret), never into inputs. */
function configFor(cluster: ClusterSpec): ConfigMap {
  const variable = `ONTAP_PASSWORD_${cluster.name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
  const password = process.env[variable] ?? process.env.ONTAP_PASSWORD;
  if (!password) throw new Error(`cluster ${cluster.name}: set ${variable} (or ONTAP_PASSWORD)`);
  const config: ConfigMap = {
    "ontap:host": { value: cluster.host },
    "ontap:username": { value: cluster.username ?? "admin" },
    "ontap:password": { value: password, secret: true },
  };
  if (cluster.caCert) config["ontap:caCert"] = { value: readFileSync(cluster.caCert, "utf8") };
  return config;
}

async function stackFor(cluster: ClusterSpec): Promise<Stack> {
  const stack = await LocalWorkspace.createOrSelectStack(
    { projectName: PROJECT, stackName: cluster.name, program: programFor(cluster) },
    { workDir: WORK_DIR },
  );
  await stack.setAllConfig(configFor(cluster));
  return stack;
}

async function run(cluster: ClusterSpec, operation: Operation): Promise<string> {
  const stack = await stackFor(cluster);
  const onOutput = (out: string) => {
    for (const line of out.split("\n")) if (line.trim()) process.stdout.write(`[${cluster.name}] ${line}\n`);
  };
  switch (operation) {
    case "preview": {
      const result = await stack.preview({ onOutput, parallel: ENGINE_PARALLEL });
      return JSON.stringify(result.changeSummary);
    }
    case "up": {
      const result = await stack.up({ onOutput, parallel: ENGINE_PARALLEL });
      return JSON.stringify(result.summary.resourceChanges ?? {});
    }
    case "refresh": {
      const result = await stack.refresh({ onOutput, parallel: ENGINE_PARALLEL });
      return JSON.stringify(result.summary.resourceChanges ?? {});
    }
    case "destroy": {
      const result = await stack.destroy({ onOutput, parallel: ENGINE_PARALLEL });
      return JSON.stringify(result.summary.resourceChanges ?? {});
    }
  }
}

/** Runs `task` for every item, at most `limit` at a time; every item runs even if some fail. */
async function boundedAll<T, R>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<Array<PromiseSettledResult<R>>> {
  const results: Array<PromiseSettledResult<R>> = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: "fulfilled", value: await task(items[index]) };
      } catch (reason) {
        results[index] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function main(): Promise<void> {
  const [operation = "preview", fleetFile = path.join(__dirname, "fleet.json")] = process.argv.slice(2);
  if (!["preview", "up", "refresh", "destroy"].includes(operation))
    throw new Error(`unknown operation "${operation}": preview, up, refresh or destroy`);
  const fleet = JSON.parse(readFileSync(fleetFile, "utf8")) as Fleet;
  mkdirSync(WORK_DIR, { recursive: true });
  // Workspaces sharing WORK_DIR would race to create Pulumi.yaml: create it once, first.
  await LocalWorkspace.create({ workDir: WORK_DIR, projectSettings: { name: PROJECT, runtime: "nodejs" } });

  const started = Date.now();
  const results = await boundedAll(fleet.clusters, fleet.parallel ?? 4, (cluster) =>
    run(cluster, operation as Operation),
  );
  let failed = 0;
  results.forEach((result, i) => {
    const name = fleet.clusters[i].name;
    if (result.status === "fulfilled") console.log(`${name}: ${operation} done ${result.value}`);
    else {
      failed++;
      console.error(`${name}: ${operation} FAILED: ${(result.reason as Error).message ?? result.reason}`);
    }
  });
  console.log(
    `${fleet.clusters.length} stacks, ${failed} failed, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error((err as Error).message ?? err);
  process.exitCode = 1;
});
