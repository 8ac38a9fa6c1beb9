/**
 * Pre-flight: what only the cloud knows, read with the providers' invoke functions before
 * any resource is registered, so `pulumi preview` fails (or warns) where `pulumi up` would
 * fail an hour in.
 *
 * - AWS zones: EKS refuses subnets in some zone IDs (UnsupportedAvailabilityZoneException),
 *   and a zone name maps to a different zone ID in each account.
 * - Machine availability: each pool's machine types offered in each of the stack's zones.
 * - vCPU quotas: the account's limit against the footprint at the first `pulumi up` (an
 *   error: the node pools cannot start) and at the pools' maximum (a warning: the
 *   autoscaler would stop short).
 *
 * A read the identity may not make (no rights, the quota API off) is a warning with the
 * command that answers it by hand, never an error: the deployment itself does not need it.
 * Offline (the mocks) nothing is read and one note says so.
 */
import { PROJECT, Settings, settingsForRegion } from "../config";
import { Footprint, Plan, footprint, planOfRegion } from "../sizing";
import { POOL_ROLES, PoolRole } from "../tiers";
import { NetworkReader, settle } from "./network-check";

const k = (key: string) => `${PROJECT}:${key}`;

/**
 * Zone IDs where EKS creates no cluster: "The subnets can't reside in the following
 * Availability Zones" (EKS user guide, network-reqs, "Subnet requirements for clusters").
 */
export const EKS_UNSUPPORTED_ZONE_IDS: Readonly<Record<string, string>> = {
    "use1-az3": "us-east-1",
    "usw1-az2": "us-west-1",
    "cac1-az3": "ca-central-1",
};

/** EC2 "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", in vCPUs. */
export const AWS_STANDARD_VCPU_QUOTA = "L-1216C47A";

/** The note when nothing could be read (the offline preview). */
export const PREFLIGHT_OFFLINE = "pre-flight reads (zones, machine types a zone, vCPU quotas) are made by pulumi preview against the cloud, not offline; " +
    "README: Deploying with pulumi up, pre-flight";

export interface Preflight {
    /** what the cloud will refuse: config errors */
    problems: string[];
    /** what could not be checked, or may fail later (at the pools' maximum) */
    notes: string[];
}

/** Every pool's machine types (each autoscaled AWS group may launch several). */
function machineTypes(plan: Plan): Map<string, PoolRole[]> {
    const byType = new Map<string, PoolRole[]>();
    for (const role of POOL_ROLES) {
        for (const t of plan.pools[role].instanceTypes) byType.set(t, [...(byType.get(t) ?? []), role]);
    }
    return byType;
}

/**
 * Azure: azure-native has no read of the sizes a zone offers (Resource SKUs) nor of the
 * subscription's vCPU usage, so nothing is read: the note names the commands that check both
 * (the footprint lists the quotas each region needs).
 */
async function preflightAzure(s: Settings, plan: Plan, _reader: NetworkReader, at: string): Promise<Preflight> {
    const sizes = [...machineTypes(plan).keys()];
    return {
        problems: [],
        notes: [`${at ? `${k(`${at}region`)} ` : ""}${s.region}: the VM sizes a zone offers and the subscription's vCPU quotas are not read on Azure; ` +
            `before the first pulumi up check that ${sizes.join(", ")} ${sizes.length > 1 ? "are" : "is"} offered without restriction in zones ${s.zones.join(", ")} ` +
            `(az vm list-skus --location ${s.region} --resource-type virtualMachines --zone --all -o table, column Restrictions) ` +
            `and the quotas of the footprint (az vm list-usage --location ${s.region} -o table)`],
    };
}

/** The checks of the stack's cloud, in the primary region and every proxy region; every problem at once. */
export async function preflight(s: Settings, plan: Plan, reader: NetworkReader): Promise<Preflight> {
    const check = s.cloud === "aws" ? preflightAws : s.cloud === "gcp" ? preflightGcp : preflightAzure;
    const regions = [
        { s, plan, at: "" },
        ...plan.proxies.map((r, i) => ({ s: settingsForRegion(s, s.proxyRegions.find((p) => p.name === r.name)!), plan: planOfRegion(plan, r), at: `proxyRegions.${i}.` })),
    ];
    const found = await Promise.all([
        ...regions.map((r) => check(r.s, r.plan, reader, r.at)),
        ...(s.cloud === "gcp" && regions.length > 1 ? [projectCpus(s, regions.map((r) => r.plan), reader)] : []),
    ]);
    const notes = found.flatMap((f) => f.notes);
    return {
        problems: found.flatMap((f) => f.problems),
        // offline: one note for every region
        notes: notes.filter((n, i) => n !== PREFLIGHT_OFFLINE || notes.indexOf(n) === i),
    };
}

function quotaFindings(limit: number, fp: Pick<Footprint, "vcpusInitial" | "vcpusMax">, quota: string, where: string, request: string, what = "node pools"): Preflight {
    if (limit < 0) return { problems: [], notes: [] }; // unlimited
    if (limit < fp.vcpusInitial) {
        return {
            problems: [`${k("sizing")}: the first pulumi up starts ${fp.vcpusInitial} vCPUs of ${what}; ${quota} in ${where} is ${limit}. ` +
                `${request}, or lower ${k("sizing.pools")}.<pool>.nodes`],
            notes: [],
        };
    }
    if (limit < fp.vcpusMax) {
        return {
            problems: [],
            notes: [`${quota} in ${where} is ${limit} vCPUs: enough for the first up (${fp.vcpusInitial}), not for the pools' maximum ` +
                `(${fp.vcpusMax}); the autoscaler stops at the quota. ${request} before the workspaces grow`],
        };
    }
    return { problems: [], notes: [] };
}

async function preflightAws(s: Settings, plan: Plan, reader: NetworkReader, at: string): Promise<Preflight> {
    const types = machineTypes(plan);
    const [zones, quota, offerings] = await Promise.all([
        settle(reader.awsZones(s.region)),
        settle(reader.awsQuota(AWS_STANDARD_VCPU_QUOTA, s.region)),
        settle(reader.awsOfferings([...types.keys()], s.zones, s.region)),
    ]);
    if ("offline" in zones && "offline" in quota && "offline" in offerings) return { problems: [], notes: [PREFLIGHT_OFFLINE] };
    const problems: string[] = [];
    const notes: string[] = [];

    if ("value" in zones && zones.value.names !== undefined) {
        const ids = new Map((zones.value.names ?? []).map((name, i) => [name, zones.value.zoneIds?.[i] ?? ""]));
        for (const zone of s.zones) {
            const id = ids.get(zone);
            if (id === undefined) {
                problems.push(`${k(`${at}zones`)}: ${zone} is not an available zone of ${s.region} in this account (available: ${[...ids.keys()].join(", ")}); ` +
                    "choose among those");
            } else if (id in EKS_UNSUPPORTED_ZONE_IDS) {
                const others = [...ids].filter(([, zid]) => !(zid in EKS_UNSUPPORTED_ZONE_IDS)).map(([name]) => name);
                problems.push(`${k(`${at}zones`)}: ${zone} is ${id} in this account, where EKS creates no clusters (EKS subnet requirements); ` +
                    `choose others among ${others.join(", ")}`);
            }
        }
    } else if ("error" in zones) {
        notes.push(`${k(`${at}zones`)}: could not read the account's zones (${zones.error}); check by hand: ` +
            `aws ec2 describe-availability-zones --region ${s.region} --query "AvailabilityZones[].[ZoneName,ZoneId]"`);
    }

    if ("value" in offerings && offerings.value.instanceTypes !== undefined) {
        const offered = new Set((offerings.value.instanceTypes ?? []).map((t, i) => `${t}@${offerings.value.locations?.[i]}`));
        for (const [type, roles] of types) {
            const missing = s.zones.filter((z) => !offered.has(`${type}@${z}`));
            if (missing.length === 0) continue;
            const groups = roles.filter((role) => plan.pools[role].instanceTypes.some((t) => t !== type && s.zones.every((z) => offered.has(`${t}@${z}`))));
            const msg = `${type} (${roles.join(", ")}) is not offered in ${missing.join(", ")}`;
            // A group with another same-shape type offered everywhere still launches; otherwise EKS fails the group.
            if (groups.length === roles.length) notes.push(`${msg}; those groups launch their other instance types there`);
            else problems.push(`${k(`${at}zones`)}: ${msg}; choose zones that offer it, or set ${k("sizing.pools")}.<pool>.machineType`);
        }
    } else if ("error" in offerings) {
        notes.push(`could not read instance type offerings (${offerings.error}); check by hand: aws ec2 describe-instance-type-offerings ` +
            `--region ${s.region} --location-type availability-zone --filters Name=instance-type,Values=${[...types.keys()].join(",")}`);
    }

    const fp = footprint(plan);
    if ("value" in quota && typeof quota.value.value === "number") {
        const found = quotaFindings(quota.value.value, fp, `EC2 quota ${AWS_STANDARD_VCPU_QUOTA} (On-Demand Standard vCPUs)`, s.region,
            `Request an increase: aws service-quotas request-service-quota-increase --region ${s.region} --service-code ec2 ` +
            `--quota-code ${AWS_STANDARD_VCPU_QUOTA} --desired-value ${fp.vcpusMax}`);
        problems.push(...found.problems);
        notes.push(...found.notes);
    } else if ("error" in quota) {
        notes.push(`could not read EC2 quota ${AWS_STANDARD_VCPU_QUOTA} (${quota.error}); the stack needs ${fp.vcpusInitial} vCPUs at the first up, ` +
            `${fp.vcpusMax} at the pools' maximum; check: aws service-quotas get-service-quota --region ${s.region} --service-code ec2 --quota-code ${AWS_STANDARD_VCPU_QUOTA}`);
    }
    return { problems, notes };
}

/** Compute Engine's project-wide vCPU quota (CPUS_ALL_REGIONS), beside each region's. */
export const GCP_ALL_REGIONS_METRIC = "compute.googleapis.com/cpus_all_regions";

/**
 * Several regions of one project: together they count against the project's vCPUs of all
 * regions too (GCP's CPUS_ALL_REGIONS; AWS's On-Demand quota is a region's, read per region).
 */
async function projectCpus(s: Settings, plans: Plan[], reader: NetworkReader): Promise<Preflight> {
    const read = await settle(reader.gcpQuotas(s.gcpProject ?? ""));
    if (!("value" in read)) return { problems: [], notes: [] }; // each region's check says why
    const info = (read.value.quotaInfos ?? []).find((q) => q.metric === GCP_ALL_REGIONS_METRIC);
    const value = info?.dimensionsInfos?.[0]?.details?.[0]?.value;
    if (value === undefined) return { problems: [], notes: [] };
    const fps = plans.map((p) => footprint(p, false));
    const total = { vcpusInitial: fps.reduce((n, f) => n + f.vcpusInitial, 0), vcpusMax: fps.reduce((n, f) => n + f.vcpusMax, 0) };
    return quotaFindings(Number(value), total, "quota CPUS_ALL_REGIONS", `project ${s.gcpProject}`,
        "Request an increase in the console (IAM & Admin > Quotas, CPUs (all regions))", `node pools in ${plans.length} regions`);
}

/** Cloud Quotas' metric of a machine family's vCPUs: T2D → compute.googleapis.com/t2d_cpus. */
const familyMetric = (family: string) => `compute.googleapis.com/${family.toLowerCase()}_cpus`;
export const GCP_CPUS_METRIC = "compute.googleapis.com/cpus";

async function preflightGcp(s: Settings, plan: Plan, reader: NetworkReader, at: string): Promise<Preflight> {
    const project = s.gcpProject ?? "";
    const types = machineTypes(plan);
    const [quotas, ...perZone] = await Promise.all([
        settle(reader.gcpQuotas(project)),
        ...s.zones.map((zone) => settle(reader.gcpMachineTypes(project, zone, [...types.keys()]))),
    ]);
    if ("offline" in quotas && perZone.every((r) => "offline" in r)) return { problems: [], notes: [PREFLIGHT_OFFLINE] };
    const problems: string[] = [];
    const notes: string[] = [];

    s.zones.forEach((zone, i) => {
        const read = perZone[i]!;
        if ("error" in read) {
            notes.push(`could not read the machine types of ${zone} (${read.error}); check: gcloud compute machine-types list --zones ${zone} ` +
                `--filter="name:(${[...types.keys()].join(" ")})"`);
            return;
        }
        if (!("value" in read) || read.value.machineTypes === undefined) return;
        const offered = new Set((read.value.machineTypes ?? []).map((m) => m.name));
        for (const [type, roles] of types) {
            if (!offered.has(type)) {
                problems.push(`${k(`${at}zones`)}: ${type} (${roles.join(", ")}) is not offered in ${zone}; choose zones of ${s.region} that offer it ` +
                    `(gcloud compute machine-types list --filter="name=${type}" --zones ...), or set ${k("sizing.pools")}.<pool>.machineType`);
            }
        }
    });

    if ("error" in quotas) {
        notes.push(`could not read the project's Compute Engine quotas (${quotas.error}; the Cloud Quotas API, cloudquotas.googleapis.com, ` +
            `must be on and the identity needs cloudquotas.quotas.get); check: gcloud compute regions describe ${s.region} ` +
            `--project ${project} --format="table(quotas.metric,quotas.limit,quotas.usage)"`);
    } else if ("value" in quotas) {
        const fp = footprint(plan);
        const limitOf = (metric: string): number | undefined => {
            const info = (quotas.value.quotaInfos ?? []).find((q) => q.metric === metric && q.dimensions?.includes("region"));
            // Most specific first; an entry without a region applies to every region not listed.
            const dim = info?.dimensionsInfos?.find((d) => d.dimensions?.["region"] === s.region)
                ?? info?.dimensionsInfos?.find((d) => d.dimensions?.["region"] === undefined);
            const value = dim?.details?.[0]?.value;
            return value === undefined ? undefined : Number(value);
        };
        const request = `Request an increase in the console (IAM & Admin > Quotas, region ${s.region})`;
        const all = limitOf(GCP_CPUS_METRIC);
        if (all !== undefined) {
            const f = quotaFindings(all, fp, "quota CPUS", s.region, request);
            problems.push(...f.problems);
            notes.push(...f.notes);
        }
        for (const fam of fp.families) {
            const limit = limitOf(familyMetric(fam.family));
            if (limit === undefined) continue;
            const f = quotaFindings(limit, fam, `quota ${fam.family}_CPUS`, s.region, request, `${fam.family} machines`);
            problems.push(...f.problems);
            notes.push(...f.notes);
        }
    }
    return { problems, notes };
}
