/**
 * Coder's observability bundle (the `coder-observability` chart: Prometheus, Grafana with
 * Coder's dashboards, Loki, Alertmanager with Coder's alerts) as data: when it is on, how
 * much it keeps, what its large pods request, and the system pool it needs.
 *
 * The seeds ask for observability, never for its size: seeds 000 (10k) and 001 (3k) say
 * "all Coder observability features enabled" and "Deploy monitoring solutions to gather
 * Prometheus metrics and visualize them with Grafana". Every figure below is therefore a
 * decision, each with its reason. Storage in GB of disk (PersistentVolume sizes in GiB),
 * memory in MiB, CPU in millicores, as everywhere in tiers/.
 */
import { Citation, NodeCapacity, Resources, TierName } from "./types";

/** `coder-refarch:observability`: "auto" = on from the 2k tier up. */
export type ObservabilitySetting = "auto" | "on" | "off";
export const OBSERVABILITY_SETTINGS: readonly ObservabilitySetting[] = ["auto", "on", "off"];

/** The tiers that get the bundle with "auto". */
export const OBSERVABLE_BY_DEFAULT: Readonly<Record<TierName, boolean>> = { "1k": false, "2k": true, "3k": true, "10k": true };
export const OBSERVABLE_BY_DEFAULT_CITE: Citation = {
    source: "seed 000, seed 001; decision for 2k",
    note: "seeds 000 and 001 ask for every observability feature at 10k and 3k; 2k-users.md is silent, and we include it: " +
        "it runs 120 provisioners and up to 128 workspace nodes, too many to watch by hand. 1k (seed 003) says nothing: optional there",
};

export function observabilityOn(tier: TierName, setting: ObservabilitySetting): boolean {
    return setting === "on" || (setting === "auto" && OBSERVABLE_BY_DEFAULT[tier]);
}

/** A component's requests and limits (memory request = limit: memory is not compressible). */
export interface ComponentSize {
    requests: Resources;
    limits: Resources;
}

export interface ObservabilitySpec {
    prometheus: {
        /** how long samples are kept (Prometheus `--storage.tsdb.retention.time`) */
        retention: string;
        /** the size cap that wins when the disk fills first (`--storage.tsdb.retention.size`), GB */
        retentionSizeGB: number;
        /** the PersistentVolume, GiB: the cap plus room for the WAL and compaction */
        volumeGiB: number;
        size: ComponentSize;
    };
    loki: {
        /** how long logs are kept (limits_config.retention_period, applied by the compactor) */
        retention: string;
        /** the object store's volume (the chart's MinIO), GiB */
        storageGiB: number;
        write: ComponentSize;
        read: ComponentSize;
        backend: ComponentSize;
    };
    grafana: ComponentSize;
    cite: Citation;
}

const size = (cpuMillis: number, memoryMiB: number, cpuLimitMillis = cpuMillis * 2): ComponentSize => ({
    requests: { cpuMillis, memoryMiB },
    limits: { cpuMillis: cpuLimitMillis, memoryMiB },
});

/**
 * Active series and their cost, the estimate behind the Prometheus figures: about 1,000
 * series a node (node-exporter, cadvisor), 150 a pod (cadvisor per container after the
 * collector's drop rules, kube-state-metrics), 1.5 bytes a sample on disk at the chart's
 * 15 s scrape interval, and 6 KiB of memory a series in the head block with query headroom.
 * 2k: ~130 nodes and ~2,200 pods ≈ 460k series ≈ 4 GB a day; 3k and a 10k region: ~260
 * nodes and ~3,300 pods ≈ 760k series ≈ 6.5 GB a day.
 */
const SERIES_NOTE = "estimate: ~1,000 series a node, ~150 a pod, 1.5 B a sample at a 15 s scrape, 6 KiB of memory a series";

const RETENTION_NOTE = "Prometheus: 15 days (the prometheus chart's default), capped by size; Loki: 7 days (logs are the larger volume; " +
    "Coder's audit and connection logs live in its database, not here)";

/** A region of up to 256 workspace nodes (3k, and each region of 10k). */
const UP_TO_256_NODES: Omit<ObservabilitySpec, "cite"> = {
    prometheus: { retention: "15d", retentionSizeGB: 100, volumeGiB: 120, size: size(1000, 5120) },
    loki: { retention: "7d", storageGiB: 75, write: size(500, 1536), read: size(500, 1024), backend: size(250, 512) },
    grafana: size(100, 512),
};

export const OBSERVABILITY: Readonly<Record<TierName, ObservabilitySpec>> = {
    // 1k when switched on: 38 workspace nodes, ~700 pods ≈ 150k series ≈ 1.3 GB a day.
    "1k": {
        prometheus: { retention: "15d", retentionSizeGB: 20, volumeGiB: 24, size: size(250, 1024) },
        loki: { retention: "7d", storageGiB: 20, write: size(250, 512), read: size(250, 512), backend: size(100, 256) },
        grafana: size(100, 256),
        cite: { source: "decision", note: `${RETENTION_NOTE}; ${SERIES_NOTE}` },
    },
    "2k": {
        prometheus: { retention: "15d", retentionSizeGB: 60, volumeGiB: 72, size: size(500, 3072) },
        loki: { retention: "7d", storageGiB: 50, write: size(500, 1024), read: size(250, 1024), backend: size(250, 512) },
        grafana: size(100, 512),
        cite: { source: "decision", note: `${RETENTION_NOTE}; ${SERIES_NOTE}` },
    },
    "3k": { ...UP_TO_256_NODES, cite: { source: "decision", note: `${RETENTION_NOTE}; ${SERIES_NOTE}` } },
    // Each region's own bundle: a region runs 2,000 workspaces on up to 256 nodes (seed 000), as 3k's one region.
    "10k": { ...UP_TO_256_NODES, cite: { source: "decision", note: `per region; ${RETENTION_NOTE}; ${SERIES_NOTE}` } },
};

/**
 * The bundle's other pods on the system pool, at what their charts request (or, where a
 * chart requests nothing, what they use on a small cluster, so the fit check counts them):
 * Loki's two memcached caches request 500m and 1.2 times their allocated memory (the loki
 * chart's memcached template, 1024 MiB allocated by the coder-observability chart); the rest
 * are small.
 */
export const BUNDLE_SMALL_PODS: readonly { name: string; requests: Resources }[] = [
    { name: "loki-chunks-cache", requests: { cpuMillis: 500, memoryMiB: 1229 } },
    { name: "loki-results-cache", requests: { cpuMillis: 500, memoryMiB: 1229 } },
    { name: "loki-gateway", requests: { cpuMillis: 50, memoryMiB: 64 } },
    { name: "loki-storage (MinIO)", requests: { cpuMillis: 100, memoryMiB: 128 } },
    { name: "alertmanager", requests: { cpuMillis: 50, memoryMiB: 64 } },
    { name: "kube-state-metrics", requests: { cpuMillis: 100, memoryMiB: 256 } },
    { name: "runbook-viewer", requests: { cpuMillis: 20, memoryMiB: 32 } },
    { name: "sql-exporter", requests: { cpuMillis: 20, memoryMiB: 64 } },
    { name: "postgres-exporter", requests: { cpuMillis: 20, memoryMiB: 64 } },
];

/**
 * What the cluster's own add-ons take of the system pool in all (DNS, metrics-server, the CSI
 * and load-balancer controllers, cert-manager, cluster-autoscaler on EKS): an estimate, beside
 * the DaemonSets every node carries (NODE_PROFILES' allowance, already out of `allocatable`).
 */
export const SYSTEM_ADDONS: { requests: Resources; cite: Citation } = {
    requests: { cpuMillis: 1000, memoryMiB: 2048 },
    cite: { source: "decision", note: "estimate of the add-ons' Deployments on the system pool; measure and adjust" },
};

/**
 * The system pool's node with the bundle: 4 vCPU / 16 GiB a zone (n4-standard-4, m8i.xlarge,
 * Standard_D4s_v5 from the catalogue) instead of 2 vCPU / 8 GiB. The rule: the bundle and the
 * add-ons must fit with one system node gone (auto-repair, a zone's outage), so that what
 * is not held in a zone by its volume can move. The bundle requests about 3 vCPU / 9 GiB at
 * 2k and 3.7 vCPU / 12 GiB at 3k and 10k; two 2 vCPU / 8 GiB nodes leave about 3 vCPU /
 * 11 GiB after reservations and DaemonSets, a vCPU and 2 GiB of it for the add-ons: it does
 * not fit (three nodes hold the 2k bundle with nothing to spare). Two 4 vCPU / 16 GiB nodes do.
 */
export const OBSERVABILITY_SYSTEM_CAPACITY: { capacity: NodeCapacity; cite: Citation } = {
    capacity: { vcpu: 4, memoryGiB: 16 },
    cite: { source: "decision", note: "the observability bundle's requests do not fit three 2 vCPU / 8 GiB system nodes beside the add-ons" },
};

/** Every pod the bundle runs on the system pool, with its requests. */
export function bundlePods(tier: TierName): { name: string; requests: Resources }[] {
    const o = OBSERVABILITY[tier];
    return [
        { name: "prometheus", requests: o.prometheus.size.requests },
        { name: "loki-write", requests: o.loki.write.requests },
        { name: "loki-read", requests: o.loki.read.requests },
        { name: "loki-backend", requests: o.loki.backend.requests },
        { name: "grafana", requests: o.grafana.requests },
        ...BUNDLE_SMALL_PODS,
    ];
}

/**
 * Whether the bundle's pods and the add-ons fit on `nodes` system nodes of `allocatable`
 * each (first fit, largest first; the add-ons spread evenly). Returns the pods that do not.
 */
export function bundleLeftOver(tier: TierName, allocatable: Resources, nodes: number): string[] {
    const free = Array.from({ length: nodes }, () => ({
        cpuMillis: allocatable.cpuMillis - SYSTEM_ADDONS.requests.cpuMillis / nodes,
        memoryMiB: allocatable.memoryMiB - SYSTEM_ADDONS.requests.memoryMiB / nodes,
    }));
    const pods = [...bundlePods(tier)].sort((a, b) => b.requests.memoryMiB - a.requests.memoryMiB || b.requests.cpuMillis - a.requests.cpuMillis);
    const left: string[] = [];
    for (const pod of pods) {
        const node = free.find((n) => n.cpuMillis >= pod.requests.cpuMillis && n.memoryMiB >= pod.requests.memoryMiB);
        if (!node) {
            left.push(pod.name);
            continue;
        }
        node.cpuMillis -= pod.requests.cpuMillis;
        node.memoryMiB -= pod.requests.memoryMiB;
    }
    return left;
}

/** The decision's rule: the bundle and the add-ons fit on the system pool with one of its nodes gone. */
export function bundleFits(tier: TierName, allocatable: Resources, nodes: number): boolean {
    return bundleLeftOver(tier, allocatable, Math.max(1, nodes - 1)).length === 0;
}
