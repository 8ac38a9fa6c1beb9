import type { Settings } from "../config";
import type { Plan } from "../sizing";

/**
 * What a cloud platform deploys in a region: the primary region (cluster and Coder's
 * database) or a proxy region (a cluster of its own, no database: its workspace proxy
 * reaches the primary's coderd over its access URL).
 */
export type PlatformRole = "primary" | "proxy";

/** What every cloud's platform takes: the region's settings and plan, and its role. */
export interface PlatformArgs {
    settings: Settings;
    plan: Plan;
    /** default "primary" (each cloud says what its proxy role leaves out) */
    role?: PlatformRole;
}
