import { createHash } from "crypto";

/** IAM role names: at most 64 characters (IAM API, CreateRole `RoleName`). */
export const ROLE_NAME_MAX = 64;

/**
 * A physical name of a region's resource: `<prefix>-<role>`, e.g. `coder-aws-10k-europe-nodes`.
 * IAM is global (one namespace for every region of the account), so a role's name carries
 * the region's prefix. A name longer than `max` keeps the start of the prefix and a short
 * stable hash of the whole prefix, so two prefixes that share their first characters still
 * get two names.
 */
export function regionalName(prefix: string, role: string, max = ROLE_NAME_MAX): string {
    const plain = `${prefix}-${role}`;
    if (plain.length <= max) return plain;
    const hash = createHash("sha256").update(prefix).digest("hex").slice(0, 6);
    const room = max - role.length - hash.length - 2;
    return `${prefix.slice(0, room).replace(/-+$/, "")}-${hash}-${role}`;
}
