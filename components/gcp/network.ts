import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/gcp/compute";
import * as servicenetworking from "@pulumi/gcp/servicenetworking";

export interface GcpNetworkArgs {
    region: string;
    nodeCidr: string;
    podCidr: string;
    serviceCidr: string;
    /** resources that must exist first (the project's APIs) */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export const POD_RANGE = "pods";
export const SERVICE_RANGE = "services";

/**
 * VPC for one region: a subnet with secondary ranges for pods and Services, Cloud
 * Router + NAT so private nodes reach the internet (images, git, Terraform
 * providers), and private services access for Cloud SQL.
 */
export class GcpNetwork extends pulumi.ComponentResource {
    public readonly network: compute.Network;
    public readonly subnet: compute.Subnetwork;
    /** the peering Cloud SQL's private IP depends on */
    public readonly privateServiceAccess: servicenetworking.Connection;
    /** the range Cloud SQL's private addresses come from */
    public readonly privateServiceRange: pulumi.Output<string>;

    constructor(name: string, args: GcpNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:gcp:Network", name, {}, opts);
        const parent = { parent: this, dependsOn: args.dependsOn };

        this.network = new compute.Network(`${name}-vpc`, {
            autoCreateSubnetworks: false,
            routingMode: "REGIONAL",
            description: "coder-refarch: nodes, pods and private services",
        }, parent);

        this.subnet = new compute.Subnetwork(`${name}-nodes`, {
            network: this.network.id,
            region: args.region,
            ipCidrRange: args.nodeCidr,
            privateIpGoogleAccess: true,
            secondaryIpRanges: [
                { rangeName: POD_RANGE, ipCidrRange: args.podCidr },
                { rangeName: SERVICE_RANGE, ipCidrRange: args.serviceCidr },
            ],
            logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
        }, { parent: this });

        const router = new compute.Router(`${name}-router`, {
            network: this.network.id,
            region: args.region,
        }, { parent: this });

        new compute.RouterNat(`${name}-nat`, {
            router: router.name,
            region: args.region,
            natIpAllocateOption: "AUTO_ONLY",
            sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
            logConfig: { enable: true, filter: "ERRORS_ONLY" },
        }, { parent: this });

        const peeringRange = new compute.GlobalAddress(`${name}-psa`, {
            network: this.network.id,
            purpose: "VPC_PEERING",
            addressType: "INTERNAL",
            prefixLength: 16,
            description: "private services access (Cloud SQL)",
        }, { parent: this });

        this.privateServiceAccess = new servicenetworking.Connection(`${name}-psa`, {
            network: this.network.id,
            service: "servicenetworking.googleapis.com",
            reservedPeeringRanges: [peeringRange.name],
            // Cloud SQL keeps using the peering for a while after the instance is gone;
            // abandoning it lets `pulumi destroy` finish.
            deletionPolicy: "ABANDON",
        }, { parent: this });

        this.privateServiceRange = pulumi.interpolate`${peeringRange.address}/${peeringRange.prefixLength}`;
        this.registerOutputs({ network: this.network.id, subnet: this.subnet.id });
    }
}
