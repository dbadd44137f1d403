// One iSCSI service on one SVM, managed through the ONTAP provider plugin and its generated SDK.
import * as ontap from "@netapp-community/pulumi-ontap";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();

const iscsi = new ontap.IscsiService("iscsi", {
  svmName: config.require("svmName"),
  targetAlias: config.get("targetAlias"),
  enabled: config.getBoolean("enabled"),
  protectActiveSessions: config.getBoolean("protectActiveSessions"),
});

// The services the cluster has on this SVM, read after the service exists.
const services = ontap.listIscsiServicesOutput({ svmName: iscsi.svmName });

export const targetName = iscsi.targetName;
export const host = iscsi.host;
export const serviceCount = services.services.apply((s) => s.length);
