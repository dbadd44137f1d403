import { createHash } from "node:crypto";
import type { ResolvedConnection } from "./config";
import type { ProviderLogger } from "./index";
import { ReadBatcher } from "./iscsi/batch";
import type { ClusterHandle } from "./iscsi/lifecycle";
import { svmKeys } from "./iscsi/model";
import { OntapClient } from "./ontap/client";

/** How long "this SVM had no service" seen by a preflight counts as proof for a lost create. */
const ABSENCE_EVIDENCE_MS = 10 * 60_000;

/** A cluster handle that can also record what a preflight saw. */
export interface PooledHandle extends ClusterHandle {
  recordNoService(svm: { name?: string; uuid?: string }): void;
}

/**
 * One client (agent, concurrency cap) and one read batcher per distinct connection, so
 * that every resource on a cluster shares its cap and its batched reads.
 */
export class ClusterPool {
  #handles = new Map<string, PooledHandle>();
  /** Settings objects already seen, so that one handed out again (every operation asks) is not hashed again. */
  #known = new WeakMap<ResolvedConnection, PooledHandle>();

  constructor(private readonly logger: ProviderLogger) {}

  /** The handle for these settings (treated as immutable once passed here). */
  handle(connection: ResolvedConnection): PooledHandle {
    const seen = this.#known.get(connection);
    if (seen) return seen;
    // The key hashes the settings, credentials included, so rotated credentials get a new client;
    // the hash never leaves this map.
    const key = createHash("sha256").update(JSON.stringify(connection)).digest("hex");
    let handle = this.#handles.get(key);
    if (!handle) {
      handle = this.create(connection);
      this.#handles.set(key, handle);
    }
    this.#known.set(connection, handle);
    return handle;
  }

  private create(connection: ResolvedConnection): PooledHandle {
    const client = new OntapClient({ ...connection, logger: connection.logger ?? this.logger });
    const absent = new Map<string, number>();
    return {
      client,
      batcher: new ReadBatcher(client),
      host: connection.host,
      cluster: connection.cluster,
      log: this.logger,
      recordNoService(svm) {
        for (const k of svmKeys(svm)) absent.set(k, Date.now());
      },
      sawNoService(svm) {
        return svmKeys(svm).some((k) => Date.now() - (absent.get(k) ?? 0) < ABSENCE_EVIDENCE_MS);
      },
    };
  }
}
