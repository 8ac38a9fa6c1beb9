import { tier1k } from "./t1k";
import { tier2k } from "./t2k";
import { tier3k } from "./t3k";
import { TierName, TierSpec } from "./types";

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
 * (Coder's default: 10). `max_connections` is sized from it (see sizing.ts).
 */
export const DATABASE_CONNECTIONS = {
    perCoderd: 10,
    /** room for a rolling update (old and new replicas at once) */
    rolloutFactor: 2,
    /** superuser, migrations, monitoring and operators */
    reserved: 50,
    cite: { source: "Coder docs: server CLI", note: "--postgres-conn-max-open, CODER_PG_CONN_MAX_OPEN, default 10" },
} as const;
