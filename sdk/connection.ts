/**
 * What every data source shares (not exported from the package): the program's connection
 * to a cluster — one client per cluster for the whole program — and the checks of
 * arguments.
 */
import * as pulumi from "@pulumi/pulumi";
import { type ConfigSource, ConnectionSettings } from "../provider/config";
import { validateInputs } from "../provider/iscsi/validate";
import { ClusterPool } from "../provider/pool";
import type { ClusterSession } from "../provider/session";

/** Stack config as the program sees it, in the shape ConnectionSettings reads ("ontap:host"). */
const programConfig: ConfigSource = {
  get(key: string) {
    const colon = key.indexOf(":");
    return new pulumi.Config(key.slice(0, colon)).get(key.slice(colon + 1));
  },
};

// One client per cluster for the whole program, so that many calls share connections.
let pool: ClusterPool | undefined;

/** The session of a cluster: the default connection, or the profile of `ontap:clusters` named. */
export function connect(cluster: string | undefined): ClusterSession {
  pool ??= new ClusterPool({
    debug: (message) => void pulumi.log.debug(message),
    warn: (message) => void pulumi.log.warn(message),
  });
  return pool.session(new ConnectionSettings(programConfig, process.env).resolve(cluster));
}

/** Throws for an argument the function does not take (a misspelt key would otherwise widen the query silently). */
export function knownKeys(args: object, known: readonly string[], fn: string): void {
  const unknown = Object.keys(args).filter((key) => !known.includes(key));
  if (unknown.length > 0)
    throw new TypeError(
      `${fn}: ${unknown.map((k) => JSON.stringify(k)).join(", ")} ${unknown.length === 1 ? "is not an argument" : "are not arguments"}; it takes ${known.join(", ")}.`,
    );
}

/** Throws the first problem with these arguments, in the words `check` uses for the resource's inputs. */
export function validate(args: Record<string, unknown>, fn: string): void {
  const given = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
  const [failure] = validateInputs(given).failures.filter((f) => f.property in args);
  if (failure) throw new TypeError(`${fn}: ${failure.reason}`);
}
