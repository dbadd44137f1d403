import { createHash } from "node:crypto";
import type { ResolvedConnection } from "./config";
import { OntapClient } from "./ontap/client";
import type { OntapLogger } from "./ontap/types";
import { RunOwnership } from "./ownership";
import { ClusterSession } from "./session";

/**
 * One ClusterSession (client, concurrency cap, batched reads, what the run learned) per
 * distinct connection, so that every resource on a cluster shares them; and the run's one
 * ownership registry, which spans clusters and addresses.
 */
export class ClusterPool {
  readonly ownership = new RunOwnership();
  #sessions = new Map<string, ClusterSession>();
  /** Settings objects already seen, so that one handed out again (every operation asks) is not hashed again. */
  #known = new WeakMap<ResolvedConnection, ClusterSession>();

  constructor(private readonly logger: OntapLogger) {}

  /** The session for these settings (treated as immutable once passed here). */
  session(connection: ResolvedConnection): ClusterSession {
    const seen = this.#known.get(connection);
    if (seen) return seen;
    // The key hashes the settings, credentials included, so rotated credentials get a new client;
    // the hash never leaves this map.
    const key = createHash("sha256").update(JSON.stringify(connection)).digest("hex");
    let session = this.#sessions.get(key);
    if (!session) {
      const client = new OntapClient({ ...connection, logger: connection.logger ?? this.logger });
      session = new ClusterSession(client, connection.host, connection.cluster, this.logger, this.ownership);
      this.#sessions.set(key, session);
    }
    this.#known.set(connection, session);
    return session;
  }
}
