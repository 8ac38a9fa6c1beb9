import * as pulumi from "@pulumi/pulumi";
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import { getClientConfigOutput } from "@pulumi/azure-native/authorization/getClientConfig";
import { ResourceGroup } from "@pulumi/azure-native/resources/resourceGroup";
import { PROJECT, Settings } from "../../config";
import { PlatformArgs, PlatformRole } from "../platform";
import { Plan, natGatewayPlan } from "../../sizing";
import { coderHostnames, hostnameList, usesAcme } from "../k8s/cert-manager";
import { workspaceStorageClass } from "../k8s/storage";
import { ClusterHandle, DatabaseEndpoint, METADATA_RANGE } from "../k8s/types";
import { CloudLoadBalancerAnnotations, loadBalancerAnnotations } from "../load-balancer";
import { AksCluster, Caller } from "./cluster";
import { callerPrincipalType, kubeloginLogin } from "./credentials";
import { FlexibleServerDatabase } from "./database";
import { AcmeIdentity, AzureDnsRecords, AzureDnsZone, LoadBalancerIp, parseDnsZoneId, relativeName, zoneProviderArgs } from "./dns";
import { clusterName, databasePrivateZone, dnsPrefix, nodeResourceGroupName, resourceGroupName } from "./names";
import { AzureNetwork } from "./network";


/** "proxy" role: no database (nor its subnet and private DNS zone). */
export interface AzurePlatformArgs extends PlatformArgs {
    /** the caller (tenant, subscription, object ID): read once a stack (the primary's) */
    caller?: Caller;
}

/** Azure's WireServer (platform DNS and the VM agent's channel): no workspace needs it. */
export const AZURE_PLATFORM_IP = "168.63.129.16/32";

/** cloud-provider-azure's Service annotations (kubernetes-sigs/cloud-provider-azure, "LoadBalancer annotations"). */
export const AZURE_LB_ANNOTATIONS = {
    pipName: "service.beta.kubernetes.io/azure-pip-name",
    resourceGroup: "service.beta.kubernetes.io/azure-load-balancer-resource-group",
    internal: "service.beta.kubernetes.io/azure-load-balancer-internal",
    denyOthers: "service.beta.kubernetes.io/azure-deny-all-except-load-balancer-source-ranges",
} as const;

/**
 * The coder Service's load balancer: AKS's Standard load balancer on the static public IP
 * of the stack's resource group (by name), or an internal one with an address of the nodes'
 * subnet. externalTrafficPolicy stays Local (the chart's default): clients' addresses reach
 * coderd, and the load balancer's health probe asks each node's healthCheckNodePort.
 */
export function azureLoadBalancer(resourceGroup: string, ipName: string): CloudLoadBalancerAnnotations {
    return {
        always: {},
        internal: { [AZURE_LB_ANNOTATIONS.internal]: "true" },
        external: { [AZURE_LB_ANNOTATIONS.pipName]: ipName, [AZURE_LB_ANNOTATIONS.resourceGroup]: resourceGroup },
        // The source ranges become allow rules of the nodes' security group, whose default rule
        // still admits the whole VNet (peerings and VPNs included): deny the rest
        // (cloud-provider-azure loadbalancer/accesscontrol.go, DenyAllExceptSourceRanges).
        withSourceRanges: { [AZURE_LB_ANNOTATIONS.denyOthers]: "true" },
    };
}

/** Settings the Azure layer cannot deploy, found before any resource is registered. */
export function azureConfigProblems(s: Settings): string[] {
    const problems = [...kubeloginLogin().problems];
    if (s.dnsZone) {
        const zone = parseDnsZoneId(s.dnsZone);
        const regions = [{ key: "", url: s.accessUrl, wildcard: s.wildcardAccessUrl }, ...s.proxyRegions.map((p, i) => ({ key: `proxyRegions.${i}.`, url: p.accessUrl, wildcard: p.wildcardAccessUrl }))];
        for (const r of zone ? regions : []) {
            for (const host of hostnameList(coderHostnames(r.url, r.wildcard))) {
                if (!relativeName(host, zone!.name)) {
                    problems.push(`${PROJECT}:${r.key}${host.startsWith("*.") ? "wildcardAccessUrl" : "accessUrl"}: ${host} is not in the DNS zone ${zone!.name} ` +
                        `(${PROJECT}:dnsZone); use a host of the zone or the zone of the host`);
                }
            }
        }
    }
    return problems;
}

/**
 * One Azure region of a deployment: a resource group with the VNet (NAT gateway outbound),
 * the AKS cluster and its pools, coderd's static public IP, (primary) PostgreSQL Flexible
 * Server, and the default StorageClass for workspace volumes. Hands the Kubernetes layer a
 * cloud-free ClusterHandle and (primary) DatabaseEndpoint.
 *
 * Every resource names its location: a proxy region needs no provider of its own. Physical
 * names: the resource group, the cluster and coderd's IP carry `settings.prefix` (a proxy
 * region's adds its name); the rest is auto-named inside the group.
 */
export class AzurePlatform extends pulumi.ComponentResource {
    public readonly role: PlatformRole;
    public readonly cluster: ClusterHandle;
    public readonly database?: DatabaseEndpoint;
    public readonly clusterName: pulumi.Output<string>;
    public readonly databaseInstance?: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly caller: Caller;
    public readonly resourceGroupName: pulumi.Output<string>;
    private readonly logicalName: string;
    private readonly settings: Settings;
    private readonly zoneProvider?: AzureProvider;

    constructor(name: string, args: AzurePlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:azure:Platform", name, {}, opts);
        const { settings: s, plan } = args;
        const role = this.role = args.role ?? "primary";
        this.logicalName = name;
        this.settings = s;
        const tags = { "managed-by": "pulumi", app: "coder", stack: s.stack, region: s.region };
        const login = kubeloginLogin().login;
        if (!login) throw new Error("azure credentials: see azureConfigProblems");
        const caller = this.caller = args.caller ?? (() => {
            const c = getClientConfigOutput({ parent: this });
            return { objectId: c.objectId, principalType: c.clientId.apply((id) => callerPrincipalType(login, id)), tenantId: c.tenantId, subscriptionId: c.subscriptionId };
        })();

        const group = new ResourceGroup(`${name}-rg`, { resourceGroupName: resourceGroupName(s.prefix), location: s.region, tags }, { parent: this });
        const rg = group.name;
        const net = new AzureNetwork(`${name}-net`, {
            resourceGroupName: rg,
            location: s.region,
            nodeCidr: s.nodeCidr,
            ...(role === "primary" ? { databaseCidr: s.privateServicesCidr } : {}),
            natPublicIps: natGatewayPlan(plan.pools).publicIps,
            tags,
        }, { parent: this });

        const aks = new AksCluster(`${name}-aks`, {
            resourceGroupName: rg,
            resourceGroupId: group.id,
            location: s.region,
            clusterName: clusterName(s.prefix),
            dnsPrefix: dnsPrefix(s.prefix),
            nodeResourceGroup: nodeResourceGroupName(s.prefix),
            kubernetesVersion: s.kubernetesVersion,
            nodesSubnetId: net.nodesSubnetId,
            podCidr: s.podCidr,
            serviceCidr: s.serviceCidr,
            pools: plan.pools,
            apiAuthorizedNetworks: s.apiAuthorizedNetworks,
            egressIps: net.natIps.map((ip) => ip.ipAddress.apply((a) => a ?? "")),
            adminObjectIds: s.clusterAdminObjectIds,
            caller,
            login,
            protect: s.deletionProtection,
            tags,
            dependsOn: [net.vnet, net.natGateway],
        }, { parent: this });

        const db = role === "primary"
            ? new FlexibleServerDatabase(`${name}-db`, {
                resourceGroupName: rg,
                location: s.region,
                zones: s.zones,
                plan: plan.database,
                delegatedSubnetId: net.databaseSubnetId!,
                vnetId: net.vnet.id,
                privateZoneName: databasePrivateZone(s.prefix),
                geoRedundantBackup: s.geoRedundantBackup,
                deletionProtection: s.deletionProtection,
                tags,
            }, { parent: this })
            : undefined;

        // Workspace volumes: Premium SSD managed disks, created in the zone the pod is scheduled to.
        const storageClass = workspaceStorageClass(`${name}-workspaces`, {
            provisioner: "disk.csi.azure.com",
            parameters: { skuName: "Premium_LRS", cachingMode: "ReadOnly" },
        }, { parent: this, provider: aks.provider });

        const ipName = `${s.prefix}-coderd`.slice(0, 80);
        const address = s.internalLoadBalancer
            ? undefined
            : new LoadBalancerIp(`${name}-lb`, { resourceGroupName: rg, location: s.region, ipName, tags }, { parent: this, protect: s.deletionProtection });

        const zone = s.dnsZone ? parseDnsZoneId(s.dnsZone) : undefined;
        if (zone) this.zoneProvider = new AzureProvider(`${name}-dns-provider`, zoneProviderArgs(zone.subscriptionId), { parent: this });
        if (zone && address) this.records(zone, address.ip);
        const acme = usesAcme(s) && zone
            ? new AcmeIdentity(`${name}-acme`, {
                resourceGroupName: rg, location: s.region, zone, oidcIssuerUrl: aks.oidcIssuerUrl, tags,
            }, { parent: this }).acme
            : undefined;

        this.cluster = {
            provider: aks.provider,
            loadBalancerAnnotations: loadBalancerAnnotations(s, azureLoadBalancer(resourceGroupName(s.prefix), ipName)),
            ...(acme ? { acme } : {}),
            workspaceStorageClass: storageClass.metadata.name,
            // No managed Prometheus is installed on AKS (the observability bundle comes with its own).
            podMonitoring: false,
            // Cilium translates a Service's address at the socket, before policy: the nodes'
            // subnet, the database's, the metadata service and Azure's platform address.
            protectedRanges: [s.nodeCidr, ...(db ? [s.privateServicesCidr] : []), METADATA_RANGE, AZURE_PLATFORM_IP],
        };
        this.database = db?.endpoint;
        this.clusterName = aks.cluster.name;
        this.databaseInstance = db?.server.name;
        this.kubeconfig = aks.kubeconfig;
        this.resourceGroupName = rg;
        this.registerOutputs({ clusterName: this.clusterName, databaseInstance: this.databaseInstance });
    }

    /**
     * With an internal load balancer (no static public IP): the records at the address the
     * coder Service reports once it exists. With a public one they are made at once.
     */
    public pointDnsAt(address: pulumi.Input<string>): AzureDnsRecords | undefined {
        const zone = this.settings.dnsZone ? parseDnsZoneId(this.settings.dnsZone) : undefined;
        if (!zone || !this.settings.internalLoadBalancer) return undefined;
        return this.records(zone, address);
    }

    private records(zone: AzureDnsZone, ip: pulumi.Input<string>): AzureDnsRecords {
        const s = this.settings;
        return new AzureDnsRecords(`${this.logicalName}-dns`, {
            zone, hosts: coderHostnames(s.accessUrl, s.wildcardAccessUrl), ip, provider: this.zoneProvider!,
        }, { parent: this });
    }
}
