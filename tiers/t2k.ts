import { TierSpec } from "./types";

/**
 * Up to 2,000 users: 2k-users.md (docs/admin/infrastructure/validated-architectures/2k-users.md),
 * the page seed 003 links as its next-higher tier.
 */
export const tier2k: TierSpec = {
    name: "2k",
    title: "Up to 2,000 users",
    page: "2k-users.md (linked from seed 003)",
    limits: {
        users: 2000,
        runningWorkspaces: 128 * 16,
        concurrentBuilds: 4 * 30,
        apiRps: 300,
        cite: { source: "2k-users.md", note: "Target load: API up to 300 RPS; builds = 4 nodes x 30 provisioners; workspaces = 128 nodes x 16" },
    },
    coderd: {
        replicas: 2,
        // Decision: the page gives nodes (4 vCPU / 16 GB, 1 coderd each) but no pod
        // resources. Requests: 3000m / 10Gi, the largest round shape that fits one coderd on
        // an n1-standard-4 (4 vCPU / 15 GB) after system reservations. CPU limit: 4000m,
        // seed 002's 2,000-user test replica (4 vCPU), where coderd peaked at 3.7 vCPU; a
        // 3000m limit would throttle it. Memory: request = limit (not compressible).
        requests: { cpuMillis: 3000, memoryMiB: 10240 },
        limits: { cpuMillis: 4000, memoryMiB: 10240 },
        cite: { source: "2k-users.md", note: "2 nodes, 1 coderd each; requests a decision, CPU limit from seed 002 (peak 3.7 vCPU)" },
        resourcesCite: { source: "decision", note: "requests 3000m / 10Gi fit one coderd on a 4 vCPU / 15 GB node; CPU limit 4000m from seed 002 (peak 3.7 vCPU)" },
    },
    provisioners: {
        replicas: 4 * 30,
        // Decision: the page packs 30 provisioners on an 8 vCPU / 32 GB node, so a pod
        // may request at most ~1/30 of it: 250m / 768Mi. Limits are seed 003's
        // per-provisioner figures (1000m / 1Gi), so a build can burst.
        requests: { cpuMillis: 250, memoryMiB: 768 },
        limits: { cpuMillis: 1000, memoryMiB: 1024 },
        cite: { source: "2k-users.md", note: "4 nodes, 30 provisioners each; requests fit 30 a node, limits from seed 003" },
        resourcesCite: { source: "decision", note: "requests 250m / 768Mi fit 30 a node; limits are seed 003's 1000m / 1Gi" },
    },
    workspace: {
        requests: { cpuMillis: 100, memoryMiB: 128 },
        cite: { source: "seed 003", note: "the workspace agent's bare minimum, 0.1 vCPU / 128 MB" },
    },
    pools: {
        coderd: {
            role: "coderd",
            capacity: { vcpu: 4, memoryGiB: 16 },
            nodes: 2,
            podsPerNode: 1,
            autoscaling: false,
            machines: {
                gcp: { named: "n1-standard-4", chosen: "n4-standard-4", why: "N1 is the first generation; n4-standard-4 is the page's 4 vCPU / 16 GB (n1-standard-4 has 15 GB) (seed 003: N4-series work well)" },
                aws: { named: "m5.xlarge", chosen: "m8i.xlarge", why: "m5 is a previous generation; m8i.xlarge is the same 4 vCPU / 16 GiB (seed 003: M8-series work well)" },
                azure: { named: "Standard_D4s_v3", chosen: "Standard_D4s_v5", why: "Dsv3 is a previous generation; Standard_D4s_v5 is the same 4 vCPU / 16 GiB" },
            },
            cite: { source: "2k-users.md", note: "Coderd nodes: 4 vCPU, 16 GB memory, 2 nodes, 1 coderd each" },
        },
        provisioners: {
            role: "provisioners",
            capacity: { vcpu: 8, memoryGiB: 32 },
            nodes: 4,
            podsPerNode: 30,
            autoscaling: true,
            machines: {
                gcp: { named: "t2d-standard-8" },
                aws: {
                    named: "c5.2xlarge",
                    chosen: "m8i.2xlarge",
                    why: "c5.2xlarge has 16 GiB, half the page's 32 GB (30 provisioners at 768Mi need 22.5 GiB), and C5 is a previous generation; " +
                        "m8i.2xlarge is the page's 8 vCPU / 32 GB, x86 as template images may be amd64 only",
                },
                azure: { named: "Standard_D8s_v3", chosen: "Standard_D8s_v5", why: "Dsv3 is a previous generation; Standard_D8s_v5 is the same 8 vCPU / 32 GiB" },
            },
            cite: { source: "2k-users.md", note: "Provisioner nodes: 8 vCPU, 32 GB memory, 4 nodes, 30 provisioners each" },
        },
        workspaces: {
            role: "workspaces",
            capacity: { vcpu: 8, memoryGiB: 32 },
            nodes: 128,
            podsPerNode: 16,
            autoscaling: true,
            machines: {
                gcp: { named: "t2d-standard-8" },
                aws: { named: "m5.2xlarge", chosen: "m8i.2xlarge", why: "m5 is a previous generation; m8i.2xlarge is the same 8 vCPU / 32 GiB, x86 as workspace images may be amd64 only" },
                azure: { named: "Standard_D8s_v3", chosen: "Standard_D8s_v5", why: "Dsv3 is a previous generation; Standard_D8s_v5 is the same 8 vCPU / 32 GiB" },
            },
            cite: { source: "2k-users.md", note: "Workspace nodes: 8 vCPU, 32 GB memory, 128 nodes, 16 workspaces each" },
        },
    },
    database: {
        vcpu: 4,
        memoryGiB: 16,
        storageGb: 1000,
        replicas: 1,
        // The page: "High Availability: the mode is enabled"; its single database node
        // gets a managed standby.
        highAvailability: true,
        // The database rule (tiers/index.ts databaseShape): the page asks 4 vCPU / 16 GB for
        // 2,000 users, seed 003 8 vCPU / 30 GB for 1,000; a tier's database is never smaller
        // than a smaller tier's, so 2k deploys seed 003's 8 vCPU / 30 GB. `machineTypes: asNamed`
        // deploys the page's own types.
        machines: {
            gcp: { named: "db-custom-4-15360", chosen: "db-custom-8-30720", why: "the 1k tier's 8 vCPU / 30 GB (seed 003): a tier's database is never smaller than a smaller tier's" },
            aws: { named: "db.m5.xlarge", chosen: "db.m8g.2xlarge", why: "the 1k tier's 8 vCPU / 30 GB (seed 003): a tier's database is never smaller than a smaller tier's; db.m5 is a previous generation, M8 the series seed 003 names" },
            azure: { named: "Standard_D4s_v3", chosen: "Standard_D8ds_v5", why: "the 1k tier's 8 vCPU / 30 GB (seed 003): a tier's database is never smaller than a smaller tier's" },
        },
        cite: { source: "2k-users.md", note: "Database nodes: 4 vCPU, 16 GB memory, 1 node, 1 TB storage" },
    },
};
