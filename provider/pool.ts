import { createHash } from "node:crypto";
import { ClusterRun } from "./cluster-run";
import type { ResolvedConnection } from "./config";
import { OntapClient } from "./ontap/client";
import type { OntapLogger } from "./ontap/types";
import { RunOwnership } from "./ownership";

/**
 * One ClusterSession (client, concurrency cap, batched reads, what the run learned) per
 * distinct connection, so that every resource on a cluster shares them; and the run's one
 * ownership registry, which spans clusters and addresses.
 */
export class ClusterPool {
  readonly ownership = new RunOwnership();
  #runs = new Map<string, ClusterRun>();
  /** Settings objects already seen, so that one handed out again (every operation asks) is not hashed again. */
  #known = new WeakMap<ResolvedConnection, ClusterRun>();

  constructor(private readonly logger: OntapLogger) {}

  /** The run object for these settings (treated as immutable once passed here). */
  runFor(connection: ResolvedConnection): ClusterRun {
    const seen = this.#known.get(connection);
    if (seen) return seen;
    // The key hashes the settings, credentials included, so rotated credentials get a new client;
    // the hash never leaves this map.
    const key = createHash("sha256").update(JSON.stringify(connection)).digest("hex");
    let run = this.#runs.get(key);
    if (!run) {
      const client = new OntapClient({ ...connection, logger: connection.logger ?? this.logger });
      run = new ClusterRun(client, connection.host, connection.cluster, this.logger, this.ownership);
      this.#runs.set(key, run);
    }
    this.#known.set(connection, run);
    return run;
  }
}
