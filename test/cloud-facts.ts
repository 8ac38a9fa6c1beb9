/**
 * Per cloud, how to read the facts a reviewer checks out of the rendered resources.
 * The invariant tests are written once against these facts and run for every cloud.
 */
import { Rendered, reveal } from "../preview/render";
import { FLEXIBLE_SERVER_MAX_CONNECTIONS, GKE_ALLOCATABLE, MACHINE_FACTS } from "./fixtures/seeds";
import { ofType, one } from "./helpers";
import { EBS_STARTUP_TAINT } from "../components/aws/cluster";

export interface PoolFact {
    name: string;
    labels: Record<string, string>;
    taints: { key: string; value: string; effect: string }[];
    machineType: string;
    zones: string[];
    autoscaling: boolean;
    minNodes: number;
    maxNodes: number;
    maxPodsPerNode?: number;
}

export interface DatabaseFact {
    machineType: string;
    highAvailability: boolean;
    privateOnly: boolean;
    tlsRequired: boolean;
    backups: boolean;
    pointInTimeRecovery: boolean;
    /** cloud-side deletion protection */
    deletionProtection: boolean;
    /** Pulumi-side protect option */
    protect: boolean;
    storageGb: number;
    maxConnections: number;
}

export interface CloudFacts {
    pools(r: Rendered): PoolFact[];
    /** where the database's addresses can be: its IP (/32) or the subnets it may move between */
    databaseRanges(r: Rendered): string[];
    /** addresses a pod reaches the Kubernetes API at, as the cloud's network policy sees them */
    controlPlaneRanges(r: Rendered): string[];
    database(r: Rendered): DatabaseFact;
    /** allocatable CPU/memory of one node of the pool (before DaemonSets) */
    allocatable(pool: PoolFact): { cpuMillis: number; memoryMiB: number };
}

type Obj = Record<string, any>;

const gcp: CloudFacts = {
    // the private endpoint; Dataplane V2 judges traffic after Service translation
    controlPlaneRanges: (r) => [r.settings.controlPlaneCidr],
    databaseRanges(r) {
        // the private IP coderd connects to (Cloud SQL's failover keeps the address)
        const secret = ofType(r, "kubernetes:core/v1:Secret").find((s) => (s.inputs.metadata as Obj).name === "coder-db-url")!;
        const url = new URL((reveal(secret.inputs.stringData) as Obj).url);
        return [`${url.hostname}/32`];
    },
    pools(r) {
        return ofType(r, "gcp:container/nodePool:NodePool").map((p) => {
            const i = p.inputs as Obj;
            const zones: string[] = i.nodeLocations ?? [];
            const auto = i.autoscaling as Obj | undefined;
            return {
                name: p.name,
                labels: i.nodeConfig?.labels ?? {},
                taints: (i.nodeConfig?.taints ?? []).map((t: Obj) => ({
                    key: t.key, value: t.value, effect: t.effect === "NO_SCHEDULE" ? "NoSchedule" : t.effect,
                })),
                machineType: i.nodeConfig?.machineType,
                zones,
                autoscaling: !!auto,
                // GKE: total autoscaling limits count over the pool's zones; per-zone limits and a fixed nodeCount count a zone.
                minNodes: auto ? auto.totalMinNodeCount ?? auto.minNodeCount * zones.length : i.nodeCount * zones.length,
                maxNodes: auto ? auto.totalMaxNodeCount ?? auto.maxNodeCount * zones.length : i.nodeCount * zones.length,
                maxPodsPerNode: i.maxPodsPerNode,
            };
        });
    },
    database(r) {
        const [db] = ofType(r, "gcp:sql/databaseInstance:DatabaseInstance");
        if (!db) throw new Error("no Cloud SQL instance");
        const s = (db.inputs as Obj).settings as Obj;
        const flags = Object.fromEntries((s.databaseFlags ?? []).map((f: Obj) => [f.name, f.value]));
        return {
            machineType: s.tier,
            highAvailability: s.availabilityType === "REGIONAL",
            privateOnly: s.ipConfiguration?.ipv4Enabled === false && !!s.ipConfiguration?.privateNetwork,
            tlsRequired: ["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"].includes(s.ipConfiguration?.sslMode),
            backups: s.backupConfiguration?.enabled === true,
            pointInTimeRecovery: s.backupConfiguration?.pointInTimeRecoveryEnabled === true,
            deletionProtection: (db.inputs as Obj).deletionProtection === true && s.deletionProtectionEnabled === true,
            protect: db.protect,
            storageGb: s.diskSize,
            maxConnections: Number(flags.max_connections),
        };
    },
    allocatable(pool) {
        const a = GKE_ALLOCATABLE[pool.machineType];
        if (!a) throw new Error(`no GKE allocatable fixture for ${pool.machineType}`);
        return a;
    },
};

const aws: CloudFacts = {
    // the API's ClusterIP (the VPC CNI agent judges before translation) and the ENIs in the private subnets
    controlPlaneRanges: (r) => [r.settings.serviceCidr, ...ofType(r, "aws:ec2/subnet:Subnet")
        .filter((s) => (s.inputs as Obj).tags?.["kubernetes.io/role/internal-elb"] === "1").map((s) => (s.inputs as Obj).cidrBlock as string)],
    databaseRanges(r) {
        // a Multi-AZ instance fails over between the subnets of its subnet group
        const group = ofType(r, "aws:rds/subnetGroup:SubnetGroup")[0]!.inputs as Obj;
        const subnets = new Map(ofType(r, "aws:ec2/subnet:Subnet").map((s) => [`${s.name}-id`, (s.inputs as Obj).cidrBlock as string]));
        return (group.subnetIds as string[]).map((id) => subnets.get(id)!);
    },
    pools(r) {
        const subnetZone = new Map(ofType(r, "aws:ec2/subnet:Subnet").map((s) => [`${s.name}-id`, (s.inputs as Obj).availabilityZone as string]));
        const templates = new Map(ofType(r, "aws:ec2/launchTemplate:LaunchTemplate").map((t) => [`${t.name}-id`, t.inputs as Obj]));
        // A pool is every node group with its labels (one over all zones, or one a zone).
        const byPool = new Map<string, Obj[]>();
        for (const g of ofType(r, "aws:eks/nodeGroup:NodeGroup")) {
            const key = JSON.stringify((g.inputs as Obj).labels ?? {});
            byPool.set(key, [...(byPool.get(key) ?? []), { name: g.name, ...(g.inputs as Obj) }]);
        }
        return [...byPool.values()].map((groups) => {
            const i = groups[0]!;
            const userData = Buffer.from(String(templates.get(i.launchTemplate.id)?.userData ?? ""), "base64").toString("utf8");
            const maxPods = /maxPods: (\d+)/.exec(userData)?.[1];
            const sum = (f: (g: Obj) => number) => groups.reduce((n, g) => n + f(g), 0);
            return {
                name: i.name,
                labels: i.labels ?? {},
                // The EBS CSI driver's startup taint leaves a node once the driver runs there: no pod tolerates it.
                taints: (i.taints ?? []).filter((t: Obj) => t.key !== EBS_STARTUP_TAINT.key)
                    .map((t: Obj) => ({ key: t.key, value: t.value, effect: t.effect === "NO_SCHEDULE" ? "NoSchedule" : t.effect })),
                machineType: i.instanceTypes[0],
                zones: [...new Set(groups.flatMap((g) => (g.subnetIds as string[]).map((id) => subnetZone.get(id) ?? `unknown subnet ${id}`)))],
                autoscaling: groups.some((g) => g.scalingConfig.minSize !== g.scalingConfig.maxSize),
                // EKS counts span a group's zones; a pool's are its groups' together.
                minNodes: sum((g) => g.scalingConfig.minSize),
                maxNodes: sum((g) => g.scalingConfig.maxSize),
                maxPodsPerNode: maxPods ? Number(maxPods) : undefined,
            };
        });
    },
    database(r) {
        const [db] = ofType(r, "aws:rds/instance:Instance");
        if (!db) throw new Error("no RDS instance");
        const i = db.inputs as Obj;
        const group = ofType(r, "aws:rds/parameterGroup:ParameterGroup").find((g) => `${g.name}-mock` === i.parameterGroupName || (g.inputs as Obj).name === i.parameterGroupName);
        const params = Object.fromEntries(((group?.inputs as Obj | undefined)?.parameters ?? []).map((p: Obj) => [p.name, p.value]));
        return {
            machineType: i.instanceClass,
            highAvailability: i.multiAz === true,
            privateOnly: i.publiclyAccessible === false && !!i.dbSubnetGroupName,
            tlsRequired: params["rds.force_ssl"] === "1",
            backups: i.backupRetentionPeriod > 0,
            // RDS restores to any second of the retention period whenever backups are on.
            pointInTimeRecovery: i.backupRetentionPeriod > 0,
            deletionProtection: i.deletionProtection === true,
            protect: db.protect,
            storageGb: i.allocatedStorage,
            maxConnections: Number(params.max_connections),
        };
    },
    allocatable(pool) {
        const m = MACHINE_FACTS[pool.machineType];
        if (!m) throw new Error(`no machine fact for ${pool.machineType}`);
        const maxPods = pool.maxPodsPerNode ?? 110;
        // amazon-eks-ami: kube-reserved memory 255Mi + 11Mi a pod, 100Mi eviction; CPU as GKE's tiers.
        const cpuReserved = { 2: 70, 4: 80, 8: 90, 16: 110 }[m.vcpu as 2 | 4 | 8 | 16];
        return { cpuMillis: m.vcpu * 1000 - cpuReserved, memoryMiB: m.memoryGiB * 1024 - (255 + 11 * maxPods) - 100 };
    },
};

/** AKS node reservations (K8s 1.29+), worked here from the AKS docs, not from tiers/clouds.ts. */
const AKS_CPU_RESERVED: Record<number, number> = { 1: 60, 2: 100, 4: 140, 8: 180, 16: 260, 32: 420, 64: 740 };

const azure: CloudFacts = {
    // AKS's API server lives outside the VNet (a public endpoint behind Entra ID sign-in):
    // no range of the cluster's network stands for it (README, Decisions).
    controlPlaneRanges: () => [],
    databaseRanges(r) {
        // a zone-redundant server fails over inside its delegated subnet
        const vnet = one(r, "azure-native:network:VirtualNetwork").inputs as Obj;
        const server = one(r, "azure-native:dbforpostgresql:Server").inputs as Obj;
        const subnet = (vnet.subnets as Obj[]).find((x) => server.network.delegatedSubnetResourceId.endsWith(`/subnets/${x.name}`))!;
        return [subnet.addressPrefix];
    },
    pools(r) {
        const cluster = one(r, "azure-native:containerservice:ManagedCluster").inputs as Obj;
        const all: Obj[] = [
            ...(cluster.agentPoolProfiles as Obj[]),
            ...ofType(r, "azure-native:containerservice:AgentPool").map((p) => ({ ...(p.inputs as Obj), name: (p.inputs as Obj).agentPoolName })),
        ];
        // A pool is every AKS pool with its labels (the workspaces pool is one a zone).
        const byPool = new Map<string, Obj[]>();
        for (const p of all) {
            const key = JSON.stringify(p.nodeLabels ?? {});
            byPool.set(key, [...(byPool.get(key) ?? []), p]);
        }
        return [...byPool.values()].map((pools) => {
            const p = pools[0]!;
            const sum = (f: (x: Obj) => number) => pools.reduce((n, x) => n + f(x), 0);
            return {
                name: p.name,
                labels: p.nodeLabels ?? {},
                taints: ((p.nodeTaints ?? []) as string[]).map((t) => {
                    const m = /^([^=]+)=([^:]*):(.+)$/.exec(t)!;
                    return { key: m[1]!, value: m[2]!, effect: m[3]! };
                }),
                machineType: p.vmSize,
                zones: [...new Set(pools.flatMap((x) => x.availabilityZones as string[]))].sort(),
                autoscaling: pools.some((x) => x.enableAutoScaling === true),
                minNodes: sum((x) => (x.enableAutoScaling ? x.minCount : x.count)),
                maxNodes: sum((x) => (x.enableAutoScaling ? x.maxCount : x.count)),
                maxPodsPerNode: p.maxPods,
            };
        });
    },
    database(r) {
        const [db] = ofType(r, "azure-native:dbforpostgresql:Server");
        if (!db) throw new Error("no Flexible Server instance");
        const i = db.inputs as Obj;
        const params = Object.fromEntries(ofType(r, "azure-native:dbforpostgresql:Configuration")
            .map((c) => [(c.inputs as Obj).configurationName, (c.inputs as Obj).value]));
        const lock = ofType(r, "azure-native:authorization:ManagementLockByScope")
            .find((l) => (l.inputs as Obj).scope === `${db.name}-id` && (l.inputs as Obj).level === "CanNotDelete");
        return {
            machineType: i.sku.name,
            highAvailability: i.highAvailability?.mode === "ZoneRedundant" && !!i.highAvailability.standbyAvailabilityZone &&
                i.highAvailability.standbyAvailabilityZone !== i.availabilityZone,
            privateOnly: i.network?.publicNetworkAccess === "Disabled" && !!i.network?.delegatedSubnetResourceId && !!i.network?.privateDnsZoneArmResourceId,
            tlsRequired: String(params.require_secure_transport).toLowerCase() === "on",
            backups: i.backup?.backupRetentionDays >= 7,
            // Flexible Server restores to any second of its backup retention
            pointInTimeRecovery: i.backup?.backupRetentionDays >= 7,
            deletionProtection: !!lock,
            protect: db.protect,
            storageGb: i.storage.storageSizeGB,
            // unset: Flexible Server's default for the size (concepts-limits)
            maxConnections: params.max_connections !== undefined ? Number(params.max_connections) : FLEXIBLE_SERVER_MAX_CONNECTIONS[i.sku.name]!,
        };
    },
    allocatable(pool) {
        const m = MACHINE_FACTS[pool.machineType];
        if (!m) throw new Error(`no machine fact for ${pool.machineType}`);
        const maxPods = pool.maxPodsPerNode ?? 30;
        // kube-reserved memory: the lesser of 20 MB a pod + 50 MB and 25% of memory; eviction 100Mi
        const memoryReserved = Math.min(20 * maxPods + 50, m.memoryGiB * 1024 * 0.25) + 100;
        return { cpuMillis: m.vcpu * 1000 - AKS_CPU_RESERVED[m.vcpu]!, memoryMiB: m.memoryGiB * 1024 - memoryReserved };
    },
};

export const CLOUD_FACTS: Record<string, CloudFacts> = { gcp, aws, azure };

export function factsFor(r: Rendered): CloudFacts {
    const f = CLOUD_FACTS[r.settings.cloud];
    if (!f) throw new Error(`no cloud facts for ${r.settings.cloud}`);
    return f;
}
