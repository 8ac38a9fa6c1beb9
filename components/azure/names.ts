/**
 * Physical names on Azure. The resource group and the cluster carry the stack's (or the
 * proxy region's) prefix, so a staging clone gets its own; everything inside the group is
 * auto-named by azure-native from its logical name (a random suffix, kept in the state).
 */
import { createHash } from "crypto";
import { PoolRole } from "../../tiers";

/** A resource group's name: at most 90 characters. */
export const resourceGroupName = (prefix: string): string => prefix.slice(0, 90);

/** AKS: a cluster name of 1-63 letters, digits, - and _; its DNS prefix 1-54 letters, digits and -. */
export const clusterName = (prefix: string): string => prefix.slice(0, 63);
export const dnsPrefix = (prefix: string): string => {
    if (prefix.length <= 54) return prefix;
    const hash = createHash("sha256").update(prefix).digest("hex").slice(0, 6);
    return `${prefix.slice(0, 47).replace(/-+$/, "")}-${hash}`;
};

/** The node resource group AKS creates and owns (VM scale sets, disks, load balancer). */
export const nodeResourceGroupName = (prefix: string): string => `${resourceGroupName(prefix).slice(0, 84)}-nodes`;

/** Short role codes in AKS pool names (12 characters at most). */
const POOL_CODES: Record<PoolRole, string> = { system: "system", coderd: "cd", provisioners: "pv", workspaces: "ws" };

/** What AKS accepts of a node pool only when it creates it. */
export interface PoolShape {
    vmSize: string;
    maxPods: number;
    osDiskSizeGB: number;
    osDiskType: string;
    osSKU: string;
    zones: readonly string[];
}

/**
 * AKS node pool names: Linux pools take 1-12 lowercase letters and digits, starting with a
 * letter. A user pool's name is its role's code, its zone (the workspaces pool is one AKS
 * pool a zone) and a hash of what AKS accepts only when it creates a pool (VM size, max pods,
 * OS disk, zones: Azure/AKS#1790): `cd3f9a0c`, `pv51e2b7`, `ws1a07d4e`. A change of any of
 * them is a new name, so a replacement that creates the new pool before it drains and
 * deletes the old, where the same name would be refused. Pods find their pool by its label,
 * never by this name. The inline system pool is `system`.
 */
export function aksPoolName(role: PoolRole, shape: PoolShape, zone?: string): string {
    if (role === "system") return POOL_CODES.system;
    const hash = createHash("sha256").update(JSON.stringify([shape.vmSize, shape.maxPods, shape.osDiskSizeGB, shape.osDiskType, shape.osSKU, [...shape.zones]]))
        .digest("hex").slice(0, 6);
    return `${POOL_CODES[role]}${zone ?? ""}${hash}`;
}

/** What AKS accepts as a Linux node pool's name. */
export const AKS_POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;

/**
 * The private DNS zone Flexible Server registers its address in: it must end with
 * `.postgres.database.azure.com` and differ from every server's name
 * (learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-private).
 */
export const databasePrivateZone = (prefix: string): string => `${prefix}.private.postgres.database.azure.com`;
