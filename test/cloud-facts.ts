/**
 * Per cloud, how to read the facts a reviewer checks out of the rendered resources.
 * The invariant tests are written once against these facts and run for every cloud.
 */
import { Rendered } from "../preview/render";
import { GKE_ALLOCATABLE } from "./fixtures/seeds";
import { ofType } from "./helpers";

export interface PoolFact {
    name: string;
    labels: Record<string, string>;
    taints: { key: string; value: string; effect: string }[];
    machineType: string;
    zones: string[];
    autoscaling: boolean;
    minNodes: number;
    maxNodes: number;
    maxPodsPerNode?: number;
}

export interface DatabaseFact {
    machineType: string;
    highAvailability: boolean;
    privateOnly: boolean;
    tlsRequired: boolean;
    backups: boolean;
    pointInTimeRecovery: boolean;
    /** cloud-side deletion protection */
    deletionProtection: boolean;
    /** Pulumi-side protect option */
    protect: boolean;
    storageGb: number;
    maxConnections: number;
}

export interface CloudFacts {
    pools(r: Rendered): PoolFact[];
    database(r: Rendered): DatabaseFact;
    /** allocatable CPU/memory of one node of a machine type (before DaemonSets) */
    allocatable(machineType: string): { cpuMillis: number; memoryMiB: number };
}

type Obj = Record<string, any>;

const gcp: CloudFacts = {
    pools(r) {
        return ofType(r, "gcp:container/nodePool:NodePool").map((p) => {
            const i = p.inputs as Obj;
            const zones: string[] = i.nodeLocations ?? [];
            const auto = i.autoscaling as Obj | undefined;
            return {
                name: p.name,
                labels: i.nodeConfig?.labels ?? {},
                taints: (i.nodeConfig?.taints ?? []).map((t: Obj) => ({
                    key: t.key, value: t.value, effect: t.effect === "NO_SCHEDULE" ? "NoSchedule" : t.effect,
                })),
                machineType: i.nodeConfig?.machineType,
                zones,
                autoscaling: !!auto,
                // GKE node counts are per zone.
                minNodes: (auto ? auto.minNodeCount : i.nodeCount) * zones.length,
                maxNodes: (auto ? auto.maxNodeCount : i.nodeCount) * zones.length,
                maxPodsPerNode: i.maxPodsPerNode,
            };
        });
    },
    database(r) {
        const [db] = ofType(r, "gcp:sql/databaseInstance:DatabaseInstance");
        if (!db) throw new Error("no Cloud SQL instance");
        const s = (db.inputs as Obj).settings as Obj;
        const flags = Object.fromEntries((s.databaseFlags ?? []).map((f: Obj) => [f.name, f.value]));
        return {
            machineType: s.tier,
            highAvailability: s.availabilityType === "REGIONAL",
            privateOnly: s.ipConfiguration?.ipv4Enabled === false && !!s.ipConfiguration?.privateNetwork,
            tlsRequired: ["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"].includes(s.ipConfiguration?.sslMode),
            backups: s.backupConfiguration?.enabled === true,
            pointInTimeRecovery: s.backupConfiguration?.pointInTimeRecoveryEnabled === true,
            deletionProtection: (db.inputs as Obj).deletionProtection === true && s.deletionProtectionEnabled === true,
            protect: db.protect,
            storageGb: s.diskSize,
            maxConnections: Number(flags.max_connections),
        };
    },
    allocatable(machineType) {
        const a = GKE_ALLOCATABLE[machineType];
        if (!a) throw new Error(`no GKE allocatable fixture for ${machineType}`);
        return a;
    },
};

export const CLOUD_FACTS: Record<string, CloudFacts> = { gcp };

export function factsFor(r: Rendered): CloudFacts {
    const f = CLOUD_FACTS[r.settings.cloud];
    if (!f) throw new Error(`no cloud facts for ${r.settings.cloud}`);
    return f;
}
