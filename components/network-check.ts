/**
 * An existing network (`coder-refarch:network`) instead of one the program creates: what
 * the config must say (static, pure), and whether the cloud's network fits the plan (read
 * with the providers' invoke functions before any resource is registered).
 *
 * GCP: a VPC (a Shared VPC host project's, or the stack's own) and a subnetwork of the
 * stack's region with secondary ranges for pods and Services. The program creates no
 * VPC, subnet, router, NAT or private services access, and expects:
 *   - egress for the private nodes (Cloud NAT or a proxy route) to pull images and reach git;
 *   - private services access on the VPC (an allocated range peered with
 *     servicenetworking.googleapis.com; in a Shared VPC the host project owns it), so
 *     Cloud SQL gets its private IP there;
 *   - in a Shared VPC, the service project's GKE service agent
 *     (service-<number>@container-engine-robot.iam.gserviceaccount.com) with
 *     roles/container.hostServiceAgentUser on the host project and, with the Google APIs
 *     service agent (<number>@cloudservices.gserviceaccount.com), roles/compute.networkUser
 *     on the subnetwork; and firewall rights in the host project for the load balancer's
 *     and health checks' rules (roles/compute.securityAdmin for the GKE service agent, or
 *     the host's administrators create them). The program grants nothing in the host project.
 *
 * AWS: a VPC with private subnets (nodes, pods, control-plane interfaces, database) and
 * public ones (the internet-facing load balancer) in the stack's zones. The program
 * creates no VPC, subnet, NAT gateway, endpoint or flow log, and expects egress from the
 * private subnets (NAT or a firewall), DNS support and hostnames on in the VPC, and the
 * load-balancer role tags on the subnets (checked here).
 */
import { getInstanceTypeOfferings, type GetInstanceTypeOfferingsResult } from "@pulumi/aws/ec2/getInstanceTypeOfferings";
import { getSubnet, type GetSubnetResult } from "@pulumi/aws/ec2/getSubnet";
import { getVpc, type GetVpcResult } from "@pulumi/aws/ec2/getVpc";
import { getServiceQuota, type GetServiceQuotaResult } from "@pulumi/aws/servicequotas/getServiceQuota";
import { getSQuotaInfos, type GetSQuotaInfosResult } from "@pulumi/gcp/cloudquota/getSQuotaInfos";
import { getMachineTypes, type GetMachineTypesResult } from "@pulumi/gcp/compute/getMachineTypes";
import { getSubnetwork, type GetSubnetworkResult } from "@pulumi/gcp/compute/getSubnetwork";
import { getAvailabilityZones, GetAvailabilityZonesResult } from "@pulumi/aws/getAvailabilityZones";
import { PROJECT, Settings, cidrRange } from "../config";
import { Plan, nodeAddressesNeeded, podAddressesNeeded } from "../sizing";
import { MIN_SERVICE_ADDRESSES } from "../tiers";
import { ZONE_RESERVED_ADDRESSES, addressesPerNode } from "./aws/network";

const k = (key: string) => `${PROJECT}:${key}`;

// ---- reading the cloud ----

/** The invoke tokens the checks read through (the offline preview answers them by token). */
export const NETWORK_READS = {
    gcpSubnetwork: "gcp:compute/getSubnetwork:getSubnetwork",
    awsVpc: "aws:ec2/getVpc:getVpc",
    awsSubnet: "aws:ec2/getSubnet:getSubnet",
    // pre-flight (components/preflight.ts)
    awsZones: "aws:index/getAvailabilityZones:getAvailabilityZones",
    awsQuota: "aws:servicequotas/getServiceQuota:getServiceQuota",
    awsOfferings: "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings",
    gcpMachineTypes: "gcp:compute/getMachineTypes:getMachineTypes",
    gcpQuotas: "gcp:cloudquota/getSQuotaInfos:getSQuotaInfos",
} as const;

/**
 * What the checks read. Each read is the provider's answer, a rejection when the cloud
 * says no (not found, no rights), or undefined when the cloud cannot be asked at all
 * (the offline preview): then the checks are skipped with a warning.
 */
export interface NetworkReader {
    gcpSubnetwork(a: { project: string; region: string; name: string }): Promise<GetSubnetworkResult | undefined>;
    awsVpc(id: string): Promise<GetVpcResult | undefined>;
    awsSubnet(id: string): Promise<GetSubnetResult | undefined>;
    /** the region's available zones: names and the account's zone IDs, in the same order */
    awsZones(region: string): Promise<GetAvailabilityZonesResult | undefined>;
    awsQuota(quotaCode: string, region: string): Promise<GetServiceQuotaResult | undefined>;
    /** which of these instance types each of these zones offers */
    awsOfferings(types: string[], zones: string[], region: string): Promise<GetInstanceTypeOfferingsResult | undefined>;
    /** which of these machine types the zone offers */
    gcpMachineTypes(project: string, zone: string, names: string[]): Promise<GetMachineTypesResult | undefined>;
    /** the project's Compute Engine quotas (Cloud Quotas API) */
    gcpQuotas(project: string): Promise<GetSQuotaInfosResult | undefined>;
}

/**
 * Reads through the providers' invoke functions (under `pulumi preview`/`up` the
 * engine asks the cloud). `answers(token)` says whether a read can be answered; the
 * offline preview passes the tokens its mocks know.
 */
export function cloudReader(answers: (token: string) => boolean = () => true): NetworkReader {
    const read = <T>(token: string, invoke: () => Promise<T>): Promise<T | undefined> =>
        answers(token) ? invoke() : Promise.resolve(undefined);
    return {
        gcpSubnetwork: (a) => read(NETWORK_READS.gcpSubnetwork, () => getSubnetwork(a)),
        awsVpc: (id) => read(NETWORK_READS.awsVpc, () => getVpc({ id })),
        awsSubnet: (id) => read(NETWORK_READS.awsSubnet, () => getSubnet({ id })),
        // pulumi-aws 7 reads in any region through the default provider (each invoke's `region`)
        awsZones: (region) => read(NETWORK_READS.awsZones, () => getAvailabilityZones({ state: "available", region })),
        awsQuota: (quotaCode, region) => read(NETWORK_READS.awsQuota, () => getServiceQuota({ serviceCode: "ec2", quotaCode, region })),
        awsOfferings: (types, zones, region) => read(NETWORK_READS.awsOfferings, () => getInstanceTypeOfferings({
            region,
            locationType: "availability-zone",
            filters: [{ name: "instance-type", values: types }, { name: "location", values: zones }],
        })),
        gcpMachineTypes: (project, zone, names) => read(NETWORK_READS.gcpMachineTypes, () => getMachineTypes({
            project, zone, filter: names.map((n) => `(name = "${n}")`).join(" OR "),
        })),
        gcpQuotas: (project) => read(NETWORK_READS.gcpQuotas, () => getSQuotaInfos({ parent: `projects/${project}`, service: "compute.googleapis.com" })),
    };
}

/** The warning when the network could not be read (offline). */
export const NOT_INSPECTED = `${k("network")}: not inspected offline; pulumi preview reads it from the cloud`;

// ---- what the config says ----

type NetworkKey = keyof Settings["network"];
const GCP_REQUIRED: readonly NetworkKey[] = ["network", "subnetwork", "podRangeName", "serviceRangeName"];
const GCP_KEYS: readonly NetworkKey[] = [...GCP_REQUIRED, "hostProject"];
const AWS_KEYS: readonly NetworkKey[] = ["vpcId", "privateSubnetIds", "publicSubnetIds"];

/** Whether the stack deploys into an existing network (an empty `network` creates one). */
export function usesExistingNetwork(s: Pick<Settings, "network">): boolean {
    return Object.values(s.network).some((v) => v !== undefined);
}

/**
 * Static checks of `coder-refarch:network`, before anything is read: only the stack's
 * cloud's keys, all of those it needs, no subnet twice. Pure; [] for an empty network.
 */
export function networkConfigProblems(s: Pick<Settings, "cloud" | "network" | "zones" | "internalLoadBalancer">): string[] {
    if (!usesExistingNetwork(s)) return [];
    if (s.cloud !== "gcp" && s.cloud !== "aws") return [];
    const n = s.network;
    const problems: string[] = [];
    const own = s.cloud === "gcp" ? GCP_KEYS : AWS_KEYS;
    const other = s.cloud === "gcp" ? "aws" : "gcp";
    for (const key of s.cloud === "gcp" ? AWS_KEYS : GCP_KEYS) {
        if (n[key] !== undefined) {
            problems.push(`${k(`network.${key}`)}: a key of an existing ${other} network; on a ${s.cloud} stack ${k("network")} takes ` +
                `${own.join(", ")}`);
        }
    }
    if (!own.some((key) => n[key] !== undefined)) return problems;

    const required = s.cloud === "gcp" ? GCP_REQUIRED
        : (["vpcId", "privateSubnetIds", ...(s.internalLoadBalancer ? [] : ["publicSubnetIds"])] as NetworkKey[]);
    const missing = required.filter((key) => n[key] === undefined);
    for (const key of missing) {
        const why = key === "publicSubnetIds" ? " (the internet-facing load balancer's; none with internalLoadBalancer: true)" : "";
        problems.push(`${k(`network.${key}`)}: missing; an existing ${s.cloud} network takes ${required.join(", ")}${why}, ` +
            `or leave ${k("network")} empty to create one`);
    }

    if (s.cloud === "gcp") {
        if (n.podRangeName !== undefined && n.podRangeName === n.serviceRangeName) {
            problems.push(`${k("network.serviceRangeName")}: '${n.serviceRangeName}' is also podRangeName; pods and Services need a secondary range each`);
        }
        return problems;
    }

    const lists = [["privateSubnetIds", n.privateSubnetIds], ["publicSubnetIds", n.publicSubnetIds]] as const;
    const seen = new Map<string, string>();
    for (const [key, ids] of lists) {
        if (!ids) continue;
        if (ids.length < s.zones.length && (key === "privateSubnetIds" || !s.internalLoadBalancer)) {
            problems.push(`${k(`network.${key}`)}: ${ids.length} subnet${ids.length === 1 ? "" : "s"} for ${s.zones.length} zones; ` +
                `give at least one in each of ${k("zones")} (${s.zones.join(", ")})`);
        }
        for (const id of ids) {
            const where = seen.get(id);
            if (where) problems.push(`${k(`network.${key}`)}: ${id} is listed ${where === key ? "twice" : `in ${where} too`}; a subnet is private or public, once`);
            else seen.set(id, key);
        }
    }
    return problems;
}

// ---- what the program deploys into ----

/** GCP: the (Shared) VPC the cluster and the database use, as links the APIs take. */
export interface GcpNetworkRef {
    hostProject: string;
    /** projects/<host>/global/networks/<name>: GKE's network and Cloud SQL's private network */
    networkLink: string;
    /** projects/<host>/regions/<region>/subnetworks/<name> */
    subnetworkLink: string;
    podRangeName: string;
    serviceRangeName: string;
}

/** AWS: the VPC and its subnets. */
export interface AwsNetworkRef {
    vpcId: string;
    /** the cluster's network interfaces and the database's subnet group */
    privateSubnetIds: string[];
    /** per zone of the stack, its private subnets: the node groups' */
    zoneSubnets: { zone: string; ids: string[] }[];
    /** ranges of the private subnets, which workspaces must not reach; empty when not inspected */
    privateCidrs: string[];
}

/** The existing network a stack deploys into, on its cloud; empty = the program creates one. */
export interface NetworkRefs {
    gcp?: GcpNetworkRef;
    aws?: AwsNetworkRef;
}

export interface NetworkInspection extends NetworkRefs {
    /** what does not fit, one message a key */
    problems: string[];
    /** warnings (the network could not be read) */
    notes: string[];
}

/**
 * Reads the existing network and checks it against the plan. Call only with a config
 * networkConfigProblems accepts. Never throws for what the cloud answers: every
 * problem is returned at once.
 */
export async function inspectNetwork(s: Settings, plan: Plan, reader: NetworkReader): Promise<NetworkInspection> {
    if (!usesExistingNetwork(s)) return { problems: [], notes: [] };
    return s.cloud === "gcp" ? inspectGcp(s, plan, reader) : inspectAws(s, plan, reader);
}

/** A read of the cloud: its answer, the cloud's refusal, or none (offline). */
export type Read<T> = { value: T } | { error: string } | { offline: true };

export async function settle<T>(p: Promise<T | undefined>): Promise<Read<T>> {
    try {
        const value = await p;
        return value === undefined ? { offline: true } : { value };
    } catch (e) {
        // Providers answer with several lines ("1 error occurred:\n\t* InvalidSubnetID.NotFound ..."): keep them all.
        return { error: (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim() };
    }
}

const lastSegment = (link: string) => link.split("/").pop() ?? link;
const overlaps = (a: string, b: string) => {
    const x = cidrRange(a);
    const y = cidrRange(b);
    return x.first <= y.last && y.first <= x.last;
};
const pools = (plan: Plan) => Object.values(plan.pools);
const sizingHint = `lower ${k("sizing.pools")}.<pool>.nodes or maxPodsPerNode`;


/** GCP keeps 4 addresses of a subnetwork's primary range. */
const GCP_RESERVED = 4;

async function inspectGcp(s: Settings, plan: Plan, reader: NetworkReader): Promise<NetworkInspection> {
    const n = s.network;
    const host = n.hostProject ?? s.gcpProject ?? "";
    const name = n.subnetwork!;
    const ref: GcpNetworkRef = {
        hostProject: host,
        networkLink: `projects/${host}/global/networks/${n.network!}`,
        subnetworkLink: `projects/${host}/regions/${s.region}/subnetworks/${name}`,
        podRangeName: n.podRangeName!,
        serviceRangeName: n.serviceRangeName!,
    };
    const read = await settle(reader.gcpSubnetwork({ project: host, region: s.region, name }));
    if ("offline" in read) return { gcp: ref, problems: [], notes: [NOT_INSPECTED] };
    if ("error" in read) {
        return {
            gcp: ref,
            notes: [],
            problems: [`${k("network.subnetwork")}: cannot read subnetwork '${name}' in region ${s.region} of project ${host}: ${read.error}; ` +
                `check the name, ${k("region")} and ${n.hostProject ? k("network.hostProject") : "gcp:project"}, and that the deploying identity may read it`],
        };
    }
    const sub = read.value;
    const problems: string[] = [];
    const region = lastSegment(sub.region);
    if (region !== s.region) {
        problems.push(`${k("network.subnetwork")}: '${name}' is in region ${region}, not the stack's ${k("region")} ${s.region}; ` +
            `name a subnetwork of ${s.region}`);
    }
    if (lastSegment(sub.network) !== n.network) {
        problems.push(`${k("network.subnetwork")}: '${name}' belongs to network '${lastSegment(sub.network)}', not ${k("network.network")} '${n.network}'`);
    }
    const ranges = sub.secondaryIpRanges ?? [];
    const named = ranges.map((r) => r.rangeName).join(", ") || "none";
    const range = (key: "podRangeName" | "serviceRangeName", need: number, who: string, fix: string) => {
        const rangeName = n[key]!;
        const r = ranges.find((x) => x.rangeName === rangeName);
        if (!r) {
            problems.push(`${k(`network.${key}`)}: subnetwork '${name}' has no secondary range '${rangeName}' (it has: ${named}); ` +
                "add it to the subnetwork, or name one it has");
            return;
        }
        const have = cidrRange(r.ipCidrRange).size;
        if (have < need) problems.push(`${k(`network.${key}`)}: range '${rangeName}' (${r.ipCidrRange}) has ${have} addresses; ${who} need ${need}: ${fix}`);
    };
    range("podRangeName", podAddressesNeeded(plan.pools),
        "the pools at their maximum (GKE gives each node 2 x max pods, rounded up to a power of two)", `enlarge it, or ${sizingHint}`);
    range("serviceRangeName", MIN_SERVICE_ADDRESSES, "the cluster's Services", "enlarge it to a /22 or more");

    // Nodes at the pools' maximum, one surge node a pool in each zone during upgrades
    // (GKE applies maxSurge per zone), and the internal load balancer's address.
    const nodes = nodeAddressesNeeded(plan.pools, s.zones.length, s.internalLoadBalancer);
    const primary = cidrRange(sub.ipCidrRange).size - GCP_RESERVED;
    if (primary < nodes) {
        problems.push(`${k("network.subnetwork")}: '${name}' (${sub.ipCidrRange}) holds ${primary} addresses; the nodes at the pools' maximum ` +
            `and upgrade surges need ${nodes}: enlarge its primary range, or ${sizingHint}`);
    }
    for (const c of [sub.ipCidrRange, ...ranges.map((r) => r.ipCidrRange)]) {
        if (overlaps(s.controlPlaneCidr, c)) {
            problems.push(`${k("controlPlaneCidr")}: ${s.controlPlaneCidr} overlaps ${c} of subnetwork '${name}'; choose a /28 outside the network's ranges`);
        }
    }
    return { gcp: ref, problems, notes: [] };
}

async function inspectAws(s: Settings, plan: Plan, reader: NetworkReader): Promise<NetworkInspection> {
    const n = s.network;
    const vpcId = n.vpcId!;
    const privateIds = n.privateSubnetIds ?? [];
    const publicIds = n.publicSubnetIds ?? [];
    const [vpc, ...subnetReads] = await Promise.all([
        settle(reader.awsVpc(vpcId)),
        ...[...privateIds, ...publicIds].map((id) => settle(reader.awsSubnet(id))),
    ]);
    const reads = new Map([...privateIds, ...publicIds].map((id, i) => [id, subnetReads[i]!]));

    if (!vpc || "offline" in vpc || [...reads.values()].some((r) => "offline" in r)) {
        // Offline the zones are unknown: the private subnets are taken in the order of the zones.
        const zoneSubnets = s.zones.map((zone, i) => ({ zone, ids: privateIds.filter((_, j) => j % s.zones.length === i) }));
        return {
            aws: { vpcId, privateSubnetIds: privateIds, zoneSubnets, privateCidrs: [] },
            problems: [],
            notes: [`${NOT_INSPECTED} (until then its private subnets are taken to be in the order of ${k("zones")})`],
        };
    }

    const problems: string[] = [];
    if ("error" in vpc) {
        problems.push(`${k("network.vpcId")}: cannot read ${vpcId} in ${s.region}: ${vpc.error}; check the ID and aws:region`);
    }
    const found = (ids: readonly string[], key: string) => ids.flatMap((id) => {
        const r = reads.get(id)!;
        if ("value" in r) return [r.value];
        if ("error" in r) problems.push(`${k(`network.${key}`)}: cannot read ${id} in ${s.region}: ${r.error}; check the ID and aws:region`);
        return [];
    });
    const priv = found(privateIds, "privateSubnetIds");
    const pub = found(publicIds, "publicSubnetIds");

    for (const [key, subnets] of [["privateSubnetIds", priv], ["publicSubnetIds", pub]] as const) {
        for (const sn of subnets) {
            if (sn.vpcId !== vpcId) problems.push(`${k(`network.${key}`)}: ${sn.id} is in ${sn.vpcId}, not in ${k("network.vpcId")} ${vpcId}`);
        }
    }

    const uncovered = (subnets: GetSubnetResult[], key: string, role: string) => {
        const zones = new Set(subnets.map((x) => x.availabilityZone));
        const missing = s.zones.filter((z) => !zones.has(z));
        if (missing.length) {
            problems.push(`${k(`network.${key}`)}: no ${role} subnet in ${missing.join(", ")} (given: ${[...zones].join(", ") || "none"}); ` +
                `give one in each of ${k("zones")}, or change the zones`);
        }
    };
    uncovered(priv, "privateSubnetIds", "private");
    if (!s.internalLoadBalancer) uncovered(pub, "publicSubnetIds", "public");

    // The load balancer is given its subnets by ID (components/aws/platform.ts), so it needs
    // no role tags; an internet-facing one needs public subnets, i.e. a route to an internet gateway,
    // which only the route tables show: a prerequisite (README).

    // Nodes and their pods' /28 prefixes, every pool at its most in a zone.
    const perZone = pools(plan).reduce((m, p) => m + p.perZone.max * addressesPerNode(p.maxPodsPerNode), 0) + ZONE_RESERVED_ADDRESSES;
    for (const zone of s.zones) {
        const inZone = priv.filter((x) => x.availabilityZone === zone);
        if (inZone.length === 0) continue;
        const free = inZone.reduce((m, x) => m + x.availableIpAddressCount, 0);
        if (free < perZone) {
            problems.push(`${k("network.privateSubnetIds")}: the private subnets in ${zone} (${inZone.map((x) => x.id).join(", ")}) have ${free} free addresses; ` +
                `the nodes and their pods' /28 prefixes at the pools' maximum need ${perZone} there: add or enlarge a subnet in ${zone}, or ${sizingHint}`);
        }
    }

    if ("value" in vpc) {
        const cidrs = [...new Set([vpc.value.cidrBlock, ...(vpc.value.cidrBlockAssociations ?? []).map((a) => a.cidrBlock)])];
        for (const c of cidrs.filter((c) => overlaps(s.serviceCidr, c))) {
            problems.push(`${k("serviceCidr")}: ${s.serviceCidr} overlaps ${c} of ${k("network.vpcId")} ${vpcId}; EKS requires disjoint ranges: choose another serviceCidr`);
        }
    }

    const zoneSubnets = s.zones.map((zone) => ({ zone, ids: priv.filter((x) => x.availabilityZone === zone).map((x) => x.id) }));
    return {
        aws: { vpcId, privateSubnetIds: privateIds, zoneSubnets, privateCidrs: priv.map((x) => x.cidrBlock) },
        problems,
        notes: [],
    };
}
