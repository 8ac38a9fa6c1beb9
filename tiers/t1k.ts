import { TierSpec } from "./types";

/**
 * Up to 1,000 users: seed 003 (Coder's "Reference Architecture: up to 1,000 users").
 *
 * Seed 003 gives coderd, provisioner and database figures and the limits of the
 * tier, but no node pools and no machine types beyond "general purpose, such as
 * N4-series in GCP or M8-series in AWS". Pool capacities are therefore decisions,
 * each explained where it is made; the machine catalogue (tiers/machines.ts)
 * picks N4 / M8 types for them.
 */
export const tier1k: TierSpec = {
    name: "1k",
    title: "Up to 1,000 users",
    page: "seed 003 (003_15d19e03e0b84808.txt)",
    limits: {
        users: 1000,
        runningWorkspaces: 600,
        concurrentBuilds: 60,
        // seed 003 gives no API RPS target.
        cite: { source: "seed 003", note: "limits table: 1000 users, 600 concurrent running workspaces, 60 concurrent builds" },
    },
    coderd: {
        replicas: 3,
        requests: { cpuMillis: 2000, memoryMiB: 8192 },
        limits: { cpuMillis: 2000, memoryMiB: 8192 },
        cite: { source: "seed 003", note: "Coderd: 2 vCPU, 8 GB, 3 replicas; on Kubernetes CPU request and limit 2000m, memory 8Gi" },
    },
    provisioners: {
        replicas: 60,
        requests: { cpuMillis: 1000, memoryMiB: 1024 },
        limits: { cpuMillis: 1000, memoryMiB: 1024 },
        cite: { source: "seed 003", note: "Provisioners: 1 vCPU, 1 GB, 60 replicas; on Kubernetes request and limit 1000m / 1Gi" },
    },
    workspace: {
        requests: { cpuMillis: 100, memoryMiB: 128 },
        cite: { source: "seed 003", note: "Workspaces: the agent's bare minimum, 0.1 vCPU / 128 MB" },
    },
    pools: {
        coderd: {
            role: "coderd",
            // Decision: the smallest general-purpose shape that holds one 2 vCPU / 8 GiB
            // coderd after the node's system reservations; one coderd per node so a
            // node loss costs one replica.
            capacity: { vcpu: 4, memoryGiB: 16 },
            nodes: 3,
            podsPerNode: 1,
            autoscaling: false,
            machines: {},
            cite: { source: "decision", note: "seed 003 sizes coderd (3 x 2 vCPU / 8 GB) but no node pool: one replica per 4 vCPU / 16 GiB node" },
        },
        provisioners: {
            role: "provisioners",
            // Decision: 8 vCPU / 32 GiB nodes, the provisioner node shape of the 2k and 3k
            // pages; at 1000m a pod, 7 fit on a node, so 60 need 9 nodes.
            capacity: { vcpu: 8, memoryGiB: 32 },
            autoscaling: true,
            machines: {},
            cite: { source: "decision", note: "seed 003 sizes 60 provisioners but no node pool; node shape of 2k-users.md / seed 001" },
        },
        workspaces: {
            role: "workspaces",
            capacity: { vcpu: 8, memoryGiB: 32 },
            // 600 running workspaces (seed 003) at the 2k page's 16 workspaces a node.
            nodes: Math.ceil(600 / 16),
            podsPerNode: 16,
            autoscaling: true,
            // The 2k page's workspace types. T2D (AMD Milan, one vCPU a core) is a current
            // family and stays; m5 and Dsv3 are previous generations: the same shape of the
            // current one. x86 on AWS: workspace images built by templates may be amd64 only.
            machines: {
                gcp: { named: "t2d-standard-8" },
                aws: { named: "m5.2xlarge", chosen: "m8i.2xlarge", why: "m5 is a previous generation; m8i.2xlarge is the same 8 vCPU / 32 GiB, x86 as workspace images may be amd64 only (seed 003: M8-series work well)" },
                azure: { named: "Standard_D8s_v3", chosen: "Standard_D8s_v5", why: "Dsv3 is a previous generation; Standard_D8s_v5 is the same 8 vCPU / 32 GiB" },
            },
            cite: {
                source: "decision",
                note: "seed 003 names no workspace pool; 600 running workspaces (seed 003) at 16 a node on the 2k page's 8 vCPU / 32 GB workspace nodes = 38 nodes",
            },
        },
    },
    database: {
        vcpu: 8,
        memoryGiB: 30,
        // Seed 003 gives no storage; validated-architectures.md: "2 vCPU x 8 GB RAM x 512 GB
        // storage: a baseline for ... less than 1000 users".
        storageGb: 512,
        replicas: 1,
        // Decision: seed 003 asks for 1 database node; the product deploys managed HA
        // PostgreSQL (a synchronous standby in another zone), overridable.
        highAvailability: true,
        // The database rule (tiers/index.ts databaseShape): seed 003's own 8 vCPU / 30 GB.
        machines: {
            gcp: { chosen: "db-custom-8-30720", why: "seed 003's 8 vCPU / 30 GB as a Cloud SQL custom tier (the tier seed 001 names for the same shape)" },
            aws: { chosen: "db.m8g.2xlarge", why: "seed 003's 8 vCPU / 30 GB: the 8 vCPU / 32 GiB class of the M8 series (seed 003: M8-series in AWS work well); Graviton, as RDS runs no customer code" },
            azure: { chosen: "Standard_D8ds_v5", why: "seed 003's 8 vCPU / 30 GB: 8 vCores / 32 GiB General Purpose" },
        },
        storageCite: { source: "validated-architectures.md", note: "2 vCPU x 8 GB RAM x 512 GB storage: a baseline for less than 1000 users" },
        cite: { source: "seed 003", note: "Database: 8 vCPU, 30 GB, 1 replica; storage from validated-architectures.md (512 GB baseline)" },
    },
};
