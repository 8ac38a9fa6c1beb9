import * as pulumi from "@pulumi/pulumi";
import * as container from "@pulumi/gcp/container";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as k8s from "@pulumi/kubernetes";
import { PoolPlan } from "../../sizing";
import { PoolRole } from "../../tiers";
import { execKubeconfig } from "../k8s/kubeconfig";

export interface GkeClusterArgs {
    project: string;
    region: string;
    /** the VPC's id or link (a Shared VPC's: projects/<host>/global/networks/<name>) */
    network: pulumi.Input<string>;
    /** the subnetwork's id or link (projects/<host>/regions/<region>/subnetworks/<name>) */
    subnet: pulumi.Input<string>;
    /** the subnetwork's secondary ranges for pods and Services, by name */
    podRangeName: string;
    serviceRangeName: string;
    pools: Record<PoolRole, PoolPlan>;
    clusterName: string;
    releaseChannel: string;
    kubernetesVersion: string;
    controlPlaneCidr: string;
    apiAuthorizedNetworks: string[];
    deletionProtection: boolean;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Roles of the nodes' own service account: logs, metrics, image pulls, nothing else. */
export const NODE_ROLES = [
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
] as const;

/**
 * A regional GKE Standard cluster with private nodes, Workload Identity, a release
 * channel, Dataplane V2 (which enforces NetworkPolicy), no default node pool, and one
 * node pool per planned pool, labelled and tainted from the plan.
 */
export class GkeCluster extends pulumi.ComponentResource {
    public readonly cluster: container.Cluster;
    public readonly nodePools: Record<PoolRole, container.NodePool>;
    public readonly provider: k8s.Provider;
    public readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:gcp:Cluster", name, {}, opts);

        const nodeAccount = new serviceaccount.Account(`${name}-nodes`, {
            accountId: `${args.clusterName.slice(0, 23)}-nodes`,
            displayName: `GKE nodes of ${args.clusterName}`,
        }, { parent: this, dependsOn: args.dependsOn });
        const roleBindings = NODE_ROLES.map((role) => new projects.IAMMember(`${name}-nodes-${role.split("/")[1]}`, {
            project: args.project,
            role,
            member: pulumi.interpolate`serviceAccount:${nodeAccount.email}`,
        }, { parent: this }));

        this.cluster = new container.Cluster(`${name}-cluster`, {
            name: args.clusterName,
            location: args.region,
            network: args.network,
            subnetwork: args.subnet,
            // No default node pool: GKE needs one to create the cluster, so it is removed
            // right after; the planned pools follow.
            removeDefaultNodePool: true,
            initialNodeCount: 1,
            deletionProtection: args.deletionProtection,
            minMasterVersion: args.kubernetesVersion || undefined,
            releaseChannel: { channel: args.releaseChannel },
            networkingMode: "VPC_NATIVE",
            ipAllocationPolicy: { clusterSecondaryRangeName: args.podRangeName, servicesSecondaryRangeName: args.serviceRangeName },
            // Dataplane V2 enforces Kubernetes NetworkPolicy (no Calico add-on needed).
            datapathProvider: "ADVANCED_DATAPATH",
            // GKE subsetting: without it an internal passthrough load balancer spreads over at
            // most 250 nodes, fewer than the 3k pools hold at their maximum, so coderd's nodes
            // may fall outside its backends. It can be turned on, never off: on from the start.
            enableL4IlbSubsetting: true,
            privateClusterConfig: {
                enablePrivateNodes: true,
                enablePrivateEndpoint: false,
                masterIpv4CidrBlock: args.controlPlaneCidr,
            },
            masterAuthorizedNetworksConfig: args.apiAuthorizedNetworks.length
                ? { cidrBlocks: args.apiAuthorizedNetworks.map((cidrBlock) => ({ cidrBlock, displayName: cidrBlock })) }
                : undefined,
            workloadIdentityConfig: { workloadPool: `${args.project}.svc.id.goog` },
            enableShieldedNodes: true,
            addonsConfig: {
                gcePersistentDiskCsiDriverConfig: { enabled: true },
                httpLoadBalancing: { disabled: false },
                horizontalPodAutoscaling: { disabled: false },
            },
            loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS"] },
            monitoringConfig: {
                enableComponents: ["SYSTEM_COMPONENTS"],
                managedPrometheus: { enabled: true },
            },
            maintenancePolicy: { dailyMaintenanceWindow: { startTime: "04:00" } },
            resourceLabels: { "managed-by": "pulumi", app: "coder" },
        }, { parent: this, dependsOn: args.dependsOn, ignoreChanges: ["initialNodeCount"] });

        const pools = {} as Record<PoolRole, container.NodePool>;
        for (const pool of Object.values(args.pools)) {
            pools[pool.role] = this.nodePool(name, pool, nodeAccount.email, roleBindings);
        }
        this.nodePools = pools;

        this.kubeconfig = pulumi.secret(pulumi
            .all([this.cluster.name, this.cluster.endpoint, this.cluster.masterAuth])
            .apply(([clusterName, endpoint, auth]) => gkeKubeconfig(clusterName, endpoint, auth?.clusterCaCertificate ?? "")));

        // Kubernetes objects wait for the pools: Helm waits for pods that need nodes.
        this.provider = new k8s.Provider(`${name}-k8s`, {
            kubeconfig: this.kubeconfig,
        }, { parent: this, dependsOn: Object.values(pools) });

        this.registerOutputs({ cluster: this.cluster.name, endpoint: this.cluster.endpoint });
    }

    private nodePool(name: string, pool: PoolPlan, serviceAccount: pulumi.Input<string>, after: pulumi.Resource[]): container.NodePool {
        const size = pool.autoscaling
            ? {
                initialNodeCount: pool.initial.perZone,
                autoscaling: { minNodeCount: pool.perZone.min, maxNodeCount: pool.perZone.max, locationPolicy: "BALANCED" },
            }
            : { nodeCount: pool.perZone.max };
        return new container.NodePool(`${name}-${pool.role}`, {
            cluster: this.cluster.id,
            location: this.cluster.location,
            // Counts are per zone: GKE repeats them in each of these zones.
            nodeLocations: pool.zones,
            ...size,
            maxPodsPerNode: pool.maxPodsPerNode,
            management: { autoRepair: true, autoUpgrade: true },
            // coderd: one node at a time, never below the planned count.
            upgradeSettings: { maxSurge: 1, maxUnavailable: 0, strategy: "SURGE" },
            nodeConfig: {
                machineType: pool.machine.name,
                // N4 takes Hyperdisk only; provisioners benefit from SSDs (seed 003): sizing.ts bootDiskOf.
                diskType: pool.bootDisk.type,
                diskSizeGb: pool.bootDisk.sizeGb,
                imageType: "COS_CONTAINERD",
                serviceAccount,
                oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                labels: pool.labels,
                taints: pool.taints.map((t) => ({ key: t.key, value: t.value, effect: "NO_SCHEDULE" })),
                workloadMetadataConfig: { mode: "GKE_METADATA" },
                shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                metadata: { "disable-legacy-endpoints": "true" },
                resourceLabels: { "managed-by": "pulumi", app: "coder", pool: pool.role },
            },
        }, {
            parent: this,
            dependsOn: after,
            // The autoscaler owns the live count; a new minimum must not replace the pool.
            ignoreChanges: pool.autoscaling ? ["initialNodeCount"] : [],
        });
    }
}

/** A kubeconfig that authenticates with gke-gcloud-auth-plugin (as `gcloud` writes it). */
export function gkeKubeconfig(clusterName: string, endpoint: string, caData: string): string {
    return execKubeconfig({
        clusterName,
        server: `https://${endpoint}`,
        caData,
        exec: {
            command: "gke-gcloud-auth-plugin",
            installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
            provideClusterInfo: true,
        },
    });
}
