import { NODE_MACHINES } from "./machines";
import { CloudName } from "./types";

/**
 * Every size of a family of the machine catalogue (tiers/machines.ts) priced from one size:
 * the families below are priced linearly in vCPUs (and memory, in a fixed ratio), so a size
 * costs the priced one's hourly price times its vCPUs over the priced one's. A stack may size
 * a pool to any catalogue size of the family (sizing.machineType), and it gets a price. Only
 * the priced size and the `seen` ones (sizes the page's copy shows at that multiple) keep the
 * figure's `checked`; the others are derived, unchecked.
 */
function familyPrices(cloud: CloudName, family: RegExp, priced: string, figure: PriceFigure, seen: readonly string[] = []): Record<string, PriceFigure> {
    const members = NODE_MACHINES[cloud].filter((m) => family.test(m.name));
    const base = members.find((m) => m.name === priced);
    if (!base) throw new Error(`tiers/prices.ts: ${priced} is not in the ${cloud} machine catalogue`);
    return Object.fromEntries(members.map((m): [string, PriceFigure] => {
        const checked = figure.checked && (m.name === priced || seen.includes(m.name));
        const note = m.name === priced ? figure.note : `${figure.note}; ${m.vcpu} vCPUs x ${priced}'s price / ${base.vcpu}`;
        return [m.name, { ...figure, usd: (figure.usd * m.vcpu) / base.vcpu, checked, note }];
    }));
}

/**
 * List prices of what a stack buys, as data: on-demand (pay-as-you-go), Linux, USD, no
 * discount, commitment or free tier. Vendor facts, not reference-architecture figures:
 * cost.ts turns a plan into a monthly estimate with them.
 *
 * Every figure names the vendor's own price page (`url`) and says whether it was read in a
 * copy of that page, or of the vendor's price list, when the table was assembled
 * (`checked: true`, with the copy in `note`), or comes from our knowledge of the page alone
 * (`checked: false`): those are the first to compare with the page when the table is
 * refreshed. Prices are per region: the regions of the repository's stacks, primary and
 * proxy. Every other region of tiers/regions.ts is priced as the nearest priced region
 * (`fallback`), and the estimate says so.
 */

/** A price as its page gives it. */
export interface PriceFigure {
    usd: number;
    /** the unit the page gives it in */
    per: "hour" | "month" | "GB-month" | "GB-hour" | "vCPU-hour";
    /** the vendor's price page */
    url: string;
    /** read in a copy of the page or of the vendor's price list (named in `note`); false: our knowledge of the page only */
    checked: boolean;
    note?: string;
}

/** A node's boot disk: a price a GB-month (GCP, AWS), or a price a disk by size tier (Azure managed disks bill the tier a size falls in). */
export type DiskPrices =
    | { kind: "per-gb"; gbMonth: PriceFigure }
    | { kind: "tiers"; tiers: readonly { name: string; maxGb: number; month: PriceFigure }[] };

/** What a highly available database costs beside a single one: factors on compute and storage, as the page states them. */
export interface HaFactor {
    compute: number;
    storage: number;
    url: string;
    checked: boolean;
    note: string;
}

/** Managed PostgreSQL: by vCPU and memory (Cloud SQL custom tiers) or by instance class. */
export type DatabasePrices =
    | { kind: "per-resource"; vcpuHour: PriceFigure; memoryGbHour: PriceFigure; storageGbMonth: PriceFigure; ha: HaFactor }
    | { kind: "per-instance"; instanceHour: Readonly<Record<string, PriceFigure>>; storageGbMonth: PriceFigure; ha: HaFactor };

/**
 * Outbound NAT. Cloud NAT bills its gateway by the VMs that use it (up to `maxVms`) and each
 * NAT IP it allocates; AWS and Azure bill each NAT gateway an hour and each public IP.
 */
export type NatPrices =
    | { kind: "per-vm"; vmHour: PriceFigure; maxVms: number; ipHour: PriceFigure; portsPerIp: number }
    | { kind: "per-gateway"; gatewayHour: PriceFigure; ipHour: PriceFigure };

export interface RegionPrices {
    /** node machine types, an hour */
    machines: Readonly<Record<string, PriceFigure>>;
    /** node boot disks by the type the plan names (PoolPlan.bootDisk.type) */
    disks: Readonly<Record<string, DiskPrices>>;
    /** absent: no database price for the region (a proxy region of the stacks has no database) */
    database?: DatabasePrices;
    /** coderd's (or a proxy's) load balancer an hour, and each public IP where the cloud bills it */
    loadBalancer: { hour: PriceFigure; ipHour?: PriceFigure };
    nat: NatPrices;
    /** the managed Kubernetes control plane, a cluster-hour */
    clusterHour: PriceFigure;
}

export interface CloudPrices {
    regions: Readonly<Record<string, RegionPrices>>;
    /** a region without prices of its own → the priced region it is priced as (the nearest, reasoned below) */
    fallback: Readonly<Record<string, string>>;
}

export interface PriceTable {
    /** when the table was assembled (YYYY-MM) */
    date: string;
    currency: "USD";
    clouds: Readonly<Record<CloudName, CloudPrices>>;
}

// ---- Google Cloud ----------------------------------------------------------------------

const GCE = "https://cloud.google.com/compute/vm-instance-pricing";
const GCE_DISKS = "https://cloud.google.com/compute/disks-image-pricing";
const CLOUD_SQL = "https://cloud.google.com/sql/pricing";
const GKE = "https://cloud.google.com/kubernetes-engine/pricing";
const CLOUD_NAT = "https://cloud.google.com/nat/pricing";
const GCP_LB = "https://cloud.google.com/load-balancing/pricing";
const GCP_IP = "https://cloud.google.com/vpc/network-pricing";
/** A copy of Google's price list: the Cloud Billing Catalog API's SKUs, by machine type and region. */
const GCP_COPY = "Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml, generated 2025-03-06 from the Cloud Billing Catalog API";

const gce = (usd: number, note = GCP_COPY): PriceFigure => ({ usd, per: "hour", url: GCE, checked: true, note });
const gceDisk = (usd: number, checked = true, note = GCP_COPY): PriceFigure => ({ usd, per: "GB-month", url: GCE_DISKS, checked, note });

/**
 * N4 and T2D are priced by vCPU and memory, so a size is the smallest one times its vCPUs
 * (the copy's n4-standard-2, -4, -16, -32, -48 and -80 are exact multiples); n4-standard-8
 * in asia-southeast1 is 4 x n4-standard-2 of the same copy.
 */
const gcpMachines = (n4Standard2: number, t2dStandard8: number): Record<string, PriceFigure> => ({
    ...familyPrices("gcp", /^n4-standard-\d+$/, "n4-standard-2", gce(n4Standard2),
        ["n4-standard-4", "n4-standard-8", "n4-standard-16", "n4-standard-32", "n4-standard-48", "n4-standard-80"]),
    ...familyPrices("gcp", /^t2d-standard-\d+$/, "t2d-standard-8", gce(t2dStandard8)),
});

/**
 * Boot disks. Hyperdisk Balanced (N4 boots from it only) is billed by capacity plus the
 * IOPS and throughput provisioned above the 3,000 IOPS and 140 MiB/s it includes; the
 * program provisions none (GKE's defaults), so only capacity is counted.
 */
const gcpDisks = (balanced: number, ssd: number, hyperdiskBalanced: number): Record<string, DiskPrices> => ({
    "pd-balanced": { kind: "per-gb", gbMonth: gceDisk(balanced) },
    "pd-ssd": { kind: "per-gb", gbMonth: gceDisk(ssd) },
    "hyperdisk-balanced": {
        kind: "per-gb",
        gbMonth: gceDisk(hyperdiskBalanced, false, "capacity only; the copy has no Hyperdisk Balanced SKU"),
    },
});

/** Cloud SQL Enterprise edition (components/gcp/database.ts: `edition: "ENTERPRISE"`, SSD storage). */
const cloudSql = (vcpu: number, memory: number, ssd: number, checked: boolean): DatabasePrices => ({
    kind: "per-resource",
    vcpuHour: { usd: vcpu, per: "vCPU-hour", url: CLOUD_SQL, checked, note: checked ? "Enterprise edition, dedicated core; us-central1, quoted from the page by usage.ai (2026-05)" : "Enterprise edition, dedicated core" },
    memoryGbHour: { usd: memory, per: "GB-hour", url: CLOUD_SQL, checked, note: checked ? "Enterprise edition; us-central1, quoted from the page by usage.ai (2026-05)" : "Enterprise edition" },
    storageGbMonth: { usd: ssd, per: "GB-month", url: CLOUD_SQL, checked: false, note: "SSD storage capacity" },
    // The page lists an HA price beside each price: twice the zonal one, for vCPUs, memory and storage.
    ha: { compute: 2, storage: 2, url: CLOUD_SQL, checked: false, note: "HA (regional) prices are twice the zonal ones: the standby is billed as an instance" },
});

/**
 * GKE creates an external passthrough Network Load Balancer for coderd's Service: one
 * forwarding rule. Its static address is not billed while a forwarding rule uses it
 * (vpc/network-pricing, "IP address pricing"); data processed is not counted.
 */
const gcpLoadBalancer = (rule: number) => ({
    hour: {
        usd: rule, per: "hour" as const, url: GCP_LB, checked: false,
        // a stored copy of the page gives "First 5 forwarding rules $0.025 Per Hour" in its global-rules table; the regional table, by region, was not in the copy
        note: "forwarding rule, the first 5 in a region",
    },
});

/** Cloud NAT: $0.0014 a VM-hour up to 32 VMs (the copy's gateway SKU is the cap, 32 x 0.0014 = $0.0448), and each NAT IP. */
const cloudNat: NatPrices = {
    kind: "per-vm",
    vmHour: { usd: 0.0014, per: "hour", url: CLOUD_NAT, checked: true, note: `a VM-hour; ${GCP_COPY}: gateway $0.0448 an hour at 32 VMs and more` },
    maxVms: 32,
    ipHour: { usd: 0.005, per: "hour", url: GCP_IP, checked: true, note: `an external IPv4 address in use; ${GCP_COPY}` },
    // Cloud NAT docs: "Each NAT IP address has 64,512 source ports" (TCP, and as many for UDP)
    portsPerIp: 64_512,
};

const gkeClusterHour: PriceFigure = {
    usd: 0.10, per: "hour", url: GKE, checked: true,
    note: "cluster management fee, a cluster-hour; the free tier's monthly credit applies to zonal and Autopilot clusters, not to the program's regional ones; " +
        "read in a stored copy of the page (undated; it gives the $74.40 monthly free-tier credit): \"$0.10 per cluster per hour ... Free tier credits are only applied to zonal and Autopilot clusters\"",
};

const gcp: CloudPrices = {
    regions: {
        "us-east1": {
            machines: gcpMachines(0.094772, 0.337968),
            disks: gcpDisks(0.10, 0.17, 0.08),
            // the page gives us-east1 us-central1's Cloud SQL prices; the copy quotes us-central1's
            database: cloudSql(0.0413, 0.007, 0.17, false),
            loadBalancer: gcpLoadBalancer(0.025),
            nat: cloudNat,
            clusterHour: gkeClusterHour,
        },
        "us-central1": {
            machines: gcpMachines(0.094772, 0.337968),
            disks: gcpDisks(0.10, 0.17, 0.08),
            database: cloudSql(0.0413, 0.007, 0.17, true),
            loadBalancer: gcpLoadBalancer(0.025),
            nat: cloudNat,
            clusterHour: gkeClusterHour,
        },
        "europe-west1": {
            machines: gcpMachines(0.104353456, 0.371784),
            disks: gcpDisks(0.10, 0.17, 0.08),
            database: cloudSql(0.0454, 0.0077, 0.17, false),
            loadBalancer: gcpLoadBalancer(0.025),
            nat: cloudNat,
            clusterHour: gkeClusterHour,
        },
        // a proxy region of gcp-10k: no database
        "asia-southeast1": {
            machines: gcpMachines(0.116920216, 0.416936),
            disks: gcpDisks(0.11, 0.187, 0.088),
            loadBalancer: gcpLoadBalancer(0.025),
            nat: cloudNat,
            clusterHour: gkeClusterHour,
        },
    },
    // Nearest priced region by geography: the Americas to us-east1 or us-central1, Europe, the
    // Middle East and Africa to europe-west1, Asia and Oceania to asia-southeast1.
    fallback: {
        "us-east4": "us-east1", "us-east5": "us-east1", "northamerica-northeast1": "us-east1", "northamerica-northeast2": "us-east1",
        "southamerica-east1": "us-east1", "southamerica-west1": "us-east1",
        "us-south1": "us-central1", "us-west1": "us-central1", "us-west2": "us-central1", "us-west3": "us-central1", "us-west4": "us-central1",
        "northamerica-south1": "us-central1",
        "europe-central2": "europe-west1", "europe-north1": "europe-west1", "europe-north2": "europe-west1", "europe-southwest1": "europe-west1",
        "europe-west2": "europe-west1", "europe-west3": "europe-west1", "europe-west4": "europe-west1", "europe-west6": "europe-west1",
        "europe-west8": "europe-west1", "europe-west9": "europe-west1", "europe-west10": "europe-west1", "europe-west12": "europe-west1",
        "me-central1": "europe-west1", "me-central2": "europe-west1", "me-west1": "europe-west1", "africa-south1": "europe-west1",
        "asia-east1": "asia-southeast1", "asia-east2": "asia-southeast1", "asia-northeast1": "asia-southeast1", "asia-northeast2": "asia-southeast1",
        "asia-northeast3": "asia-southeast1", "asia-south1": "asia-southeast1", "asia-south2": "asia-southeast1", "asia-southeast2": "asia-southeast1",
        "asia-southeast3": "asia-southeast1", "australia-southeast1": "asia-southeast1", "australia-southeast2": "asia-southeast1",
    },
};

// ---- AWS -------------------------------------------------------------------------------

const EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/";
const EBS = "https://aws.amazon.com/ebs/pricing/";
const RDS = "https://aws.amazon.com/rds/postgresql/pricing/";
const EKS = "https://aws.amazon.com/eks/pricing/";
const ELB = "https://aws.amazon.com/elasticloadbalancing/pricing/";
const AWS_VPC = "https://aws.amazon.com/vpc/pricing/";

/**
 * M8i is priced linearly in vCPUs (large = 2 vCPU; familyPrices). us-east-1: cloudinvent.co (2026-06) quotes the page
 * (April 2026) at $0.212 for m8i.xlarge, which 2 x 0.10584 = 0.21168 rounds to; not checked to the table's precision.
 */
const m8i = (large: number): Record<string, PriceFigure> =>
    familyPrices("aws", /^m8i\./, "m8i.large", { usd: large, per: "hour", url: EC2, checked: false, note: "Linux, On-Demand" });

const gp3 = (usd: number): Record<string, DiskPrices> => ({
    gp3: { kind: "per-gb", gbMonth: { usd, per: "GB-month", url: EBS, checked: false, note: "gp3 storage; the 3,000 IOPS and 125 MB/s it includes are all the program provisions" } },
});

/**
 * The public IPv4 address charge ($0.005 an IP-hour, every region): the NAT gateways' Elastic
 * IPs and the internet-facing NLB's address in each zone.
 */
const publicIpv4: PriceFigure = {
    usd: 0.005, per: "hour", url: AWS_VPC, checked: true,
    note: "public IPv4 address, an IP-hour; quoted from the VPC pricing page by cloudburn.io (2026-02)",
};

/** Network Load Balancer (components/aws/platform.ts: `aws-load-balancer-type: nlb`): the hour; NLCUs are usage, not counted. */
// us-east-1 $0.0225 agrees with clustercost.com (2025) and awsnegotiations.com (2026-05), neither saying it copies the page: unchecked
const nlb = (usd: number) => ({ hour: { usd, per: "hour" as const, url: ELB, checked: false, note: "Network Load Balancer-hour" }, ipHour: publicIpv4 });

const natGateway = (usd: number, checked: boolean, note?: string): NatPrices => ({
    kind: "per-gateway",
    gatewayHour: { usd, per: "hour", url: AWS_VPC, checked, note: note ?? "NAT gateway-hour" },
    ipHour: publicIpv4,
});

const eksClusterHour: PriceFigure = {
    usd: 0.10, per: "hour", url: EKS, checked: true,
    note: "cluster-hour, standard Kubernetes version support; quoted from the EKS pricing page by cloudburn.io (2026-03/04), and " +
        "AWS Containers blog \"Amazon EKS extended support for Kubernetes versions pricing\": standard support $0.10 per cluster per hour",
};

const aws: CloudPrices = {
    regions: {
        "us-east-1": {
            machines: m8i(0.10584),
            disks: gp3(0.08),
            database: {
                kind: "per-instance",
                // Single-AZ instance-hours; Multi-AZ (one standby) is `ha` on top.
                instanceHour: {
                    "db.m8g.2xlarge": { usd: 0.7392, per: "hour", url: RDS, checked: false, note: "Single-AZ deployment, on-demand" },
                    "db.m8g.4xlarge": { usd: 1.4784, per: "hour", url: RDS, checked: false, note: "Single-AZ deployment, on-demand" },
                    "db.m8g.8xlarge": { usd: 2.9568, per: "hour", url: RDS, checked: false, note: "Single-AZ deployment, on-demand" },
                },
                storageGbMonth: {
                    usd: 0.115, per: "GB-month", url: RDS, checked: true,
                    note: "gp3, Single-AZ; quoted from the page by usage.ai (2026-06)",
                },
                ha: {
                    compute: 2, storage: 2, url: RDS, checked: true,
                    note: "Multi-AZ instance (one standby): the page's Multi-AZ prices are twice the Single-AZ ones; RDS user guide: " +
                        "compute \"billed per DB instance-hour for both the primary and standby instances\", storage \"for both\"",
                },
            },
            loadBalancer: nlb(0.0225),
            nat: natGateway(0.045, true, "NAT gateway-hour; quoted from the page by basavytix.com and cloudpipelines (2026)"),
            clusterHour: eksClusterHour,
        },
        // proxy regions of aws-10k: no database
        "eu-west-1": {
            machines: m8i(0.11797),
            disks: gp3(0.088),
            loadBalancer: nlb(0.0252),
            nat: natGateway(0.048, false),
            clusterHour: eksClusterHour,
        },
        "ap-southeast-1": {
            machines: m8i(0.1323),
            disks: gp3(0.096),
            loadBalancer: nlb(0.0252),
            nat: natGateway(0.059, true, "NAT gateway-hour; quoted from the page by basavytix.com (2026)"),
            clusterHour: eksClusterHour,
        },
    },
    // Nearest priced region: the Americas to us-east-1, Europe, the Middle East and Africa to
    // eu-west-1, Asia and Oceania to ap-southeast-1.
    fallback: {
        "us-east-2": "us-east-1", "us-west-1": "us-east-1", "us-west-2": "us-east-1", "ca-central-1": "us-east-1", "ca-west-1": "us-east-1",
        "mx-central-1": "us-east-1", "sa-east-1": "us-east-1", "us-gov-east-1": "us-east-1", "us-gov-west-1": "us-east-1",
        "eu-central-1": "eu-west-1", "eu-central-2": "eu-west-1", "eu-west-2": "eu-west-1", "eu-west-3": "eu-west-1", "eu-south-1": "eu-west-1",
        "eu-south-2": "eu-west-1", "eu-north-1": "eu-west-1", "il-central-1": "eu-west-1", "me-south-1": "eu-west-1", "me-central-1": "eu-west-1",
        "af-south-1": "eu-west-1",
        "ap-east-1": "ap-southeast-1", "ap-east-2": "ap-southeast-1", "ap-south-1": "ap-southeast-1", "ap-south-2": "ap-southeast-1",
        "ap-southeast-2": "ap-southeast-1", "ap-southeast-3": "ap-southeast-1", "ap-southeast-4": "ap-southeast-1", "ap-southeast-5": "ap-southeast-1",
        "ap-southeast-6": "ap-southeast-1", "ap-southeast-7": "ap-southeast-1", "ap-northeast-1": "ap-southeast-1", "ap-northeast-2": "ap-southeast-1",
        "ap-northeast-3": "ap-southeast-1",
    },
};

// ---- Azure -----------------------------------------------------------------------------

const AZURE_VM = "https://azure.microsoft.com/pricing/details/virtual-machines/linux/";
const AZURE_DISKS = "https://azure.microsoft.com/pricing/details/managed-disks/";
const AZURE_PG = "https://azure.microsoft.com/pricing/details/postgresql/flexible-server/";
const AKS = "https://azure.microsoft.com/pricing/details/kubernetes-service/";
const AZURE_LB = "https://azure.microsoft.com/pricing/details/load-balancer/";
const AZURE_NAT = "https://azure.microsoft.com/pricing/details/azure-nat-gateway/";
const AZURE_IP = "https://azure.microsoft.com/pricing/details/ip-addresses/";

/** Dsv5 is priced linearly in vCPUs (D2 = 2 vCPU; familyPrices). */
const dsv5 = (d2: number): Record<string, PriceFigure> =>
    familyPrices("azure", /^Standard_D\d+s_v5$/, "Standard_D2s_v5", { usd: d2, per: "hour", url: AZURE_VM, checked: false, note: "Linux, pay as you go" });

/**
 * AKS OS disks of `osDiskType: Managed` on Premium-capable sizes are Premium SSD (the plan's
 * Premium_LRS), billed by the tier a size falls in: 100 GB is a P10 (128 GiB), 200 GB a P15.
 */
const premiumSsd = (p10: number, p15: number, p20: number): Record<string, DiskPrices> => ({
    Premium_LRS: {
        kind: "tiers",
        tiers: [
            { name: "P10", maxGb: 128, month: { usd: p10, per: "month", url: AZURE_DISKS, checked: false, note: "Premium SSD LRS P10, a disk-month" } },
            { name: "P15", maxGb: 256, month: { usd: p15, per: "month", url: AZURE_DISKS, checked: false, note: "Premium SSD LRS P15, a disk-month" } },
            { name: "P20", maxGb: 512, month: { usd: p20, per: "month", url: AZURE_DISKS, checked: false, note: "Premium SSD LRS P20, a disk-month" } },
        ],
    },
});

// The Azure networking figures below agree with c3x.dev's cost estimator (Standard public IP $0.005/h, Standard Load Balancer
// $0.025/h with the first 5 rules, NAT gateway about $0.045/h), which does not say it copies the pages; stored copies of the
// pages themselves show no prices ("$-"): unchecked.
const azureIp: PriceFigure = { usd: 0.005, per: "hour", url: AZURE_IP, checked: false, note: "Standard static public IPv4 address, an hour" };
const azureLb = { hour: { usd: 0.025, per: "hour" as const, url: AZURE_LB, checked: false, note: "Standard Load Balancer, the first 5 rules an hour" }, ipHour: azureIp };
const azureNat: NatPrices = {
    kind: "per-gateway",
    gatewayHour: { usd: 0.045, per: "hour", url: AZURE_NAT, checked: false, note: "NAT gateway-hour" },
    ipHour: azureIp,
};
// Microsoft's "AKS introduces Uptime SLA" (Tech Community, 2020-05) prices the Uptime SLA, since renamed the Standard tier,
// at $0.10 an hour a cluster: the vendor's word, but not its price page; unchecked.
const aksClusterHour: PriceFigure = { usd: 0.10, per: "hour", url: AKS, checked: false, note: "Standard tier (components/azure/cluster.ts), a cluster-hour" };

const azure: CloudPrices = {
    regions: {
        "eastus2": {
            machines: dsv5(0.096),
            disks: premiumSsd(19.71, 38.02, 73.22),
            database: {
                kind: "per-instance",
                instanceHour: {
                    "Standard_D8ds_v5": { usd: 0.712, per: "hour", url: AZURE_PG, checked: false, note: "General Purpose, Ddsv5, 8 vCores" },
                    "Standard_D16ds_v5": { usd: 1.424, per: "hour", url: AZURE_PG, checked: false, note: "General Purpose, Ddsv5, 16 vCores" },
                    "Standard_D32ds_v5": { usd: 2.848, per: "hour", url: AZURE_PG, checked: false, note: "General Purpose, Ddsv5, 32 vCores" },
                },
                storageGbMonth: { usd: 0.115, per: "GB-month", url: AZURE_PG, checked: false, note: "Premium SSD storage, a GiB-month" },
                ha: {
                    compute: 2, storage: 2, url: AZURE_PG, checked: false,
                    note: "zone-redundant high availability: the standby's compute and storage are billed as the primary's",
                },
            },
            loadBalancer: azureLb,
            nat: azureNat,
            clusterHour: aksClusterHour,
        },
        // proxy regions of azure-10k: no database
        "westeurope": {
            machines: dsv5(0.115),
            disks: premiumSsd(21.68, 41.82, 80.54),
            loadBalancer: azureLb,
            nat: azureNat,
            clusterHour: aksClusterHour,
        },
        "southeastasia": {
            machines: dsv5(0.12),
            disks: premiumSsd(22.68, 43.76, 84.3),
            loadBalancer: azureLb,
            nat: azureNat,
            clusterHour: aksClusterHour,
        },
    },
    // Nearest priced region: the Americas to eastus2, Europe, the Middle East and Africa to
    // westeurope, Asia and Oceania to southeastasia.
    fallback: {
        "eastus": "eastus2", "centralus": "eastus2", "northcentralus": "eastus2", "southcentralus": "eastus2", "westcentralus": "eastus2",
        "westus": "eastus2", "westus2": "eastus2", "westus3": "eastus2", "canadacentral": "eastus2", "canadaeast": "eastus2",
        "brazilsouth": "eastus2", "mexicocentral": "eastus2",
        "northeurope": "westeurope", "uksouth": "westeurope", "ukwest": "westeurope", "francecentral": "westeurope",
        "germanywestcentral": "westeurope", "italynorth": "westeurope", "polandcentral": "westeurope", "spaincentral": "westeurope",
        "swedencentral": "westeurope", "switzerlandnorth": "westeurope", "norwayeast": "westeurope", "uaenorth": "westeurope",
        "qatarcentral": "westeurope", "israelcentral": "westeurope", "southafricanorth": "westeurope",
        "centralindia": "southeastasia", "southindia": "southeastasia", "eastasia": "southeastasia", "japaneast": "southeastasia",
        "japanwest": "southeastasia", "koreacentral": "southeastasia", "australiaeast": "southeastasia", "australiasoutheast": "southeastasia",
        "newzealandnorth": "southeastasia", "indonesiacentral": "southeastasia", "malaysiawest": "southeastasia",
    },
};

/** The price table, assembled 2026-11. Refresh: README, "Cost estimate". */
export const PRICES: PriceTable = {
    date: "2026-11",
    currency: "USD",
    clouds: { gcp, aws, azure },
};

