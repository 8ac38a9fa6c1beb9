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

/**
 * AKS node pool names: Linux pools take 1-12 lowercase letters and digits, starting with a
 * letter. A user pool's name carries its VM size (`cdd8sv5`, `pvd8sv5`; the workspaces pool,
 * one AKS pool a zone: `ws1d8sv5`...): AKS refuses a new size in place, and a new name makes
 * the change a replacement that creates the new pool before it deletes the old. Pods find
 * their pool by its label, never by this name. The inline system pool is `system`.
 */
export function aksPoolName(role: PoolRole, vmSize: string, zone?: string): string {
    if (role === "system") return POOL_CODES.system;
    const size = vmSize.toLowerCase().replace(/^standard_/, "").replace(/[^a-z0-9]/g, "");
    const name = `${POOL_CODES[role]}${zone ?? ""}${size}`;
    if (name.length <= 12) return name;
    const hash = createHash("sha256").update(vmSize).digest("hex").slice(0, 12 - POOL_CODES[role].length - (zone ?? "").length);
    return `${POOL_CODES[role]}${zone ?? ""}${hash.replace(/^\d/, "h")}`;
}

/** What AKS accepts as a Linux node pool's name. */
export const AKS_POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;

/**
 * The private DNS zone Flexible Server registers its address in: it must end with
 * `.postgres.database.azure.com` and differ from every server's name
 * (learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-private).
 */
export const databasePrivateZone = (prefix: string): string => `${prefix}.private.postgres.database.azure.com`;
