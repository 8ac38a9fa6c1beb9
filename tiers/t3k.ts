import { TierSpec } from "./types";

/**
 * Up to 3,000 users: seed 001 ("Reference Architecture: up to 3,000 users").
 *
 * Seed 001 conflicts with itself and with the other pages in two ways:
 * - coderd nodes are "8 vCPU, 32 GB memory" beside `n1-standard-4`, `t3.xlarge` and
 *   `Standard_D4s_v3`, all 4 vCPU / 15-16 GB. We keep the stated capacity and
 *   deploy 8 vCPU / 32 GiB types; `machineTypes: asNamed` deploys the named ones.
 * - it names burstable `t3.*` / `db.t3.*` for AWS, while seed 003, 2k-users.md and
 *   validated-architectures.md advise non-burstable types in production. We deploy
 *   `m5` / `db.m5` by default; `asNamed` deploys the `t3` types.
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
                gcp: { named: "n1-standard-4", chosen: "n2-standard-8", why: "n1-standard-4 is 4 vCPU / 15 GB, half the stated 8 vCPU / 32 GB" },
                aws: { named: "t3.xlarge", chosen: "m5.2xlarge", why: "t3.xlarge is burstable and 4 vCPU / 16 GiB, half the stated capacity" },
                azure: { named: "Standard_D4s_v3", chosen: "Standard_D8s_v3", why: "Standard_D4s_v3 is 4 vCPU / 16 GiB, half the stated capacity" },
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
                aws: { named: "t3.2xlarge", chosen: "m5.2xlarge", why: "t3.2xlarge is burstable" },
                azure: { named: "Standard_D8s_v3" },
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
                aws: { named: "t3.2xlarge", chosen: "m5.2xlarge", why: "t3.2xlarge is burstable" },
                azure: { named: "Standard_D8s_v3" },
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
        machines: {
            gcp: { named: "db-custom-8-30720" },
            aws: { named: "db.t3.2xlarge", chosen: "db.m5.2xlarge", why: "db.t3.2xlarge is burstable (and Multi-AZ DB clusters offer no db.t3)" },
            azure: { named: "Standard_D8s_v3" },
        },
        cite: { source: "seed 001", note: "Database nodes: 8 vCPU, 32 GB memory, 2 replicas, 1.5 TB storage" },
    },
};
