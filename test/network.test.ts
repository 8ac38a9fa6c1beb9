/**
 * Networks enterprises have: an internal load balancer, client source ranges, and an
 * existing (Shared) VPC the program reads and checks before registering anything.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../config";
import { NETWORK_READS, NOT_INSPECTED } from "../components/network-check";
import { MIN_SERVICE_ADDRESSES } from "../tiers";
import { CloudReads, Rendered, renderConfig, reveal } from "../preview/render";
import { one, ofType, rawConfig, release } from "./helpers";

type Obj = Record<string, any>;

const annotationsOf = (r: Rendered) => (reveal(release(r, "coder").inputs.values) as Obj).coder.service.annotations as Record<string, string>;

describe("coderd's load balancer", () => {
    // an NLB whose targets are coderd's nodes only
    const NLB = { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb", "service.beta.kubernetes.io/aws-load-balancer-target-node-labels": "coder-refarch/pool=coderd" };
    const GKE_INTERNAL = { "networking.gke.io/load-balancer-type": "Internal" };
    const AWS_INTERNAL = { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" };
    const SOURCES = "service.beta.kubernetes.io/load-balancer-source-ranges";
    // GKE's backend-service based external passthrough load balancer (not the legacy target pool)
    const GKE_RBS = { "cloud.google.com/l4-rbs": "enabled" };
    it.each([
        ["gcp-3k", "by default: GKE's external load balancer", {}, GKE_RBS],
        ["aws-3k", "by default: an internet-facing NLB", {}, NLB],
        ["gcp-3k", "internal on GKE", { internalLoadBalancer: true }, GKE_INTERNAL],
        ["aws-3k", "an internal NLB on EKS", { internalLoadBalancer: true }, { ...NLB, ...AWS_INTERNAL }],
        ["gcp-3k", "source ranges on GKE", { loadBalancerSourceRanges: ["203.0.113.0/24", "198.51.100.7/32"] },
            { ...GKE_RBS, [SOURCES]: "203.0.113.0/24,198.51.100.7/32" }],
        ["aws-3k", "source ranges on EKS", { loadBalancerSourceRanges: ["203.0.113.0/24"] }, { ...NLB, [SOURCES]: "203.0.113.0/24" }],
        ["aws-3k", "internal with source ranges on EKS", { internalLoadBalancer: true, loadBalancerSourceRanges: ["10.20.0.0/16"] },
            { ...NLB, ...AWS_INTERNAL, [SOURCES]: "10.20.0.0/16" }],
    ])("%s, %s", async (stack, _, changes, expected) => {
        const r = await renderConfig(stack, rawConfig(stack, changes));
        expect(annotationsOf(r)).toEqual(expected);
        // clients' addresses reach coderd, and the health check follows the nodes that run it
        expect((reveal(release(r, "coder").inputs.values) as Obj).coder.service.externalTrafficPolicy).toBe("Local");
    });
});

// ---- an existing network, as the cloud would describe it ----

const GCP_NETWORK = {
    hostProject: "acme-net-host",
    network: "shared-vpc",
    subnetwork: "coder-euw1",
    podRangeName: "coder-pods",
    serviceRangeName: "coder-services",
};

interface GcpSubnet {
    region: string;
    network: string;
    ipCidrRange: string;
    secondaryIpRanges: { rangeName: string; ipCidrRange: string }[];
}

/** The subnetwork GCP_NETWORK names, fit for gcp-3k; `change` alters it. */
function gcpSubnet(change: (s: GcpSubnet) => void = () => undefined): GcpSubnet {
    const s: GcpSubnet = {
        region: "europe-west1",
        network: "https://www.googleapis.com/compute/v1/projects/acme-net-host/global/networks/shared-vpc",
        ipCidrRange: "10.60.0.0/20",
        secondaryIpRanges: [
            { rangeName: "coder-pods", ipCidrRange: "10.64.0.0/14" },
            { rangeName: "coder-services", ipCidrRange: "10.60.16.0/20" },
            { rangeName: "other", ipCidrRange: "10.70.0.0/20" },
        ],
    };
    change(s);
    return s;
}

/** Answers getSubnetwork with `subnet` (or the error it throws); records the arguments. */
function gcpReads(subnet: GcpSubnet | Error = gcpSubnet(), asked: Obj[] = []): CloudReads {
    return {
        [NETWORK_READS.gcpSubnetwork]: (args) => {
            asked.push(args);
            if (subnet instanceof Error) throw subnet;
            return { ...subnet, name: args.name, selfLink: `${subnet.network}/x`, project: args.project };
        },
    };
}

const VPC = "vpc-0a1b2c3d4e5f60718";
const PRIVATE = { a: "subnet-0aaaaaaaaaaaaaaa1", a2: "subnet-0aaaaaaaaaaaaaaa2", b: "subnet-0bbbbbbbbbbbbbbb1", c: "subnet-0ccccccccccccccc1" };
const PUBLIC = { a: "subnet-0aaaaaaaaaaaaaaf1", b: "subnet-0bbbbbbbbbbbbbbf1", c: "subnet-0ccccccccccccccf1" };
const AWS_NETWORK = { vpcId: VPC, privateSubnetIds: [PRIVATE.a, PRIVATE.a2, PRIVATE.b, PRIVATE.c], publicSubnetIds: [PUBLIC.a, PUBLIC.b, PUBLIC.c] };

interface AwsSubnet {
    id: string;
    vpcId: string;
    availabilityZone: string;
    cidrBlock: string;
    availableIpAddressCount: number;
    tags: Record<string, string>;
}

const privateSubnet = (id: string, zone: string, cidrBlock: string, free: number): AwsSubnet =>
    ({ id, vpcId: VPC, availabilityZone: zone, cidrBlock, availableIpAddressCount: free, tags: { "kubernetes.io/role/internal-elb": "1" } });
const publicSubnet = (id: string, zone: string, cidrBlock: string): AwsSubnet =>
    ({ id, vpcId: VPC, availabilityZone: zone, cidrBlock, availableIpAddressCount: 250, tags: { "kubernetes.io/role/elb": "1" } });

/** A VPC fit for aws-3k: us-east-1a has two private subnets; `change` alters the subnets. */
function awsSubnets(change: (s: Record<string, AwsSubnet>) => void = () => undefined): Record<string, AwsSubnet> {
    const s: Record<string, AwsSubnet> = {
        [PRIVATE.a]: privateSubnet(PRIVATE.a, "us-east-1a", "10.50.0.0/19", 8000),
        [PRIVATE.a2]: privateSubnet(PRIVATE.a2, "us-east-1a", "10.50.32.0/19", 8000),
        [PRIVATE.b]: privateSubnet(PRIVATE.b, "us-east-1b", "10.50.64.0/18", 16000),
        [PRIVATE.c]: privateSubnet(PRIVATE.c, "us-east-1c", "10.50.128.0/18", 16000),
        [PUBLIC.a]: publicSubnet(PUBLIC.a, "us-east-1a", "10.50.192.0/24"),
        [PUBLIC.b]: publicSubnet(PUBLIC.b, "us-east-1b", "10.50.193.0/24"),
        [PUBLIC.c]: publicSubnet(PUBLIC.c, "us-east-1c", "10.50.194.0/24"),
    };
    change(s);
    return s;
}

/** Answers getVpc and getSubnet from `subnets`; an unknown ID fails as EC2 does. */
function awsReads(subnets = awsSubnets(), vpcCidrs = ["10.50.0.0/16"], asked: string[] = []): CloudReads {
    return {
        [NETWORK_READS.awsVpc]: (args) => {
            asked.push(String(args.id));
            if (args.id !== VPC) throw new Error(`InvalidVpcID.NotFound: The vpc ID '${String(args.id)}' does not exist`);
            return { id: VPC, cidrBlock: vpcCidrs[0], cidrBlockAssociations: vpcCidrs.map((cidrBlock) => ({ cidrBlock, state: "associated" })) };
        },
        [NETWORK_READS.awsSubnet]: (args) => {
            asked.push(String(args.id));
            const s = subnets[String(args.id)];
            if (!s) throw new Error(`InvalidSubnetID.NotFound: The subnet ID '${String(args.id)}' does not exist`);
            return { ...s };
        },
    };
}

describe("an existing GCP network (a Shared VPC)", () => {
    it("creates no VPC, subnet, router, NAT or peering; GKE and Cloud SQL use the given network and ranges", async () => {
        const asked: Obj[] = [];
        const r = await renderConfig("gcp-3k", rawConfig("gcp-3k", { network: GCP_NETWORK }), [], [], gcpReads(gcpSubnet(), asked));
        expect(asked).toEqual([{ project: "acme-net-host", region: "europe-west1", name: "coder-euw1" }]);
        for (const type of ["network:Network", "subnetwork:Subnetwork", "router:Router", "routerNat:RouterNat", "globalAddress:GlobalAddress"]) {
            expect(ofType(r, `gcp:compute/${type}`), type).toEqual([]);
        }
        expect(ofType(r, "gcp:servicenetworking/connection:Connection")).toEqual([]);
        const c = one(r, "gcp:container/cluster:Cluster").inputs as Obj;
        expect(c.network).toBe("projects/acme-net-host/global/networks/shared-vpc");
        expect(c.subnetwork).toBe("projects/acme-net-host/regions/europe-west1/subnetworks/coder-euw1");
        expect(c.ipAllocationPolicy).toEqual({ clusterSecondaryRangeName: "coder-pods", servicesSecondaryRangeName: "coder-services" });
        const db = one(r, "gcp:sql/databaseInstance:DatabaseInstance");
        expect((db.inputs as Obj).settings.ipConfiguration).toMatchObject({
            ipv4Enabled: false, privateNetwork: "projects/acme-net-host/global/networks/shared-vpc", sslMode: "ENCRYPTED_ONLY",
        });
        expect(db.dependsOn).toEqual([]);
        // workspaces still cannot reach the database: its own address stands for the host's range
        const ws = ofType(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => JSON.stringify(p.inputs)).filter((p) => p.includes("except"));
        expect(ws.some((p) => p.includes("10.20.0.3/32"))).toBe(true);
        expect(r.warnings.join("\n")).not.toContain("not inspected");
    });

    it("defaults the host project to gcp:project", async () => {
        const asked: Obj[] = [];
        const { hostProject: _, ...own } = GCP_NETWORK;
        const r = await renderConfig("gcp-3k", rawConfig("gcp-3k", { network: own }), [], [],
            gcpReads(gcpSubnet((s) => { s.network = "projects/acme-coder-prod/global/networks/shared-vpc"; }), asked));
        expect(asked[0]).toMatchObject({ project: r.settings.gcpProject });
        expect((one(r, "gcp:container/cluster:Cluster").inputs as Obj).network).toBe(`projects/${r.settings.gcpProject}/global/networks/shared-vpc`);
    });
});

describe("an existing AWS network", () => {
    it("creates no VPC, subnets, NAT or endpoints; EKS, node groups and RDS use the given subnets, each zone's group its own", async () => {
        const r = await renderConfig("aws-3k", rawConfig("aws-3k", { network: AWS_NETWORK }), [], [], awsReads());
        for (const type of ["vpc:Vpc", "subnet:Subnet", "natGateway:NatGateway", "internetGateway:InternetGateway", "vpcEndpoint:VpcEndpoint",
            "flowLog:FlowLog", "eip:Eip", "routeTable:RouteTable", "defaultSecurityGroup:DefaultSecurityGroup"]) {
            expect(ofType(r, `aws:ec2/${type}`), type).toEqual([]);
        }
        expect(ofType(r, "aws:cloudwatch/logGroup:LogGroup").map((g) => g.name)).not.toContain("coder-aws-net-flow-logs");
        const privateIds = AWS_NETWORK.privateSubnetIds;
        expect((one(r, "aws:eks/cluster:Cluster").inputs as Obj).vpcConfig.subnetIds).toEqual(privateIds);
        expect((one(r, "aws:rds/subnetGroup:SubnetGroup").inputs as Obj).subnetIds).toEqual(privateIds);
        expect((one(r, "aws:ec2/securityGroup:SecurityGroup").inputs as Obj).vpcId).toBe(VPC);
        const groups = ofType(r, "aws:eks/nodeGroup:NodeGroup");
        const subnetsOf = (name: string) => (groups.find((g) => g.name === name)!.inputs as Obj).subnetIds;
        for (const pool of ["system", "coderd", "provisioners"]) expect(subnetsOf(`coder-aws-eks-${pool}`), pool).toEqual(privateIds);
        expect(subnetsOf("coder-aws-eks-workspaces-us-east-1a")).toEqual([PRIVATE.a, PRIVATE.a2]);
        expect(subnetsOf("coder-aws-eks-workspaces-us-east-1b")).toEqual([PRIVATE.b]);
        expect(subnetsOf("coder-aws-eks-workspaces-us-east-1c")).toEqual([PRIVATE.c]);
        // workspaces cannot reach the private subnets (database, control plane, nodes)
        const except = ofType(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => JSON.stringify(p.inputs)).find((p) => p.includes("except"))!;
        for (const cidr of ["10.50.0.0/19", "10.50.32.0/19", "10.50.64.0/18", "10.50.128.0/18"]) expect(except).toContain(cidr);
        // the load balancer takes the given public subnets, not whatever the VPC has
        expect(annotationsOf(r)["service.beta.kubernetes.io/aws-load-balancer-subnets"]).toBe(AWS_NETWORK.publicSubnetIds.join(","));
    });

    it("accepts subnets without the load-balancer role tags: the subnets are named", async () => {
        const untagged = awsReads(awsSubnets((subnets) => { for (const sn of Object.values(subnets)) sn.tags = {}; }));
        const r = await renderConfig("aws-3k", rawConfig("aws-3k", { network: AWS_NETWORK }), [], [], untagged);
        expect(r.resources.length).toBeGreaterThan(30);
    });

    it("with an internal load balancer needs no public subnets", async () => {
        const { publicSubnetIds: _, ...privateOnly } = AWS_NETWORK;
        const r = await renderConfig("aws-3k", rawConfig("aws-3k", { network: privateOnly, internalLoadBalancer: true }), [], [], awsReads());
        expect(annotationsOf(r)["service.beta.kubernetes.io/aws-load-balancer-internal"]).toBe("true");
        expect(annotationsOf(r)["service.beta.kubernetes.io/aws-load-balancer-subnets"]).toBe(privateOnly.privateSubnetIds.join(","));
    });
});

/** Renders a config expected to fail; its problems, what was registered and what was read. */
async function failing(stack: string, changes: Record<string, unknown>, reads: CloudReads) {
    const registered: string[] = [];
    const asked: string[] = [];
    const counted = Object.fromEntries(Object.entries(reads).map(([token, f]) => [token, (a: Record<string, unknown>) => {
        asked.push(token);
        return f(a);
    }]));
    try {
        await renderConfig(stack, rawConfig(stack, changes), [], registered, counted);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return { problems: e.problems, registered, asked };
    }
    throw new Error("the config was accepted");
}

describe("an existing network is checked before anything is registered", () => {
    const gcp = (change: (s: GcpSubnet) => void) => gcpReads(gcpSubnet(change));
    const withRanges = (pods: string, services: string) => (s: GcpSubnet) => {
        s.secondaryIpRanges = [{ rangeName: "coder-pods", ipCidrRange: pods }, { rangeName: "coder-services", ipCidrRange: services }];
    };
    const gcpCases: [string, Record<string, unknown>, CloudReads, RegExp][] = [
        ["pod range missing", {}, gcp((s) => { s.secondaryIpRanges = s.secondaryIpRanges.filter((x) => x.rangeName !== "coder-pods"); }),
            /^coder-refarch:network\.podRangeName: subnetwork 'coder-euw1' has no secondary range 'coder-pods' \(it has: coder-services, other\); add it/],
        ["pod range too small", {}, gcp(withRanges("10.64.0.0/18", "10.60.16.0/20")),
            /^coder-refarch:network\.podRangeName: range 'coder-pods' \(10\.64\.0\.0\/18\) has 16384 addresses; the pools at their maximum \(GKE gives each node 2 x max pods, rounded up to a power of two\) need \d+: enlarge it/],
        ["service range too small", {}, gcp(withRanges("10.64.0.0/14", "10.60.16.0/24")),
            new RegExp(`^coder-refarch:network\\.serviceRangeName: range 'coder-services' \\(10\\.60\\.16\\.0/24\\) has 256 addresses; the cluster's Services need ${MIN_SERVICE_ADDRESSES}`)],
        ["primary range too small for the nodes", {}, gcp((s) => { s.ipCidrRange = "10.60.0.0/24"; }),
            /^coder-refarch:network\.subnetwork: 'coder-euw1' \(10\.60\.0\.0\/24\) holds 252 addresses; the nodes at the pools' maximum and upgrade surges need \d+/],
        ["subnetwork in another region", {}, gcp((s) => { s.region = "https://www.googleapis.com/compute/v1/projects/acme-net-host/regions/us-east1"; }),
            /^coder-refarch:network\.subnetwork: 'coder-euw1' is in region us-east1, not the stack's coder-refarch:region europe-west1/],
        ["subnetwork of another network", {}, gcp((s) => { s.network = "projects/acme-net-host/global/networks/legacy"; }),
            /^coder-refarch:network\.subnetwork: 'coder-euw1' belongs to network 'legacy', not coder-refarch:network\.network 'shared-vpc'/],
        ["subnetwork not found", {}, gcpReads(new Error("googleapi: Error 404: The resource 'coder-euw1' was not found, notFound")),
            /^coder-refarch:network\.subnetwork: cannot read subnetwork 'coder-euw1' in region europe-west1 of project acme-net-host: .*404/],
        ["control plane range inside the network", { controlPlaneCidr: "10.60.15.240/28" }, gcpReads(),
            /^coder-refarch:controlPlaneCidr: 10\.60\.15\.240\/28 overlaps 10\.60\.0\.0\/20 of subnetwork 'coder-euw1'/],
    ];
    it.each(gcpCases)("GCP: %s", async (_, changes, reads, expected) => {
        const { problems, registered } = await failing("gcp-3k", { network: GCP_NETWORK, ...changes }, reads);
        expect(problems).toEqual([expect.stringMatching(expected)]);
        expect(registered).toEqual([]);
    });

    const aws = (change: (s: Record<string, AwsSubnet>) => void) => awsReads(awsSubnets(change));
    const awsCases: [string, Record<string, unknown>, CloudReads, RegExp][] = [
        ["private subnets not covering a zone", {}, aws((s) => { s[PRIVATE.c]!.availabilityZone = "us-east-1b"; }),
            /^coder-refarch:network\.privateSubnetIds: no private subnet in us-east-1c \(given: us-east-1a, us-east-1b\); give one in each of coder-refarch:zones/],
        ["public subnets not covering a zone", {}, aws((s) => { s[PUBLIC.c]!.availabilityZone = "us-east-1a"; }),
            /^coder-refarch:network\.publicSubnetIds: no public subnet in us-east-1c/],
        ["a subnet of another VPC", {}, aws((s) => { s[PUBLIC.b]!.vpcId = "vpc-0fedcba9876543210"; }),
            new RegExp(`^coder-refarch:network\\.publicSubnetIds: ${PUBLIC.b} is in vpc-0fedcba9876543210, not in coder-refarch:network\\.vpcId ${VPC}`)],
        ["too few free addresses in a zone", {}, aws((s) => { s[PRIVATE.c]!.availableIpAddressCount = 4000; }),
            new RegExp(`^coder-refarch:network\\.privateSubnetIds: the private subnets in us-east-1c \\(${PRIVATE.c}\\) have 4000 free addresses; the nodes and their pods' /28 prefixes at the pools' maximum need \\d+ there`)],
        ["the Service range overlapping the VPC", {}, awsReads(awsSubnets(), ["10.50.0.0/16", "10.10.0.0/16"]),
            new RegExp(`^coder-refarch:serviceCidr: 10\\.10\\.16\\.0/20 overlaps 10\\.10\\.0\\.0/16 of coder-refarch:network\\.vpcId ${VPC}; EKS requires disjoint ranges`)],
        ["a subnet that does not exist", {}, aws((s) => { delete s[PRIVATE.a2]; }),
            new RegExp(`^coder-refarch:network\\.privateSubnetIds: cannot read ${PRIVATE.a2} in us-east-1: .*InvalidSubnetID\\.NotFound`)],
    ];
    it.each(awsCases)("AWS: %s", async (_, changes, reads, expected) => {
        const { problems, registered } = await failing("aws-3k", { network: AWS_NETWORK, ...changes }, reads);
        expect(problems).toEqual([expect.stringMatching(expected)]);
        expect(registered).toEqual([]);
    });

    it("names every problem of the network at once", async () => {
        const reads = aws((s) => {
            s[PRIVATE.c]!.availabilityZone = "us-east-1b";
            s[PUBLIC.c]!.availabilityZone = "us-east-1a";
            s[PUBLIC.b]!.vpcId = "vpc-0fedcba9876543210";
        });
        const { problems, registered } = await failing("aws-3k", { network: AWS_NETWORK }, reads);
        expect(problems.map((p) => p.split(":")[1]!.split(" ")[0])).toEqual([
            `network.publicSubnetIds`, `network.privateSubnetIds`, `network.publicSubnetIds`,
        ]);
        expect(registered).toEqual([]);
    });

    const staticCases: [string, string, Record<string, unknown>, RegExp[]][] = [
        ["an AWS key on a GCP stack", "gcp-3k", { network: { ...GCP_NETWORK, vpcId: VPC } },
            [/^coder-refarch:network\.vpcId: a key of an existing aws network; on a gcp stack coder-refarch:network takes network, subnetwork, podRangeName, serviceRangeName, hostProject$/]],
        ["GCP keys on an AWS stack", "aws-3k", { network: { ...AWS_NETWORK, podRangeName: "pods" } },
            [/^coder-refarch:network\.podRangeName: a key of an existing gcp network; on a aws stack coder-refarch:network takes vpcId, privateSubnetIds, publicSubnetIds$/]],
        ["a GCP network without its pod range", "gcp-3k", { network: { network: "shared-vpc", subnetwork: "coder-euw1", serviceRangeName: "svc" } },
            [/^coder-refarch:network\.podRangeName: missing; an existing gcp network takes network, subnetwork, podRangeName, serviceRangeName, or leave coder-refarch:network empty to create one$/]],
        ["a host project alone", "gcp-3k", { network: { hostProject: "acme-net-host" } },
            ["network", "subnetwork", "podRangeName", "serviceRangeName"].map((key) => new RegExp(`^coder-refarch:network\\.${key}: missing`))],
        ["one range for pods and Services", "gcp-3k", { network: { ...GCP_NETWORK, serviceRangeName: "coder-pods" } },
            [/^coder-refarch:network\.serviceRangeName: 'coder-pods' is also podRangeName/]],
        ["a VPC alone", "aws-3k", { network: { vpcId: VPC } },
            [/^coder-refarch:network\.privateSubnetIds: missing/, /^coder-refarch:network\.publicSubnetIds: missing; .*\(the internet-facing load balancer's; none with internalLoadBalancer: true\)/]],
        ["fewer private subnets than zones", "aws-3k", { network: { ...AWS_NETWORK, privateSubnetIds: [PRIVATE.a, PRIVATE.b] } },
            [/^coder-refarch:network\.privateSubnetIds: 2 subnets for 3 zones; give at least one in each of coder-refarch:zones \(us-east-1a, us-east-1b, us-east-1c\)/]],
        ["a subnet both private and public", "aws-3k", { network: { ...AWS_NETWORK, publicSubnetIds: [PUBLIC.a, PUBLIC.b, PRIVATE.c] } },
            [new RegExp(`^coder-refarch:network\\.publicSubnetIds: ${PRIVATE.c} is listed in privateSubnetIds too`)]],
    ];
    it.each(staticCases)("config: %s (nothing read)", async (_, stack, changes, expected) => {
        const reads = stack === "gcp-3k" ? gcpReads() : awsReads();
        const { problems, registered, asked } = await failing(stack, changes, reads);
        expect(problems).toEqual(expected.map((e) => expect.stringMatching(e)));
        expect(registered).toEqual([]);
        expect(asked).toEqual([]);
    });
});

describe("offline, without answers from the cloud", () => {
    it.each([
        ["gcp-3k", GCP_NETWORK],
        ["aws-3k", AWS_NETWORK],
    ])("%s renders and warns that the network was not inspected", async (stack, network) => {
        const r = await renderConfig(stack, rawConfig(stack, { network }));
        expect(r.warnings).toContainEqual(expect.stringMatching(new RegExp(`^${NOT_INSPECTED.replace(/[.:]/g, "\\$&")}`)));
        expect(NOT_INSPECTED).toBe("coder-refarch:network: not inspected offline; pulumi preview reads it from the cloud");
        expect(ofType(r, "kubernetes:helm.sh/v3:Release").length).toBeGreaterThan(0);
    });

    it("takes the private subnets in the order of the zones until the cloud says", async () => {
        const network = { ...AWS_NETWORK, privateSubnetIds: [PRIVATE.a, PRIVATE.b, PRIVATE.c] };
        const r = await renderConfig("aws-3k", rawConfig("aws-3k", { network }));
        const groups = ofType(r, "aws:eks/nodeGroup:NodeGroup").filter((g) => g.name.startsWith("coder-aws-eks-workspaces-"));
        expect(Object.fromEntries(groups.map((g) => [g.name.split("-").slice(-3).join("-"), (g.inputs as Obj).subnetIds])))
            .toEqual({ "us-east-1a": [PRIVATE.a], "us-east-1b": [PRIVATE.b], "us-east-1c": [PRIVATE.c] });
    });

    it("a stack without an existing network reads nothing and warns of nothing", async () => {
        const r = await renderConfig("aws-3k", rawConfig("aws-3k"));
        expect(r.warnings.join("\n")).not.toContain("coder-refarch:network");
    });
});
