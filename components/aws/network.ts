import * as pulumi from "@pulumi/pulumi";
import { LogGroup } from "@pulumi/aws/cloudwatch/logGroup";
import { DefaultSecurityGroup } from "@pulumi/aws/ec2/defaultSecurityGroup";
import { Eip } from "@pulumi/aws/ec2/eip";
import { FlowLog } from "@pulumi/aws/ec2/flowLog";
import { InternetGateway } from "@pulumi/aws/ec2/internetGateway";
import { NatGateway } from "@pulumi/aws/ec2/natGateway";
import { Route } from "@pulumi/aws/ec2/route";
import { RouteTable } from "@pulumi/aws/ec2/routeTable";
import { RouteTableAssociation } from "@pulumi/aws/ec2/routeTableAssociation";
import { Subnet } from "@pulumi/aws/ec2/subnet";
import { Vpc } from "@pulumi/aws/ec2/vpc";
import { VpcEndpoint } from "@pulumi/aws/ec2/vpcEndpoint";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import { cidrRange } from "../../config";
import { serviceTrustPolicy } from "./irsa";
import { regionalName } from "./names";

export interface AwsNetworkArgs {
    region: string;
    zones: string[];
    vpcCidr: string;
    /** EKS cluster name: subnets carry its discovery tag */
    clusterName: string;
    tags: Record<string, string>;
    /** the flow-log role's physical name prefix (IAM is global; names.ts); absent: auto-named */
    namePrefix?: string;
}

export interface SubnetLayout {
    zone: string;
    private: string;
    public: string;
}

const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

/** The `index`-th of the 2^`bits` equal parts of `cidr`. */
export function cidrSubnet(cidr: string, bits: number, index: number): string {
    const { first, size } = cidrRange(cidr);
    const prefix = 32 - Math.log2(size) + bits;
    if (index >= 2 ** bits || prefix > 28) throw new Error(`${cidr} has no part ${index} of ${2 ** bits}`);
    return `${toIp(first + index * (size / 2 ** bits))}/${prefix}`;
}

/**
 * Splits the VPC range over the zones: with up to 3 zones each zone gets a quarter as
 * its private subnet (a /18 of a /16) and the last quarter is cut into small public
 * subnets; with 4 zones the parts are eighths. Private subnets hold nodes, pods (the
 * VPC CNI gives pods VPC addresses) and the database; public ones only the NAT
 * gateways and the internet-facing load balancer.
 */
export function subnetLayout(vpcCidr: string, zones: string[]): SubnetLayout[] {
    const bits = zones.length <= 3 ? 2 : 3;
    const last = cidrSubnet(vpcCidr, bits, 2 ** bits - 1);
    return zones.map((zone, i) => ({ zone, private: cidrSubnet(vpcCidr, bits, i), public: cidrSubnet(last, 2, i) }));
}

/** Addresses a subnet offers (AWS keeps 5 of each). */
export const usableAddresses = (cidr: string) => cidrRange(cidr).size - 5;

/** The VPC CNI's unit of pod addresses with prefix delegation: a /28. */
const PREFIX_ADDRESSES = 16;
/** Network interfaces a node may attach (m5.2xlarge: 4); each takes a primary address of its own. */
const INTERFACES_A_NODE = 4;

/**
 * Private addresses one node takes at most with prefix delegation: its max pods in whole
 * /28 prefixes, one warm prefix (WARM_PREFIX_TARGET=1) and a primary address for each
 * network interface. The 3k tier at its maximum: about 23,000 addresses.
 */
export function addressesPerNode(maxPods: number): number {
    return Math.ceil(maxPods / PREFIX_ADDRESSES) * PREFIX_ADDRESSES + PREFIX_ADDRESSES + INTERFACES_A_NODE;
}

/**
 * Addresses each zone's private subnets keep for others than the nodes: EKS asks for at
 * least 6 and recommends 16 free for the control plane's network interfaces, and the
 * database's instance takes one.
 */
export const ZONE_RESERVED_ADDRESSES = 16;

/**
 * A VPC over the stack's zones: per zone a private subnet (nodes, pods, database) and
 * a public one (load balancers, NAT), a NAT gateway per zone so a zone outage does not
 * cut the others off, an S3 gateway endpoint (image layers from ECR come from S3), a
 * default security group that admits nothing, and flow logs of rejected traffic.
 */
export class AwsNetwork extends pulumi.ComponentResource {
    public readonly vpc: Vpc;
    public readonly privateSubnets: Subnet[];
    public readonly publicSubnets: Subnet[];
    public readonly layout: SubnetLayout[];

    constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:aws:Network", name, {}, opts);
        const parent = { parent: this };
        const tags = (extra: Record<string, string> = {}) => ({ ...args.tags, ...extra });
        const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" };
        this.layout = subnetLayout(args.vpcCidr, args.zones);

        this.vpc = new Vpc(`${name}-vpc`, {
            cidrBlock: args.vpcCidr,
            enableDnsHostnames: true,
            enableDnsSupport: true,
            tags: tags({ Name: args.clusterName }),
        }, parent);

        // The VPC's default security group: nothing in, nothing out.
        new DefaultSecurityGroup(`${name}-default-sg`, { vpcId: this.vpc.id, tags: tags() }, parent);

        const igw = new InternetGateway(`${name}-igw`, { vpcId: this.vpc.id, tags: tags({ Name: args.clusterName }) }, parent);

        const publicRoutes = new RouteTable(`${name}-public`, { vpcId: this.vpc.id, tags: tags({ Name: `${args.clusterName}-public` }) }, parent);
        new Route(`${name}-public-default`, { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, parent);

        this.publicSubnets = [];
        this.privateSubnets = [];
        const privateRouteTables: RouteTable[] = [];
        for (const l of this.layout) {
            const pub = new Subnet(`${name}-public-${l.zone}`, {
                vpcId: this.vpc.id,
                availabilityZone: l.zone,
                cidrBlock: l.public,
                mapPublicIpOnLaunch: false,
                tags: tags({ Name: `${args.clusterName}-public-${l.zone}`, "kubernetes.io/role/elb": "1", ...clusterTag }),
            }, parent);
            new RouteTableAssociation(`${name}-public-${l.zone}`, { subnetId: pub.id, routeTableId: publicRoutes.id }, parent);
            this.publicSubnets.push(pub);

            const eip = new Eip(`${name}-nat-${l.zone}`, { domain: "vpc", tags: tags({ Name: `${args.clusterName}-nat-${l.zone}` }) }, parent);
            const nat = new NatGateway(`${name}-nat-${l.zone}`, {
                subnetId: pub.id,
                allocationId: eip.id,
                connectivityType: "public",
                tags: tags({ Name: `${args.clusterName}-${l.zone}` }),
            }, { parent: this, dependsOn: [igw] });

            const priv = new Subnet(`${name}-private-${l.zone}`, {
                vpcId: this.vpc.id,
                availabilityZone: l.zone,
                cidrBlock: l.private,
                tags: tags({ Name: `${args.clusterName}-private-${l.zone}`, "kubernetes.io/role/internal-elb": "1", ...clusterTag }),
            }, parent);
            const routes = new RouteTable(`${name}-private-${l.zone}`, {
                vpcId: this.vpc.id,
                tags: tags({ Name: `${args.clusterName}-private-${l.zone}` }),
            }, parent);
            new Route(`${name}-private-${l.zone}-default`, { routeTableId: routes.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id }, parent);
            new RouteTableAssociation(`${name}-private-${l.zone}`, { subnetId: priv.id, routeTableId: routes.id }, parent);
            this.privateSubnets.push(priv);
            privateRouteTables.push(routes);
        }

        new VpcEndpoint(`${name}-s3`, {
            vpcId: this.vpc.id,
            serviceName: `com.amazonaws.${args.region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: privateRouteTables.map((t) => t.id),
            tags: tags({ Name: `${args.clusterName}-s3` }),
        }, parent);

        // Flow logs of rejected traffic: what a security review asks for, at a fraction
        // of the cost of logging every flow of 250+ nodes.
        const flowLogGroup = new LogGroup(`${name}-flow-logs`, {
            name: `/aws/vpc/${args.clusterName}/flow-logs`,
            retentionInDays: 90,
            tags: tags(),
        }, parent);
        const flowLogRole = new Role(`${name}-flow-logs`, {
            ...(args.namePrefix ? { name: regionalName(args.namePrefix, "flow-logs") } : {}),
            assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com"),
            tags: tags(),
        }, parent);
        new RolePolicy(`${name}-flow-logs`, {
            role: flowLogRole.id,
            policy: flowLogGroup.arn.apply((arn) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    Resource: [arn, `${arn}:*`],
                }],
            })),
        }, parent);
        new FlowLog(`${name}-flow-logs`, {
            vpcId: this.vpc.id,
            trafficType: "REJECT",
            logDestinationType: "cloud-watch-logs",
            logDestination: flowLogGroup.arn,
            iamRoleArn: flowLogRole.arn,
            maxAggregationInterval: 600,
            tags: tags(),
        }, parent);

        this.registerOutputs({ vpc: this.vpc.id });
    }
}
