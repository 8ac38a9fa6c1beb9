/**
 * Node pool rollouts on GKE: how many nodes a pool surges and how long Pulumi waits. Pure
 * (no Pulumi), so the sizing can count the surge nodes too.
 */
import type { PoolPlan } from "../../sizing";

/**
 * How many nodes GKE surges in a zone while it upgrades or recreates a pool, and how long
 * Pulumi waits for it. Surge upgrades go one zone at a time and take `maxSurge +
 * maxUnavailable` nodes of the zone at once
 * (cloud.google.com/kubernetes-engine/docs/concepts/node-pool-upgrade-strategies).
 */
export interface PoolRollout {
    maxSurge: number;
    maxUnavailable: number;
    /** Pulumi's wait for an update of the pool (the provider's default is 30 minutes) */
    updateTimeout: string;
}

/**
 * The most surge nodes a zone gets at once: the extra quota an upgrade holds (20 t2d-standard-8
 * = 160 vCPUs). GKE's own surge updates elsewhere cap parallelism at 20 ("limited to 20",
 * cloud.google.com/kubernetes-engine/multi-cloud/docs/aws/how-to/configure-surge-updates).
 */
export const MAX_SURGE_NODES = 20;
/** A batch: a few minutes for surge nodes to join, and up to 10 for provisioners to finish a build (terminationGracePeriodSeconds 600, provisioner chart). */
export const MINUTES_PER_BATCH = 15;
/** The provider's own wait for a node pool update (terraform-provider-google resource_container_node_pool.go: 30 minutes). */
export const DEFAULT_TIMEOUT_MINUTES = 30;

/**
 * coderd and the system pool: one node at a time, never below the planned count (coderd's
 * PodDisruptionBudget and one replica a node). Provisioners and workspaces: a fifth of the
 * most nodes a zone has, so a full pool rolls in about five batches a zone whatever its
 * size (a 256-node workspace pool, 86 nodes a zone, would otherwise take 86 batches a zone,
 * many maintenance windows), still with nothing unavailable before its replacement is up.
 */
export function poolRollout(pool: PoolPlan): PoolRollout {
    const bulk = pool.role === "provisioners" || pool.role === "workspaces";
    const maxSurge = bulk ? Math.min(MAX_SURGE_NODES, Math.max(1, Math.ceil(pool.perZone.max * 0.2))) : 1;
    const batches = pool.zones.length * Math.ceil(Math.max(pool.perZone.max, 1) / maxSurge);
    return { maxSurge, maxUnavailable: 0, updateTimeout: `${Math.max(DEFAULT_TIMEOUT_MINUTES, batches * MINUTES_PER_BATCH)}m` };
}
