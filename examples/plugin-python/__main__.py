"""One iSCSI service on one SVM, managed through the ONTAP provider plugin."""

import pulumi
import pulumi_ontap as ontap

config = pulumi.Config()

iscsi = ontap.IscsiService(
    "iscsi",
    svm_name=config.require("svmName"),
    target_alias=config.get("targetAlias"),
    enabled=config.get_bool("enabled"),
    protect_active_sessions=config.get_bool("protectActiveSessions"),
)

# The services the cluster has on this SVM, read after the service exists.
services = ontap.list_iscsi_services_output(svm_name=iscsi.svm_name)

pulumi.export("targetName", iscsi.target_name)
pulumi.export("host", iscsi.host)
pulumi.export("serviceCount", services.services.apply(len))
