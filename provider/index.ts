/**
 * The provider's public entry (`pulumi-ontap-iscsi/provider`): only re-exports. The dynamic
 * provider face is ./dynamic-provider, the resource core ./resource and ./iscsi.
 */
export {
  type HostKeys,
  IscsiServiceProvider,
  type ProviderLogger,
  type ProviderOptions,
  type RefreshResult,
  sharedProvider,
} from "./dynamic-provider";
export {
  ActiveSessionsError,
  ClusterMismatchError,
  ConfigError,
  DuplicateResourceError,
  LostCreateError,
  NewerStateError,
  OntapDiagnosticError,
  OwnershipConflictError,
  PartialCreateError,
  PartialUpdateError,
  PendingCreateError,
  ProviderError,
  ServiceLeftDisabledError,
  SvmIdentityError,
  UnreadCreateError,
} from "./errors";
export type { IscsiServiceInputs, IscsiServiceOutputs } from "./iscsi/model";
