/**
 * Azure: an AKS cluster over the region's zones with the planned node pools, signed in to
 * with Entra ID only (Azure RBAC for Kubernetes, local accounts off), and a Kubernetes
 * provider that signs in as the Pulumi azure-native provider does (kubelogin).
 */
import * as pulumi from "@pulumi/pulumi";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { AgentPool } from "@pulumi/azure-native/containerservice/agentPool";
import { listManagedClusterUserCredentialsOutput } from "@pulumi/azure-native/containerservice/listManagedClusterUserCredentials";
import { MaintenanceConfiguration } from "@pulumi/azure-native/containerservice/maintenanceConfiguration";
import { ManagedCluster } from "@pulumi/azure-native/containerservice/managedCluster";
import { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import { UserAssignedIdentity } from "@pulumi/azure-native/managedidentity/userAssignedIdentity";
import { parse as parseYaml } from "yaml";
import { PoolPlan, nodeGroups } from "../../sizing";
import { POOL_ROLES, PoolRole } from "../../tiers";
import { execKubeconfig } from "../k8s/kubeconfig";
import { KubeloginLogin, kubeloginExec } from "./credentials";
import { PoolShape, aksPoolName } from "./names";
import { ARM_PROPAGATION_SECONDS, PropagationWait, RBAC_PROPAGATION_SECONDS } from "./propagation";
import { aksRollout } from "./rollout";

/** Built-in role definitions (learn.microsoft.com/azure/role-based-access-control/built-in-roles). */
export const ROLES = {
    /** the control plane's identity on the VNet's subnet and on coderd's public IP */
    networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    /** Kubernetes cluster-admin through Azure RBAC for Kubernetes */
    aksRbacClusterAdmin: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    /** cert-manager's identity on the DNS zone */
    dnsZoneContributor: "befefa01-2a29-4197-83a8-272ff33ce314",
} as const;

export const roleDefinitionId = (subscriptionId: pulumi.Input<string>, role: string) =>
    pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`;

/** The identity running `pulumi up`, as `authorization.getClientConfig` reads it. */
export interface Caller {
    objectId: pulumi.Input<string>;
    /** what the object ID is: a role assignment must name it (credentials.ts callerPrincipalType) */
    principalType: pulumi.Input<"User" | "ServicePrincipal">;
    tenantId: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
}

export interface AksClusterArgs {
    resourceGroupName: pulumi.Input<string>;
    /** the resource group's ID: the control plane's identity manages the nodes' subnet and coderd's IP in it */
    resourceGroupId: pulumi.Input<string>;
    location: string;
    clusterName: string;
    dnsPrefix: string;
    nodeResourceGroup: string;
    /** major.minor, or empty for AKS's default */
    kubernetesVersion: string;
    nodesSubnetId: pulumi.Input<string>;
    podCidr: string;
    serviceCidr: string;
    pools: Record<PoolRole, PoolPlan>;
    /** public ranges that may reach the API server; empty = any */
    apiAuthorizedNetworks: string[];
    /**
     * the cluster's own egress addresses (its NAT gateway's IPs): admitted beside
     * apiAuthorizedNetworks, as nodes and pods reach the public API server through them
     */
    egressIps: pulumi.Input<string>[];
    /** Entra ID object IDs given cluster-admin besides the caller */
    adminObjectIds: string[];
    caller: Caller;
    login: KubeloginLogin;
    /** Pulumi `protect` on the cluster (AKS has no deletion-protection field) */
    protect: boolean;
    tags: Record<string, string>;
    /** resources the cluster waits for (the NAT gateway on the nodes' subnet) */
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * AKS takes the pods' taints as `key=value:Effect` strings (AgentPool `nodeTaints`).
 */
export const aksTaint = (t: { key: string; value: string; effect: string }): string => `${t.key}=${t.value}:${t.effect}`;

/** The Service range's 10th address: the cluster DNS Service's (AKS's own default pattern). */
export function dnsServiceIp(serviceCidr: string): string {
    const [ip] = serviceCidr.split("/");
    const n = ip!.split(".").reduce((a, o) => a * 256 + Number(o), 0) + 10;
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/**
 * Maintenance windows (AKS planned maintenance, four hours, AKS's minimum): Kubernetes
 * patches (or the stable channel's minors) in GKE's window, Sunday 04:00 UTC, after the
 * database's (Sunday 23:00 the day before); the weekly node images a day earlier, so the
 * two never roll the pools at once.
 */
export const MAINTENANCE_WINDOWS = {
    aksManagedAutoUpgradeSchedule: { dayOfWeek: "Sunday", startTime: "04:00" },
    aksManagedNodeOSUpgradeSchedule: { dayOfWeek: "Saturday", startTime: "04:00" },
} as const;

/**
 * The cluster. Networking: Azure CNI Overlay with Cilium as data plane and network policy
 * engine (NetworkPolicy is enforced; pods take addresses of `podCidr`, a /24 a node, not of
 * the VNet), outbound through the subnet's NAT gateway. Identity: a user-assigned identity
 * for the control plane (Network Contributor on the resource group: the nodes' subnet and
 * coderd's static IP live there), Entra ID sign-in with Azure RBAC for Kubernetes, local
 * accounts off, OIDC issuer and workload identity on (cert-manager's DNS identity). The
 * Standard tier (the financially backed API server SLA).
 *
 * Pools: the system pool is the cluster's inline pool (AKS needs one at creation and
 * accepts no change to it through the cluster afterwards: `ignoreChanges`); coderd,
 * provisioners and one workspaces pool a zone are AgentPool resources of their own.
 */
export class AksCluster extends pulumi.ComponentResource {
    public readonly cluster: ManagedCluster;
    public readonly pools: AgentPool[];
    public readonly provider: KubernetesProvider;
    /** for the stack output: the caller's sign-in without secrets */
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string>;

    constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:azure:AksCluster", name, {}, opts);
        const rg = { resourceGroupName: args.resourceGroupName };
        const identity = new UserAssignedIdentity(`${name}-identity`, { ...rg, location: args.location, tags: args.tags }, { parent: this });
        // Before the cluster: AKS joins the nodes to the subnet and binds coderd's public IP with this identity.
        const network = new RoleAssignment(`${name}-network`, {
            scope: args.resourceGroupId,
            roleDefinitionId: roleDefinitionId(args.caller.subscriptionId, ROLES.networkContributor),
            principalId: identity.principalId,
            principalType: "ServicePrincipal",
            description: `AKS ${args.clusterName}: the nodes' subnet and coderd's load balancer IP`,
        }, { parent: this });

        // ARM role assignments take a moment to reach every region: AKS checks the identity's
        // rights on the subnet when it creates the cluster (LinkedAuthorizationFailed otherwise).
        const networkPropagated = new PropagationWait(`${name}-network-propagation`, {
            after: [network.id],
            seconds: ARM_PROPAGATION_SECONDS,
        }, { parent: this });

        const system = args.pools.system;
        const version = args.kubernetesVersion || undefined;
        this.cluster = new ManagedCluster(`${name}-aks`, {
            ...rg,
            location: args.location,
            resourceName: args.clusterName,
            dnsPrefix: args.dnsPrefix,
            nodeResourceGroup: args.nodeResourceGroup,
            ...(version ? { kubernetesVersion: version } : {}),
            sku: { name: "Base", tier: "Standard" },
            identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
            aadProfile: { managed: true, enableAzureRBAC: true, tenantID: args.caller.tenantId },
            disableLocalAccounts: true,
            enableRBAC: true,
            oidcIssuerProfile: { enabled: true },
            securityProfile: { workloadIdentity: { enabled: true } },
            networkProfile: {
                networkPlugin: "azure",
                networkPluginMode: "overlay",
                networkDataplane: "cilium",
                networkPolicy: "cilium",
                outboundType: "userAssignedNATGateway",
                loadBalancerSku: "standard",
                podCidr: args.podCidr,
                serviceCidr: args.serviceCidr,
                dnsServiceIP: dnsServiceIp(args.serviceCidr),
            },
            // AKS admits a load balancer's outbound IP by itself, not a NAT gateway's: "add ... the cluster
            // egress IP address (firewall, NAT gateway...)" (AKS docs, API server authorized IP ranges).
            ...(args.apiAuthorizedNetworks.length ? {
                apiServerAccessProfile: {
                    authorizedIPRanges: [...args.apiAuthorizedNetworks, ...args.egressIps.map((ip) => pulumi.interpolate`${ip}/32`)],
                },
            } : {}),
            // A pinned minor gets its patches; an unpinned cluster follows the stable channel (N-1 minors).
            autoUpgradeProfile: { upgradeChannel: version ? "patch" : "stable", nodeOSUpgradeChannel: "NodeImage" },
            autoScalerProfile: {
                // the workspaces pools, one a zone, grow together
                balanceSimilarNodeGroups: "true",
                expander: "least-waste",
                // coderd and provisioner pods say safe-to-evict: false; workspaces too (workspacePlacement)
                skipNodesWithLocalStorage: "false",
                scaleDownUnneededTime: "10m",
                maxNodeProvisionTime: "15m",
            },
            agentPoolProfiles: [{
                name: aksPoolName("system", poolShape(system, system.zones)),
                mode: "System",
                vmSize: system.machine.name,
                availabilityZones: system.zones,
                count: system.initial.total,
                enableAutoScaling: false,
                maxPods: system.maxPodsPerNode,
                nodeLabels: system.labels,
                osDiskSizeGB: system.bootDisk.sizeGb,
                osDiskType: "Managed",
                osSKU: "Ubuntu",
                osType: "Linux",
                type: "VirtualMachineScaleSets",
                vnetSubnetID: args.nodesSubnetId,
                ...(version ? { orchestratorVersion: version } : {}),
                upgradeSettings: upgradeSettingsOf(system, system.total.max),
            }],
            tags: args.tags,
        }, {
            parent: this,
            protect: args.protect,
            dependsOn: [networkPropagated, ...args.dependsOn],
            // AKS refuses changes to agent pools through the cluster once it exists
            // (pulumi-azure-native#2719, #4264): the inline system pool is set at creation.
            ignoreChanges: ["agentPoolProfiles"],
            customTimeouts: { create: "60m", update: "90m", delete: "60m" },
        });

        const clusterName = this.cluster.name;
        for (const [configName, w] of Object.entries(MAINTENANCE_WINDOWS)) {
            new MaintenanceConfiguration(`${name}-${configName === "aksManagedAutoUpgradeSchedule" ? "upgrade" : "node-os"}-window`, {
                ...rg,
                resourceName: clusterName,
                configName,
                maintenanceWindow: {
                    schedule: { weekly: { dayOfWeek: w.dayOfWeek, intervalWeeks: 1 } },
                    startTime: w.startTime,
                    utcOffset: "+00:00",
                    durationHours: 4,
                },
            }, { parent: this });
        }
        this.pools = POOL_ROLES.filter((r) => r !== "system").flatMap((role) => this.userPools(name, args, args.pools[role], clusterName));

        // Kubernetes cluster-admin for the caller (so the program's own Kubernetes resources) and the configured admins.
        // The configured admins' kinds are unknown (groups, users, service principals): Azure finds them out when
        // the type is left out, which azure-native does not allow (it sends "User"); "Group" is the usual case and
        // the README says so. The caller's kind is known (credentials.ts).
        const admins = [
            { principalId: args.caller.objectId, principalType: args.caller.principalType },
            ...args.adminObjectIds.map((principalId) => ({ principalId, principalType: "Group" as const })),
        ].map(({ principalId, principalType }, i) => new RoleAssignment(`${name}-admin-${i}`, {
            scope: this.cluster.id,
            roleDefinitionId: roleDefinitionId(args.caller.subscriptionId, ROLES.aksRbacClusterAdmin),
            principalId,
            principalType,
            description: `Kubernetes cluster-admin on ${args.clusterName} (Azure RBAC for Kubernetes)`,
        }, { parent: this }));
        const propagated = new PropagationWait(`${name}-rbac-propagation`, {
            after: admins.map((a) => a.id),
            seconds: RBAC_PROPAGATION_SECONDS,
        }, { parent: this });

        // The server and its CA from the cluster's user kubeconfig (ManagedCluster has no CA output).
        const creds = listManagedClusterUserCredentialsOutput({ resourceGroupName: args.resourceGroupName, resourceName: clusterName, format: "exec" }, { parent: this });
        const endpoint = creds.apply((c) => serverOf(c.kubeconfigs?.[0]?.value));
        const config = (withSecrets: boolean) => endpoint.apply((e) => execKubeconfig({
            clusterName: args.clusterName, server: e.server, caData: e.caData, exec: kubeloginExec(args.login, withSecrets),
        }));
        this.kubeconfig = pulumi.secret(config(false));
        this.oidcIssuerUrl = this.cluster.oidcIssuerProfile.apply((p) => p?.issuerURL ?? "");
        this.provider = new KubernetesProvider(`${name}-k8s`, {
            kubeconfig: pulumi.secret(config(true)),
            enableServerSideApply: true,
        }, { parent: this, dependsOn: [propagated, ...this.pools] });
        this.registerOutputs({ clusterName: this.cluster.name, fqdn: this.cluster.fqdn });
    }

    /** A user pool: one AKS pool over every zone, or (workspaces, zonal disks) one a zone. */
    private userPools(name: string, args: AksClusterArgs, pool: PoolPlan, clusterName: pulumi.Input<string>): AgentPool[] {
        return nodeGroups("azure", pool).map(({ zone, min, max, initial: count }) => {
            const zones = zone ? [zone] : pool.zones;
            const shape = poolShape(pool, zones);
            const poolName = aksPoolName(pool.role, shape, zone);
            // The logical name stays the role's (and zone's): a new size shows as a replacement of the same pool.
            return new AgentPool(`${name}-${pool.role}${zone ? `-${zone}` : ""}`, {
                resourceGroupName: args.resourceGroupName,
                resourceName: clusterName,
                agentPoolName: poolName,
                mode: "User",
                vmSize: shape.vmSize,
                availabilityZones: [...shape.zones],
                count,
                ...(pool.autoscaling ? { enableAutoScaling: true, minCount: min, maxCount: max } : { enableAutoScaling: false }),
                maxPods: shape.maxPods,
                nodeLabels: pool.labels,
                nodeTaints: pool.taints.map(aksTaint),
                osDiskSizeGB: shape.osDiskSizeGB,
                osDiskType: shape.osDiskType,
                osSKU: shape.osSKU,
                osType: "Linux",
                type: "VirtualMachineScaleSets",
                vnetSubnetID: args.nodesSubnetId,
                ...(args.kubernetesVersion ? { orchestratorVersion: args.kubernetesVersion } : {}),
                upgradeSettings: upgradeSettingsOf(pool, max),
                tags: { ...args.tags, pool: pool.role },
            }, {
                parent: this,
                // the autoscaler owns the count of an autoscaled pool once it runs
                ignoreChanges: pool.autoscaling ? ["count"] : [],
                // A new shape is a new pool under a new name (aksPoolName): create it, then drain
                // and delete the old one. azure-native asks the engine to delete first for every
                // replacement of a resource it did not name itself (provider.go Diff:
                // `deleteBeforeReplace := len(replaces) > 0`), which would take all of coderd's
                // or the provisioners' nodes away before their new pool exists; an explicit
                // `false` overrides the provider's request.
                deleteBeforeReplace: false,
                customTimeouts: { create: aksRollout(pool, max).timeout, update: aksRollout(pool, max).timeout },
            });
        });
    }
}

/** What AKS fixes when it creates a pool: the plan's machine, max pods and OS disk, and the zones. */
function poolShape(pool: PoolPlan, zones: readonly string[]): PoolShape {
    return { vmSize: pool.machine.name, maxPods: pool.maxPodsPerNode, osDiskSizeGB: pool.bootDisk.sizeGb, osDiskType: "Managed", osSKU: "Ubuntu", zones };
}

function upgradeSettingsOf(pool: PoolPlan, nodes: number) {
    const r = aksRollout(pool, nodes);
    return { maxSurge: r.maxSurge, maxUnavailable: r.maxUnavailable, drainTimeoutInMinutes: r.drainTimeoutInMinutes };
}

/** The API server's URL and CA of a base64 kubeconfig (AKS's user credentials). */
export function serverOf(kubeconfigBase64: string | undefined): { server: string; caData?: string } {
    if (!kubeconfigBase64) throw new Error("AKS returned no user kubeconfig (az aks get-credentials would fail too): check the cluster's state");
    const doc = parseYaml(Buffer.from(kubeconfigBase64, "base64").toString("utf8")) as {
        clusters?: { cluster?: { server?: string; "certificate-authority-data"?: string } }[];
    };
    const cluster = doc.clusters?.[0]?.cluster;
    if (!cluster?.server) throw new Error("AKS's user kubeconfig names no server");
    return { server: cluster.server, ...(cluster["certificate-authority-data"] ? { caData: cluster["certificate-authority-data"] } : {}) };
}
