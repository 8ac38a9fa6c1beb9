import * as pulumi from "@pulumi/pulumi";
import { LogGroup } from "@pulumi/aws/cloudwatch/logGroup";
import { SecurityGroup } from "@pulumi/aws/ec2/securityGroup";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicyAttachment } from "@pulumi/aws/iam/rolePolicyAttachment";
import { Alias as KmsAlias } from "@pulumi/aws/kms/alias";
import { Key as KmsKey } from "@pulumi/aws/kms/key";
import { Instance as RdsInstance } from "@pulumi/aws/rds/instance";
import { ParameterGroup } from "@pulumi/aws/rds/parameterGroup";
import { SubnetGroup } from "@pulumi/aws/rds/subnetGroup";
import { SecurityGroupIngressRule } from "@pulumi/aws/vpc/securityGroupIngressRule";
import { RandomId } from "@pulumi/random/randomId";
import { RandomPassword } from "@pulumi/random/randomPassword";
import { DatabasePlan } from "../../sizing";
import { DatabaseEndpoint, postgresUrl } from "../k8s/types";
import { serviceTrustPolicy } from "./irsa";

export interface RdsDatabaseArgs {
    vpcId: pulumi.Input<string>;
    /** private subnets, one per zone */
    subnetIds: pulumi.Input<string>[];
    /** the only security group admitted to port 5432: EKS's cluster security group, which managed nodes carry */
    clientSecurityGroupId: pulumi.Input<string>;
    plan: DatabasePlan;
    deletionProtection: boolean;
    /** physical name prefix (stack-derived) */
    namePrefix: string;
    tags: Record<string, string>;
}

/** RDS grows storage up to this many times the planned size on its own. */
export const STORAGE_AUTOSCALING_FACTOR = 2;
const RDS_MAX_STORAGE_GB = 65536;
export const PORT = 5432;
/** The logs RDS exports to CloudWatch: PostgreSQL's own and those of engine upgrades. */
export const EXPORTED_LOGS = ["postgresql", "upgrade"] as const;
/** Days CloudWatch keeps them, as the EKS control plane's logs. */
export const LOG_RETENTION_DAYS = 90;

/**
 * RDS for PostgreSQL as a Multi-AZ DB instance (synchronous standby in a second zone):
 * private, TLS required, encrypted with its own KMS key, storage autoscaling, 14 days of
 * backups with point-in-time recovery, a final snapshot, Performance Insights and
 * enhanced monitoring, protected on the Pulumi side and the AWS side.
 */
export class RdsDatabase extends pulumi.ComponentResource {
    public readonly instance: RdsInstance;
    public readonly securityGroup: SecurityGroup;
    public readonly endpoint: DatabaseEndpoint;

    constructor(name: string, args: RdsDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:aws:Database", name, {}, opts);
        const p = args.plan;
        const parent = { parent: this };
        const tags = args.tags;

        const key = new KmsKey(`${name}-storage`, {
            description: `Storage, snapshots and Performance Insights of ${args.namePrefix}-pg`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            tags,
        }, parent);
        new KmsAlias(`${name}-storage`, { name: `alias/${args.namePrefix}-rds`, targetKeyId: key.keyId }, parent);

        const subnets = new SubnetGroup(`${name}-subnets`, {
            description: `Private subnets of ${args.namePrefix}-pg`,
            subnetIds: args.subnetIds,
            tags,
        }, parent);

        this.securityGroup = new SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: `PostgreSQL ${args.namePrefix}-pg: port ${PORT} from the EKS cluster only`,
            tags: { ...tags, Name: `${args.namePrefix}-pg` },
        }, parent);
        new SecurityGroupIngressRule(`${name}-from-cluster`, {
            securityGroupId: this.securityGroup.id,
            description: "PostgreSQL from EKS nodes and pods (cluster security group)",
            ipProtocol: "tcp",
            fromPort: PORT,
            toPort: PORT,
            referencedSecurityGroupId: args.clientSecurityGroupId,
            tags,
        }, parent);

        const params = new ParameterGroup(`${name}-params`, {
            family: `postgres${p.version}`,
            description: `Coder on ${args.namePrefix}: TLS only, connections sized for coderd`,
            parameters: [
                { name: "rds.force_ssl", value: "1", applyMethod: "immediate" },
                // Static parameter: takes effect at the next reboot.
                { name: "max_connections", value: String(p.maxConnections), applyMethod: "pending-reboot" },
                { name: "log_min_duration_statement", value: "1000", applyMethod: "immediate" },
            ],
            tags,
        }, parent);

        const monitoringRole = new Role(`${name}-monitoring`, {
            assumeRolePolicy: serviceTrustPolicy("monitoring.rds.amazonaws.com"),
            tags,
        }, parent);
        const monitoringPolicy = new RolePolicyAttachment(`${name}-monitoring`, {
            role: monitoringRole.name,
            policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        }, parent);

        const password = new RandomPassword(`${name}-password`, { length: 32, special: false }, parent);
        // A final snapshot's name must be new each time the instance is deleted.
        const snapshotSuffix = new RandomId(`${name}-final-snapshot`, { byteLength: 4 }, parent);

        // RDS writes exported logs to /aws/rds/instance/<identifier>/<log>, creating each group
        // without a retention (kept forever) unless it exists; created first, they expire.
        const identifier = `${args.namePrefix}-pg`;
        const logGroups = EXPORTED_LOGS.map((log) => new LogGroup(`${name}-logs-${log}`, {
            name: `/aws/rds/instance/${identifier}/${log}`,
            retentionInDays: LOG_RETENTION_DAYS,
            tags,
        }, parent));

        this.instance = new RdsInstance(`${name}-pg`, {
            identifier,
            engine: "postgres",
            engineVersion: String(p.version),
            // No silent Extended Support charges once the major version reaches end of life.
            engineLifecycleSupport: "open-source-rds-extended-support-disabled",
            instanceClass: p.machine.name,
            multiAz: p.highAvailability,
            allocatedStorage: p.storageGb,
            maxAllocatedStorage: Math.min(RDS_MAX_STORAGE_GB, p.storageGb * STORAGE_AUTOSCALING_FACTOR),
            storageType: "gp3",
            storageEncrypted: true,
            kmsKeyId: key.arn,
            dbName: "coder",
            username: "coder",
            password: pulumi.secret(password.result),
            port: PORT,
            dbSubnetGroupName: subnets.name,
            vpcSecurityGroupIds: [this.securityGroup.id],
            publiclyAccessible: false,
            parameterGroupName: params.name,
            caCertIdentifier: "rds-ca-rsa2048-g1",
            backupRetentionPeriod: 14,
            backupWindow: "03:00-04:00",
            maintenanceWindow: "sun:04:30-sun:05:30",
            copyTagsToSnapshot: true,
            autoMinorVersionUpgrade: true,
            allowMajorVersionUpgrade: false,
            deletionProtection: args.deletionProtection,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: pulumi.interpolate`${args.namePrefix}-pg-final-${snapshotSuffix.hex}`,
            deleteAutomatedBackups: false,
            performanceInsightsEnabled: true,
            performanceInsightsRetentionPeriod: 7,
            performanceInsightsKmsKeyId: key.arn,
            monitoringInterval: 60,
            monitoringRoleArn: monitoringRole.arn,
            enabledCloudwatchLogsExports: [...EXPORTED_LOGS],
            tags,
        }, {
            parent: this,
            protect: args.deletionProtection,
            dependsOn: [monitoringPolicy, ...logGroups],
            // Storage autoscaling grows the volume; the program must not shrink it back.
            ignoreChanges: ["allocatedStorage"],
        });

        this.endpoint = {
            url: postgresUrl({
                user: this.instance.username,
                password: pulumi.secret(password.result),
                host: this.instance.address,
                port: PORT,
                database: "coder",
                sslmode: "require",
            }),
        };

        this.registerOutputs({ instance: this.instance.identifier, address: this.instance.address });
    }
}
