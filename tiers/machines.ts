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

const gcp = (name: string, vcpu: number, memoryGiB: number, bootDisk: Machine["bootDisk"] = "pd-balanced"): Machine => ({
    name, vcpu, memoryGiB, arch: "x86_64", burstable: false, bootDisk,
});
const n4 = (vcpu: number): Machine => gcp(`n4-standard-${vcpu}`, vcpu, vcpu * 4, "hyperdisk-balanced");
const aws = (name: string, vcpu: number, memoryGiB: number, burstable = false, arch: Machine["arch"] = "x86_64"): Machine => ({
    name, vcpu, memoryGiB, arch, burstable,
});
const azure = (name: string, vcpu: number, memoryGiB: number): Machine => ({ name, vcpu, memoryGiB, arch: "x86_64", burstable: false });

/** Kubernetes node machine types per cloud. */
export const NODE_MACHINES: Record<CloudName, readonly Machine[]> = {
    gcp: [
        gcp("n1-standard-4", 4, 15), gcp("n1-standard-8", 8, 30),
        gcp("n2-standard-2", 2, 8), gcp("n2-standard-4", 4, 16), gcp("n2-standard-8", 8, 32), gcp("n2-standard-16", 16, 64),
        n4(2), n4(4), n4(8), n4(16), n4(32),
        gcp("t2d-standard-4", 4, 16), gcp("t2d-standard-8", 8, 32), gcp("t2d-standard-16", 16, 64),
        gcp("c2d-standard-8", 8, 32), gcp("c2d-standard-16", 16, 64), gcp("c2d-standard-32", 32, 128),
    ],
    aws: [
        aws("m5.large", 2, 8), aws("m5.xlarge", 4, 16), aws("m5.2xlarge", 8, 32), aws("m5.4xlarge", 16, 64),
        aws("c5.2xlarge", 8, 16), aws("c5.4xlarge", 16, 32),
        aws("t3.large", 2, 8, true), aws("t3.xlarge", 4, 16, true), aws("t3.2xlarge", 8, 32, true),
        aws("m8i.large", 2, 8), aws("m8i.xlarge", 4, 16), aws("m8i.2xlarge", 8, 32), aws("m8i.4xlarge", 16, 64),
        aws("m8g.xlarge", 4, 16, false, "arm64"), aws("m8g.2xlarge", 8, 32, false, "arm64"),
    ],
    azure: [
        azure("Standard_D2s_v3", 2, 8), azure("Standard_D4s_v3", 4, 16), azure("Standard_D8s_v3", 8, 32), azure("Standard_D16s_v3", 16, 64),
        azure("Standard_D2s_v5", 2, 8), azure("Standard_D4s_v5", 4, 16), azure("Standard_D8s_v5", 8, 32), azure("Standard_D16s_v5", 16, 64),
    ],
};

/**
 * The families the catalogue picks from, in order, when a page names capacity but no
 * type. Seed 003: "General purpose virtual machines, such as N4-series in GCP or
 * M8-series in AWS work well"; M8 on x86 (m8i), since provisioners run Terraform
 * providers and customer images that may not ship arm64. Azure: D-series v5.
 */
export const PREFERRED_FAMILIES: Record<CloudName, readonly string[]> = {
    gcp: ["n4-standard-", "n2-standard-"],
    aws: ["m8i.", "m5."],
    azure: ["Standard_D", /* v5 before v3 by order below */],
};

/** Managed PostgreSQL instance classes per cloud (GCP custom tiers are parsed). */
export const DATABASE_MACHINES: Record<Exclude<CloudName, "gcp">, readonly Machine[]> = {
    aws: [
        aws("db.m5.xlarge", 4, 16), aws("db.m5.2xlarge", 8, 32), aws("db.m5.4xlarge", 16, 64),
        aws("db.m6i.xlarge", 4, 16), aws("db.m6i.2xlarge", 8, 32),
        aws("db.m8g.xlarge", 4, 16, false, "arm64"), aws("db.m8g.2xlarge", 8, 32, false, "arm64"),
        aws("db.t3.xlarge", 4, 16, true), aws("db.t3.2xlarge", 8, 32, true),
    ],
    azure: [
        azure("Standard_D4s_v3", 4, 16), azure("Standard_D8s_v3", 8, 32),
        azure("Standard_D4ds_v5", 4, 16), azure("Standard_D8ds_v5", 8, 32), azure("Standard_D16ds_v5", 16, 64),
    ],
};

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
            .filter((m) => m.name.startsWith(family) && !m.burstable && m.arch === "x86_64")
            .filter((m) => m.vcpu >= vcpu && m.memoryGiB >= memoryGiB)
            // newest generation first on Azure (v5 before v3), then the smallest
            .sort((a, b) => a.vcpu - b.vcpu || a.memoryGiB - b.memoryGiB || b.name.localeCompare(a.name));
        if (fits[0]) return fits[0];
    }
    return undefined;
}
