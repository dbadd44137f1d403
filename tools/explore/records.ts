/** What the explorer records of a story as it runs: the facts the invariants are judged on. */
import type { RequestLogEntry } from "../simulator/types";
import type { StepContext } from "./steps";

/** A request as it reached a cluster's gate. `seq` orders it among every recorded fact. */
export interface RequestRecord {
  seq: number;
  cluster: number;
  entry: Readonly<RequestLogEntry>;
  /** The step that sent it; undefined only for a request no step awaited. */
  step: StepContext | undefined;
  /** When the scheduler let it through (a `seq`), once it has. */
  released?: number;
}

/**
 * Who a service belongs to, as the explorer saw it come about: a resource of the stack
 * (it created the service, or adopted it with `adopt: true`; `made`: a run of the stack
 * created it, whoever holds it now), an administrator, or nobody (a failed run left a
 * service it made outside the stack and said so).
 */
export type Owner =
  | { kind: "stack"; rid: number; name: string; made: boolean }
  | { kind: "admin" }
  | { kind: "orphan" };

/** The owner after `rid` (named `name`) takes a service over from `previous`. */
export function adoptedBy(rid: number, name: string, previous: Owner | undefined): Owner {
  return {
    kind: "stack",
    rid,
    name,
    made: previous?.kind === "stack" ? previous.made : previous?.kind === "orphan",
  };
}

/** A service as the cluster holds it. Keys: "<cluster>:<svm uuid>". */
export interface ServiceView {
  svmName: string;
  enabled: boolean;
  alias: string;
}

/** A logged-in iSCSI session. Keys: "<cluster>:<svm uuid>:<initiator>:<tsih>". */
export interface SessionView {
  key: string;
  cluster: number;
  svmUuid: string;
  svmName: string;
  initiator: string;
}

/** A warning the provider logged, and when. */
export interface Warning {
  seq: number;
  text: string;
}

/** A broken promise. Invariant 0: a run that never ends (nothing can move, or too many steps). */
export interface Violation {
  invariant: 0 | 1 | 2 | 3 | 4 | 5;
  /** The run (0-based) it was found in. */
  run: number;
  message: string;
  /** The service it concerns ("<cluster>:<svm uuid>"), when one. */
  key?: string;
  /** Set when the violation is a limit the docs state (./limits): counted, not reported. */
  limit?: string;
}

/** The key of an SVM's service on a cluster. */
export function serviceKey(cluster: number, svmUuid: string): string {
  return `${cluster}:${svmUuid.toLowerCase()}`;
}
