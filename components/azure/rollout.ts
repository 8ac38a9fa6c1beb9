/**
 * Node pool rollouts on AKS: how many nodes a pool surges, how long a node may take to
 * drain, and how long Pulumi waits. Pure (no Pulumi), so the sizing counts the surge
 * nodes' addresses too.
 */
import type { PoolPlan } from "../../sizing";

export interface AksRollout {
    /** AgentPool upgradeSettings.maxSurge: a node count or a percentage, which AKS rounds up */
    maxSurge: string;
    /** AgentPool upgradeSettings.maxUnavailable: nothing leaves before its replacement is up */
    maxUnavailable: string;
    /** the most surge nodes at once in one AKS node pool (a pool's subnet addresses and quota) */
    surgeNodes: number;
    /** minutes a node may take to drain (AKS default 30): a provisioner finishes its build in 10 */
    drainTimeoutInMinutes: number;
    /** Pulumi's wait for the pool's create or update */
    timeout: string;
}

/** GKE's and this program's cap on parallel surge nodes (components/gcp/rollout.ts). */
const MAX_SURGE_NODES = 20;
const MINUTES_PER_BATCH = 15;

/**
 * coderd and the system pool: one node at a time (coderd's PodDisruptionBudget and one
 * replica a node). Provisioners and workspaces: a fifth of the pool (at most 20 nodes), as
 * on GKE, so a 256-node pool rolls in about five batches. `nodes` is the most nodes of one
 * AKS pool (the workspaces pool is one AKS pool a zone).
 */
export function aksRollout(pool: PoolPlan, nodes: number): AksRollout {
    const bulk = pool.role === "provisioners" || pool.role === "workspaces";
    const surgeNodes = bulk ? Math.min(MAX_SURGE_NODES, Math.max(1, Math.ceil(nodes * 0.2))) : 1;
    const batches = Math.ceil(Math.max(nodes, 1) / surgeNodes);
    return {
        maxSurge: String(surgeNodes),
        maxUnavailable: "0",
        surgeNodes,
        drainTimeoutInMinutes: 30,
        timeout: `${Math.max(60, batches * MINUTES_PER_BATCH)}m`,
    };
}
