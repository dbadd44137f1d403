/**
 * The ONTAP error codes the provider acts on, each named once. The code table
 * (./codes) says what each means for users; the modules that branch on a code import its
 * name from here instead of writing the number.
 */
export const OntapCode = {
  /** No valid iSCSI license on the cluster. */
  noLicense: "1115127",
  /** The SVM (or the record) does not exist. */
  svmNotFound: "2621462",
  /** iSCSI is not an allowed protocol on the SVM. */
  protocolNotAllowed: "2621507",
  /** svm.uuid and svm.name name different SVMs. */
  svmNamesDiffer: "2621706",
  /** The SVM is configured for NVMe, so iSCSI cannot be added. */
  nvmeConfigured: "5373966",
  /** The iSCSI service is enabled (a DELETE needs it disabled). */
  deleteWhileEnabled: "5373960",
  /** The SVM already has an iSCSI service. */
  serviceExists: "5374077",
  /** The SVM has no iSCSI service. */
  serviceNotFound: "5374078",
  /** `enabled` cannot change together with another field. */
  enabledWithOthers: "5374081",
  /** The SVM is stopped. */
  svmStopped: "5374893",
  /** Not supported on ASA r2 systems (where every SVM always has a service). */
  asaR2: "5376452",
  /** No metrics are available for the object. */
  noMetrics: "8585947",
  /** The field is not known to this release (an older ONTAP). */
  unknownField: "262197",
} as const;
