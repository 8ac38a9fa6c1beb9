import { createHash } from "crypto";

/**
 * A service account ID for one stack: the stack's name prefix, a short stable hash of the
 * whole prefix, and the account's role, e.g. `coder-gcp-3k-1a2b3c-nodes`. IDs are 6-30
 * characters of `[a-z][-a-z0-9]*[a-z0-9]` (IAM API, serviceAccounts.create `accountId`), so a
 * long prefix is cut; the hash keeps two prefixes that share their first characters apart.
 */
export function serviceAccountId(namePrefix: string, role: string): string {
    const hash = createHash("sha256").update(namePrefix).digest("hex").slice(0, 6);
    const room = 30 - role.length - hash.length - 2;
    // An ID starts with a letter: a prefix that does not gets one.
    const clean = namePrefix.toLowerCase().replace(/[^-a-z0-9]/g, "-");
    const head = (/^[a-z]/.test(clean) ? clean : `c${clean}`).slice(0, room).replace(/-+$/, "");
    return `${head}-${hash}-${role}`;
}

/** GKE cluster names: at most 40 characters ("Cluster names ... must be no longer than 40 characters", GKE docs, creating a cluster). */
export const GKE_CLUSTER_NAME_MAX = 40;

/**
 * A GKE cluster's name: the prefix itself (a stack's, 30 characters at most, as deployed), or
 * for a longer one (a proxy region's: the stack's prefix and the region's name) its start and
 * a short stable hash of the whole prefix.
 */
export function gkeClusterName(namePrefix: string): string {
    if (namePrefix.length <= GKE_CLUSTER_NAME_MAX) return namePrefix;
    const hash = createHash("sha256").update(namePrefix).digest("hex").slice(0, 6);
    return `${namePrefix.slice(0, GKE_CLUSTER_NAME_MAX - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/** Service account display names: at most 100 bytes (IAM API, ServiceAccount `displayName`); ours are ASCII. */
export const displayName = (text: string): string => text.slice(0, 100);
