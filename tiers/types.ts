/**
 * Types of the tier catalogue: Coder's reference-architecture figures as data.
 *
 * Every figure carries the seed it came from (`Cited`). Units are fixed so the
 * sizing code never guesses: CPU in millicores, memory in MiB, storage in GB,
 * node capacity in vCPU and GiB (cloud vendors' "GB" of machine memory is GiB).
 */

export type CloudName = "gcp" | "aws" | "azure";
export const CLOUDS: readonly CloudName[] = ["gcp", "aws", "azure"];

export type TierName = "1k" | "2k" | "3k" | "10k";
export const TIERS: readonly TierName[] = ["1k", "2k", "3k", "10k"];

/** The three pools the seeds ask for, plus the small system pool (see tiers/system.ts). */
export type PoolRole = "system" | "coderd" | "provisioners" | "workspaces";
export const POOL_ROLES: readonly PoolRole[] = ["system", "coderd", "provisioners", "workspaces"];

/** Where a figure comes from: a seed file, Coder's docs beside them, or our own decision. */
export interface Citation {
    /** e.g. "seed 003", "2k-users.md", "decision" */
    source: string;
    /** what the source says, or why we decided what we did */
    note?: string;
}

export interface Resources {
    cpuMillis: number;
    memoryMiB: number;
}

export interface Workload {
    replicas: number;
    requests: Resources;
    limits: Resources;
    /** where the replica count comes from (and the resources, unless resourcesCite says otherwise) */
    cite: Citation;
    /** where the pod resources come from, where that differs from `cite` (e.g. a decision where the page gives none) */
    resourcesCite?: Citation;
}

export interface NodeCapacity {
    vcpu: number;
    memoryGiB: number;
}

/** The machine type a page names for one cloud, and what we deploy by default. */
export interface MachineChoice {
    /** the type the page names, if any */
    named?: string;
    /** the type we deploy by default; absent = the machine catalogue picks one */
    chosen?: string;
    /** why `chosen` differs from `named` (a seed conflict or gap) */
    why?: string;
}

export interface PoolSpec {
    role: PoolRole;
    /** node capacity the page asks for */
    capacity: NodeCapacity;
    /** node count the page gives (static pools) or its upper bound (autoscaling pools) */
    nodes?: number;
    /** the page's density cap: at most this many of the pool's workload pods on one node */
    podsPerNode?: number;
    autoscaling: boolean;
    machines: Partial<Record<CloudName, MachineChoice>>;
    cite: Citation;
}

export interface DatabaseSpec {
    vcpu: number;
    memoryGiB: number;
    storageGb: number;
    /** where the storage figure comes from, where that differs from `cite` */
    storageCite?: Citation;
    /** primaries the page asks for (1 = one writer) */
    replicas: number;
    /** a synchronous standby in another zone (managed HA) */
    highAvailability: boolean;
    machines: Partial<Record<CloudName, MachineChoice>>;
    cite: Citation;
}

export interface TierLimits {
    users: number;
    /** workspaces running at once, over every region of the tier (`TierSpec.regions`) */
    runningWorkspaces?: number;
    /** workspace builds at once, over every region of the tier (one a provisioner) */
    concurrentBuilds?: number;
    apiRps?: number;
    cite: Citation;
}

/**
 * A slot in the workspaces pool. Workspaces are created by templates, not by
 * this program; the pool is planned for `podsPerNode` of these per node.
 */
export interface WorkspaceSlot {
    requests: Resources;
    cite: Citation;
}

/**
 * Where a page ran its test, for tiers spread over several regions: one primary region
 * (coderd and PostgreSQL) and proxy regions (workspace proxies). The regions a stack deploys
 * are its own config (`proxyRegions`); this records the page's geography, and that the
 * tier's `limits` are totals over `1 + proxies.length` regions while `provisioners` and the
 * workspaces pool are each region's.
 */
export interface TierRegions {
    /** what the page puts in the primary region */
    primary: string;
    /** the page's proxy regions */
    proxies: readonly string[];
    cite: Citation;
}

export interface TierSpec {
    name: TierName;
    title: string;
    /** the page the tier's figures come from */
    page: string;
    limits: TierLimits;
    /** the page's regions; absent = one region */
    regions?: TierRegions;
    coderd: Workload;
    /**
     * The workspace proxies of each proxy region (seed 000: 10 replicas of 4 vCPU / 12 GiB),
     * on the region's pool of `pools.coderd`'s spec. Tiers without it run proxies with
     * coderd's figures: Coder's scale-test rig sets "Proxy replicas and resources equal coderd's".
     */
    proxy?: Workload;
    /** a region's provisioners: the primary region's, and each proxy region's where the tier has `regions` */
    provisioners: Workload;
    workspace: WorkspaceSlot;
    pools: Record<Exclude<PoolRole, "system">, PoolSpec>;
    database: DatabaseSpec;
}
