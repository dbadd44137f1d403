/**
 * The one base of every error this package throws, with a stable `kind` to switch on. The
 * errors themselves live beside it: ./transport (the transport's typed failures),
 * ./resource (the resource's operations), ./release, ./data-sources; ./index exports all.
 */
import type { OntapErrorKind } from "./transport";

/** Every `kind` a ProviderError can have. */
export type ProviderErrorKind =
  | OntapErrorKind
  | "config"
  | "unknown"
  | "partial-create"
  | "partial-update"
  | "lost-create"
  | "unread-create"
  | "service-left-disabled"
  | "cluster-mismatch"
  | "svm-identity"
  | "newer-state"
  | "ownership-conflict"
  | "duplicate-resource"
  | "create-pending"
  | "not-found"
  | "import-id"
  | "unsupported-release"
  | "active-sessions";

/** The base of every error this package throws to Pulumi or to a program. */
export abstract class ProviderError extends Error {
  abstract readonly kind: ProviderErrorKind;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
