import { CloudName } from "./types";

/**
 * The machine catalogue: the facts of each machine type the program may deploy.
 * Vendor facts, not reference-architecture figures; the tiers pick from here.
 */
export interface Machine {
    name: string;
    vcpu: number;
    memoryGiB: number;
    arch: "x86_64" | "arm64";
    burstable: boolean;
    /** GCP: N4 takes Hyperdisk only (its boot disk must be hyperdisk-balanced) */
    bootDisk?: "pd-balanced" | "hyperdisk-balanced";
}

type Arch = Machine["arch"];

/**
 * A machine family: its sizes (vCPUs) and memory per vCPU. The catalogue is generated
 * from these, so a platform team's reserved-instance family is known with its capacity.
 */
interface Family {
    /** the name of a size: (vcpu) => type name */
    name(vcpu: number): string;
    sizes: readonly number[];
    /** GiB of memory a vCPU (or the exact memory of a size) */
    memory: number | ((vcpu: number) => number);
    arch?: Arch;
    burstable?: boolean;
    bootDisk?: Machine["bootDisk"];
}

function expand(families: readonly Family[]): Machine[] {
    return families.flatMap((f) => f.sizes.map((vcpu): Machine => ({
        name: f.name(vcpu),
        vcpu,
        memoryGiB: typeof f.memory === "number" ? vcpu * f.memory : f.memory(vcpu),
        arch: f.arch ?? "x86_64",
        burstable: f.burstable ?? false,
        ...(f.bootDisk ? { bootDisk: f.bootDisk } : {}),
    })));
}

/** GCP families: `<family>-<shape>-<vCPU>`; N4, N4D, C4, C4D and C4A take Hyperdisk only. */
const gcpFamily = (family: string, shape: string, sizes: readonly number[], memory: Family["memory"], more: Partial<Family> = {}): Family => ({
    name: (v) => `${family}-${shape}-${v}`, sizes, memory, bootDisk: "pd-balanced", ...more,
});
const HYPERDISK = { bootDisk: "hyperdisk-balanced" } as const;
const GCP_FAMILIES: readonly Family[] = [
    gcpFamily("n1", "standard", [1, 2, 4, 8, 16, 32, 64, 96], 3.75),
    gcpFamily("n2", "standard", [2, 4, 8, 16, 32, 48, 64, 80, 96, 128], 4),
    gcpFamily("n2", "highmem", [2, 4, 8, 16, 32, 48, 64, 80, 96, 128], 8),
    gcpFamily("n2", "highcpu", [2, 4, 8, 16, 32, 48, 64, 80, 96], 1),
    gcpFamily("n2d", "standard", [2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224], 4),
    gcpFamily("n2d", "highmem", [2, 4, 8, 16, 32, 48, 64, 80, 96], 8),
    gcpFamily("e2", "standard", [2, 4, 8, 16, 32], 4),
    gcpFamily("e2", "highmem", [2, 4, 8, 16], 8),
    gcpFamily("n4", "standard", [2, 4, 8, 16, 32, 48, 64, 80], 4, HYPERDISK),
    gcpFamily("n4", "highmem", [2, 4, 8, 16, 32, 48, 64, 80], 8, HYPERDISK),
    gcpFamily("n4", "highcpu", [2, 4, 8, 16, 32, 48, 64, 80], 2, HYPERDISK),
    gcpFamily("n4d", "standard", [2, 4, 8, 16, 32, 48, 64, 80, 96], 4, HYPERDISK),
    // C4 and C4D: 3.75 / 3.875 GB a vCPU, but 7 GB at 2 vCPUs (and C4D 15 GB at 4)
    gcpFamily("c4", "standard", [2, 4, 8, 16, 24, 32, 48, 96, 144, 192, 288], (v) => (v === 2 ? 7 : v * 3.75), HYPERDISK),
    gcpFamily("c4d", "standard", [2, 4, 8, 16, 32, 48, 64, 96, 192, 384], (v) => (v === 2 ? 7 : v === 4 ? 15 : v * 3.875), HYPERDISK),
    gcpFamily("c4a", "standard", [1, 2, 4, 8, 16, 32, 48, 64, 72], 4, { ...HYPERDISK, arch: "arm64" }),
    gcpFamily("c3", "standard", [4, 8, 22, 44, 88, 176], 4),
    gcpFamily("c3d", "standard", [4, 8, 16, 30, 60, 90, 180, 360], 4),
    gcpFamily("t2d", "standard", [1, 2, 4, 8, 16, 32, 48, 60], 4),
    gcpFamily("t2a", "standard", [1, 2, 4, 8, 16, 32, 48], 4, { arch: "arm64" }),
    // C2D: second-generation AMD compute-optimised, Persistent Disk boot; seed 000 names c2d-standard-16 (16 vCPU / 64 GB)
    gcpFamily("c2d", "standard", [2, 4, 8, 16, 32, 56, 112], 4),
    gcpFamily("c2", "standard", [4, 8, 16, 30, 60], 4),
];

/** AWS sizes: large = 2 vCPU, xlarge = 4, Nxlarge = 4N. */
const AWS_SIZES = { large: 2, xlarge: 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32, "9xlarge": 36, "12xlarge": 48, "16xlarge": 64, "18xlarge": 72 } as const;
const awsSize = (vcpu: number): string => Object.entries(AWS_SIZES).find(([, v]) => v === vcpu)![0];
/** Most families; C5 has 9xlarge and 18xlarge instead of 8xlarge and 16xlarge. */
const AWS_COMMON_SIZES = [2, 4, 8, 16, 32, 48, 64];
const awsFamily = (prefix: string, family: string, memory: number, more: Partial<Family> = {}): Family => ({
    name: (v) => `${prefix}${family}.${awsSize(v)}`, sizes: AWS_COMMON_SIZES, memory, ...more,
});
const AWS_NODE_FAMILIES: readonly Family[] = [
    ...["m5", "m5a", "m6i", "m6a", "m7i", "m7a", "m8i", "m8a"].map((f) => awsFamily("", f, 4)),
    ...["m6g", "m7g", "m8g"].map((f) => awsFamily("", f, 4, { arch: "arm64" })),
    awsFamily("", "c5", 2, { sizes: [2, 4, 8, 16, 36, 48, 72] }),
    ...["c5a", "c6i", "c6a", "c7i", "c7a", "c8i"].map((f) => awsFamily("", f, 2)),
    ...["r5", "r5a", "r6i", "r6a", "r7i", "r7a", "r8i"].map((f) => awsFamily("", f, 8)),
    // burstable: CPU credits, not for production (seed 003, validated-architectures.md)
    { ...awsFamily("", "t3", 4, { burstable: true }), sizes: [2, 4, 8] },
    { ...awsFamily("", "t3a", 4, { burstable: true }), sizes: [2, 4, 8] },
    { ...awsFamily("", "t4g", 4, { burstable: true, arch: "arm64" }), sizes: [2, 4, 8] },
];
/**
 * RDS classes: 4xlarge is 16 vCPUs, 8xlarge 32, with no size between them (db.m8g: large,
 * xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge, 24xlarge, 48xlarge).
 */
const AWS_DB_FAMILIES: readonly Family[] = [
    ...["m5", "m6i", "m7i"].map((f) => awsFamily("db.", f, 4)),
    ...["m6g", "m7g", "m8g"].map((f) => awsFamily("db.", f, 4, { arch: "arm64" })),
    ...["r5", "r6i", "r7i"].map((f) => awsFamily("db.", f, 8)),
    ...["r6g", "r7g", "r8g"].map((f) => awsFamily("db.", f, 8, { arch: "arm64" })),
    { ...awsFamily("db.", "t3", 4, { burstable: true }), sizes: [2, 4, 8] },
    { ...awsFamily("db.", "t4g", 4, { burstable: true, arch: "arm64" }), sizes: [2, 4, 8] },
];

/** Azure sizes: `Standard_D<vCPU><features>_<version>`. */
const azureFamily = (letter: string, suffix: string, memory: number, sizes: readonly number[] = [2, 4, 8, 16, 32, 48, 64]): Family => ({
    name: (v) => `Standard_${letter}${v}${suffix}`, sizes, memory,
});
const AZURE_NODE_FAMILIES: readonly Family[] = [
    azureFamily("D", "s_v3", 4), azureFamily("D", "s_v4", 4), azureFamily("D", "s_v5", 4), azureFamily("D", "ds_v5", 4),
    azureFamily("D", "as_v5", 4), azureFamily("D", "s_v6", 4), azureFamily("D", "ds_v6", 4), azureFamily("D", "as_v6", 4),
    azureFamily("E", "s_v5", 8), azureFamily("E", "ds_v5", 8), azureFamily("F", "s_v2", 2, [2, 4, 8, 16, 32, 48, 64]),
];
/** Flexible Server General Purpose (Ddsv5: 2 to 96 vCores, 4 GiB each) and Memory Optimized (Edsv5) compute sizes. */
const AZURE_DB_FAMILIES: readonly Family[] = [
    azureFamily("D", "s_v3", 4), azureFamily("D", "ds_v4", 4), azureFamily("D", "ds_v5", 4), azureFamily("E", "ds_v5", 8),
];

/** Kubernetes node machine types per cloud: the current general-purpose, compute- and memory-optimised families. */
export const NODE_MACHINES: Record<CloudName, readonly Machine[]> = {
    gcp: expand(GCP_FAMILIES),
    aws: expand(AWS_NODE_FAMILIES),
    azure: expand(AZURE_NODE_FAMILIES),
};

/**
 * The families the catalogue picks from, in order, when a page names capacity but no
 * type. Seed 003: "General purpose virtual machines, such as N4-series in GCP or
 * M8-series in AWS work well"; M8 on x86 (m8i), since provisioners run Terraform
 * providers and customer images that may not ship arm64. Azure: D-series v5.
 */
export const PREFERRED_FAMILIES: Record<CloudName, readonly (string | RegExp)[]> = {
    gcp: ["n4-standard-", "n2-standard-"],
    aws: ["m8i.", "m7i."],
    // Dsv5, as the tiers' Azure choices: Dsv6 needs NVMe-capable images and is not in every region yet
    azure: [/^Standard_D\d+s_v5$/],
};

/**
 * The families an autoscaled node group may launch beside its planned machine, in the
 * order it tries them: the current generations (6th and later on AWS: M8i, M7i and M6i,
 * then AMD's M8a, M7a and M6a, and the C and R families of the same generations, and
 * Graviton for arm64 machines). Only types of the machine's exact vCPU count, memory and
 * architecture qualify, so the pool's sizing holds for each. EKS: "if you're using the
 * Cluster Autoscaler, we recommend using a flexible set of instance types with the same
 * amount of vCPU and memory resources", and a managed node group fills On-Demand capacity
 * in the order of its instance types, so the planned machine stays the one launched while
 * it is available. The previous generations (M5, C5, R5) and the burstable families are
 * not alternatives. GKE node pools take one machine type: no entry.
 */
export const SAME_SHAPE_FAMILIES: Partial<Record<CloudName, readonly string[]>> = {
    aws: [
        "m8i", "m7i", "m6i", "m8a", "m7a", "m6a",
        "c8i", "c7i", "c6i", "c7a", "c6a",
        "r8i", "r7i", "r6i", "r7a", "r6a",
        "m8g", "m7g", "m6g",
    ],
};

/** The family of a catalogue type: m8i.2xlarge → m8i, n4-standard-8 → n4, Standard_D8s_v5 → Standard_D8s_v5. */
export function familyOfMachine(cloud: CloudName, name: string): string {
    if (cloud === "aws") return name.replace(/^db\./, "").split(".")[0]!;
    if (cloud === "gcp") return name.split("-")[0]!;
    return name;
}

/**
 * The instance types of the same shape as `machine` an autoscaled group may also launch
 * (SAME_SHAPE_FAMILIES), `machine` first; just `machine` where the cloud lists none.
 */
export function sameShapeTypes(cloud: CloudName, machine: Machine): string[] {
    const families = SAME_SHAPE_FAMILIES[cloud] ?? [];
    const others = families
        .map((f) => NODE_MACHINES[cloud].find((m) => familyOfMachine(cloud, m.name) === f &&
            m.vcpu === machine.vcpu && m.memoryGiB === machine.memoryGiB && m.arch === machine.arch && !m.burstable))
        .filter((m): m is Machine => m !== undefined && m.name !== machine.name)
        .map((m) => m.name);
    return [machine.name, ...others];
}

/** Managed PostgreSQL instance classes per cloud (GCP custom tiers are parsed). */
export const DATABASE_MACHINES: Record<Exclude<CloudName, "gcp">, readonly Machine[]> = {
    aws: expand(AWS_DB_FAMILIES),
    azure: expand(AZURE_DB_FAMILIES),
};

/**
 * What a type's name says of it, for types outside the catalogue: Graviton families carry
 * a `g` after the generation on AWS (m7g, c8gn, r7gd, t4g); C4A, N4A and T2A are Arm on
 * GCP, and the N4 and C4 families (and M4, X4) boot from Hyperdisk only.
 */
export function machineTraits(cloud: CloudName, name: string): Pick<Machine, "arch" | "bootDisk"> {
    if (cloud === "aws") return { arch: /^[a-z]+\d+g[a-z]*\./.test(name) ? "arm64" : "x86_64" };
    if (cloud === "gcp") {
        const family = name.split("-")[0] ?? "";
        return {
            arch: ["c4a", "n4a", "t2a"].includes(family) ? "arm64" : "x86_64",
            bootDisk: /^(n4[a-z]?|c4[a-z]?|m4|x4)$/.test(family) ? "hyperdisk-balanced" : "pd-balanced",
        };
    }
    return { arch: "x86_64" };
}

export function findNodeMachine(cloud: CloudName, name: string): Machine | undefined {
    return NODE_MACHINES[cloud].find((m) => m.name === name);
}

/** Cloud SQL custom tier `db-custom-<vCPU>-<MiB>`: 1 or an even number of vCPUs, 0.9-6.5 GB a vCPU, a multiple of 256 MB. */
export function parseCloudSqlTier(tier: string): Machine | undefined {
    const m = /^db-custom-(\d+)-(\d+)$/.exec(tier);
    if (!m) return undefined;
    const vcpu = Number(m[1]);
    const memoryMiB = Number(m[2]);
    const validCpu = vcpu === 1 || (vcpu % 2 === 0 && vcpu <= 96);
    const perCpu = memoryMiB / 1024 / vcpu;
    if (!validCpu || memoryMiB % 256 !== 0 || perCpu < 0.9 || perCpu > 6.5) return undefined;
    return { name: tier, vcpu, memoryGiB: memoryMiB / 1024, arch: "x86_64", burstable: false };
}

export function findDatabaseMachine(cloud: CloudName, name: string): Machine | undefined {
    if (cloud === "gcp") return parseCloudSqlTier(name);
    return DATABASE_MACHINES[cloud].find((m) => m.name === name);
}

/**
 * Picks the smallest non-burstable type of the cloud's preferred families that has at
 * least the asked capacity (x86 only). Undefined if none does.
 */
export function pickNodeMachine(cloud: CloudName, vcpu: number, memoryGiB: number): Machine | undefined {
    for (const family of PREFERRED_FAMILIES[cloud]) {
        const fits = NODE_MACHINES[cloud]
            .filter((m) => (typeof family === "string" ? m.name.startsWith(family) : family.test(m.name)) && !m.burstable && m.arch === "x86_64")
            .filter((m) => m.vcpu >= vcpu && m.memoryGiB >= memoryGiB)
            // the smallest first
            .sort((a, b) => a.vcpu - b.vcpu || a.memoryGiB - b.memoryGiB || b.name.localeCompare(a.name));
        if (fits[0]) return fits[0];
    }
    return undefined;
}
