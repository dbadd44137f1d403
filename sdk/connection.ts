/**
 * What every data source shares besides its argument checks (./arguments; neither is
 * exported from the package): the program's connection to a cluster — one client per
 * cluster for the whole program — and the wait of the `…Output` variants for the resources
 * their arguments come from.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterRun } from "../provider/cluster-run";
import { type ConfigSource, ConnectionSettings } from "../provider/config";
import { ClusterPool } from "../provider/pool";

/** Stack config as the program sees it, in the shape ConnectionSettings reads ("ontap:host"). */
const programConfig: ConfigSource = {
  get(key: string) {
    const colon = key.indexOf(":");
    return new pulumi.Config(key.slice(0, colon)).get(key.slice(colon + 1));
  },
};

// One client per cluster for the whole program, so that many calls share connections.
let pool: ClusterPool | undefined;

/**
 * How a data source reaches a cluster: {@link connect} in a program; the plugin passes its
 * own connections (the provider's configuration), so both faces run the same lookups.
 */
export type Connect = (cluster: string | undefined) => ClusterRun;

/** The run object of a cluster: the default connection, or the profile of `ontap:clusters` named. */
export function connect(cluster: string | undefined): ClusterRun {
  pool ??= new ClusterPool({
    debug: (message) => void pulumi.log.debug(message),
    warn: (message) => void pulumi.log.warn(message),
  });
  return pool.runFor(new ConnectionSettings(programConfig, process.env).resolve(cluster));
}

/**
 * Options of the `…Output` data sources: Pulumi's own `InvokeOutputOptions.dependsOn`,
 * resources to wait for besides those the arguments come from.
 */
export type DataSourceOutputOptions = Pick<pulumi.InvokeOutputOptions, "dependsOn">;

/**
 * The resources an Output's value comes from. Pulumi keeps them on the Output
 * (`allResources`, which its own `invokeOutput` and `pulumi.all` read) without declaring
 * them in its types; `resources` is the older form.
 */
function resourcesOf(output: pulumi.Output<unknown>): Promise<pulumi.Resource[]> {
  const kept = output as unknown as {
    allResources?: () => Promise<Set<pulumi.Resource>>;
    resources?: () => Set<pulumi.Resource>;
  };
  return Promise.resolve(kept.allResources?.() ?? kept.resources?.() ?? new Set<pulumi.Resource>()).then(
    (found) => [...found],
  );
}

/**
 * `read` of the resolved arguments once every custom resource they come from, and every one
 * in `dependsOn`, has its id, as Pulumi's own `get…Output` invokes wait (`invokeOutput`): in
 * a preview, a resource about to be created has none yet, and the result is unknown (the
 * CLI shows `[unknown]`) instead of an IscsiServiceNotFoundError for the service this very
 * run creates. At the apply, the read runs after the create.
 */
export function afterResources<A, R>(
  args: A,
  opts: DataSourceOutputOptions | undefined,
  read: (resolved: pulumi.Unwrap<A>) => Promise<R>,
): pulumi.Output<R> {
  const resolved = pulumi.output(args);
  const waitFor = pulumi
    .all([
      pulumi.output(resourcesOf(resolved)),
      pulumi.output(opts?.dependsOn ?? []) as pulumi.Output<unknown>,
    ])
    .apply(([fromArgs, explicit]) => {
      const all = [...fromArgs, ...(Array.isArray(explicit) ? explicit : [explicit])];
      return pulumi.all(
        all.filter((r): r is pulumi.CustomResource => pulumi.CustomResource.isInstance(r)).map((r) => r.id),
      );
    });
  return pulumi.all([resolved, waitFor]).apply(([a]) => read(a as pulumi.Unwrap<A>));
}

/** `result`, with the connection profile it was read through when one was named (`cluster`). */
export function withCluster<T extends { cluster?: string }>(result: T, run: ClusterRun): T {
  if (run.cluster !== undefined) result.cluster = run.cluster;
  return result;
}
