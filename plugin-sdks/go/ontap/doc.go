// Manage NetApp ONTAP iSCSI services (REST /api/protocols/san/iscsi/services) with Pulumi.
package ontap
