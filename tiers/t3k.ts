import { TierSpec } from "./types";

/**
 * Up to 3,000 users: seed 001 ("Reference Architecture: up to 3,000 users").
 *
 * Seed 001 conflicts with itself and with the other pages in two ways:
 * - coderd nodes are "8 vCPU, 32 GB memory" beside `n1-standard-4`, `t3.xlarge` and
 *   `Standard_D4s_v3`, all 4 vCPU / 15-16 GB. We keep the stated capacity and
 *   deploy 8 vCPU / 32 GiB types; `machineTypes: asNamed` deploys the named ones.
 * - it names burstable `t3.*` / `db.t3.*` for AWS, while seed 003, 2k-users.md and
 *   validated-architectures.md advise non-burstable types in production. We deploy the
 *   current generation of the same shape (`m8i`, `db.m8g`) by default; `asNamed` deploys
 *   the `t3` types.
 * Where it names an older generation (`n1-standard-4`, `Standard_D*s_v3`), the same: the
 * current generation of the stated shape. `t2d-standard-8` (Tau T2D) is a current family.
 */
export const tier3k: TierSpec = {
    name: "3k",
    title: "Up to 3,000 users",
    page: "seed 001 (001_5028d9090ece43b9.txt)",
    limits: {
        users: 3000,
        runningWorkspaces: 256 * 12,
        concurrentBuilds: 8 * 30,
        apiRps: 550,
        cite: { source: "seed 001", note: "Target load: API up to 550 RPS; builds = 8 nodes x 30 provisioners; workspaces = 256 nodes x 12" },
    },
    coderd: {
        replicas: 4,
        // Decision: seed 001 gives nodes (8 vCPU / 32 GB, 1 coderd each) but no pod
        // resources: 6000m / 24Gi leaves the node's system reservations and DaemonSets
        // room; requests = limits.
        requests: { cpuMillis: 6000, memoryMiB: 24576 },
        limits: { cpuMillis: 6000, memoryMiB: 24576 },
        cite: { source: "seed 001", note: "4 nodes, 1 coderd each; pod resources are a decision (seed gives none)" },
        resourcesCite: { source: "decision", note: "6000m / 24Gi on an 8 vCPU / 32 GB node, requests = limits; the seed gives no pod resources" },
    },
    provisioners: {
        replicas: 8 * 30,
        // Decision, as for 2k: 30 a node on 8 vCPU / 32 GB => requests 250m / 768Mi;
        // limits are seed 003's per-provisioner 1000m / 1Gi.
        requests: { cpuMillis: 250, memoryMiB: 768 },
        limits: { cpuMillis: 1000, memoryMiB: 1024 },
        cite: { source: "seed 001", note: "8 nodes, 30 provisioners each; requests fit 30 a node, limits from seed 003" },
        resourcesCite: { source: "decision", note: "requests 250m / 768Mi fit 30 a node; limits are seed 003's 1000m / 1Gi" },
    },
    workspace: {
        requests: { cpuMillis: 100, memoryMiB: 128 },
        cite: { source: "seed 003", note: "the workspace agent's bare minimum, 0.1 vCPU / 128 MB" },
    },
    pools: {
        coderd: {
            role: "coderd",
            capacity: { vcpu: 8, memoryGiB: 32 },
            nodes: 4,
            podsPerNode: 1,
            autoscaling: false,
            machines: {
                gcp: { named: "n1-standard-4", chosen: "n4-standard-8", why: "n1-standard-4 is 4 vCPU / 15 GB, half the stated 8 vCPU / 32 GB, and N1 the first generation (seed 003: N4-series work well)" },
                aws: { named: "t3.xlarge", chosen: "m8i.2xlarge", why: "t3.xlarge is burstable and 4 vCPU / 16 GiB, half the stated capacity (seed 003: M8-series work well)" },
                azure: { named: "Standard_D4s_v3", chosen: "Standard_D8s_v5", why: "Standard_D4s_v3 is 4 vCPU / 16 GiB, half the stated capacity, and Dsv3 a previous generation" },
            },
            cite: { source: "seed 001", note: "Coderd nodes: 8 vCPU, 32 GB memory, 4 / 1 coderd each" },
        },
        provisioners: {
            role: "provisioners",
            capacity: { vcpu: 8, memoryGiB: 32 },
            nodes: 8,
            podsPerNode: 30,
            autoscaling: true,
            machines: {
                gcp: { named: "t2d-standard-8" },
                aws: { named: "t3.2xlarge", chosen: "m8i.2xlarge", why: "t3.2xlarge is burstable; m8i.2xlarge is the same 8 vCPU / 32 GiB, x86 as template images may be amd64 only" },
                azure: { named: "Standard_D8s_v3", chosen: "Standard_D8s_v5", why: "Dsv3 is a previous generation; Standard_D8s_v5 is the same 8 vCPU / 32 GiB" },
            },
            cite: { source: "seed 001", note: "Provisioner nodes: 8 vCPU, 32 GB memory, 8 / 30 provisioners each" },
        },
        workspaces: {
            role: "workspaces",
            capacity: { vcpu: 8, memoryGiB: 32 },
            nodes: 256,
            podsPerNode: 12,
            autoscaling: true,
            machines: {
                gcp: { named: "t2d-standard-8" },
                aws: { named: "t3.2xlarge", chosen: "m8i.2xlarge", why: "t3.2xlarge is burstable; m8i.2xlarge is the same 8 vCPU / 32 GiB, x86 as workspace images may be amd64 only" },
                azure: { named: "Standard_D8s_v3", chosen: "Standard_D8s_v5", why: "Dsv3 is a previous generation; Standard_D8s_v5 is the same 8 vCPU / 32 GiB" },
            },
            cite: { source: "seed 001", note: "Workspace nodes: 8 vCPU, 32 GB memory, 256 nodes / 12 workspaces each" },
        },
    },
    database: {
        vcpu: 8,
        memoryGiB: 32,
        storageGb: 1500,
        // "Replicas: 2": a primary and its HA standby.
        replicas: 2,
        highAvailability: true,
        // The database rule (tiers/index.ts databaseShape): the page's own 8 vCPU / 32 GB,
        // as large as any smaller tier's. Cloud SQL: the tier the page names (30,720 MiB,
        // 32.2 GB); AWS: the current generation of the same shape.
        machines: {
            gcp: { named: "db-custom-8-30720" },
            aws: { named: "db.t3.2xlarge", chosen: "db.m8g.2xlarge", why: "db.t3.2xlarge is burstable (and Multi-AZ DB clusters offer no db.t3); db.m8g.2xlarge is the same 8 vCPU / 32 GiB of the M8 series seed 003 names" },
            azure: { named: "Standard_D8s_v3", chosen: "Standard_D8ds_v5", why: "Dsv3 is a previous generation; 8 vCores / 32 GiB General Purpose" },
        },
        cite: { source: "seed 001", note: "Database nodes: 8 vCPU, 32 GB memory, 2 replicas, 1.5 TB storage" },
    },
};
