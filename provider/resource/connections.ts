/**
 * The provider's connections in one process: the settings from stack config (or the
 * environment) and the pool of per-cluster run objects. Every face (the dynamic provider,
 * later the plugin) holds one and passes it to the resource operations.
 */

import type { ClusterRun } from "../cluster-run";
import { type ConfigSource, ConnectionSettings } from "../config";
import { isUnknown } from "../iscsi/validate";
import type { OntapLogger } from "../ontap/types";
import type { RunOwnership } from "../ownership";
import { ClusterPool } from "../pool";

export class Connections {
  private settings: ConnectionSettings;
  private readonly pool: ClusterPool;
  /** #private: the environment may hold ONTAP_PASSWORD, and util.inspect never shows #fields. */
  readonly #env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv, logger: OntapLogger) {
    this.#env = env;
    this.settings = new ConnectionSettings(undefined, env);
    this.pool = new ClusterPool(logger);
  }

  /** Takes the stack config (`ontap:*`); may be called again with newer config. */
  configure(config: ConfigSource): void {
    // The pool keys run objects by their settings, so unchanged settings keep their
    // clients, batchers and preflight evidence.
    this.settings = new ConnectionSettings(config, this.#env);
  }

  /** The run's one registry of which resource holds which service. */
  get ownership(): RunOwnership {
    return this.pool.ownership;
  }

  /** The connection's settings for a profile (undefined: the default); throws ConfigError. */
  resolve(cluster: string | undefined) {
    return this.settings.resolve(cluster);
  }

  preflightEnabled(): boolean {
    return this.settings.preflightEnabled();
  }

  runFor(cluster: string | undefined): ClusterRun {
    return this.pool.runFor(this.settings.resolve(cluster));
  }

  /** Whether two profile names (undefined: the default connection) reach the same cluster host. */
  sameCluster(a: unknown, b: string | undefined): boolean {
    const old = typeof a === "string" ? a : undefined;
    if (old === b) return true;
    if (isUnknown(b)) return false;
    try {
      return this.settings.resolve(old).host === this.settings.resolve(b).host;
    } catch {
      return false;
    }
  }
}
