import * as pulumi from "@pulumi/pulumi";
import { Cluster } from "@pulumi/gcp/container/cluster";
import { NodePool } from "@pulumi/gcp/container/nodePool";
import { IAMMember as ProjectIAMMember } from "@pulumi/gcp/projects/iammember";
import { Account as ServiceAccount } from "@pulumi/gcp/serviceaccount/account";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { PoolPlan } from "../../sizing";
import { PoolRole } from "../../tiers";
import { execKubeconfig } from "../k8s/kubeconfig";
import { serviceAccountId } from "./names";
import { poolRollout } from "./rollout";

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
    /** CIDRs the control plane's IP endpoint admits from outside the VPC; empty: none (the DNS endpoint serves every client) */
    apiAuthorizedNetworks: string[];
    deletionProtection: boolean;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Roles of the nodes' own service account: what GKE's node components need (logs, metrics,
 * and the rest GKE adds over time), and image pulls from Artifact Registry. "Node service
 * accounts must have the Kubernetes Engine Default Node Service Account
 * (roles/container.defaultNodeServiceAccount) role" (cloud.google.com/kubernetes-engine/docs/how-to/node-pools;
 * docs.cloud.google.com/kubernetes-engine/security/configure-node-service-accounts).
 */
export const NODE_ROLES = [
    "roles/container.defaultNodeServiceAccount",
    "roles/artifactregistry.reader",
] as const;

/** Start (UTC) of GKE's daily maintenance window. */
export const GKE_MAINTENANCE_START = "04:00";

/** Access scopes of the nodes: all of Google Cloud, narrowed by the service account's IAM roles. */
const NODE_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"];

/**
 * A regional GKE Standard cluster with private nodes, Workload Identity, a release
 * channel, Dataplane V2 (which enforces NetworkPolicy), no default node pool, and one
 * node pool per planned pool, labelled and tainted from the plan.
 */
export class GkeCluster extends pulumi.ComponentResource {
    public readonly cluster: Cluster;
    public readonly nodePools: Record<PoolRole, NodePool>;
    public readonly provider: KubernetesProvider;
    public readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:gcp:Cluster", name, {}, opts);

        const nodeAccount = new ServiceAccount(`${name}-nodes`, {
            // A hash of the whole name: two stacks whose names share a long prefix get two accounts.
            accountId: serviceAccountId(args.clusterName, "nodes"),
            displayName: `GKE nodes of ${args.clusterName}`,
        }, { parent: this, dependsOn: args.dependsOn });
        const roleBindings = NODE_ROLES.map((role) => new ProjectIAMMember(`${name}-nodes-${role.split("/")[1]}`, {
            project: args.project,
            role,
            member: pulumi.interpolate`serviceAccount:${nodeAccount.email}`,
        }, { parent: this }));

        this.cluster = new Cluster(`${name}-cluster`, {
            name: args.clusterName,
            location: args.region,
            network: args.network,
            subnetwork: args.subnet,
            // No default node pool: GKE needs one to create the cluster, so it is removed
            // right after; the planned pools follow.
            removeDefaultNodePool: true,
            initialNodeCount: 1,
            // The temporary default pool runs as the nodes' own account too: where the Compute
            // Engine default account is disabled or has no roles, it would not come up.
            nodeConfig: { serviceAccount: nodeAccount.email, oauthScopes: NODE_SCOPES },
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
            // The DNS-based endpoint: reachable from anywhere, each request authorized by IAM
            // (container.clusters.connect), so CI runners without fixed addresses reach the API
            // with no address list. "Use only the DNS-based endpoint to access your control plane"
            // (cloud.google.com/kubernetes-engine/docs/concepts/network-isolation).
            controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: true } },
            // The IP endpoint admits only the listed networks: none when the list is empty, and
            // never Google Cloud's public addresses (any VM with an external IP otherwise).
            // Open to all is an explicit ["0.0.0.0/0"].
            masterAuthorizedNetworksConfig: {
                cidrBlocks: args.apiAuthorizedNetworks.map((cidrBlock) => ({ cidrBlock, displayName: cidrBlock })),
                gcpPublicCidrsAccessEnabled: false,
            },
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
            // 04:00-08:00 UTC daily (a daily window lasts four hours), after the database's
            // backups and weekly maintenance (database.ts): never at the same time.
            maintenancePolicy: { dailyMaintenanceWindow: { startTime: GKE_MAINTENANCE_START } },
            resourceLabels: { "managed-by": "pulumi", app: "coder" },
        }, {
            parent: this,
            // The default pool's nodes run as the account: its roles first.
            dependsOn: [...(args.dependsOn ?? []), ...roleBindings],
            // nodeConfig describes the default pool only, which is removed: GKE then reports the
            // first remaining pool's configuration, and a diff on it would replace the cluster
            // (hashicorp/terraform-provider-google#12070).
            ignoreChanges: ["initialNodeCount", "nodeConfig"],
        });

        const pools = {} as Record<PoolRole, NodePool>;
        for (const pool of Object.values(args.pools)) {
            pools[pool.role] = this.nodePool(name, pool, nodeAccount.email, roleBindings);
        }
        this.nodePools = pools;

        // The DNS endpoint (an IP endpoint may admit no outside network).
        this.kubeconfig = pulumi.secret(pulumi
            .all([this.cluster.name, this.cluster.controlPlaneEndpointsConfig])
            .apply(([clusterName, endpoints]) => gkeKubeconfig(clusterName, endpoints?.dnsEndpointConfig?.endpoint ?? "")));

        // Kubernetes objects wait for the pools: Helm waits for pods that need nodes.
        this.provider = new KubernetesProvider(`${name}-k8s`, {
            kubeconfig: this.kubeconfig,
        }, { parent: this, dependsOn: Object.values(pools) });

        this.registerOutputs({ cluster: this.cluster.name, endpoint: this.cluster.endpoint });
    }

    private nodePool(name: string, pool: PoolPlan, serviceAccount: pulumi.Input<string>, after: pulumi.Resource[]): NodePool {
        const size = totalCounts(pool)
            ? {
                // Per zone: GKE starts this many nodes in each of the pool's zones.
                initialNodeCount: pool.initial.perZone,
                // Totals over the zones ("Total size limits", NodePoolAutoscaling in the gcp
                // d.ts), kept even across zones by BALANCED: the plan's node counts are what
                // is deployed, not rounded up to a multiple of the zones. coderd's pool is one
                // of them: its minimum holds every replica, its maximum adds the rollout's
                // surge node. Its pods carry `cluster-autoscaler.kubernetes.io/safe-to-evict:
                // "false"` (the Kubernetes layer), so the autoscaler only ever removes the empty
                // surge node and never evicts coderd ("The Coder control plane node group must
                // be static", Coder's validated architectures).
                autoscaling: { totalMinNodeCount: pool.total.min, totalMaxNodeCount: pool.total.max, locationPolicy: "BALANCED" },
            }
            // The system pool: one node in every zone, a count a zone.
            : { nodeCount: pool.perZone.max };
        const rollout = poolRollout(pool);
        return new NodePool(`${name}-${pool.role}`, {
            cluster: this.cluster.id,
            location: this.cluster.location,
            nodeLocations: pool.zones,
            ...size,
            maxPodsPerNode: pool.maxPodsPerNode,
            management: { autoRepair: true, autoUpgrade: true },
            upgradeSettings: { maxSurge: rollout.maxSurge, maxUnavailable: rollout.maxUnavailable, strategy: "SURGE" },
            nodeConfig: {
                machineType: pool.machine.name,
                // N4 takes Hyperdisk only; provisioners benefit from SSDs (seed 003): sizing.ts bootDiskOf.
                diskType: pool.bootDisk.type,
                diskSizeGb: pool.bootDisk.sizeGb,
                imageType: "COS_CONTAINERD",
                serviceAccount,
                oauthScopes: NODE_SCOPES,
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
            ignoreChanges: totalCounts(pool) ? ["initialNodeCount"] : [],
            // A surge upgrade of a full pool outlasts the provider's 30 minutes (poolRollout).
            customTimeouts: { update: rollout.updateTimeout },
        });
    }
}

/** Pools whose counts are totals over their zones (autoscaling total limits): all but the system pool. */
export function totalCounts(pool: PoolPlan): boolean {
    return pool.role !== "system";
}

/**
 * A kubeconfig for the cluster's DNS-based endpoint, as `gcloud container clusters
 * get-credentials --dns-endpoint` writes it: the server is `https://<endpoint>` and there is
 * no CA data, since that endpoint serves a certificate of a public CA (Google Trust
 * Services), not of the cluster's own CA, which would fail to verify it. The plugin uses
 * Application Default Credentials (`--use_application_default_credentials`), the identity
 * pulumi-gcp uses too; without the flag it asks the `gcloud` CLI for its active account.
 */
export function gkeKubeconfig(clusterName: string, dnsEndpoint: string): string {
    return execKubeconfig({
        clusterName,
        server: `https://${dnsEndpoint}`,
        exec: {
            command: "gke-gcloud-auth-plugin",
            args: ["--use_application_default_credentials"],
            installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
            provideClusterInfo: true,
        },
    });
}
