/**
 * Azure: the VNet of one region, with the AKS nodes' subnet (outbound through a NAT
 * gateway) and the subnet delegated to PostgreSQL Flexible Server.
 */
import * as pulumi from "@pulumi/pulumi";
import { NatGateway } from "@pulumi/azure-native/network/natGateway";
import { PublicIPAddress } from "@pulumi/azure-native/network/publicIPAddress";
import { VirtualNetwork } from "@pulumi/azure-native/network/virtualNetwork";
import { AZURE_NAT } from "../../tiers";

export interface AzureNetworkArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** the AKS nodes' subnet (Azure CNI Overlay: pods take addresses of the pod range, not of the VNet) */
    nodeCidr: string;
    /** the subnet delegated to Flexible Server; absent in a region without the database */
    databaseCidr?: string;
    /** the NAT gateway's public IPs (sizing.ts natGatewayPlan) */
    natPublicIps: number;
    tags: Record<string, string>;
}

/** The subnets' names inside the VNet. */
export const NODES_SUBNET = "aks-nodes";
export const DATABASE_SUBNET = "postgres";
/** Flexible Server's subnet delegation (concepts-networking-private: "delegated to Microsoft.DBforPostgreSQL/flexibleServers"). */
export const POSTGRES_DELEGATION = "Microsoft.DBforPostgreSQL/flexibleServers";

/**
 * The VNet holds its subnets inline: a VNet updated without them would drop subnets that
 * are separate resources, and the two kinds fight over the same objects.
 *
 * Outbound: a Standard NAT gateway on the nodes' subnet (AKS `userAssignedNATGateway`). Its
 * ports are allocated to flows on demand from every public IP, 64,512 an IP, so hundreds of
 * provisioners downloading Terraform providers at once do not exhaust a per-node
 * preallocation, the classic SNAT failure of AKS behind its load balancer's outbound rules.
 * The gateway and its IPs have no zone (Azure places them): zone-redundant NAT (StandardV2)
 * is not in this provider's API version.
 */
export class AzureNetwork extends pulumi.ComponentResource {
    public readonly vnet: VirtualNetwork;
    public readonly natGateway: NatGateway;
    public readonly natIps: PublicIPAddress[];
    public readonly nodesSubnetId: pulumi.Output<string>;
    public readonly databaseSubnetId?: pulumi.Output<string>;

    constructor(name: string, args: AzureNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:azure:Network", name, {}, opts);
        const common = { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags };
        this.natIps = Array.from({ length: args.natPublicIps }, (_, i) => new PublicIPAddress(`${name}-nat-ip-${i + 1}`, {
            ...common,
            sku: { name: "Standard", tier: "Regional" },
            publicIPAllocationMethod: "Static",
            publicIPAddressVersion: "IPv4",
        }, { parent: this }));
        this.natGateway = new NatGateway(`${name}-nat`, {
            ...common,
            sku: { name: "Standard" },
            idleTimeoutInMinutes: AZURE_NAT.idleTimeoutMinutes,
            publicIpAddresses: this.natIps.map((ip) => ({ id: ip.id })),
        }, { parent: this });
        this.vnet = new VirtualNetwork(`${name}-vnet`, {
            ...common,
            addressSpace: { addressPrefixes: [args.nodeCidr, ...(args.databaseCidr ? [args.databaseCidr] : [])] },
            subnets: [
                { name: NODES_SUBNET, addressPrefix: args.nodeCidr, natGateway: { id: this.natGateway.id } },
                ...(args.databaseCidr ? [{
                    name: DATABASE_SUBNET,
                    addressPrefix: args.databaseCidr,
                    delegations: [{ name: "flexible-server", serviceName: POSTGRES_DELEGATION }],
                }] : []),
            ],
        }, { parent: this });
        this.nodesSubnetId = pulumi.interpolate`${this.vnet.id}/subnets/${NODES_SUBNET}`;
        this.databaseSubnetId = args.databaseCidr ? pulumi.interpolate`${this.vnet.id}/subnets/${DATABASE_SUBNET}` : undefined;
        this.registerOutputs({ vnetId: this.vnet.id });
    }
}
