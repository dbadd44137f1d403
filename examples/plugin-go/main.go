// One iSCSI service on one SVM, managed through the ONTAP provider plugin.
package main

import (
	"github.com/netapp-community/pulumi-ontap-iscsi/plugin-sdks/go/ontap"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		args := &ontap.IscsiServiceArgs{SvmName: pulumi.String(cfg.Require("svmName"))}
		if alias, err := cfg.Try("targetAlias"); err == nil {
			args.TargetAlias = pulumi.String(alias)
		}
		if enabled, err := cfg.TryBool("enabled"); err == nil {
			args.Enabled = pulumi.Bool(enabled)
		}
		if protect, err := cfg.TryBool("protectActiveSessions"); err == nil {
			args.ProtectActiveSessions = pulumi.Bool(protect)
		}
		iscsi, err := ontap.NewIscsiService(ctx, "iscsi", args)
		if err != nil {
			return err
		}

		// The services the cluster has on this SVM, read after the service exists.
		services := ontap.ListIscsiServicesOutput(ctx, ontap.ListIscsiServicesOutputArgs{SvmName: iscsi.SvmName})

		ctx.Export("targetName", iscsi.TargetName)
		ctx.Export("host", iscsi.Host)
		ctx.Export("serviceCount", services.Services().ApplyT(func(s []ontap.IscsiServiceInfo) int { return len(s) }))
		return nil
	})
}
