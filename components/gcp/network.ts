import * as pulumi from "@pulumi/pulumi";
import { GlobalAddress } from "@pulumi/gcp/compute/globalAddress";
import { Network } from "@pulumi/gcp/compute/network";
import { Router } from "@pulumi/gcp/compute/router";
import { RouterNat } from "@pulumi/gcp/compute/routerNat";
import { Subnetwork } from "@pulumi/gcp/compute/subnetwork";
import { Connection as ServiceNetworkingConnection } from "@pulumi/gcp/servicenetworking/connection";
import { GCP_NAT } from "../../tiers";

export interface GcpNetworkArgs {
    region: string;
    nodeCidr: string;
    podCidr: string;
    serviceCidr: string;
    /**
     * the range private services access (Cloud SQL) takes its addresses from, e.g. 10.20.0.0/16;
     * absent: no private services access (a proxy region, which has no database)
     */
    privateServicesCidr?: string;
    /** resources that must exist first (the project's APIs) */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export const POD_RANGE = "pods";
export const SERVICE_RANGE = "services";

/**
 * VPC for one region: a subnet with secondary ranges for pods and Services, Cloud
 * Router + NAT so private nodes reach the internet (images, git, Terraform
 * providers), and (with a database in the region) private services access for Cloud SQL.
 */
export class GcpNetwork extends pulumi.ComponentResource {
    public readonly network: Network;
    public readonly subnet: Subnetwork;
    /** the peering Cloud SQL's private IP depends on (absent without privateServicesCidr) */
    public readonly privateServiceAccess?: ServiceNetworkingConnection;
    /** the range Cloud SQL's private addresses come from (known at preview: it is pinned; absent without privateServicesCidr) */
    public readonly privateServiceRange?: pulumi.Output<string>;

    constructor(name: string, args: GcpNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:gcp:Network", name, {}, opts);
        const parent = { parent: this, dependsOn: args.dependsOn };

        this.network = new Network(`${name}-vpc`, {
            autoCreateSubnetworks: false,
            routingMode: "REGIONAL",
            // Immutable (a new text replaces the network): the primary's stays as it was.
            description: args.privateServicesCidr ? "coder-refarch: nodes, pods and private services" : "coder-refarch: nodes and pods",
        }, parent);

        this.subnet = new Subnetwork(`${name}-nodes`, {
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

        const router = new Router(`${name}-router`, {
            network: this.network.id,
            region: args.region,
        }, { parent: this });

        new RouterNat(`${name}-nat`, {
            router: router.name,
            region: args.region,
            natIpAllocateOption: "AUTO_ONLY",
            sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
            // Source ports a node gets for connections to one destination (IP and port), shared
            // by all its pods: static allocation gives 64, which 30 provisioners running
            // `terraform init` against one registry, or 16 workspaces cloning from one git
            // host, exhaust (Cloud NAT then drops connections: OUT_OF_RESOURCES). Dynamic
            // allocation starts a node at 1,024 and grows it on demand up to 32,768 (both
            // powers of two, max above min, as routerNat.d.ts requires); AUTO_ONLY adds NAT
            // addresses as the ports need them. Endpoint-independent mapping cannot be on with
            // dynamic allocation ("Mutually exclusive", routerNat.d.ts).
            enableDynamicPortAllocation: true,
            minPortsPerVm: GCP_NAT.minPortsPerVm,
            maxPortsPerVm: GCP_NAT.maxPortsPerVm,
            enableEndpointIndependentMapping: false,
            // Errors only (dropped connections among them): what an alert on port exhaustion needs.
            logConfig: { enable: true, filter: "ERRORS_ONLY" },
        }, { parent: this });

        if (args.privateServicesCidr) {
            this.privateServiceAccess = this.privateServicesAccess(name, args.privateServicesCidr);
            this.privateServiceRange = pulumi.output(args.privateServicesCidr);
        }
        this.registerOutputs({ network: this.network.id, subnet: this.subnet.id });
    }

    /** Private services access: the pinned range and the peering with Google's service producers. */
    private privateServicesAccess(name: string, cidr: string): ServiceNetworkingConnection {
        // Pinned, not picked by Google: the range is validated against the node, pod,
        // Service and control-plane ranges (config), and known at preview, where the
        // workspaces' NetworkPolicy keeps workspaces out of it.
        const [address, prefix] = cidr.split("/");
        const peeringRange = new GlobalAddress(`${name}-psa`, {
            network: this.network.id,
            purpose: "VPC_PEERING",
            addressType: "INTERNAL",
            address,
            prefixLength: Number(prefix),
            description: "private services access (Cloud SQL)",
        }, { parent: this });

        return new ServiceNetworkingConnection(`${name}-psa`, {
            network: this.network.id,
            service: "servicenetworking.googleapis.com",
            reservedPeeringRanges: [peeringRange.name],
            // Cloud SQL holds the connection a while after its instance is deleted (so the instance
            // can still be restored), so a delete fails ("Producer services ... are still using
            // this connection"); abandoning drops it from the state. The peering stays and the
            // network's delete then fails until the peering is removed by hand (README, tearing a
            // stack down). (A REMOVE_PEERING policy that
            // does this is not in this @pulumi/gcp: its d.ts knows DELETE, ABANDON and PREVENT.)
            deletionPolicy: "ABANDON",
            // A re-created connection (after a teardown left one behind, or a changed range)
            // updates the existing one instead of failing: "enforce an update of the reserved
            // peering ranges on the existing service networking connection in case of a new
            // connection creation failure" (connection.d.ts).
            updateOnCreationFail: true,
        }, { parent: this });
    }
}
