import { OBSERVABILITY_SYSTEM_CAPACITY } from "./observability";
import { PoolRole, PoolSpec } from "./types";

/**
 * The system pool: not in the seeds. The three pools the seeds ask for are tainted so
 * that nothing but their own pods lands on them (a workspace template without
 * tolerations stays Pending instead of landing on coderd nodes). The cluster's own
 * add-ons (DNS, metrics, CSI controllers, the load-balancer controller) need an
 * untainted home: one small node per zone.
 */
/**
 * Root disk of each pool's nodes, in GB. The seeds give no disk sizes (a gap): 100 GB for
 * coderd and the system pool, which keep little on disk; 200 GB for provisioners (Terraform
 * providers and plugin caches; seed 003: "Provisioners benefit from high performance
 * disks like SSDs") and workspaces (container images).
 */
export const NODE_DISK_GB: Record<PoolRole, number> = { system: 100, coderd: 100, provisioners: 200, workspaces: 200 };

export const systemPool: PoolSpec = {
    role: "system",
    capacity: { vcpu: 2, memoryGiB: 8 },
    nodes: 1,
    autoscaling: false,
    machines: {},
    cite: { source: "decision", note: "cluster add-ons need an untainted pool; one 2 vCPU / 8 GiB node per zone" },
};

/**
 * The system pool of a region, with or without Coder's observability bundle: with it, the
 * larger node of OBSERVABILITY_SYSTEM_CAPACITY (tiers/observability.ts), a node a zone still.
 */
export function systemPoolFor(observability: boolean): PoolSpec {
    return observability
        ? { ...systemPool, capacity: OBSERVABILITY_SYSTEM_CAPACITY.capacity, cite: OBSERVABILITY_SYSTEM_CAPACITY.cite }
        : systemPool;
}
