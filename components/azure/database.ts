/**
 * Azure: Coder's database on Azure Database for PostgreSQL Flexible Server, reachable only
 * inside the VNet.
 */
import * as pulumi from "@pulumi/pulumi";
import { RandomPassword } from "@pulumi/random/randomPassword";
import { ManagementLockByScope } from "@pulumi/azure-native/authorization/managementLockByScope";
import { Configuration } from "@pulumi/azure-native/dbforpostgresql/configuration";
import { Database } from "@pulumi/azure-native/dbforpostgresql/database";
import { Server } from "@pulumi/azure-native/dbforpostgresql/server";
import { PrivateZone } from "@pulumi/azure-native/privatedns/privateZone";
import { VirtualNetworkLink } from "@pulumi/azure-native/privatedns/virtualNetworkLink";
import { DatabasePlan } from "../../sizing";
import { azureDefaultMaxConnections } from "../../tiers";
import { DatabaseEndpoint, postgresUrl } from "../k8s/types";

export interface FlexibleServerArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** the primary's zones: the server in the first, its standby in the second */
    zones: string[];
    plan: DatabasePlan;
    /** the subnet delegated to Microsoft.DBforPostgreSQL/flexibleServers */
    delegatedSubnetId: pulumi.Input<string>;
    vnetId: pulumi.Input<string>;
    privateZoneName: string;
    /** backups copied to the paired region (set at creation only) */
    geoRedundantBackup: boolean;
    /** a CanNotDelete lock and Pulumi `protect` */
    deletionProtection: boolean;
    tags: Record<string, string>;
}

/** The admin login: not one of Flexible Server's reserved names (azure_superuser, admin, administrator, root, guest, public). */
export const ADMIN_LOGIN = "coder";
export const DATABASE_NAME = "coder";
/** Days of automated backups (Flexible Server keeps 7 to 35); point-in-time restore anywhere in them. */
export const BACKUP_RETENTION_DAYS = 14;
/**
 * Sunday 23:00 UTC, as Cloud SQL's window: before the clusters' (Sunday 04:00) and a quiet
 * hour for most teams. dayOfWeek 0 is Sunday.
 */
export const DATABASE_MAINTENANCE = { customWindow: "Enabled", dayOfWeek: 0, startHour: 23, startMinute: 0 } as const;

/**
 * The server: the plan's General Purpose compute and Premium SSD storage (growing by itself
 * as it fills), zone-redundant HA with the standby in the second zone, private access only
 * (the delegated subnet; its name in a private DNS zone linked to the VNet), TLS required,
 * password sign-in with a generated admin password, backups, and (with deletion protection)
 * a CanNotDelete management lock and Pulumi `protect`: Flexible Server has no
 * deletion-protection field of its own.
 *
 * Server parameters are set one after the other: Flexible Server refuses a second change
 * while it applies one ("ServerIsBusy", pulumi-azure-native#898, hashicorp/terraform-provider-azurerm#28298).
 */
export class FlexibleServerDatabase extends pulumi.ComponentResource {
    public readonly server: Server;
    public readonly endpoint: DatabaseEndpoint;

    constructor(name: string, args: FlexibleServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:azure:Database", name, {}, opts);
        const rg = { resourceGroupName: args.resourceGroupName };
        const stateful = { parent: this, protect: args.deletionProtection };

        const zone = new PrivateZone(`${name}-dns`, { ...rg, location: "global", privateZoneName: args.privateZoneName, tags: args.tags }, { parent: this });
        const link = new VirtualNetworkLink(`${name}-dns-link`, {
            ...rg,
            location: "global",
            privateZoneName: zone.name,
            virtualNetwork: { id: args.vnetId },
            registrationEnabled: false,
            tags: args.tags,
        }, { parent: this });

        const password = new RandomPassword(`${name}-password`, {
            // 8-128 characters of three of the four classes: no special characters (URL-safe)
            length: 32, special: false, minUpper: 2, minLower: 2, minNumeric: 2,
        }, { parent: this });
        const [primaryZone, standbyZone] = args.zones;
        const ha = args.plan.highAvailability;
        this.server = new Server(`${name}-server`, {
            ...rg,
            location: args.location,
            version: String(args.plan.version),
            sku: { name: args.plan.machine.name, tier: "GeneralPurpose" },
            storage: { storageSizeGB: args.plan.storageGb, autoGrow: "Enabled", type: "Premium_LRS" },
            availabilityZone: primaryZone,
            highAvailability: ha ? { mode: "ZoneRedundant", standbyAvailabilityZone: standbyZone } : { mode: "Disabled" },
            network: {
                delegatedSubnetResourceId: args.delegatedSubnetId,
                privateDnsZoneArmResourceId: zone.id,
                publicNetworkAccess: "Disabled",
            },
            administratorLogin: ADMIN_LOGIN,
            administratorLoginPassword: pulumi.secret(password.result),
            authConfig: { passwordAuth: "Enabled", activeDirectoryAuth: "Disabled" },
            backup: { backupRetentionDays: BACKUP_RETENTION_DAYS, geoRedundantBackup: args.geoRedundantBackup ? "Enabled" : "Disabled" },
            maintenanceWindow: DATABASE_MAINTENANCE,
            // "Default": a create for a new server, an update for an existing one
            createMode: "Default",
            tags: args.tags,
        }, {
            ...stateful,
            dependsOn: [link],
            // A failover swaps the zones of the server and its standby: Azure reports them as they are now.
            // Storage grows by itself (doubling) and never shrinks: the plan's size is where it starts.
            ignoreChanges: ["availabilityZone", "highAvailability.standbyAvailabilityZone", "storage.storageSizeGB", "storage.tier"],
            customTimeouts: { create: "90m", update: "90m" },
        });

        // One parameter at a time, each after the previous (ServerIsBusy otherwise).
        const parameters: [string, string][] = [
            // TLS for every connection (also Flexible Server's default; pinned so a change shows in review)
            ["require_secure_transport", "on"],
            // Only a stack's override: the size's default covers coderd (tiers/index.ts). A static
            // parameter: the value waits for the server's next restart (sizing.ts says so).
            ...(args.plan.maxConnections !== azureDefaultMaxConnections(args.plan.machine.memoryGiB)
                ? [["max_connections", String(args.plan.maxConnections)] as [string, string]] : []),
        ];
        let previous: pulumi.Resource = this.server;
        for (const [parameter, value] of parameters) {
            previous = new Configuration(`${name}-${parameter.replace(/_/g, "-")}`, {
                ...rg,
                serverName: this.server.name,
                configurationName: parameter,
                value,
                source: "user-override",
            }, { parent: this, dependsOn: [previous] });
        }
        const database = new Database(`${name}-coder`, {
            ...rg,
            serverName: this.server.name,
            databaseName: DATABASE_NAME,
            charset: "UTF8",
            collation: "en_US.utf8",
        }, { ...stateful, dependsOn: [previous] });

        if (args.deletionProtection) {
            // Locks block deletes only: scaling, failover, restarts and parameter changes go on.
            new ManagementLockByScope(`${name}-lock`, {
                scope: this.server.id,
                level: "CanNotDelete",
                notes: "Coder's database: remove coder-refarch:deletionProtection and run pulumi up before deleting it",
            }, { parent: this, dependsOn: [database] });
        }

        this.endpoint = {
            url: postgresUrl({
                user: ADMIN_LOGIN,
                password: pulumi.secret(password.result),
                host: this.server.fullyQualifiedDomainName,
                port: 5432,
                database: database.name,
                sslmode: "require",
            }),
        };
        this.registerOutputs({ server: this.server.name });
    }
}
