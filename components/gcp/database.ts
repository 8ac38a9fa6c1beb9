import * as pulumi from "@pulumi/pulumi";
import { Database as SqlDatabase } from "@pulumi/gcp/sql/database";
import { DatabaseInstance } from "@pulumi/gcp/sql/databaseInstance";
import { User as SqlUser } from "@pulumi/gcp/sql/user";
import { RandomPassword } from "@pulumi/random/randomPassword";
import { DatabasePlan } from "../../sizing";
import { DatabaseEndpoint, postgresUrl } from "../k8s/types";

export interface CloudSqlArgs {
    region: string;
    /** the stack's zones, as the node pools span them: the primary goes to the first, the standby to the second */
    zones: string[];
    /** self link or id of the VPC the instance gets its private IP in */
    network: pulumi.Input<string>;
    /** the private services access peering the instance waits for; absent when the network already has one */
    privateServiceAccess?: pulumi.Resource;
    plan: DatabasePlan;
    deletionProtection: boolean;
    /** physical instance name prefix (stack-derived) */
    namePrefix: string;
}

/**
 * When the database and the cluster change, in UTC, one after another and never at once:
 * the weekly database maintenance (Sunday 23:00, an hour), then the daily backups (a backup
 * starts within four hours of 00:00), then GKE's daily maintenance window (04:00, four hours,
 * cluster.ts). A node upgrade that restarts coderd while the database restarts or is busy
 * with a backup would double the disruption; each gets its own hours.
 */
export const DATABASE_MAINTENANCE = { day: 7, hour: 23 } as const;
export const BACKUP_START = "00:00";

/**
 * Cloud SQL for PostgreSQL: regional (HA standby in a second zone), private IP only,
 * TLS required, automated backups with point-in-time recovery, protected on both the
 * Pulumi side and the GCP side.
 */
export class CloudSqlDatabase extends pulumi.ComponentResource {
    public readonly instance: DatabaseInstance;
    public readonly endpoint: DatabaseEndpoint;

    constructor(name: string, args: CloudSqlArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:gcp:Database", name, {}, opts);
        const p = args.plan;
        const stateful = { parent: this, protect: args.deletionProtection };

        this.instance = new DatabaseInstance(`${name}-pg`, {
            // Auto-named from the stack prefix: names of deleted instances cannot be reused
            // for a week, so the random suffix keeps a re-create possible.
            region: args.region,
            databaseVersion: `POSTGRES_${p.version}`,
            deletionProtection: args.deletionProtection,
            settings: {
                // PostgreSQL 16+ defaults to ENTERPRISE_PLUS, which rejects db-custom-* tiers.
                edition: "ENTERPRISE",
                tier: p.machine.name,
                availabilityType: p.highAvailability ? "REGIONAL" : "ZONAL",
                // The primary in the stack's first zone, the standby in its second: zones the
                // node pools use (Coder: database in the "same region (and if possible, same
                // availability zone)", validated architectures). coderd spans every zone, so
                // no zone is coderd's; the first is the one chosen. Without a preference
                // Cloud SQL may take a zone no node is in (us-central1-f).
                locationPreference: {
                    zone: args.zones[0],
                    ...(p.highAvailability && args.zones[1] ? { secondaryZone: args.zones[1] } : {}),
                },
                diskType: "PD_SSD",
                diskSize: p.storageGb,
                diskAutoresize: true,
                deletionProtectionEnabled: args.deletionProtection,
                retainBackupsOnDelete: true,
                ipConfiguration: {
                    ipv4Enabled: false,
                    privateNetwork: args.network,
                    sslMode: "ENCRYPTED_ONLY",
                },
                backupConfiguration: {
                    // REGIONAL availability requires backups and point-in-time recovery.
                    enabled: true,
                    pointInTimeRecoveryEnabled: true,
                    transactionLogRetentionDays: 7,
                    startTime: BACKUP_START,
                    backupRetentionSettings: { retainedBackups: 14, retentionUnit: "COUNT" },
                },
                maintenanceWindow: { ...DATABASE_MAINTENANCE, updateTrack: "stable" },
                insightsConfig: { queryInsightsEnabled: true, recordApplicationTags: false, recordClientAddress: false },
                databaseFlags: [
                    { name: "max_connections", value: String(p.maxConnections) },
                    { name: "log_min_duration_statement", value: "1000" },
                ],
                userLabels: { "managed-by": "pulumi", app: "coder", prefix: args.namePrefix },
            },
        }, {
            ...stateful,
            dependsOn: args.privateServiceAccess ? [args.privateServiceAccess] : [],
            // Disk autoresize grows the disk; the program must not shrink it back.
            ignoreChanges: ["settings.diskSize"],
        });

        const database = new SqlDatabase(`${name}-coder`, {
            instance: this.instance.name,
            name: "coder",
            // PostgreSQL refuses to drop a database with open connections; the instance's
            // own deletion removes it.
            deletionPolicy: "ABANDON",
        }, stateful);

        const password = new RandomPassword(`${name}-password`, {
            length: 32,
            special: false,
        }, { parent: this });

        const user = new SqlUser(`${name}-user`, {
            instance: this.instance.name,
            name: "coder",
            password: pulumi.secret(password.result),
            deletionPolicy: "ABANDON",
        }, stateful);

        this.endpoint = {
            url: postgresUrl({
                user: user.name,
                password: pulumi.secret(password.result),
                host: this.instance.privateIpAddress,
                port: 5432,
                database: database.name,
                sslmode: "require",
            }),
        };

        this.registerOutputs({ instance: this.instance.name, connectionName: this.instance.connectionName });
    }
}
