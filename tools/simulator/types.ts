/**
 * The simulator's public, in-process API. Tests, the demo and the benchmark use only
 * what is declared here (plus `startSimulator` in ./index).
 */
import type { OntapRelease } from "./releases";

export type { OntapRelease } from "./releases";

/**
 * Who the configured credentials act as. "admin" (default): the cluster administrator.
 * "vsadmin:<svm>": an SVM-scoped account of that SVM, which sees only its SVM and gets
 * 403 (code 6) on cluster-scoped endpoints.
 */
export type Account = "admin" | `vsadmin:${string}`;

/** An SVM to seed, as an administrator would have set it up. */
export interface SvmSeed {
  name: string;
  /** Generated (RFC 4122 v4) when absent. */
  uuid?: string;
  /** Default "running". */
  state?: "running" | "stopped" | "starting" | "stopping";
  /** Whether iSCSI is an allowed protocol on the SVM. Default true (POST otherwise: 2621507). */
  iscsiAllowed?: boolean;
  /** Whether NVMe is an allowed protocol on the SVM (`nvme.allowed`). Default true. */
  nvmeAllowed?: boolean;
  /**
   * An NVMe service on the SVM (`nvme.enabled` is its state; enabled by default). While it
   * exists, enabled or not, creating an iSCSI service answers 5373966. Default none.
   */
  nvmeService?: { enabled?: boolean };
  /** Older form of `nvmeService: { enabled: true }`. */
  nvmeConfigured?: boolean;
  /** An iSCSI service that already exists on the SVM. */
  service?: { enabled?: boolean; alias?: string };
}

/**
 * A host that logs in to an SVM's iSCSI target: one session per path (each through its own
 * target portal group, i.e. LIF), each session with `connections` TCP connections.
 */
export interface SessionSeed {
  /** The SVM's name or UUID. */
  svm: string;
  /** The initiator's IQN/EUI, the alias it announces, and (9.9+) its igroup comment. */
  initiator: { name: string; alias?: string; comment?: string };
  /** Initiator groups the initiator belongs to. Default none. */
  igroups?: string[];
  /** Sessions (paths), one per target portal group. Default 1; 2 or more is a multipathed host. */
  paths?: number;
  /** TCP connections per session (MC/S). Default 1. */
  connections?: number;
  /** How each connection logged in. Default "none". */
  authentication?: "chap" | "none";
  /** The host's IP address. Default one from 192.0.2.0/24. */
  address?: string;
}

/**
 * Sessions to seed: explicit hosts, or a shorthand SVM → number of sessions, which makes
 * realistic hosts: two sessions per host (multipathed over two LIFs) while enough remain,
 * so `{svm1: 3}` is 3 sessions from 2 hosts, one of them multipathed.
 */
export type SessionsOption = SessionSeed[] | Record<string, number>;

/** One logged-in session, as the cluster holds it (a copy). */
export interface SessionState {
  svmUuid: string;
  svmName: string;
  /** Target portal group name (the LIF's name). */
  targetPortalGroup: string;
  tsih: number;
  isid: string;
  initiatorName: string;
  initiatorAlias: string;
  igroups: string[];
  /** TCP connections of the session. */
  connections: number;
}

export interface SimulatorOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Plain HTTP instead of HTTPS. Default false. */
  http?: boolean;
  /** Which fixture certificate the HTTPS server presents. Default "server" (localhost, 127.0.0.1, ::1). */
  certificate?: "server" | "wrong-host";
  /** Default ["svm1", "svm2"]. */
  svms?: Array<string | SvmSeed>;
  /** HTTP Basic user. Default "admin". */
  username?: string;
  /** HTTP Basic password. Default "netapp123". */
  password?: string;
  /** OAuth 2.0 bearer tokens accepted as `Authorization: Bearer <token>`. Default none. */
  bearerTokens?: string[];
  /** Client certificates signed by the test CA are accepted; the certificate's CN is the account. Default true on HTTPS. */
  clientCertificates?: boolean;
  /** Latency added to every request, in ms. Default 0. */
  latencyMs?: number;
  /** ASA r2 mode: every SVM always has an iSCSI service; POST and DELETE answer 5376452. */
  asaR2?: boolean;
  /** Whether the cluster has a valid iSCSI license (POST otherwise: 1115127). Default true. */
  iscsiLicensed?: boolean;
  /** Server-side cap on concurrent requests; beyond it 429 with ONTAP code 262160. Default unlimited. */
  maxConcurrent?: number;
  /** The release the simulator is: its fields, endpoints and behaviors (./releases). Default the newest, "9.16.1". */
  ontapVersion?: OntapRelease;
  /** Older name of `ontapVersion`. */
  version?: string;
  /** Who the credentials act as. Default "admin". */
  account?: Account;
  /** UTC offset of every timestamp the cluster writes, e.g. "-08:00". Default "+00:00". */
  timezone?: string;
  /**
   * Emulates ONTAP cutting a collection page when `return_timeout` runs out: every page
   * ends after this many records, with a `next` link, even without `max_records`.
   * Default: pages end only at `max_records`.
   */
  timeoutPageRecords?: number;
  /**
   * Hosts that log in to SVMs' iSCSI targets. A host logs in once the SVM's service is
   * enabled (at once if it is); disabling or deleting the service, or stopping the SVM,
   * ends its sessions. Default none.
   */
  sessions?: SessionsOption;
  /**
   * Whether hosts log in again when a service they were logged in to is enabled again, as
   * real initiators retry. Default false: ended sessions stay ended until seeded again.
   */
  sessionsRelogin?: boolean;
  /** How long a finished job stays readable before ONTAP purges it (then 404). Default 300 000 ms. */
  jobRetentionMs?: number;
  /**
   * Called with one line for each request the simulator does not expect (unknown path,
   * unsupported method). Default: the line goes to stderr.
   */
  onUnexpected?: (line: string) => void;
}

/** One request as the simulator saw it. `headers` never holds `authorization`. */
export interface RequestLogEntry {
  method: string;
  /** Path without the query string, e.g. "/api/protocols/san/iscsi/services/<uuid>". */
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  /** Parsed JSON body, or the raw text when it was not JSON; undefined when empty. */
  body: unknown;
  /** Status answered (0 when the connection was reset or hung without an answer). */
  status: number;
  headers: Record<string, string>;
  /** Whether the request changed cluster state. */
  applied: boolean;
  /** Fault injected into this request, if any. */
  fault?: FaultKind;
  /** The UUID of the job a write started (async mode, or a job-failure fault). */
  job?: string;
}

/**
 * What an injected fault does (see {@link FaultSpec}). A new kind needs a case in each
 * `switch` that ends in `unhandledFault` (./faults.ts, ./server.ts): it does not compile
 * before.
 */
export type FaultKind =
  | "http-error"
  | "reset-before"
  | "reset-after"
  | "hang"
  | "malformed-json"
  | "job-failure";

/**
 * A fault for the next `times` requests that match. `reset-after` applies the write,
 * then destroys the socket (the lost response). `hang` never answers (until `ms`, default
 * forever / until stop). `job-failure` answers 202 with a job that fails without applying.
 */
export interface FaultSpec {
  kind: FaultKind;
  /** For "http-error": e.g. 429, 500, 503, 401, 403. */
  status?: number;
  /** ONTAP error code in the body for "http-error" / "job-failure". */
  code?: string;
  message?: string;
  /** Seconds, sent as the Retry-After header. */
  retryAfter?: number;
  /** How many matching requests get the fault. Default 1. */
  times?: number;
  /** Only requests with this method (case-insensitive) and a path matching this. */
  method?: string;
  path?: string | RegExp;
  /** For "hang": how long before the socket is destroyed. Default: until stop(). */
  ms?: number;
}

/**
 * Holds a request under /api once it is logged (and counted against `maxConcurrent`),
 * before latency, faults, authentication and routing: the request is applied and answered
 * when the returned promise resolves. A test decides the order in which concurrent
 * requests reach the cluster (tools/explore). `request` is the log entry itself: its
 * `status` is set once the request is answered.
 */
export type RequestGate = (request: Readonly<RequestLogEntry>) => Promise<void>;

/** A request served without a socket (`Simulator.dispatch`). */
export interface InProcessRequest {
  method: string;
  /** Path and query, e.g. "/api/svm/svms?fields=name". */
  url: string;
  /** Header names in any case; `authorization` as a client sends it. */
  headers: Record<string, string>;
  body?: string;
  /** Aborted when the client gives up (its timeout): the request is then answered with "aborted". */
  signal?: AbortSignal;
}

/**
 * How an in-process request ended: an HTTP response; the connection reset (a `reset-*`
 * fault, or a `hang` whose `ms` ran out); or the client's signal aborted first.
 */
export type InProcessAnswer =
  | { kind: "response"; status: number; headers: Record<string, string>; body: string }
  | { kind: "reset" }
  | { kind: "aborted" };

/** A job as `Simulator.job` shows it. */
export interface JobState {
  uuid: string;
  state: "queued" | "running" | "paused" | "success" | "failure";
  /** When it ended (ms since the epoch), if it has. */
  endTime?: number;
}

/** A service as the cluster holds it. */
export interface ServiceState {
  svmUuid: string;
  svmName: string;
  enabled: boolean;
  /** "" when cleared. */
  alias: string;
  iqn: string;
}

export interface SvmState {
  uuid: string;
  name: string;
  state: "running" | "stopped" | "starting" | "stopping";
  iscsiAllowed: boolean;
  nvmeAllowed: boolean;
  /** The NVMe service, if the SVM has one. */
  nvmeService: { enabled: boolean } | undefined;
  /** Whether the SVM has an NVMe service (the condition behind 5373966). */
  nvmeConfigured: boolean;
}

/** How async-mode jobs behave. */
export interface AsyncJobOptions {
  /** Each job is "paused" this long between running and finishing. Default 0. */
  pausedMs?: number;
  /**
   * Each job stays "running" until `finishJobs()` ends it: a test drives the job's end
   * instead of racing a timer. Default false.
   */
  held?: boolean;
}

export interface Simulator {
  /** e.g. "https://127.0.0.1:41234" */
  readonly url: string;
  /** "127.0.0.1:41234": what a connection's `host` setting takes. */
  readonly host: string;
  readonly port: number;
  /** PEM of the CA that signed the server certificate (undefined over HTTP). */
  readonly caCert: string | undefined;
  stop(): Promise<void>;

  addSvm(seed: SvmSeed): SvmState;
  /** By name or UUID. */
  svm(nameOrUuid: string): SvmState | undefined;
  /** By SVM name or UUID. A copy: changing it changes nothing. */
  service(svmNameOrUuid: string): ServiceState | undefined;
  services(): ServiceState[];
  /** Changes made as another administrator would, outside the API and the request log. */
  outOfBand: {
    createService(svm: string, opts?: { enabled?: boolean; alias?: string }): ServiceState;
    deleteService(svm: string): void;
    setEnabled(svm: string, enabled: boolean): void;
    setAlias(svm: string, alias: string): void;
    setSvmState(svm: string, state: SvmState["state"]): void;
    /** `vserver rename -vserver <svm> -newname <newName>`: same UUID, new name. */
    renameSvm(svm: string, newName: string): void;
    setIscsiLicensed(licensed: boolean): void;
    /** Gives the SVM an NVMe service (undefined removes it). */
    setNvmeService(svm: string, service: { enabled: boolean } | undefined): void;
    /**
     * Hosts log in (see {@link SimulatorOptions.sessions}): at once where the service is enabled,
     * else when it next is. Returns the sessions that started now.
     */
    addSessions(sessions: SessionsOption): SessionState[];
    /** Hosts log out: every session of the SVM, or only those of one initiator. Returns how many ended. */
    endSessions(svm: string, initiatorName?: string): number;
  };
  /** The logged-in sessions, of one SVM (name or UUID) or of all, ordered by tsih. */
  sessions(svm?: string): SessionState[];

  /** The release the simulator is. */
  readonly ontapVersion: OntapRelease;
  /** Changes who the credentials act as from the next request on. */
  setAccount(account: Account): void;
  /** See {@link SimulatorOptions.timeoutPageRecords}; undefined turns it off. */
  setTimeoutPageRecords(n: number | undefined): void;

  /** Every request received under /api, in arrival order. */
  readonly requests: RequestLogEntry[];
  clearRequests(): void;

  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /**
   * Async mode: writes answer 202 with a job that succeeds (applying the write) after
   * `delayMs`; with `return_timeout` long enough they wait and answer 200/201 with the job.
   */
  setAsyncJobs(enabled: boolean, delayMs?: number, options?: AsyncJobOptions): void;
  /** Ends every held job now (see {@link AsyncJobOptions.held}), its work applied; returns how many ended. */
  finishJobs(): number;
  /** Purges every finished job now, as ONTAP does after the retention time: a GET of it answers 404. */
  purgeJobs(): number;
  setLatency(ms: number): void;
  setMaxConcurrent(n: number | undefined): void;
  /** Highest number of requests in progress at once since start (or the last clearRequests). */
  readonly peakConcurrency: number;
  /**
   * Gives a service a metrics history reaching `sinceMs` back (default: over a year), so
   * its metrics answer at once. Services created after start (POST, out-of-band, addSvm)
   * otherwise have no samples for their first 15 s or more (8585947); seeded ones have a year.
   */
  backfillMetrics?(svm: string, sinceMs?: number): void;
  /** See {@link RequestGate}; undefined removes the gate. In-process simulators (`startSimulator`) only. */
  setGate?(gate: RequestGate | undefined): void;
  /**
   * Serves one request through the same pipeline as the server (request log, gate, faults,
   * jobs, authentication), without a socket: an in-process transport for a client in the
   * same process (tools/explore). In-process simulators only.
   */
  dispatch?(request: InProcessRequest): Promise<InProcessAnswer>;
  /** A job as ONTAP shows it now; undefined when there is none (never started, or purged). */
  job?(uuid: string): JobState | undefined;
}
