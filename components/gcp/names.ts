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
