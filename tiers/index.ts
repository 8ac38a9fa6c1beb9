import { tier1k } from "./t1k";
import { tier2k } from "./t2k";
import { tier3k } from "./t3k";
import { CloudName, TierName, TierSpec } from "./types";

export * from "./types";
export * from "./machines";
export * from "./clouds";
export { NODE_DISK_GB, systemPool } from "./system";

/** The tier catalogue: one entry per reference architecture. */
export const TIER_CATALOGUE: Readonly<Record<TierName, TierSpec>> = {
    "1k": tier1k,
    "2k": tier2k,
    "3k": tier3k,
};

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
    azure: { minStorageGb: 32, maxStorageGb: 32768, maxConnections: 262143, cite: "Flexible Server storage: 32 GiB to 32 TiB" },
};

/** Memory a workspace user needs (seed 001 and 2k-users.md: "a workspace user needs 2 GB memory to perform"). */
export const WORKSPACE_MEMORY_NEED = { memoryMiB: 2000 * 1000 * 1000 / (1024 * 1024), cite: { source: "seed 001", note: "Assumed that a workspace user needs 2 GB memory to perform" } } as const;
export * from "./regions";

/**
 * The smallest Service range the program accepts (a decision): coderd's, the provisioners'
 * and the add-ons' Services are a few dozen; a /22 leaves room for templates that give
 * workspaces Services of their own.
 */
export const MIN_SERVICE_ADDRESSES = 1024;
