/**
 * One cluster as one run of the provider sees it: the connection (client, read batcher),
 * what the run knows of the cluster's release, its reads of the cluster ({@link ClusterCache}),
 * whether the cluster was unreachable, the run's ownership registry and its log with
 * warn-once. One per connection, owned by the pool (./pool); a provider process serves one
 * engine operation, so "run" is the process. ("Session" in this package means only an
 * iSCSI session: a host logged in to a target.)
 */
import { ClusterCache } from "./cluster-cache";
import { ReadBatcher } from "./iscsi/batch";
import { ReleaseKnowledge } from "./iscsi/releases";
import type { OntapClient } from "./ontap/client";
import type { OntapLogger } from "./ontap/types";
import type { RunOwnership, WriteKind } from "./ownership";

export class ClusterRun {
  readonly batcher: ReadBatcher;
  /** What the run knows of the cluster's release (learned from `/api/cluster` or from 262197 answers). */
  readonly releases = new ReleaseKnowledge();
  readonly cache: ClusterCache;
  /** The transport failure that made this cluster unreachable moments ago, if any. */
  unreachable: unknown;
  readonly #said = new Set<string>();

  constructor(
    readonly client: OntapClient,
    /** Normalized management host, recorded in state. */
    readonly host: string,
    /** The connection profile's name; undefined for the default connection. */
    readonly cluster: string | undefined,
    readonly log: OntapLogger,
    /** The run's one ownership registry, shared by every cluster. */
    readonly ownership: RunOwnership,
  ) {
    // PULUMI_ONTAP_ISCSI_SINGLE_READS=1: one GET per read, the benchmark's baseline (tools/bench).
    this.batcher = new ReadBatcher(client, {
      singleReads: process.env.PULUMI_ONTAP_ISCSI_SINGLE_READS === "1",
    });
    this.cache = new ClusterCache(client, this.releases, ownership);
  }

  /**
   * Whether this is the first time the run asks about `key` on this cluster: for a warning
   * said once per cluster and run (or once per SVM, with the SVM in the key).
   */
  once(key: string): boolean {
    if (this.#said.has(key)) return false;
    this.#said.add(key);
    return true;
  }

  /**
   * A create or adopt of this run made or took over the service of this SVM: recorded in
   * the run's one registry of writes (see {@link RunOwnership.recordWrite}) and in the
   * cluster's snapshot. Returns the claim id its outputs record.
   */
  recordWrite(svm: { uuid: string; name: string }, kind: WriteKind): string {
    this.cache.addService(svm.uuid);
    return this.ownership.recordWrite(svm, this.host, kind);
  }

  /** Whether a create or adopt of this run made or took over the service on this SVM. */
  wrote(svm: { name?: string; uuid?: string }): boolean {
    return this.ownership.wrote(svm, this.host);
  }
}
