import { tier1k } from "./t1k";
import { tier2k } from "./t2k";
import { tier3k } from "./t3k";
import { tier10k } from "./t10k";
import { CloudName, TIERS, TierName, TierSpec } from "./types";

export * from "./types";
export * from "./machines";
export * from "./clouds";
export { NODE_DISK_GB, systemPool, systemPoolFor } from "./system";
export * from "./observability";

/** The tier catalogue: one entry per reference architecture. */
export const TIER_CATALOGUE: Readonly<Record<TierName, TierSpec>> = {
    "1k": tier1k,
    "2k": tier2k,
    "3k": tier3k,
    "10k": tier10k,
};

/**
 * The database rule: a tier's database is never smaller than a smaller tier's. Each tier
 * takes the larger vCPU count and memory of its own page's database and of every tier for
 * fewer users. The pages disagree: seed 003 asks 8 vCPU / 30 GB for 1,000 users, 2k-users.md
 * 4 vCPU / 16 GB for 2,000 and seed 001 8 vCPU / 32 GB for 3,000. The seeds (003 and 001)
 * agree on 8 vCPU, and seed 000 found the database the first thing to run short (16 vCPU
 * "only just able to keep up with 600 concurrent builds"); a smaller database later means
 * a restart (Cloud SQL) or a failover (RDS Multi-AZ) to resize. So 2k deploys seed 003's
 * 8 vCPU / 30 GB; `machineTypes: asNamed` deploys the 2k page's own types. 10k: seed 000's
 * own 16 vCPU / 60 GB, above every smaller tier's.
 * Each tier's `database.machines` holds the types of this shape, but for one decision: 10k
 * deploys one class larger (32 vCPU), as seed 000's tier was "only just able to keep up"
 * with the tier's own 600 concurrent builds (tiers/t10k.ts); a test keeps them so.
 */
export function databaseShape(name: TierName): { vcpu: number; memoryGiB: number; from: string[] } {
    const own = TIER_CATALOGUE[name];
    const smaller = TIERS.map((t) => TIER_CATALOGUE[t]).filter((t) => t.limits.users <= own.limits.users);
    const vcpu = Math.max(...smaller.map((t) => t.database.vcpu));
    const memoryGiB = Math.max(...smaller.map((t) => t.database.memoryGiB));
    const from = smaller.filter((t) => t.database.vcpu === vcpu || t.database.memoryGiB === memoryGiB).map((t) => t.database.cite.source);
    return { vcpu, memoryGiB, from: [...new Set(from)] };
}

/**
 * Database connections: coderd opens at most `CODER_PG_CONN_MAX_OPEN` connections
 * (Coder's default: 10) plus its pubsub LISTEN connections outside that pool.
 * `max_connections` is a postmaster setting (PostgreSQL: "can only be set at server
 * start"; Cloud SQL and RDS restart the database to change it), so it does not follow
 * coderd's replica count: one generous value, and a check that it covers the replicas.
 */
export const DATABASE_CONNECTIONS = {
    perCoderd: 10,
    /** pubsub LISTEN connections a coderd replica holds beside its pool */
    pubsubPerCoderd: 2,
    /**
     * Decision: 500 for every tier, the value Coder's own scale-test rig sets
     * (scaletest/terraform/action/scenarios.tf, on a smaller db-custom-2-7680): room for 19
     * coderd replicas with rollouts, so scaling coderd never restarts the database.
     */
    maxConnections: 500,
    /** room for a rolling update (old and new replicas at once) */
    rolloutFactor: 2,
    /** superuser, migrations, monitoring and operators */
    reserved: 50,
    cite: { source: "Coder docs: server CLI", note: "--postgres-conn-max-open, CODER_PG_CONN_MAX_OPEN, default 10" },
} as const;

/**
 * What each managed PostgreSQL service accepts: storage (GB) and max_connections
 * (PostgreSQL's own ceiling, MAX_BACKENDS = 2^18 - 1, which both services take as the flag's maximum).
 */
export const DATABASE_LIMITS: Record<CloudName, { minStorageGb: number; maxStorageGb: number; maxConnections: number; cite: string }> = {
    gcp: { minStorageGb: 10, maxStorageGb: 65536, maxConnections: 262143, cite: "Cloud SQL quotas: storage 10 GB to 64 TB; flag max_connections up to 262143" },
    // 64 TiB is RDS's ceiling, and storage autoscaling needs a maximum at least 10% above the
    // allocated storage (components/aws/database.ts): 59,578 GB leaves that room.
    aws: { minStorageGb: 20, maxStorageGb: 59578, maxConnections: 262143, cite: "RDS for PostgreSQL gp3 storage: 20 GiB to 64 TiB, with 10% autoscaling room" },
    // max_connections: "Allowed values 25-5000" (Flexible Server server parameters)
    azure: { minStorageGb: 32, maxStorageGb: 32767, maxConnections: 5000, cite: "Flexible Server Premium SSD storage: 32 GiB to 32 TiB; max_connections 25 to 5,000" },
};

/**
 * Flexible Server's default max_connections by the compute size's memory (GiB): 859 at 8 GiB,
 * 1,718 at 16, 3,437 at 32, 5,000 from 64 (learn.microsoft.com/azure/postgresql/flexible-server/concepts-limits,
 * "Maximum connections": D2ds_v5 859, D4ds_v5 1718, D8ds_v5 3437, D16ds_v5 and above 5000).
 * The default already covers coderd at every tier, and max_connections is a static parameter
 * (a change waits for the server's next restart): the program keeps the default unless the
 * stack overrides it.
 */
export function azureDefaultMaxConnections(memoryGiB: number): number {
    const table: readonly (readonly [number, number])[] = [[4, 429], [8, 859], [16, 1718], [32, 3437]];
    return table.find(([gib]) => memoryGiB <= gib)?.[1] ?? 5000;
}

/**
 * Flexible Server's Premium SSD sizes, GiB: storage is one of these (learn.microsoft.com/azure/postgresql/flexible-server/concepts-storage,
 * "Premium SSD": 32 GiB, 64 GiB ... 32 TiB; the last is 32,767 GiB). A tier's GB are rounded up to the next one.
 * Premium SSD, not v2: v2 takes any size but has no high availability in every region.
 */
export const AZURE_DATABASE_STORAGE_GIB = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767] as const;

/**
 * Outbound through Azure NAT Gateway: "each public IP address provides 64,512 SNAT ports" and a
 * NAT gateway takes "up to 16 public IP addresses" (learn.microsoft.com/azure/nat-gateway/nat-gateway-resource).
 * What a node needs is our estimate: 1,024 ports (the AKS load balancer's default allocation
 * for pools of up to 50 nodes), and 64 a provisioner (a Terraform run's concurrent connections
 * to registries and cloud APIs) where a node runs more pods than that covers.
 */
export const AZURE_NAT = {
    portsPerIp: 64_512,
    maxIps: 16,
    portsPerNode: 1024,
    portsPerProvisioner: 64,
    /** minutes a idle flow keeps its port (the NAT gateway's default is 4) */
    idleTimeoutMinutes: 4,
    cite: { source: "Azure NAT Gateway docs; ports a node: decision", note: "64,512 SNAT ports an IP, at most 16 IPs; 1,024 a node, 64 a provisioner" },
} as const;

/**
 * Cloud NAT source ports a GKE node gets (dynamic port allocation): it starts at 1,024 and
 * grows on demand up to 32,768; both powers of two, the maximum above the minimum, as
 * routerNat.d.ts requires. Our decision (the seeds leave outbound NAT open): static
 * allocation's 64 ports a node run out under 30 provisioners' `terraform init` against one
 * registry (components/gcp/network.ts). The cost estimate counts NAT IPs from the minimum.
 */
export const GCP_NAT = {
    minPortsPerVm: 1024,
    maxPortsPerVm: 32768,
    cite: { source: "decision", note: "dynamic port allocation, 1,024 to 32,768 source ports a node (routerNat.d.ts: powers of two)" },
} as const;

/** Memory a workspace user needs (seed 001 and 2k-users.md: "a workspace user needs 2 GB memory to perform"). */
export const WORKSPACE_MEMORY_NEED = { memoryMiB: 2000 * 1000 * 1000 / (1024 * 1024), cite: { source: "seed 001", note: "Assumed that a workspace user needs 2 GB memory to perform" } } as const;
export * from "./regions";

/**
 * The smallest Service range the program accepts (a decision): coderd's, the provisioners'
 * and the add-ons' Services are a few dozen; a /22 leaves room for templates that give
 * workspaces Services of their own.
 */
export const MIN_SERVICE_ADDRESSES = 1024;
