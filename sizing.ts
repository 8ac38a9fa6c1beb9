/**
 * Sizing: tier figures + overrides + cloud facts → a Plan. Pure functions, no Pulumi.
 *
 * Node pools are sized from the pods they must hold: each pool's allocatable capacity
 * (machine capacity minus the service's reservations and DaemonSets) is divided by the
 * pod requests, capped by the page's density, and rounded up to whole nodes. Counts are
 * totals over the stack's zones (GKE's total autoscaling limits, EKS's node groups); only
 * the system pool has a node a zone. A pool that cannot hold its pods is a ConfigError
 * before any resource is registered.
 */
import { ConfigError, PROJECT, Settings, cidrRange, parseCpuMillis, parseMemoryMiB, settingsForRegion, usesExistingNetwork } from "./config";
import {
    Citation, CloudName, DATABASE_CONNECTIONS, Machine, NODE_PROFILES, POOL_ROLES, PoolRole, PoolSpec, Resources,
    TIER_CATALOGUE, TierSpec, Workload, findDatabaseMachine, findNodeMachine, pickNodeMachine, observabilityOn, systemPoolFor,
    AZURE_DATABASE_STORAGE_GIB, AZURE_NAT, DATABASE_LIMITS, azureDefaultMaxConnections, DATABASE_MACHINES, NODE_DISK_GB, NODE_MACHINES, WORKSPACE_MEMORY_NEED, closest, databaseShape, machineTraits, sameShapeTypes,
} from "./tiers";
import { poolRollout } from "./components/gcp/rollout";
import { aksRollout } from "./components/azure/rollout";

/** The label and taint key that ties pods to pools. */
export const POOL_LABEL = "coder-refarch/pool";

export interface Taint {
    key: string;
    value: string;
    effect: "NoSchedule";
}

export interface Toleration {
    key: string;
    operator: "Equal";
    value: string;
    effect: "NoSchedule";
}

/** How pods are placed on a pool: derived from the pool's labels and taints, never written twice. */
export interface Placement {
    nodeSelector: Record<string, string>;
    tolerations: Toleration[];
}

export interface PoolPlan {
    role: PoolRole;
    machine: Machine;
    /**
     * the instance types a node group may launch, `machine` first: same vCPUs, memory and
     * architecture, so the sizing holds for each (AWS autoscaled groups; elsewhere one)
     */
    instanceTypes: string[];
    /** where the machine type came from */
    machineSource: string;
    zones: string[];
    autoscaling: boolean;
    /**
     * node counts of one zone: the fewest and the most a zone has (GKE: the pool's totals
     * spread evenly by BALANCED; the per-zone limit of nodes applies to the most)
     */
    perZone: { min: number; max: number };
    /** node counts over all zones: what is deployed (GKE: the autoscaler's total limits) */
    total: { min: number; max: number };
    /**
     * nodes to start with: enough for the pool's fixed replicas, so the first rollout of
     * 240 provisioners does not wait on the autoscaler (an autoscaler keeps min and max).
     * GKE starts the same count in every zone (`perZone`), never above the pool's maximum:
     * a remainder of fewer than one node a zone comes from one scale-up.
     */
    initial: { perZone: number; total: number };
    maxPodsPerNode: number;
    labels: Record<string, string>;
    taints: Taint[];
    placement: Placement;
    /** the pods this pool is planned for (none for the system pool) */
    workload?: { name: PoolWorkloadName; replicas: number; requests: Resources; perNode: number };
    /** allocatable capacity of one node for workload pods (after reservations and DaemonSets) */
    allocatable: Resources;
    /** the nodes' boot disk: its type as the cloud names it, and its size */
    bootDisk: { type: string; sizeGb: number };
    /** workspaces pool: what each workspace gets of its node when the node is full (allocatable / pods a node) */
    room?: Resources;
    /** where each figure comes from: a seed or Coder page, `decision` (ours) or `override` (the stack's) */
    sources: { machine: string; nodes: string; podsPerNode: string };
    cite: Citation;
}

/** The pods a pool is planned for: the control plane's pool holds coderd in the primary region, the workspace proxies in a proxy region. */
export type PoolWorkloadName = "coderd" | "proxy" | "provisioners" | "workspace";

/** A proxy region as planned: its place, its proxy's hosts and name in Coder, and its pools. */
export interface RegionPlan {
    /** the region's short name: its resources' names and its proxy's name in Coder */
    name: string;
    displayName: string;
    icon: string;
    region: string;
    zones: string[];
    accessUrl: string;
    wildcardAccessUrl: string;
    /** raised to regenerate the proxy's token */
    tokenGeneration: number;
    /** the same four pools as the primary; the coderd pool holds the workspace proxies */
    pools: Record<PoolRole, PoolPlan>;
}

/** A workload as planned: the tier's figures with the stack's overrides, each figure's source named. */
export interface PlannedWorkload extends Workload {
    sources: { replicas: string; resources: string };
}

export interface DatabasePlan {
    machine: Machine;
    machineSource: string;
    storageGb: number;
    highAvailability: boolean;
    version: number;
    maxConnections: number;
    /** connections each coderd replica may open (CODER_PG_CONN_MAX_OPEN) */
    connectionsPerCoderd: number;
    sources: { machine: string; storage: string; highAvailability: string; maxConnections: string };
    cite: Citation;
}

export interface Plan {
    cloud: CloudName;
    tier: TierSpec;
    region: string;
    zones: string[];
    coderd: PlannedWorkload;
    provisioners: PlannedWorkload;
    /** the workspace proxies of every proxy region (the tier's, or coderd's figures where it names none) */
    proxy: PlannedWorkload;
    pools: Record<PoolRole, PoolPlan>;
    /** proxy regions, in the stack's order (each planned like the primary, without a database) */
    proxies: RegionPlan[];
    database: DatabasePlan;
    /** valid but questionable figures, each with the tier's own figure */
    warnings: string[];
}

/**
 * A pool's boot disk. GCP: N4 and C4 boot from Hyperdisk only; provisioners, which run
 * Terraform, get SSDs elsewhere (seed 003: "Provisioners benefit from high performance
 * disks like SSDs"). AWS: gp3 (an SSD) everywhere. Sizes: tiers/system.ts.
 */
export function bootDiskOf(cloud: CloudName, role: PoolRole, machine: Machine): PoolPlan["bootDisk"] {
    const sizeGb = NODE_DISK_GB[role];
    if (cloud === "aws") return { type: "gp3", sizeGb };
    if (cloud === "gcp") {
        const type = machine.bootDisk === "hyperdisk-balanced" ? "hyperdisk-balanced" : role === "provisioners" ? "pd-ssd" : machine.bootDisk ?? "pd-balanced";
        return { type, sizeGb };
    }
    return { type: "Premium_LRS", sizeGb };
}

/** The word the sizing table shows for a figure's origin. */
export const OVERRIDE = "override";
export const DECISION = "decision";

/**
 * A likely typo of a machine type: the nearest catalogue name of the same size (m5.2xlarg →
 * m5.2xlarge), never one of another size (c5.9xlarge is not a typo of c5.xlarge).
 */
function closestMachine(name: string, names: readonly string[]): string | undefined {
    const near = closest(name, names, 2);
    const size = (n: string) => /(\d+)(?:xlarge|$)|-(\d+)$/.exec(n)?.slice(1).find((x) => x !== undefined);
    return near && (size(near) === size(name) || size(name) === undefined) ? near : undefined;
}

/** The origin of a machine type, from resolveMachine's description of it. */
function machineOrigin(source: string): string {
    if (source.startsWith("stack override")) return OVERRIDE;
    const named = /^named by (.+)$/.exec(source);
    return named ? named[1]! : DECISION;
}

const toResources = (base: Resources, o?: { cpu?: string | undefined; memory?: string | undefined }): Resources => ({
    cpuMillis: o?.cpu ? parseCpuMillis(o.cpu) : base.cpuMillis,
    memoryMiB: o?.memory ? parseMemoryMiB(o.memory) : base.memoryMiB,
});

/**
 * A tier's count at the stack's scale (coder-refarch:scale, 1 = the tier as published):
 * rounded up, never below `floor`, so a rehearsal keeps the tier's shape (two coderd
 * replicas stay two, every pool keeps a node).
 */
export function atScale(count: number, scale: number, floor = 1): number {
    return scale === 1 ? count : Math.max(Math.min(floor, count), Math.ceil(count * scale - 1e-9));
}

/** The origin of a tier figure at the stack's scale: `seed 001 x 0.1`. */
const scaledSource = (source: string, scale: number) => (scale === 1 ? source : `${source} x ${scale}`);

/**
 * The stack's scale factor: coder-refarch:scale (a decimal string, as Pulumi config has no
 * number type; the schema admits 0 < scale <= 1).
 */
export function scaleOf(s: Pick<Settings, "scale">): number {
    return Number(s.scale);
}

/** Replicas the tier runs at scale below 1 keep at least this many: coderd and proxies stay highly available. */
const HA_REPLICAS = 2;

function applyWorkload(base: Workload, o: Settings["sizing"]["coderd"], scale = 1, floor = 1): PlannedWorkload {
    if (o?.replicas === undefined && scale !== 1) {
        base = { ...base, replicas: atScale(base.replicas, scale, floor) };
    }
    const sources = {
        replicas: o?.replicas !== undefined ? OVERRIDE : scaledSource(base.cite.source, scale),
        resources: o?.requests || o?.limits ? OVERRIDE : (base.resourcesCite ?? base.cite).source,
    };
    if (!o) return { ...base, sources };
    return {
        replicas: o.replicas ?? base.replicas,
        requests: toResources(base.requests, o.requests),
        limits: toResources(base.limits, o.limits),
        cite: o.replicas !== undefined || o.requests || o.limits ? { source: "stack override", note: `tier: ${base.cite.source}` } : base.cite,
        sources,
    };
}

export function placementFor(role: PoolRole): Placement {
    const labels = { [POOL_LABEL]: role };
    const taints = taintsFor(role);
    return {
        nodeSelector: labels,
        tolerations: taints.map((t) => ({ key: t.key, operator: "Equal", value: t.value, effect: t.effect })),
    };
}

function taintsFor(role: PoolRole): Taint[] {
    return role === "system" ? [] : [{ key: POOL_LABEL, value: role, effect: "NoSchedule" }];
}

/**
 * Pods a rolling update adds before it removes one. Coder's charts keep Kubernetes'
 * default strategy (maxSurge 25% rounded up, maxUnavailable 25% rounded down): below
 * 4 replicas nothing may be unavailable, so the pool needs a free slot for the surge
 * pod, or the rollout waits forever.
 */
export function rolloutSurge(replicas: number): number {
    return Math.floor(replicas * 0.25) === 0 ? Math.ceil(replicas * 0.25) : 0;
}

const nextPow2 = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * The machine of a pool, where it comes from, and whether it is our choice (a `chosen`
 * type or a catalogue pick): only then may an autoscaled group also launch same-shape types
 * (tiers/machines.ts SAME_SHAPE_FAMILIES). A type a page names and a stack's own
 * `machineType` are deployed alone, as given; `machineTypes: asNamed` deploys one type a pool.
 */
function resolveMachine(
    s: Settings, spec: PoolSpec, problems: string[], key: string,
): { machine?: Machine; source: string; ours?: boolean } {
    const override = s.sizing.pools?.[spec.role]?.machineType;
    const given = s.sizing.pools?.[spec.role];
    if ((given?.vcpu !== undefined || given?.memoryGiB !== undefined) && !override) {
        problems.push(`${key}: vcpu and memoryGiB describe a machineType outside the catalogue; set ${key}.machineType too`);
    }
    const choice = spec.machines[s.cloud];
    let name: string | undefined;
    let source: string;
    if (override) {
        name = override;
        source = "stack override";
    } else if (s.machineTypes === "asNamed" && choice?.named) {
        name = choice.named;
        source = `named by ${spec.cite.source}`;
    } else if (choice?.chosen) {
        name = choice.chosen;
        source = choice.named ? `chosen over ${choice.named}: ${choice.why}` : `decision: ${choice.why ?? spec.cite.source}`;
    } else if (choice?.named) {
        name = choice.named;
        source = `named by ${spec.cite.source}`;
    } else {
        const picked = pickNodeMachine(s.cloud, spec.capacity.vcpu, spec.capacity.memoryGiB);
        if (!picked) {
            problems.push(`${key}.machineType: no ${s.cloud} machine in the catalogue has ${spec.capacity.vcpu} vCPU / ${spec.capacity.memoryGiB} GiB; set one`);
            return { source: "none" };
        }
        return { machine: picked, source: `catalogue pick for ${spec.capacity.vcpu} vCPU / ${spec.capacity.memoryGiB} GiB`, ours: s.machineTypes !== "asNamed" };
    }
    let machine = findNodeMachine(s.cloud, name);
    if (!machine && override && given?.vcpu && given.memoryGiB) {
        // A type outside the catalogue (a new family, a reserved-instance family): sized with the capacity given.
        const traits = machineTraits(s.cloud, name);
        machine = { name, vcpu: given.vcpu, memoryGiB: given.memoryGiB, burstable: false, ...traits, arch: given.arch ?? traits.arch };
        source = "stack override (capacity given)";
    }
    if (!machine) {
        const near = closestMachine(name, NODE_MACHINES[s.cloud].map((m) => m.name));
        problems.push(`${key}.machineType: '${name}' is not in the ${s.cloud} machine catalogue (tiers/machines.ts)` +
            `${near ? `; did you mean ${near}? Or` : "; check the name, or"} give its capacity: ${key}.vcpu and ${key}.memoryGiB`);
        return { source };
    }
    if (machine.burstable && s.machineTypes !== "asNamed" && !override) {
        problems.push(`${key}.machineType: '${name}' is burstable; the seeds advise against it in production`);
    }
    return { machine, source, ours: s.machineTypes !== "asNamed" && !override && choice?.chosen !== undefined && name === choice.chosen };
}

function planPool(
    s: Settings, spec: PoolSpec, problems: string[], warnings: string[],
    workload?: { name: PoolWorkloadName; replicas: number; requests: Resources },
): PoolPlan | undefined {
    const key = `${PROJECT}:sizing.pools.${spec.role}`;
    const o = s.sizing.pools?.[spec.role] ?? {};
    const { machine, source, ours } = resolveMachine(s, spec, problems, key);
    if (!machine) return undefined;
    const profile = NODE_PROFILES[s.cloud];
    const overhead = {
        cpuMillis: s.sizing.nodeOverhead?.cpu ? parseCpuMillis(s.sizing.nodeOverhead.cpu) : profile.daemonSets.cpuMillis,
        memoryMiB: s.sizing.nodeOverhead?.memory ? parseMemoryMiB(s.sizing.nodeOverhead.memory) : profile.daemonSets.memoryMiB,
        pods: s.sizing.nodeOverhead?.pods ?? profile.daemonSets.pods,
    };
    const zones = s.zones.length;
    const density = o.podsPerNode ?? spec.podsPerNode;
    // A tier's node count at the stack's scale, still a node in every zone where the tier has
    // as many (the system pool's is ours: a node a zone).
    const scale = scaleOf(s);
    const specNodes = spec.nodes === undefined || spec.role === "system" ? spec.nodes : atScale(spec.nodes, scale, zones);

    // Planned pods per node decide max-pods, which (on EKS and AKS) decides the reservation.
    const plannedPods = (density ?? 30) + overhead.pods + (spec.role === "system" ? 30 : 0);
    const maxPodsPerNode = o.maxPodsPerNode ?? Math.min(profile.maxPodsLimit, Math.max(64, nextPow2(plannedPods)));
    if (maxPodsPerNode > profile.maxPodsLimit) {
        problems.push(`${key}.maxPodsPerNode: ${maxPodsPerNode} is above ${s.cloud}'s limit of ${profile.maxPodsLimit}; set at most ${profile.maxPodsLimit}`);
    }
    const reserved = profile.reserved(machine, maxPodsPerNode);
    const allocatable = {
        cpuMillis: machine.vcpu * 1000 - reserved.cpuMillis - overhead.cpuMillis,
        memoryMiB: Math.floor(machine.memoryGiB * 1024) - reserved.memoryMiB - overhead.memoryMiB,
    };

    let perNode = 0;
    let nodesNeeded = specNodes ?? 1;
    if (workload && workload.replicas > 0) {
        const fit = Math.floor(Math.min(allocatable.cpuMillis / workload.requests.cpuMillis, allocatable.memoryMiB / workload.requests.memoryMiB));
        perNode = density !== undefined ? Math.min(density, fit) : fit;
        if (fit < 1) {
            problems.push(`${key}: one ${workload.name} pod (${fmt(workload.requests)}) does not fit on ${machine.name} (allocatable ${fmt(allocatable)}); ` +
                `set a larger ${key}.machineType or smaller requests`);
            return undefined;
        }
        if (density !== undefined && fit < density) {
            // The machine that would hold them: the pods plus what the node keeps back today.
            const needCpu = Math.ceil((density * workload.requests.cpuMillis + (machine.vcpu * 1000 - allocatable.cpuMillis)) / 1000);
            const needMem = Math.ceil((density * workload.requests.memoryMiB + (machine.memoryGiB * 1024 - allocatable.memoryMiB)) / 1024);
            problems.push(`${key}: ${density} ${workload.name} pods a node (${o.podsPerNode !== undefined ? OVERRIDE : spec.cite.source}) ` +
                `do not fit on ${machine.name} at ${fmt(workload.requests)} (allocatable ${fmt(allocatable)}): at most ${fit}; ` +
                `set ${key}.podsPerNode to ${fit} or a ${key}.machineType with at least ${needCpu} vCPU / ${needMem} GiB`);
        }
        if (density !== undefined && density + overhead.pods > maxPodsPerNode) {
            problems.push(`${key}.maxPodsPerNode: ${maxPodsPerNode} is below the ${density + overhead.pods} pods planned a node ` +
                `(${density} ${workload.name} + ${overhead.pods} DaemonSets); set at least ${density + overhead.pods}`);
        }
        nodesNeeded = workload.name === "workspace"
            ? Math.max(specNodes ?? 1, 1)
            : Math.ceil((workload.replicas + rolloutSurge(workload.replicas)) / perNode);
    }
    const nodes = Math.max(o.nodes ?? specNodes ?? 0, workload?.name === "workspace" ? 0 : nodesNeeded, 1);
    // The system pool's count is a count a zone; the others are pool totals. Where the
    // service counts per zone (GKE), totals round up to a whole number in every zone.
    const wanted = spec.role === "system" ? (o.nodes ?? 1) * zones : (o.nodes ?? nodes);
    // GKE (countsPerZone): a pool's bounds are totals over its zones (autoscaling total
    // limits, spread by BALANCED), so the planned count is what is deployed, not a multiple
    // of the zones. EKS and AKS: one group over every zone's subnet, at least a node a zone.
    const maxTotal = profile.countsPerZone ? wanted : Math.max(wanted, zones);
    // The most nodes one zone gets: BALANCED keeps the zones within a node of each other.
    const maxPerZone = Math.ceil(maxTotal / zones);
    // Workspaces are created by templates, not by this program: a smaller workspace pool
    // is the stack's choice. coderd and provisioner replicas must all schedule.
    if (workload && workload.name !== "workspace" && maxTotal * perNode < workload.replicas) {
        problems.push(`${key}.nodes: ${maxTotal} nodes hold ${maxTotal * perNode} ${workload.name} pods, the tier asks for ${workload.replicas}; ` +
            `set at least ${Math.ceil(workload.replicas / perNode)}`);
    }
    const minPerZone = spec.autoscaling ? Math.min(o.minNodesPerZone ?? 1, maxPerZone) : maxPerZone;
    // The nodes the replicas run on, without the rollout's surge slot.
    const replicaNodes = workload && workload.name !== "workspace" && perNode > 0 ? Math.ceil(workload.replicas / perNode) : 0;
    const surgeNodes = replicaNodes > 0 ? Math.max(0, nodesNeeded - replicaNodes) : 0;
    const minTotal = !profile.countsPerZone
        ? (spec.autoscaling ? minPerZone * zones : maxTotal)
        : spec.autoscaling ? Math.min(minPerZone * zones, maxTotal)
            // GKE's static pool with replicas (coderd): the autoscaler may remove only the empty
            // surge node (its pods are not evictable, cluster.ts), never a replica's node.
            : workload ? Math.min(maxTotal, Math.max(replicaNodes, maxTotal - surgeNodes)) : maxTotal;
    // Workspaces come and go; coderd and provisioner replicas are all there from the start.
    const startWith = !(workload && workload.name !== "workspace") ? minTotal
        : Math.min(maxTotal, Math.max(minTotal, profile.countsPerZone ? replicaNodes : nodesNeeded));
    // GKE starts a pool with the same count in every zone (initialNodeCount is per zone):
    // enough for the replicas where a whole number a zone allows it, never above the pool's
    // maximum; the rest (fewer than one node a zone) come from one scale-up as their pods wait.
    const initialPerZone = profile.countsPerZone ? Math.min(Math.ceil(startWith / zones), Math.floor(maxTotal / zones)) : Math.ceil(startWith / zones);
    const initial = { perZone: initialPerZone, total: profile.countsPerZone ? initialPerZone * zones : startWith };
    const placement = placementFor(spec.role);
    const groupLimit = profile.maxNodesPerGroup;
    // EKS and AKS: the workspaces pool is one group a zone (zonal disks); the other pools one group.
    const largestGroup = groupLimit.perZone || ZONAL_POOLS.includes(spec.role) ? maxPerZone : maxTotal;
    if (largestGroup > groupLimit.nodes) {
        const msg = `${key}.nodes: ${largestGroup} nodes in one ${groupLimit.perZone ? "zone of a pool" : "node group"} ` +
            `exceed ${groupLimit.cite}; lower ${key}.nodes or use a larger ${key}.machineType`;
        if (groupLimit.hard) problems.push(msg);
        else warnings.push(`${msg} (a default quota: ask for an increase first)`);
    }
    const seedNodes = specNodes;
    const seedSource = scaledSource(spec.cite.source, scale);
    const nodesSource = o.nodes !== undefined ? OVERRIDE
        : spec.role === "system" || seedNodes === undefined ? DECISION
            : maxTotal === seedNodes ? seedSource : `${DECISION} (${seedSource}: ${seedNodes})`;
    return {
        role: spec.role,
        machine,
        instanceTypes: spec.autoscaling && ours ? sameShapeTypes(s.cloud, machine) : [machine.name],
        machineSource: source,
        zones: [...s.zones],
        autoscaling: spec.autoscaling,
        perZone: { min: profile.countsPerZone ? Math.floor(minTotal / zones) : minPerZone, max: maxPerZone },
        total: { min: minTotal, max: maxTotal },
        initial,
        maxPodsPerNode,
        labels: placement.nodeSelector,
        taints: taintsFor(spec.role),
        placement,
        workload: workload ? { ...workload, perNode } : undefined,
        allocatable,
        bootDisk: bootDiskOf(s.cloud, spec.role, machine),
        room: workload?.name === "workspace" && perNode > 0
            ? { cpuMillis: Math.floor(allocatable.cpuMillis / perNode), memoryMiB: Math.floor(allocatable.memoryMiB / perNode) }
            : undefined,
        sources: {
            machine: machineOrigin(source),
            nodes: nodesSource,
            podsPerNode: o.podsPerNode !== undefined ? OVERRIDE : spec.podsPerNode !== undefined ? spec.cite.source : DECISION,
        },
        cite: o.machineType || o.nodes ? { source: "stack override", note: `tier: ${spec.cite.source}` } : spec.cite,
    };
}

function planDatabase(s: Settings, tier: TierSpec, coderd: Workload, problems: string[], warnings: string[]): DatabasePlan | undefined {
    const key = `${PROJECT}:sizing.database`;
    const o = s.sizing.database ?? {};
    const choice = tier.database.machines[s.cloud];
    let name = o.machineType;
    let source = "stack override";
    if (!name) {
        if (s.machineTypes === "asNamed" && choice?.named) {
            name = choice.named;
            source = `named by ${tier.database.cite.source}`;
        } else if (choice?.chosen) {
            name = choice.chosen;
            source = choice.named ? `chosen over ${choice.named}: ${choice.why}` : `decision: ${choice.why}`;
        } else {
            name = choice?.named;
            source = `named by ${tier.database.cite.source}`;
        }
    }
    if (!name) {
        problems.push(`${key}.machineType: the ${tier.name} tier names no ${s.cloud} database type; set one`);
        return undefined;
    }
    const machine = findDatabaseMachine(s.cloud, name);
    if (!machine) {
        const near = s.cloud === "gcp" ? undefined : closestMachine(name, DATABASE_MACHINES[s.cloud].map((m) => m.name));
        problems.push(`${key}.machineType: '${name}' is not a known ${s.cloud} database type` +
            (s.cloud === "gcp" ? " (db-custom-<vCPU>-<MiB>: 1 or an even vCPU count, 0.9-6.5 GB a vCPU, MiB a multiple of 256)" : "") +
            (near ? `; did you mean ${near}?` : ""));
        return undefined;
    }
    if (machine.burstable && s.machineTypes !== "asNamed" && !o.machineType) {
        problems.push(`${key}.machineType: '${name}' is burstable; the seeds advise against it in production`);
    }
    const shape = databaseShape(tier.name);
    if (o.machineType && machine.vcpu < shape.vcpu) {
        warnings.push(`${key}.machineType: ${name} has ${machine.vcpu} vCPU, below the tier's ${shape.vcpu} vCPU / ${shape.memoryGiB} GB (${shape.from.join(", ")})`);
    }
    const c = DATABASE_CONNECTIONS;
    // Azure: Flexible Server's own default for the size (static parameter; see tiers/index.ts)
    const maxConnections = o.maxConnections ?? (s.cloud === "azure" ? azureDefaultMaxConnections(machine.memoryGiB) : c.maxConnections);
    if (s.cloud === "azure" && o.maxConnections !== undefined && o.maxConnections !== azureDefaultMaxConnections(machine.memoryGiB)) {
        warnings.push(`${key}.maxConnections: ${o.maxConnections} (Flexible Server's default for ${machine.name} is ${azureDefaultMaxConnections(machine.memoryGiB)}): ` +
            "a static parameter, applied at the server's next restart; restart it after pulumi up (az postgres flexible-server restart -g RESOURCE_GROUP -n SERVER)");
    }
    // old and new replicas during a rollout, each with its pool and pubsub connections, plus the reserve
    const needed = coderd.replicas * (c.perCoderd + c.pubsubPerCoderd) * c.rolloutFactor + c.reserved;
    if (maxConnections < needed) {
        problems.push(`${key}.maxConnections: ${maxConnections} is below what ${coderd.replicas} coderd replicas open ` +
            `(${coderd.replicas} x (${c.perCoderd} + ${c.pubsubPerCoderd} pubsub), twice over in a rollout, + ${c.reserved} reserved); set at least ${needed}`);
    }
    const limits = DATABASE_LIMITS[s.cloud];
    if (maxConnections > limits.maxConnections) {
        problems.push(`${key}.maxConnections: ${maxConnections} is above PostgreSQL's limit of ${limits.maxConnections}`);
    }
    const asked = o.storageGb ?? tier.database.storageGb;
    // Flexible Server takes fixed sizes: the next one up (GB asked, GiB provisioned, so never less).
    const storageGb = s.cloud === "azure" ? AZURE_DATABASE_STORAGE_GIB.find((g) => g * 1.073741824 >= asked) ?? asked : asked;
    const storageCite = tier.database.storageCite ?? tier.database.cite;
    if (s.cloud === "azure" && storageGb >= 4096) {
        // "storage autogrow isn't triggered" past 4 TiB (an offline operation) on Premium SSD
        warnings.push(`${key}.storageGb: ${storageGb} GiB: Flexible Server's storage autogrow does not grow a Premium SSD disk past 4 TiB ` +
            "by itself; watch the database's free storage (an alert) and grow it in a maintenance window (az postgres flexible-server update --storage-size)");
    }
    if (storageGb < limits.minStorageGb || storageGb > limits.maxStorageGb) {
        problems.push(`${key}.storageGb: ${storageGb} is outside ${limits.minStorageGb}-${limits.maxStorageGb} GB (${limits.cite})`);
    } else if (storageGb < tier.database.storageGb) {
        warnings.push(`${key}.storageGb: ${storageGb} GB is below the tier's ${tier.database.storageGb} GB (${storageCite.source})`);
    }
    const highAvailability = o.highAvailability ?? tier.database.highAvailability;
    if (!highAvailability) warnings.push(`${key}.highAvailability: off; a zone outage stops Coder until the database is restored`);
    return {
        machine,
        machineSource: source,
        storageGb,
        highAvailability,
        version: s.databaseVersion,
        maxConnections,
        connectionsPerCoderd: c.perCoderd,
        sources: {
            machine: machineOrigin(source),
            storage: (o.storageGb !== undefined ? OVERRIDE : storageCite.source) + (storageGb !== asked ? ` (${asked} GB, rounded up to a Flexible Server size)` : ""),
            // HA where a page asks for one database node is our decision (see the tier files).
            highAvailability: o.highAvailability !== undefined ? OVERRIDE : tier.database.replicas > 1 ? tier.database.cite.source : DECISION,
            maxConnections: o.maxConnections !== undefined ? OVERRIDE : s.cloud === "azure" ? "Flexible Server's default" : DECISION,
        },
        cite: tier.database.cite,
    };
}

/** Builds the plan for a validated stack, or throws ConfigError naming every problem. */
export function buildPlan(s: Settings): Plan {
    const tier = TIER_CATALOGUE[s.tier];
    const problems: string[] = [];
    const scale = scaleOf(s);
    const coderd = applyWorkload(tier.coderd, s.sizing.coderd, scale, HA_REPLICAS);
    const provisioners = applyWorkload(tier.provisioners, s.sizing.provisioners, scale);
    for (const [name, w] of [["coderd", coderd], ["provisioners", provisioners]] as const) {
        if (w.requests.cpuMillis > w.limits.cpuMillis || w.requests.memoryMiB > w.limits.memoryMiB) {
            problems.push(`${PROJECT}:sizing.${name}: requests (${fmt(w.requests)}) exceed limits (${fmt(w.limits)}); raise sizing.${name}.limits or lower sizing.${name}.requests`);
        }
    }
    const warnings: string[] = [];
    const w = (name: string) => `${PROJECT}:sizing.${name}.replicas`;
    if (coderd.replicas < 1) {
        problems.push(`${w("coderd")}: at least 1 (the tier runs ${tier.coderd.replicas}, ${tier.coderd.cite.source})`);
    } else if (coderd.replicas < Math.min(2, tier.coderd.replicas)) {
        warnings.push(`${w("coderd")}: one coderd replica is not highly available (the tier runs ${tier.coderd.replicas}, ${tier.coderd.cite.source})`);
    }
    if (provisioners.replicas < 1) {
        problems.push(`${w("provisioners")}: 0 provisioners build nothing (coderd runs none itself); ` +
            `the tier runs ${tier.provisioners.replicas} (${tier.provisioners.cite.source})`);
    } else if (s.sizing.provisioners?.replicas !== undefined && provisioners.replicas < tier.provisioners.replicas) {
        warnings.push(`${w("provisioners")}: ${provisioners.replicas} provisioners run ${provisioners.replicas} builds at once; ` +
            `the tier plans ${tier.provisioners.replicas} (${tier.provisioners.cite.source})`);
    }
    const proxy = applyWorkload(tier.proxy ?? { ...tier.coderd, cite: { source: "decision", note: `no proxy figures in ${tier.page}: coderd's (${tier.coderd.cite.source})` } },
        s.sizing.proxy, scale, HA_REPLICAS);
    if (scale !== 1) {
        warnings.push(`${PROJECT}:scale: ${scale}: a rehearsal at ${+(scale * 100).toFixed(2)}% of the ${tier.name} tier's replicas and node pools ` +
            "(the database, zones and regions at full size); not for production: remove the key for the tier as published");
    }
    if (s.proxyRegions.length > 0 && proxy.replicas < 1) {
        problems.push(`${w("proxy")}: at least 1; a proxy region without a proxy serves no one (the tier runs ${(tier.proxy ?? tier.coderd).replicas})`);
    }
    const pools = planRegionPools(s, tier, { name: "coderd", workload: coderd }, provisioners, problems, warnings, "", s.proxyRegions.length);
    const proxies: RegionPlan[] = s.proxyRegions.map((p, i) => {
        const rs = settingsForRegion(s, p);
        const regionPools = planRegionPools(rs, tier, { name: "proxy", workload: proxy }, provisioners, problems, warnings, `proxyRegions.${i} (${p.name}): `, s.proxyRegions.length);
        return {
            name: p.name,
            displayName: p.displayName ?? p.name.charAt(0).toUpperCase() + p.name.slice(1),
            icon: p.icon ?? DEFAULT_PROXY_ICON,
            region: p.region,
            zones: [...p.zones],
            accessUrl: p.accessUrl,
            wildcardAccessUrl: p.wildcardAccessUrl,
            tokenGeneration: p.tokenGeneration ?? 0,
            pools: regionPools as Record<PoolRole, PoolPlan>,
        };
    });
    const database = planDatabase(s, tier, coderd, problems, warnings);
    if (problems.length > 0 || !database || POOL_ROLES.some((r) => !pools[r] || proxies.some((p) => !p.pools[r]))) throw new ConfigError(problems);
    return {
        cloud: s.cloud, tier, region: s.region, zones: [...s.zones],
        coderd, provisioners, proxy, pools: pools as Record<PoolRole, PoolPlan>, proxies, database, warnings,
    };
}

/** Coder's globe emoji: a proxy region's icon unless the stack names one. */
export const DEFAULT_PROXY_ICON = "/emojis/1f310.png";

/**
 * A region's four pools: the control plane's (coderd, or a proxy region's workspace proxies),
 * the provisioners' and the workspaces', sized alike in every region (seed 000: provisioners
 * and workspace nodes "for each of the 3 regions"), and the checks of the region's ranges.
 * `where` prefixes a proxy region's problems and warnings.
 */
function planRegionPools(
    s: Settings, tier: TierSpec, control: { name: "coderd" | "proxy"; workload: PlannedWorkload }, provisioners: PlannedWorkload,
    problems: string[], warnings: string[], where: string, regionsBeside: number,
): Partial<Record<PoolRole, PoolPlan>> {
    const p: string[] = [];
    const wn: string[] = [];
    const workspaceRequests = toResources(tier.workspace.requests, s.sizing.workspace?.requests);
    // The tier's running workspaces are spread over its regions (seed 000: 6,000, "2000 per region").
    const runningWorkspaces = atScale(Math.ceil((tier.limits.runningWorkspaces ?? 0) / (1 + regionsBeside)), scaleOf(s));
    const pools: Partial<Record<PoolRole, PoolPlan>> = {
        // observability: a larger system node where Coder's observability bundle runs (tiers/observability.ts)
        system: planPool(s, systemPoolFor(observabilityOn(tier.name, s.observability)), p, wn),
        coderd: planPool(s, tier.pools.coderd, p, wn, { name: control.name, replicas: control.workload.replicas, requests: control.workload.requests }),
        provisioners: planPool(s, tier.pools.provisioners, p, wn, {
            name: "provisioners", replicas: provisioners.replicas, requests: provisioners.requests,
        }),
        workspaces: planPool(s, tier.pools.workspaces, p, wn, {
            name: "workspace", replicas: runningWorkspaces, requests: workspaceRequests,
        }),
    };
    const ws = pools.workspaces;
    if (ws?.workload) {
        const holds = ws.total.max * ws.workload.perNode;
        if (holds < runningWorkspaces) {
            wn.push(`${PROJECT}:sizing.pools.workspaces.nodes: ${ws.total.max} nodes x ${ws.workload.perNode} hold ${holds} running workspaces; ` +
                `the tier plans ${runningWorkspaces} (${tier.limits.cite.source})`);
        }
        if (ws.room && ws.room.memoryMiB < WORKSPACE_MEMORY_NEED.memoryMiB) {
            wn.push(`${PROJECT}:sizing.pools.workspaces: a full ${ws.machine.name} node leaves each of its ${ws.workload.perNode} workspaces ` +
                `${fmt(ws.room)}, below the 2 GB a workspace user needs (${WORKSPACE_MEMORY_NEED.cite.source}); ` +
                `set sizing.pools.workspaces.podsPerNode to ${Math.max(1, Math.floor(ws.allocatable.memoryMiB / WORKSPACE_MEMORY_NEED.memoryMiB))} or a larger machineType`);
        }
    }
    // With an existing network, its own ranges are checked against the plan when it is read (components/network-check.ts).
    if (s.cloud === "gcp" && !usesExistingNetwork(s)) p.push(...podRangeProblems(s, pools), ...nodeRangeProblems(s, pools));
    if (s.cloud === "azure") {
        p.push(...aksRangeProblems(s, pools));
        const nat = natGatewayPlan(pools);
        if (nat.publicIps > AZURE_NAT.maxIps) {
            p.push(`${PROJECT}:sizing.pools: the pools at their maximum need ${nat.ports} SNAT ports, ${nat.publicIps} public IPs of a NAT gateway ` +
                `that takes ${AZURE_NAT.maxIps}; lower sizing.pools.workspaces.nodes or split the region`);
        }
    }
    // A proxy region's sizing repeats the primary's: say each once, with the region where it differs.
    for (const x of p) if (!where) problems.push(x); else if (!problems.includes(x)) problems.push(`${where}${x}`);
    for (const x of wn) if (!where) warnings.push(x); else if (!warnings.includes(x)) warnings.push(`${where}${x}`);
    return pools;
}

/**
 * GKE gives every node a pod range of twice its max pods (rounded up to a power of two),
 * taken from the pod secondary range: the range must hold every pool at its maximum.
 */
export function podAddressesNeeded(pools: Partial<Record<PoolRole, PoolPlan>>): number {
    return Object.values(pools).reduce((n, p) => n + (p ? p.total.max * nextPow2(2 * p.maxPodsPerNode) : 0), 0);
}

function podRangeProblems(s: Settings, pools: Partial<Record<PoolRole, PoolPlan>>): string[] {
    const needed = podAddressesNeeded(pools);
    const have = cidrRange(s.podCidr).size;
    return needed > have
        ? [`${PROJECT}:podCidr: ${s.podCidr} has ${have} addresses; the pools at their maximum need ${needed} (a range of 2 x max pods a node): ` +
            `use a /${32 - Math.ceil(Math.log2(needed))} or larger, or lower sizing.pools.<pool>.maxPodsPerNode`]
        : [];
}

/**
 * Node addresses GKE takes from the node (primary) range: every node of every pool at its
 * maximum, plus each pool's upgrade surge (components/gcp/rollout.ts; GKE surges a zone at
 * a time, counted here as at least a node in each zone, as pools may roll together).
 */
export function nodeAddressesNeeded(pools: Partial<Record<PoolRole, PoolPlan>>, zones: number, internalLoadBalancer = false): number {
    // An internal load balancer takes its address from the same range.
    return Object.values(pools).reduce((n, p) => n + (p ? p.total.max + Math.max(zones, poolRollout(p).maxSurge) : 0), internalLoadBalancer ? 1 : 0);
}

/** GCP keeps 4 addresses of a subnet's primary range. */
function nodeRangeProblems(s: Settings, pools: Partial<Record<PoolRole, PoolPlan>>): string[] {
    const nodes = nodeAddressesNeeded(pools, s.zones.length, s.internalLoadBalancer);
    const have = cidrRange(s.nodeCidr).size - 4;
    return nodes > have
        ? [`${PROJECT}:nodeCidr: ${s.nodeCidr} has ${have} usable addresses; the pools at their maximum (with upgrade surge) need ${nodes}: ` +
            `use a /${32 - Math.ceil(Math.log2(nodes + 4))} or larger`]
        : [];
}

/**
 * Nodes AKS places in the nodes' subnet at once: every AKS pool at its maximum plus its
 * upgrade surge (components/azure/rollout.ts), counted for all pools at once.
 */
export function aksNodesNeeded(pools: Partial<Record<PoolRole, PoolPlan>>): number {
    return Object.values(pools).reduce((n, p) => n + (p ? aksPoolSizes(p).reduce((m, size) => m + size + aksRollout(p, size).surgeNodes, 0) : 0), 0);
}

/**
 * AKS with Azure CNI Overlay: each node takes an address of the nodes' subnet (Azure keeps 5
 * of every subnet; an internal load balancer takes one more) and a /24 of the pod range
 * ("Azure CNI Overlay ... assigns a /24 address space to each node").
 */
function aksRangeProblems(s: Settings, pools: Partial<Record<PoolRole, PoolPlan>>): string[] {
    const problems: string[] = [];
    const nodes = aksNodesNeeded(pools);
    const subnet = cidrRange(s.nodeCidr).size - 5 - (s.internalLoadBalancer ? 1 : 0);
    if (nodes > subnet) {
        problems.push(`${PROJECT}:nodeCidr: ${s.nodeCidr} has ${subnet} usable addresses; the pools at their maximum (with upgrade surge) need ${nodes}: ` +
            `use a /${32 - Math.ceil(Math.log2(nodes + 6))} or larger`);
    }
    const blocks = cidrRange(s.podCidr).size / 256;
    if (nodes > blocks) {
        problems.push(`${PROJECT}:podCidr: ${s.podCidr} holds ${Math.floor(blocks)} nodes' /24 pod ranges; the pools at their maximum (with upgrade surge) need ${nodes}: ` +
            `use a /${24 - Math.ceil(Math.log2(nodes))} or larger`);
    }
    return problems;
}

/** `total` spread over `parts` as evenly as whole numbers allow, larger parts first. */
export function splitAcross(total: number, parts: number): number[] {
    return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/**
 * Pools whose pods pin zonal volumes (a workspace's disk): on EKS and AKS one node group a
 * zone, as cluster-autoscaler cannot choose the zone of a group spanning several (its AWS
 * FAQ) and balances similar groups instead. The other pools keep one group over every zone.
 */
export const ZONAL_POOLS: readonly PoolRole[] = ["workspaces"];

/** The most nodes of each AKS pool a plan's pool becomes: a zonal pool is one AKS pool a zone. */
export function aksPoolSizes(pool: PoolPlan): number[] {
    return ZONAL_POOLS.includes(pool.role) ? splitAcross(pool.total.max, pool.zones.length) : [pool.total.max];
}

/** One node group of a pool on EKS (a managed node group) or AKS (an AgentPool). */
export interface NodeGroupPlan {
    /** its zone; absent: the group spans the pool's zones */
    zone?: string;
    min: number;
    max: number;
    /** the nodes it starts with (EKS desiredSize, AKS count) */
    initial: number;
}

/**
 * A user pool's node groups on EKS or AKS, as components/aws/cluster.ts and
 * components/azure/cluster.ts create them: one group over every zone, or one a zone
 * (ZONAL_POOLS). A zonal EKS group keeps
 * the pool's minimum a zone; an AKS zonal pool takes its share of the pool's minimum. Each
 * starts at its share of the plan's initial nodes, never below its minimum.
 */
export function nodeGroups(cloud: "aws" | "azure", pool: PoolPlan): NodeGroupPlan[] {
    const zones = pool.zones.length;
    if (cloud === "aws") {
        if (!ZONAL_POOLS.includes(pool.role)) return [{ min: pool.total.min, max: pool.total.max, initial: pool.initial.total }];
        const max = splitAcross(pool.total.max, zones);
        const initial = splitAcross(pool.initial.total, zones);
        return pool.zones.map((zone, i) => {
            const min = Math.min(pool.perZone.min, max[i]!);
            return { zone, min, max: max[i]!, initial: Math.max(initial[i]!, min) };
        });
    }
    const sizes = aksPoolSizes(pool);
    const zonal = ZONAL_POOLS.includes(pool.role);
    const initial = zonal ? splitAcross(pool.initial.total, zones) : [pool.initial.total];
    const mins = zonal ? splitAcross(pool.total.min, zones) : [pool.total.min];
    return sizes.map((max, i) => {
        const min = Math.min(mins[i]!, max);
        return { ...(zonal ? { zone: pool.zones[i]! } : {}), min, max, initial: Math.max(Math.min(initial[i]!, max), min) };
    });
}

/**
 * A pool's nodes as its cloud layer deploys them: at the first `pulumi up` (once the pool's
 * pending replicas have scaled it) and at its most.
 * GKE (components/gcp/cluster.ts): the system pool is a count a zone; the others start
 * `initial.perZone` nodes in every zone, and the autoscaler adds at once what their
 * replicas (coderd, provisioners, proxies) need, up to the pool's maximum.
 * EKS and AKS: the sum of the pool's node groups (nodeGroups); the AKS system pool is the
 * cluster's inline pool of `initial.total` nodes, without autoscaling, as is a user pool
 * without it.
 */
export function deployedNodes(cloud: CloudName, pool: PoolPlan): { initial: number; max: number } {
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    if (cloud === "gcp") {
        const zones = pool.zones.length;
        if (pool.role === "system") return { initial: pool.perZone.max * zones, max: pool.perZone.max * zones };
        const w = pool.workload;
        const replicaNodes = w && w.name !== "workspace" && w.perNode > 0 ? Math.ceil(w.replicas / w.perNode) : 0;
        return { initial: Math.min(pool.total.max, Math.max(pool.initial.perZone * zones, replicaNodes)), max: pool.total.max };
    }
    if (cloud === "azure" && pool.role === "system") return { initial: pool.initial.total, max: pool.initial.total };
    const groups = nodeGroups(cloud, pool);
    const initial = sum(groups.map((g) => g.initial));
    return { initial, max: cloud === "azure" && !pool.autoscaling ? initial : sum(groups.map((g) => g.max)) };
}

/**
 * Public IPs of a region's NAT gateway (AKS outbound): SNAT ports for every node at the
 * pools' maximum, 1,024 a node or 64 a provisioner where a node runs more (tiers: AZURE_NAT).
 * `ports` above what 16 IPs give is a sizing problem of the caller's.
 */
export function natGatewayPlan(pools: Partial<Record<PoolRole, PoolPlan>>): { ports: number; publicIps: number } {
    const n = AZURE_NAT;
    const ports = Object.values(pools).reduce((sum, p) => {
        if (!p) return sum;
        const perNode = p.role === "provisioners" && p.workload ? Math.max(n.portsPerNode, p.workload.perNode * n.portsPerProvisioner) : n.portsPerNode;
        return sum + p.total.max * perNode;
    }, 0);
    return { ports, publicIps: Math.max(1, Math.ceil(ports / n.portsPerIp)) };
}

export function fmt(r: Resources): string {
    return `${r.cpuMillis}m / ${r.memoryMiB >= 1024 && r.memoryMiB % 1024 === 0 ? `${r.memoryMiB / 1024}Gi` : `${r.memoryMiB}Mi`}`;
}

/** Kubernetes resource quantities for a pod spec. */
export function k8sResources(w: { requests: Resources; limits: Resources }) {
    const q = (r: Resources) => ({ cpu: `${r.cpuMillis}m`, memory: `${r.memoryMiB}Mi` });
    return { requests: q(w.requests), limits: q(w.limits) };
}

/** What a stack buys from the cloud: at the first `pulumi up` and with every pool at its maximum. */
export interface Footprint {
    /** vCPUs of the node pools by machine family (each family has its own quota on GCP) */
    families: { family: string; vcpusInitial: number; vcpusMax: number }[];
    vcpusInitial: number;
    vcpusMax: number;
    /** boot disks by type, GB */
    disks: { type: string; gbInitial: number; gbMax: number }[];
    /** the primary region's database (none in a proxy region) */
    database?: { machine: string; vcpus: number; storageGb: number; instances: number };
    /** the quotas these figures count against, and the command that shows the account's */
    quotas: { quota: string; need: string }[];
    check: string[];
}

/** A machine type's family as the clouds' quotas name it: n2-standard-8 → N2; m5.2xlarge → m5. */
const familyOf = (cloud: CloudName, machine: string): string =>
    cloud === "gcp" ? machine.split("-")[0]!.toUpperCase() : cloud === "aws" ? machine.split(".")[0]! : machine.replace(/^Standard_([A-Z]+)\d+/, "$1");

/** Disks summed by the quota they count against. */
function groupDisks(disks: Footprint["disks"], quotaOf: (type: string) => string): Map<string, { gbInitial: number; gbMax: number }> {
    const byQuota = new Map<string, { gbInitial: number; gbMax: number }>();
    for (const d of disks) {
        const q = byQuota.get(quotaOf(d.type)) ?? { gbInitial: 0, gbMax: 0 };
        byQuota.set(quotaOf(d.type), { gbInitial: q.gbInitial + d.gbInitial, gbMax: q.gbMax + d.gbMax });
    }
    return byQuota;
}

/** A proxy region as a plan of its own: its place and pools, the stack's tier and workloads (its database is the primary's). */
export function planOfRegion(plan: Plan, r: RegionPlan): Plan {
    return { ...plan, region: r.region, zones: [...r.zones], pools: r.pools, proxies: [] };
}

/** What a region buys: `withDatabase` false for a proxy region (the database lives in the primary). */
export function footprint(plan: Plan, withDatabase = true): Footprint {
    const pools = POOL_ROLES.map((r) => plan.pools[r]);
    const families = new Map<string, { family: string; vcpusInitial: number; vcpusMax: number }>();
    const disks = new Map<string, { type: string; gbInitial: number; gbMax: number }>();
    for (const p of pools) {
        const f = familyOf(plan.cloud, p.machine.name);
        // the nodes as the cloud layer deploys them: what the first pulumi up asks the quota for
        const nodes = deployedNodes(plan.cloud, p);
        const fam = families.get(f) ?? { family: f, vcpusInitial: 0, vcpusMax: 0 };
        fam.vcpusInitial += nodes.initial * p.machine.vcpu;
        fam.vcpusMax += nodes.max * p.machine.vcpu;
        families.set(f, fam);
        const d = disks.get(p.bootDisk.type) ?? { type: p.bootDisk.type, gbInitial: 0, gbMax: 0 };
        d.gbInitial += nodes.initial * p.bootDisk.sizeGb;
        d.gbMax += nodes.max * p.bootDisk.sizeGb;
        disks.set(p.bootDisk.type, d);
    }
    const fams = [...families.values()];
    const vcpusInitial = fams.reduce((n, f) => n + f.vcpusInitial, 0);
    const vcpusMax = fams.reduce((n, f) => n + f.vcpusMax, 0);
    const database = withDatabase ? {
        machine: plan.database.machine.name,
        vcpus: plan.database.machine.vcpu,
        storageGb: plan.database.storageGb,
        instances: plan.database.highAvailability ? 2 : 1,
    } : undefined;
    const range = (a: number, b: number, unit: string) => (a === b ? `${b} ${unit}` : `${a} at the first up, ${b} at the pools' maximum`);
    const quotas = plan.cloud === "gcp"
        ? [
            { quota: `CPUS (region ${plan.region})`, need: range(vcpusInitial, vcpusMax, "vCPUs") },
            ...fams.map((f) => ({ quota: `${f.family}_CPUS (region ${plan.region})`, need: range(f.vcpusInitial, f.vcpusMax, "vCPUs") })),
            // pd-balanced and pd-ssd count against one quota, SSD_TOTAL_GB
            ...[...groupDisks([...disks.values()], (t) => (t === "hyperdisk-balanced" ? "Hyperdisk Balanced capacity (GB)" : "SSD_TOTAL_GB (pd-balanced and pd-ssd)"))]
                .map(([quota, d]) => ({ quota, need: range(d.gbInitial, d.gbMax, "GB") })),
            { quota: "STATIC_ADDRESSES / IN_USE_ADDRESSES", need: "1 (coderd's load balancer)" },
            ...(database ? [{ quota: "Cloud SQL: instances of the project", need: `${database.instances === 2 ? "1 (with its HA standby)" : "1"}` }] : []),
        ]
        : plan.cloud === "azure" ? [
            { quota: `Total Regional vCPUs (${plan.region})`, need: range(vcpusInitial, vcpusMax, "vCPUs") },
            ...fams.map((f) => ({ quota: `Standard ${f.family.replace(/_/g, "").toUpperCase().replace(/V(\d+)$/, "v$1")} Family vCPUs (${plan.region})`, need: range(f.vcpusInitial, f.vcpusMax, "vCPUs") })),
            { quota: "Public IP Addresses - Standard", need: `${natGatewayPlan(plan.pools).publicIps + 1} (the NAT gateway's and coderd's load balancer's)` },
            ...(database ? [{ quota: `PostgreSQL Flexible Server: vCores (${plan.region})`, need: `${database.vcpus * database.instances} (${database.machine}${database.instances === 2 ? " and its zone-redundant standby" : ""})` }] : []),
        ] : [
            { quota: "EC2: Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (L-1216C47A), vCPUs", need: range(vcpusInitial, vcpusMax, "vCPUs") },
            ...[...disks.values()].map((d) => ({ quota: `EBS: Storage for ${d.type} volumes, TiB`, need: range(Math.ceil(d.gbInitial / 1024), Math.ceil(d.gbMax / 1024), "TiB") })),
            { quota: "EKS: Nodes per managed node group", need: `${Math.max(...pools.map((p) => (ZONAL_POOLS.includes(p.role) ? p.perZone.max : p.total.max)))} in the largest group` },
            { quota: "VPC: Elastic IP addresses (NAT gateways)", need: `${plan.zones.length}` },
            ...(database ? [{ quota: "RDS: DB instances, total storage", need: `1 ${database.machine} (Multi-AZ), ${database.storageGb} GB` }] : []),
        ];
    const check = plan.cloud === "gcp"
        ? [`gcloud compute regions describe ${plan.region} --format="table(quotas.metric,quotas.limit,quotas.usage)"`]
        : plan.cloud === "azure" ? [
            `az vm list-usage --location ${plan.region} -o table`,
            `az network list-usages --location ${plan.region} -o table`,
            ...(database ? [`az postgres flexible-server list-skus --location ${plan.region} -o table`] : []),
        ] : [
            `aws service-quotas get-service-quota --region ${plan.region} --service-code ec2 --quota-code L-1216C47A`,
            `aws service-quotas list-service-quotas --region ${plan.region} --service-code ebs`,
        ];
    return { families: fams, vcpusInitial, vcpusMax, disks: [...disks.values()], database, quotas, check };
}
