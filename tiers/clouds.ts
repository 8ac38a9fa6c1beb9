import { Machine } from "./machines";
import { Citation, CloudName, Resources } from "./types";

/**
 * What each managed Kubernetes service keeps of a node for itself, so the sizing
 * can check pods against allocatable capacity, not the machine's capacity.
 */
export interface NodeProfile {
    /** kubelet, container runtime and OS reservations plus the hard eviction threshold */
    reserved(machine: Machine, maxPods: number): Resources;
    /** requests of the DaemonSets the service runs on every node (estimate, overridable) */
    daemonSets: Resources & { pods: number };
    /** the highest max-pods-per-node the service accepts */
    maxPodsLimit: number;
    /**
     * GKE regional pools: the pool's bounds are totals over its zones (autoscaling total
     * limits, spread by BALANCED) while its initial count is per zone (initialNodeCount starts
     * that many nodes in every zone). EKS and AKS (false): one count for the whole group,
     * at least a node a zone.
     */
    countsPerZone: boolean;
    /**
     * The most nodes one node group may have: a hard limit (an error) or a default quota
     * that can be raised (a warning). GKE counts it per zone of a regional pool.
     */
    maxNodesPerGroup: { nodes: number; hard: boolean; perZone: boolean; cite: string };
    cite: Citation;
}

/** A tiered percentage: `[upTo, fraction]` pairs applied to successive slices. */
function tiered(amount: number, tiers: readonly (readonly [number, number])[]): number {
    let left = amount;
    let prev = 0;
    let total = 0;
    for (const [upTo, fraction] of tiers) {
        const slice = Math.max(0, Math.min(left, upTo - prev));
        total += slice * fraction;
        left -= slice;
        prev = upTo;
        if (left <= 0) break;
    }
    return total;
}

/** CPU reservation shared by GKE and EKS: 6% of the first core, 1% of the next, 0.5% of the next 2, 0.25% above 4. */
const cpuReservedMillis = (vcpu: number): number =>
    Math.ceil(tiered(vcpu * 1000, [[1000, 0.06], [2000, 0.01], [4000, 0.005], [Infinity, 0.0025]]));

const EVICTION_MIB = 100;

/** GKE's memory reservation of a machine with less than 1 GiB. */
const GKE_SMALL_MACHINE_MIB = 255;

export const NODE_PROFILES: Record<CloudName, NodeProfile> = {
    gcp: {
        // "255 MiB of memory for machines with less than 1 GiB of memory", else 25% of the
        // first 4 GiB, 20% of the next 4, 10% of the next 8, 6% of the next 112, 2% above
        // 128 GiB; plus 100 MiB for eviction (cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes).
        reserved: (m) => ({
            cpuMillis: cpuReservedMillis(m.vcpu),
            memoryMiB: (m.memoryGiB < 1 ? GKE_SMALL_MACHINE_MIB : Math.ceil(
                tiered(m.memoryGiB * 1024, [[4096, 0.25], [8192, 0.2], [16384, 0.1], [131072, 0.06], [Infinity, 0.02]]),
            )) + EVICTION_MIB,
        }),
        // Estimate of GKE Standard's per-node DaemonSets with Dataplane V2 (anetd,
        // fluentbit-gke, gke-metadata-server, pdcsi-node, netd, node-local-dns).
        daemonSets: { cpuMillis: 400, memoryMiB: 640, pods: 8 },
        maxPodsLimit: 256,
        countsPerZone: true,
        maxNodesPerGroup: { nodes: 1000, hard: true, perZone: true, cite: "GKE quotas: nodes per node pool zone 1,000" },
        cite: {
            source: "GKE docs: 'Plan GKE Standard node sizes' (allocatable resources)",
            note: "memory 255Mi below 1 GiB, else 25/20/10/6/2% tiers, + 100Mi eviction; CPU 6/1/0.5/0.25%; DaemonSet requests are our estimate",
        },
    },
    aws: {
        // EKS AL2023 (nodeadm): kube-reserved memory 255Mi + 11Mi per pod and CPU by the
        // same tiers as GKE, plus the 100Mi hard eviction threshold; no system-reserved.
        // nodeadm counts the pods of the instance type's ENI limit, not the kubelet's maxPods,
        // so components/aws/cluster.ts writes kube-reserved for the planned maxPods itself
        // (kubeReserved); these figures are what the nodes then reserve.
        reserved: (m, maxPods) => ({
            cpuMillis: cpuReservedMillis(m.vcpu),
            memoryMiB: 255 + 11 * maxPods + EVICTION_MIB,
        }),
        // Estimate: aws-node (VPC CNI + network policy agent), kube-proxy, ebs-csi-node,
        // eks-node-monitoring-agent (requests 10m / 30Mi), and room for one more.
        daemonSets: { cpuMillis: 300, memoryMiB: 512, pods: 5 },
        // Managed node groups cap max pods at 110 on instance types below 30 vCPUs (250
        // above); every AWS type in the catalogue is below 30 vCPUs.
        maxPodsLimit: 110,
        countsPerZone: false,
        maxNodesPerGroup: { nodes: 450, hard: false, perZone: false, cite: "EKS service quotas: nodes per managed node group 450" },
        cite: {
            source: "awslabs/amazon-eks-ami nodeadm/internal/kubelet/config.go@e48b98ad (getMemoryMebibytesToReserve, " +
                "getCPUMillicoresToReserve, evictionHard); EKS docs: 'Assign more IP addresses to Amazon EKS nodes with prefixes'",
            note: "memory 255Mi + 11Mi x max pods + 100Mi eviction, kube-reserved set for the planned max pods; CPU as GKE; " +
                "DaemonSet requests are our estimate; " +
                "max pods: 'Managed node groups enforces a maximum number on the value of maxPods' (110 below 30 vCPUs)",
        },
    },
    azure: {
        // AKS 1.29+: kube-reserved memory is the lesser of 20 MB a max pod + 50 MB and 25% of
        // the machine's memory, plus the 100Mi hard eviction threshold; CPU by core count.
        reserved: (m, maxPods) => ({
            cpuMillis: m.vcpu <= 1 ? 60 : m.vcpu <= 2 ? 100 : m.vcpu <= 4 ? 140 : m.vcpu <= 8 ? 180 : m.vcpu <= 16 ? 260 : m.vcpu <= 32 ? 420 : 740,
            memoryMiB: Math.min(20 * maxPods + 50, Math.floor(m.memoryGiB * 1024 * 0.25)) + EVICTION_MIB,
        }),
        // Estimate of AKS's per-node DaemonSets with Azure CNI Overlay and Cilium: cilium (no
        // CPU request, 100Mi: Azure/AKS#5244), cloud-node-manager (50m / 50Mi), csi-azuredisk-node
        // and csi-azurefile-node (10m a container: Azure/AKS#5251), azure-cns, azure-ip-masq-agent.
        daemonSets: { cpuMillis: 250, memoryMiB: 640, pods: 7 },
        maxPodsLimit: 250,
        countsPerZone: false,
        maxNodesPerGroup: { nodes: 1000, hard: true, perZone: false, cite: "AKS limits: nodes per node pool 1,000" },
        cite: {
            source: "AKS docs: 'Node resource reservations' (learn.microsoft.com/azure/aks/node-resource-reservations)",
            note: "memory: the lesser of 20MB x max pods + 50MB and 25% of memory, + 100Mi eviction; CPU 60/100/140/180/260/420/740m " +
                "for 1/2/4/8/16/32/64 cores; DaemonSet requests are our estimate",
        },
    },
};
