/**
 * The cluster the simulator holds: SVMs, their iSCSI services, the iSCSI license.
 * Plain data plus the invariants ONTAP keeps (one service per SVM, IQN per SVM).
 */
import { randomUUID } from "node:crypto";
import type { OntapRelease } from "./releases";
import { formatTimestamp } from "./time";
import type { ServiceState, SessionState, SvmSeed, SvmState } from "./types";

/** An SVM as the cluster holds it; `vsId` is ONTAP's vserver id, the `vs.<n>` of its IQN. */
export interface Svm {
  uuid: string;
  name: string;
  state: SvmState["state"];
  iscsiAllowed: boolean;
  nvmeAllowed: boolean;
  /** The SVM's NVMe service, when it has one (it blocks iSCSI: 5373966). */
  nvmeService: { enabled: boolean } | undefined;
  vsId: number;
  /** The SVM's iSCSI LIFs; each is a target portal group of its own (ONTAP's default). */
  lifs: Lif[];
  /** Initiator groups by name → UUID, made as sessions name them. */
  igroups: Map<string, string>;
}

/** An iSCSI data LIF, which is also its own target portal group. */
export interface Lif {
  name: string;
  uuid: string;
  address: string;
  /** target_portal_group_tag */
  tag: number;
}

/** A host's planned login to one target portal group: it becomes a session while the service is enabled. */
export interface Login {
  svmUuid: string;
  initiator: { name: string; alias: string; comment?: string };
  igroups: string[];
  /** Index into the SVM's LIFs. */
  lif: number;
  connections: number;
  authentication: "chap" | "none";
  address: string;
}

/** A logged-in session. */
export interface Session {
  login: Login;
  tsih: number;
  isid: string;
  /** The host-side port of each connection. */
  ports: number[];
}

/** A service as the cluster holds it. */
export interface Service {
  svmUuid: string;
  enabled: boolean;
  alias: string;
  /** Epoch ms from which performance samples exist (see metrics.ts). */
  metricsSince: number;
}

/** A year and a bit: services that predate the simulator have a full year of samples. */
const PREEXISTING_HISTORY_MS = 400 * 24 * 3600 * 1000;

/** Cluster-wide settings. */
export interface ClusterSettings {
  asaR2: boolean;
  iscsiLicensed: boolean;
  release: OntapRelease;
  /** UTC offset of the cluster's timestamps, e.g. "+00:00". */
  timezone: string;
  /** Where `return_timeout` cuts a collection page (records), if anywhere. */
  timeoutPageRecords: number | undefined;
  /** Whether hosts whose sessions a disable ended log in again when the service is enabled again. */
  sessionsRelogin: boolean;
}

/** The simulated cluster's state. */
export class Cluster {
  readonly name = "sim-cluster";
  readonly uuid = randomUUID();
  readonly startedAt = Date.now();
  /** The node that runs jobs. */
  readonly node = { name: "sim-cluster-01", uuid: randomUUID() };
  readonly svms = new Map<string, Svm>();
  readonly services = new Map<string, Service>();
  /** Logged-in iSCSI sessions, in tsih order. */
  readonly sessions: Session[] = [];
  /** Hosts waiting to log in (their SVM's service is not enabled). */
  readonly logins: Login[] = [];
  private nextVsId = 2;
  private nextTsih = 1;
  private nextPort = 51734;
  private hosts = 0;
  private readonly hostNumbers = new Map<string, number>();

  constructor(readonly settings: ClusterSettings) {}

  /**
   * Adds an SVM. `preexisting` services (seeded ones) have a full metrics history; on
   * ASA r2 every SVM gets its service (enabled) whether the seed names one or not.
   */
  addSvm(seed: SvmSeed, preexisting: boolean): Svm {
    if (!seed.name) throw new Error("SvmSeed.name is required");
    if (this.findSvm(seed.name)) throw new Error(`SVM "${seed.name}" already exists`);
    const uuid = seed.uuid ?? randomUUID();
    if (this.svms.has(uuid)) throw new Error(`an SVM with UUID ${uuid} already exists`);
    const nvmeService = seed.nvmeService ?? (seed.nvmeConfigured ? { enabled: true } : undefined);
    const svm: Svm = {
      uuid,
      name: seed.name,
      state: seed.state ?? "running",
      iscsiAllowed: seed.iscsiAllowed ?? true,
      nvmeAllowed: seed.nvmeAllowed ?? true,
      nvmeService: nvmeService && { enabled: nvmeService.enabled ?? true },
      vsId: this.nextVsId,
      lifs: [],
      igroups: new Map(),
    };
    this.nextVsId++;
    this.addLifs(svm, 2);
    this.svms.set(uuid, svm);
    const service = seed.service ?? (this.settings.asaR2 ? {} : undefined);
    if (service) this.createService(svm, service, preexisting);
    return svm;
  }

  /** By UUID or name. */
  findSvm(nameOrUuid: string): Svm | undefined {
    const byUuid = this.svms.get(nameOrUuid);
    if (byUuid) return byUuid;
    for (const svm of this.svms.values()) if (svm.name === nameOrUuid) return svm;
    return undefined;
  }

  /** Like findSvm, but throws for tests that name an SVM that is not there. */
  requireSvm(nameOrUuid: string): Svm {
    const svm = this.findSvm(nameOrUuid);
    if (!svm) throw new Error(`no SVM "${nameOrUuid}" in the simulator`);
    return svm;
  }

  createService(svm: Svm, opts: { enabled?: boolean; alias?: string }, preexisting: boolean): Service {
    const service: Service = {
      svmUuid: svm.uuid,
      enabled: opts.enabled ?? true,
      alias: opts.alias ?? svm.name,
      metricsSince: preexisting ? this.startedAt - PREEXISTING_HISTORY_MS : Date.now(),
    };
    this.services.set(svm.uuid, service);
    return service;
  }

  /** Gives the SVM at least `count` iSCSI LIFs: `<svm>_iscsi_lif<n>`, addresses in 198.51.100.0/24. */
  addLifs(svm: Svm, count: number): void {
    while (svm.lifs.length < count) {
      const n = svm.lifs.length + 1;
      svm.lifs.push({
        name: `${svm.name}_iscsi_lif${n}`,
        uuid: randomUUID(),
        address: `198.51.100.${((svm.vsId * 8 + n) % 254) + 1}`,
        tag: 1024 + svm.vsId * 8 + n,
      });
    }
  }

  /** A new UUID (igroups and LIFs have their own). */
  newUuid(): string {
    return randomUUID();
  }

  /** The next host number of an SVM's generated hosts (1, 2, …). */
  nextHostNumber(svm: Svm): number {
    const n = (this.hostNumbers.get(svm.uuid) ?? 0) + 1;
    this.hostNumbers.set(svm.uuid, n);
    return n;
  }

  /** A host address from 192.0.2.0/24 (TEST-NET-1), a new one per host. */
  nextHostAddress(): string {
    this.hosts++;
    return `192.0.2.${(this.hosts % 200) + 40}`;
  }

  /** Whether the SVM accepts iSCSI logins: running, with an enabled service. */
  acceptsLogins(svm: Svm): boolean {
    return svm.state === "running" && this.services.get(svm.uuid)?.enabled === true;
  }

  /**
   * Brings sessions in line with the services, after any change: an SVM that no longer
   * accepts logins loses every session ("disabling the service shuts down all active
   * iSCSI sessions" [doc]); its hosts wait to log in again only with `sessionsRelogin`.
   * Waiting hosts of an SVM that accepts logins log in.
   */
  syncSessions(): Session[] {
    const started: Session[] = [];
    for (let i = this.sessions.length - 1; i >= 0; i--) {
      const session = this.sessions[i];
      const svm = this.svms.get(session.login.svmUuid);
      if (svm && this.acceptsLogins(svm)) continue;
      this.sessions.splice(i, 1);
      if (svm && this.settings.sessionsRelogin) this.logins.push(session.login);
    }
    for (let i = 0; i < this.logins.length; ) {
      const login = this.logins[i];
      const svm = this.svms.get(login.svmUuid);
      if (!svm) this.logins.splice(i, 1);
      else if (!this.acceptsLogins(svm)) i++;
      else {
        this.logins.splice(i, 1);
        const tsih = this.nextTsih++;
        const session: Session = {
          login,
          tsih,
          isid: `40:00:01:37:${((tsih >> 8) & 0xff).toString(16).padStart(2, "0")}:${(tsih & 0xff).toString(16).padStart(2, "0")}`,
          ports: Array.from({ length: login.connections }, () => this.nextPort++),
        };
        this.sessions.push(session);
        started.push(session);
      }
    }
    return started;
  }

  /** A copy of a session's state, for the in-process API. */
  sessionState(session: Session): SessionState {
    const svm = this.requireSvm(session.login.svmUuid);
    return {
      svmUuid: svm.uuid,
      svmName: svm.name,
      targetPortalGroup: svm.lifs[session.login.lif].name,
      tsih: session.tsih,
      isid: session.isid,
      initiatorName: session.login.initiator.name,
      initiatorAlias: session.login.initiator.alias,
      igroups: [...session.login.igroups],
      connections: session.login.connections,
    };
  }

  /** A timestamp in the cluster's UTC offset. */
  timestamp(ms: number): string {
    return formatTimestamp(ms, this.settings.timezone);
  }

  /** ONTAP's IQN: the SVM's UUID without dashes as serial, and its vserver id. */
  iqn(svm: Svm): string {
    return `iqn.1992-08.com.netapp:sn.${svm.uuid.replace(/-/g, "").toLowerCase()}:vs.${svm.vsId}`;
  }

  /** A copy of a service's state, for the in-process API. */
  serviceState(service: Service): ServiceState {
    const svm = this.requireSvm(service.svmUuid);
    return {
      svmUuid: svm.uuid,
      svmName: svm.name,
      enabled: service.enabled,
      alias: service.alias,
      iqn: this.iqn(svm),
    };
  }

  /** A copy of an SVM's state, for the in-process API. */
  svmState(svm: Svm): SvmState {
    return {
      uuid: svm.uuid,
      name: svm.name,
      state: svm.state,
      iscsiAllowed: svm.iscsiAllowed,
      nvmeAllowed: svm.nvmeAllowed,
      nvmeService: svm.nvmeService && { ...svm.nvmeService },
      nvmeConfigured: svm.nvmeService !== undefined,
    };
  }
}
