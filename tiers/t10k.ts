import { TierSpec } from "./types";

/**
 * Up to 10,000 users: seed 000 ("Reference Architecture: up to 10,000 users").
 *
 * The page is marked a work in progress ("Use these recommendations as a starting point,
 * but monitor your cluster resource utilization and adjust"). It tested three regions: a
 * primary with coderd and PostgreSQL, and Europe and Asia with workspace proxies; every
 * region ran 200 provisioners and its own workspaces. It gives coderd, proxy and
 * provisioner pods as limits only, one GCP machine type (`c2d-standard-16`) for all three,
 * workspace nodes for GCP, AWS and Azure, and a Cloud SQL tier for the database.
 *
 * Where it names an older generation (C2D, M5, Dsv3) we deploy the current generation of
 * the same shape, as for the other tiers; `machineTypes: asNamed` deploys the named types.
 * Where it names no AWS or Azure type (coderd, provisioners, database), the current
 * general-purpose type of the GCP type's shape.
 */
export const tier10k: TierSpec = {
    name: "10k",
    title: "Up to 10,000 users",
    page: "seed 000 (000_d959f59ffc9dfcfe.txt)",
    limits: {
        users: 10000,
        // Measured: "6000 concurrent workspaces (2000 per region)". The workspace pools hold
        // more: 3 regions x 256 nodes x 12 = 9,216 (the workspaces table, "for each of the 3
        // regions"); the limit is what the page tested.
        runningWorkspaces: 6000,
        // "200 provisioners (and thus 600 concurrent builds)": 3 regions x 200.
        concurrentBuilds: 3 * 200,
        // "API Request Traffic: To be determined."
        cite: {
            source: "seed 000",
            note: "Testing methodology: 6000 concurrent workspaces (2000 per region); 200 provisioners in each region, 600 concurrent builds; API traffic to be determined",
        },
    },
    regions: {
        primary: "USA: coderd collocated with the PostgreSQL database",
        proxies: ["Europe", "Asia"],
        cite: { source: "seed 000", note: "Geographic Distribution: 3 cloud-managed Kubernetes clusters; USA primary, Europe and Asia with workspace proxies" },
    },
    coderd: {
        replicas: 10,
        // Decision: the page gives limits only; requests = limits, as the 3k tier decides for
        // the control plane: a coderd is never throttled below its limit by a busy node, and
        // memory is not compressible.
        requests: { cpuMillis: 4000, memoryMiB: 12288 },
        limits: { cpuMillis: 4000, memoryMiB: 12288 },
        cite: { source: "seed 000", note: "Coderd, primary region only: 4 vCPU (4000m) limit, 12 GiB memory limit, 10 replicas" },
        resourcesCite: { source: "seed 000", note: "limits 4000m / 12Gi; requests = limits is a decision (the page gives limits only)" },
    },
    proxy: {
        replicas: 10,
        // Decision: requests = limits, as for coderd. The page's footnote: "Our testing implies
        // this is somewhat overspecced for the loads we have tried. We are in process of
        // revising these numbers." We keep its figures until it does; sizing.proxy lowers them.
        requests: { cpuMillis: 4000, memoryMiB: 12288 },
        limits: { cpuMillis: 4000, memoryMiB: 12288 },
        cite: { source: "seed 000", note: "Workspace Proxies, each non-primary region: 4 vCPU (4000m) limit, 12 GiB memory limit, 10 replicas; somewhat overspecced, being revised" },
        resourcesCite: { source: "seed 000", note: "limits 4000m / 12Gi; requests = limits is a decision (the page gives limits only)" },
    },
    provisioners: {
        // In each of the 3 regions: "Each provisioner handles a single concurrent build".
        replicas: 200,
        // Decision: requests = limits, 100m / 1Gi. The page's 100m CPU limit is low for
        // Terraform, but it is what the page ran 200 concurrent builds a region with. Memory is
        // not compressible: the test ran all 200 builds at once, so a lower memory request would
        // overcommit the nodes exactly when every provisioner is busy.
        requests: { cpuMillis: 100, memoryMiB: 1024 },
        limits: { cpuMillis: 100, memoryMiB: 1024 },
        cite: { source: "seed 000", note: "Provisioners, each of the 3 regions: 0.1 vCPU (100m) limit, 1 GiB memory limit, 200 replicas" },
        resourcesCite: { source: "seed 000", note: "limits 100m / 1Gi; requests = limits is a decision (the page gives limits only)" },
    },
    workspace: {
        requests: { cpuMillis: 100, memoryMiB: 128 },
        cite: { source: "seed 003", note: "the workspace agent's bare minimum, 0.1 vCPU / 128 MB" },
    },
    pools: {
        coderd: {
            role: "coderd",
            // c2d-standard-16: 16 vCPU / 64 GB, the page's node pool machine type.
            capacity: { vcpu: 16, memoryGiB: 64 },
            // Decision: 4 nodes, the fewest that hold 10 replicas at 3 a node; the 2 free
            // slots take a rolling update's surge.
            nodes: 4,
            // Decision: 3 a node, what fits of a 4000m pod on 16 vCPUs once the node's
            // reservations and DaemonSets are taken (15.3 to 15.6 vCPU left on GKE, EKS and AKS);
            // memory would hold 4 or 5. A node lost costs 3 of the 10 replicas.
            podsPerNode: 3,
            autoscaling: false,
            machines: {
                gcp: {
                    named: "c2d-standard-16",
                    chosen: "n4-standard-16",
                    why: "C2D is a previous generation (2nd-generation AMD compute-optimised); n4-standard-16 is the same 16 vCPU / 64 GB " +
                        "of the N4 series seed 003 names (C4D, C2D's current successor, has 62 GB at 16 vCPUs)",
                },
                aws: { chosen: "m8i.4xlarge", why: "the page names a GCP type only: c2d-standard-16's 16 vCPU / 64 GiB in the M8 series seed 003 names (C8i has 32 GiB)" },
                azure: { chosen: "Standard_D16s_v5", why: "the page names a GCP type only: c2d-standard-16's 16 vCPU / 64 GiB, Dsv5 as the other tiers" },
            },
            cite: { source: "seed 000", note: "Coderd: GCP node pool machine type c2d-standard-16 (16 vCPU / 64 GB); node count and density are decisions" },
        },
        provisioners: {
            role: "provisioners",
            // Decision: a pool of its own, as in every tier. The page: provisioners "may share
            // the same node pool" as coderd; apart, a build's Terraform never competes with
            // coderd for a node, and the pool scales with builds while coderd's stays fixed.
            capacity: { vcpu: 16, memoryGiB: 64 },
            // Decision: 50 a node, a round figure below what 1 GiB pods fit on 64 GB after the
            // node's reservations (GKE 57, EKS 62, AKS 61), so the count is the same on every
            // cloud: 4 nodes hold 200.
            nodes: 4,
            podsPerNode: 50,
            autoscaling: true,
            machines: {
                gcp: {
                    named: "c2d-standard-16",
                    chosen: "n4-standard-16",
                    why: "C2D is a previous generation (2nd-generation AMD compute-optimised); n4-standard-16 is the same 16 vCPU / 64 GB " +
                        "of the N4 series seed 003 names",
                },
                aws: { chosen: "m8i.4xlarge", why: "the page names a GCP type only: c2d-standard-16's 16 vCPU / 64 GiB, x86 as template images may be amd64 only" },
                azure: { chosen: "Standard_D16s_v5", why: "the page names a GCP type only: c2d-standard-16's 16 vCPU / 64 GiB" },
            },
            cite: { source: "seed 000", note: "Provisioners: GCP node pool machine type c2d-standard-16; a separate Deployment that may share coderd's pool; node count and density are decisions" },
        },
        workspaces: {
            role: "workspaces",
            capacity: { vcpu: 8, memoryGiB: 32 },
            nodes: 256,
            podsPerNode: 12,
            autoscaling: true,
            machines: {
                gcp: { named: "t2d-standard-8" },
                aws: { named: "m5.2xlarge", chosen: "m8i.2xlarge", why: "m5 is a previous generation; m8i.2xlarge is the same 8 vCPU / 32 GiB, x86 as workspace images may be amd64 only" },
                azure: { named: "Standard_D8s_v3", chosen: "Standard_D8s_v5", why: "Dsv3 is a previous generation; Standard_D8s_v5 is the same 8 vCPU / 32 GiB" },
            },
            cite: { source: "seed 000", note: "Workspaces, each of the 3 regions: 8 vCPU, 32 GB memory, 256 nodes, 12 workspaces each; a separate node pool" },
        },
    },
    database: {
        // The page: "We conducted our test using the `db-custom-16-61440` tier on Google Cloud SQL."
        vcpu: 16,
        memoryGiB: 60,
        // Decision: the page names no storage. 3,000 GB, twice the 3k tier's 1.5 TB (seed 001):
        // this tier runs about twice its workspaces (6,000 against 3,072) and 2.5 times its
        // builds (600 against 240), and on Cloud SQL and Azure a disk's IOPS and throughput grow
        // with its size. Disks grow by themselves (Cloud SQL autoresize, RDS storage autoscaling).
        storageGb: 3000,
        storageCite: { source: "decision", note: "seed 000 names no storage: twice the 3k tier's 1.5 TB for about twice its workspaces and builds" },
        // "Typically, such scale requires a fully-managed HA PostgreSQL service": a primary and
        // its HA standby, as seed 001's "Replicas: 2".
        replicas: 2,
        highAvailability: true,
        // Decision: one class larger than the page's, 32 vCPU / 128 GB. The footnote: "This
        // database tier was only just able to keep up with 600 concurrent builds in our tests",
        // and 600 concurrent builds is this tier's own load, with the API traffic still "To be
        // determined": the named tier has no headroom. PostgreSQL has one writer and cannot
        // scale out; resizing it later restarts it (Cloud SQL) or fails it over (RDS Multi-AZ).
        // The next RDS and Azure classes above 16 vCPUs have 32 (db.m8g.4xlarge's EBS bandwidth
        // is also only "up to" 10 Gbps; db.m8g.8xlarge's is 10 Gbps sustained), so all three
        // clouds deploy 32 vCPU; the cost is small beside the 768 workspace nodes of the three
        // regions. `machineTypes: asNamed` deploys the page's db-custom-16-61440, and
        // sizing.database.machineType any class of at least the page's 16 vCPU without a warning.
        machines: {
            gcp: {
                named: "db-custom-16-61440",
                chosen: "db-custom-32-122880",
                why: "the page's tier was only just able to keep up with 600 concurrent builds, this tier's own load: one class larger, " +
                    "32 vCPU at the page's 3.75 GB a vCPU",
            },
            aws: {
                chosen: "db.m8g.8xlarge",
                why: "the page names Cloud SQL only, a tier only just able to keep up with 600 concurrent builds: one class above its 16 vCPU, " +
                    "32 vCPU / 128 GiB of the M8 series seed 003 names (db.m8g.4xlarge is the page's size)",
            },
            azure: {
                chosen: "Standard_D32ds_v5",
                why: "the page names Cloud SQL only, a tier only just able to keep up with 600 concurrent builds: one class above its 16 vCPU, " +
                    "32 vCores / 128 GiB General Purpose (Standard_D16ds_v5 is the page's size)",
            },
        },
        cite: { source: "seed 000", note: "Database nodes: db-custom-16-61440 on Google Cloud SQL (16 vCPU / 60 GB), only just able to keep up with 600 concurrent builds" },
    },
};
