/** The errors the data sources throw (bad arguments are a `TypeError`). */

import { PERFORMANCE_FIELDS_SINCE } from "../iscsi/releases";
import { UUID_PATTERN } from "../values";
import { ProviderError } from "./base";

/** No iSCSI service matches: the SVM has none, or no SVM has that name or UUID. */
export class IscsiServiceNotFoundError extends ProviderError {
  readonly kind = "not-found";
  constructor(
    readonly svm: string,
    readonly host: string,
  ) {
    const check = UUID_PATTERN.test(svm)
      ? `vserver show -uuid ${svm}; then vserver iscsi show -vserver <that SVM's name>`
      : `vserver show -vserver ${svm}; vserver iscsi show -vserver ${svm}`;
    super(
      `No iSCSI service on SVM "${svm}" (cluster ${host}): the SVM has none, or no SVM has that name or UUID.\nCheck: ${check}`,
    );
  }
}

/** `includePerformance` on a cluster older than ONTAP 9.7, which has no `metric` or `statistics`. */
export class PerformanceUnavailableError extends ProviderError {
  readonly kind = "unsupported-release";
  constructor(
    readonly fn: string,
    readonly host: string,
  ) {
    super(
      `${fn}: includePerformance needs ONTAP ${PERFORMANCE_FIELDS_SINCE} or later, and cluster ${host} runs an older release: ` +
        `it refused the fields "metric" and "statistics" of /api/protocols/san/iscsi/services [ONTAP 262197].\n` +
        `Fix: leave includePerformance out for this cluster, or upgrade it to ONTAP ${PERFORMANCE_FIELDS_SINCE} or later (see the release with: version).`,
    );
  }
}
