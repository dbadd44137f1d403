/**
 * Everything the provider learns about one cluster during one run, in one object: the
 * connection (client, read batcher), the preflight's cluster facts, whether it was
 * unreachable, which SVMs it saw without a service, which services this run created or
 * took over there, and a directory of its SVMs. One per connection, owned by the pool
 * (./pool); a provider process serves one engine operation, so "run" is the process.
 */
import { ReadBatcher } from "./iscsi/batch";
import { svmKeys } from "./iscsi/model";
import type { OntapClient } from "./ontap/client";
import type { OntapLogger } from "./ontap/types";
import type { RunOwnership } from "./ownership";

/** How long "this SVM had no service" seen by a preflight counts as proof for a lost create. */
const ABSENCE_EVIDENCE_MS = 10 * 60_000;

/** What a preflight learns of a cluster; undefined where the lookup failed (the check is skipped). */
export interface ClusterFacts {
  licensed?: boolean;
  asaR2?: boolean;
  /** The first lookup that failed, for the warning. */
  error?: unknown;
  /** Whether the skipped checks were already reported for this cluster. */
  warned: boolean;
}

/** An SVM's identity as a cluster lists it. */
export interface SvmIdentity {
  uuid: string;
  name: string;
}

/** One cluster as one run of the provider sees it. */
export class ClusterSession {
  readonly batcher: ReadBatcher;
  /** The preflight's cluster facts, asked once per run (cleared after a transport failure). */
  facts: Promise<ClusterFacts> | undefined;
  /** The transport failure that made this cluster unreachable moments ago, if any. */
  unreachable: unknown;
  readonly #absent = new Map<string, number>();
  readonly #claimed = new Set<string>();
  #directory: Promise<Map<string, SvmIdentity>> | undefined;

  constructor(
    readonly client: OntapClient,
    /** Normalised management host, recorded in state. */
    readonly host: string,
    /** The connection profile's name; undefined for the default connection. */
    readonly cluster: string | undefined,
    readonly log: OntapLogger,
    /** The run's one ownership registry, shared by every cluster. */
    readonly ownership: RunOwnership,
    private readonly listSvms: (client: OntapClient) => Promise<SvmIdentity[]>,
  ) {
    // PULUMI_ONTAP_ISCSI_SINGLE_READS=1: one GET per read, the benchmark's baseline (tools/bench).
    this.batcher = new ReadBatcher(client, {
      singleReads: process.env.PULUMI_ONTAP_ISCSI_SINGLE_READS === "1",
    });
  }

  /** A preflight saw this SVM without a service (evidence for a create whose answer is lost). */
  recordNoService(svm: { name?: string; uuid?: string }): void {
    for (const key of svmKeys(svm)) this.#absent.set(key, Date.now());
  }

  /** Whether this run saw, shortly before, that the SVM had no service. */
  sawNoService(svm: { name?: string; uuid?: string }): boolean {
    return svmKeys(svm).some((k) => Date.now() - (this.#absent.get(k) ?? 0) < ABSENCE_EVIDENCE_MS);
  }

  /** A create of this run made or took over the service on this SVM: absence evidence no longer holds. */
  claim(svm: { name?: string; uuid?: string }): void {
    for (const key of svmKeys(svm)) this.#claimed.add(key);
  }

  /** Whether a create of this run made or took over the service on this SVM. */
  isClaimed(svm: { name?: string; uuid?: string }): boolean {
    return svmKeys(svm).some((key) => this.#claimed.has(key));
  }

  /**
   * The cluster's SVMs by UUID, read once per run (one collection GET, every page): the
   * cluster's identity as far as the provider needs one, since an SVM's UUID is unique
   * across clusters. A failed read is not kept.
   */
  svmDirectory(): Promise<Map<string, SvmIdentity>> {
    if (!this.#directory) {
      const read = this.listSvms(this.client).then(
        (svms) => new Map(svms.map((svm) => [svm.uuid.toLowerCase(), svm])),
      );
      this.#directory = read;
      read.catch(() => {
        if (this.#directory === read) this.#directory = undefined;
      });
    }
    return this.#directory;
  }

  /** The UUID of the SVM with this name, from the directory; undefined when the cluster has none. */
  async svmUuidOf(name: string): Promise<string | undefined> {
    for (const svm of (await this.svmDirectory()).values()) if (svm.name === name) return svm.uuid;
    return undefined;
  }
}
