/**
 * Pulumi dynamic resources for the part of a Coder deployment that exists only behind
 * coderd's API: the first admin (a session token), the license, scoped provisioner keys
 * and workspace proxies. Each resource is a thin create/read/diff/update/delete over ./client.ts.
 *
 * How the providers travel. Pulumi serializes a dynamic provider's object, with all it
 * references, into the resource's state (`__provider`); a separate process,
 * pulumi-resource-pulumi-nodejs, turns that text back into code with require-from-string
 * and calls it (node_modules/@pulumi/pulumi/dynamic/index.js, cmd/dynamic-provider/index.js).
 * That process does not load ts-node and does not have this program's files on a path:
 *   - a `require("./client")` written inside a method is kept as text (`require` is a known
 *     global to the serializer, runtime/closure/parseFunction.js) and fails there: the
 *     relative path resolves against the provider's working directory, to a .ts file Node
 *     cannot load;
 *   - a module the methods reference from the outside is captured by value when it is the
 *     program's own (a path starting with "."), by `require(name)` when it lives in
 *     node_modules (runtime/closure/createClosure.js captureModuleAsync; pulumi/pulumi#1655).
 * So the methods reference the client through this file's ordinary import: Pulumi copies
 * the client's code into every provider it serializes, and only Node built-ins (http,
 * https, net, tls) are required at run time. Nothing here references `pulumi` at run time.
 * test/coder-api.test.ts serializes the providers the way the CLI does and runs the result
 * in a plain Node process, against a local server.
 *
 * Every error leaving a provider method is a plain Error carrying the client's message
 * (names the URL, the address dialled, Coder's words and the fix; never a secret).
 */
import * as pulumi from "@pulumi/pulumi";
import { CoderClient, CoderLicense as LicenseInCoder, CoderUser, WorkspaceProxyWithToken, messageOf, statusOf } from "./client";

// ---- shapes shared by the providers (plain values, as the engine passes them) ----

/** Where coderd answers. */
export interface CoderEndpoint {
    /** the access URL */
    url: string;
    /** host or IP to dial instead of the URL's host (TLS and Host keep the URL's host name) */
    connectTo?: string;
    /** host or IP to dial only while the URL's host does not resolve (the load balancer's address) */
    fallbackAddress?: string;
    /** PEM of a private CA that signed coderd's certificate */
    caPem?: string;
    insecureSkipVerify?: boolean;
    /** per request, milliseconds */
    timeoutMs?: number;
}

export interface AdminState {
    endpoint: CoderEndpoint;
    /** the first admin's email, username, password and display name (used when Coder has no user yet) */
    email?: string;
    username?: string;
    password?: string;
    name?: string;
    /** an existing Owner's API token, used as is instead of signing in */
    apiToken?: string;
    /** how long create waits for /healthz, milliseconds */
    healthWaitMs?: number;
    /** outputs */
    token?: string;
    userId?: string;
    createdFirstUser?: boolean;
}

export interface LicenseState {
    endpoint: CoderEndpoint;
    token: string;
    /** the license JWT */
    license: string;
    /** outputs */
    licenseId?: number;
    uuid?: string;
    uploadedAt?: string;
    expiresAt?: string;
    adopted?: boolean;
}

export interface ProvisionerKeyState {
    endpoint: CoderEndpoint;
    token: string;
    /** organization id or name; "default" is the default organization */
    organization?: string;
    name: string;
    tags?: Record<string, string>;
    /** outputs */
    organizationId?: string;
    keyId?: string;
    key?: string;
    /** how long a 403 right after the license upload is retried (ms; default a minute) */
    licenseWaitMs?: number;
}

export interface WorkspaceProxyState {
    endpoint: CoderEndpoint;
    token: string;
    /** the proxy's name in Coder (lowercase, short, stable): `coder wsproxy ls`, the region's name */
    name: string;
    displayName: string;
    /** an icon path or URL, e.g. /emojis/1f30e.png */
    icon: string;
    /** any change regenerates the proxy's token (the running proxy needs the new one) */
    tokenGeneration?: number;
    /** how long a 403 right after the license upload is retried (ms; default a minute) */
    licenseWaitMs?: number;
    /** outputs */
    proxyId?: string;
    proxyToken?: string;
}

type ProviderOf<S> = Required<Pick<pulumi.dynamic.ResourceProvider<S, S>, "check" | "create" | "read" | "diff" | "update" | "delete">>;

// ---- helpers (captured into each serialized provider with the methods) ----

/** The engine's placeholder for a value not known during preview (sdk/nodejs/runtime/rpc.ts unknownValue). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const DEFAULT_HEALTH_WAIT_MS = 10 * 60_000;
const HEALTH_INTERVAL_MS = 5_000;
/** Names Coder keeps for its own keys (codersdk/provisionerdaemons.go ReservedProvisionerKeyNames). */
const RESERVED_KEY_NAMES = ["built-in", "user-auth", "psk"];

function hasUnknown(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(hasUnknown);
    if (v !== null && typeof v === "object") return Object.values(v).some(hasUnknown);
    return false;
}

/** JSON with sorted keys, so two equal objects compare equal. */
function canonical(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (v !== null && typeof v === "object") {
        const o = v as Record<string, unknown>;
        return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
    }
    return v === undefined ? "null" : JSON.stringify(v);
}

/** Whether an input differs from what the state holds (unknown counts as different). */
function changed(old: unknown, now: unknown): boolean {
    return hasUnknown(now) || canonical(old) !== canonical(now);
}

function clientFor(endpoint: CoderEndpoint, token?: string): CoderClient {
    return new CoderClient({
        url: endpoint.url,
        connectTo: endpoint.connectTo || undefined,
        fallbackAddress: endpoint.fallbackAddress || undefined,
        caPem: endpoint.caPem || undefined,
        insecureSkipVerify: endpoint.insecureSkipVerify === true,
        timeoutMs: endpoint.timeoutMs,
        token,
    });
}

/** What leaves a provider: a plain Error (the serialized CoderApiError is no `instanceof Error`). */
function plainError(e: unknown): Error {
    return new Error(messageOf(e));
}

function isOwner(u: CoderUser): boolean {
    return (u.roles ?? []).some((r) => r.name === "owner");
}

function requireOwner(u: CoderUser, origin: string, who: string): void {
    if (!isOwner(u)) {
        throw new Error(
            `${who} signs in to ${origin} as ${u.username}, who lacks Coder's Owner role: the license, provisioner keys ` +
            `and workspace proxies need an Owner. Set coder-refarch:adminToken to an Owner's API token (coder tokens create).`,
        );
    }
}

/** A 401/403 on sign-in where a first user exists: Pulumi cannot create another one. */
function firstUserExistsError(origin: string, email: string, e: unknown): Error {
    const status = statusOf(e);
    const said = (e as { coderMessage?: unknown }).coderMessage;
    const answer = `HTTP ${status}${typeof said === "string" ? `: "${said}"` : ""}`;
    return new Error(
        `Coder at ${origin} already has its first user, and signing in as ${email} failed (${answer}). ` +
        `Pulumi creates the first admin only on a deployment without users. Set coder-refarch:adminToken to an API token ` +
        `of an existing Owner (coder tokens create), or set coder-refarch:adminEmail and the password to that Owner's.`,
    );
}

interface SignedIn {
    token: string;
    userId: string;
    created: boolean;
}

/** An existing API token, checked: it must belong to an Owner. */
async function useApiToken(c: CoderClient, apiToken: string): Promise<SignedIn> {
    const me = await c.withToken(apiToken).me();
    requireOwner(me, c.origin, "The API token (coder-refarch:adminToken)");
    return { token: apiToken, userId: me.id, created: false };
}

/** Signs in with the admin's password; never creates a user. */
async function signInWithPassword(c: CoderClient, s: AdminState, created: boolean): Promise<SignedIn> {
    const email = s.email ?? "";
    let token: string;
    try {
        token = await c.login(email, s.password ?? "");
    } catch (e) {
        const st = statusOf(e);
        if (!created && (st === 401 || st === 403)) throw firstUserExistsError(c.origin, email, e);
        throw e;
    }
    const me = await c.withToken(token).me();
    requireOwner(me, c.origin, `The admin ${email}`);
    return { token, userId: me.id, created };
}

/** The first admin: created when Coder has no user, else signed in (a second run finds it). */
async function bootstrapAdmin(c: CoderClient, s: AdminState): Promise<SignedIn> {
    if (s.apiToken) return useApiToken(c, s.apiToken);
    let created = false;
    if (!(await c.hasFirstUser())) {
        try {
            await c.createFirstUser({ email: s.email ?? "", username: s.username ?? "", password: s.password ?? "", name: s.name });
            created = true;
        } catch (e) {
            // 409: another run created it between the check and this call; sign in below.
            if (statusOf(e) !== 409) throw e;
        }
    }
    return signInWithPassword(c, s, created);
}

/** Signs in again (new password, new address, expired session); never creates a user. */
async function renewAdmin(c: CoderClient, s: AdminState): Promise<SignedIn> {
    return s.apiToken ? useApiToken(c, s.apiToken) : signInWithPassword(c, s, false);
}

/** Whether Coder refuses the stored session token (sessions expire: 24 h by default). */
async function tokenRefused(s: AdminState): Promise<boolean> {
    if (!s.token || hasUnknown(s.endpoint)) return false;
    try {
        await clientFor({ ...s.endpoint, timeoutMs: Math.min(s.endpoint.timeoutMs ?? 10_000, 10_000) }, s.token).me();
        return false;
    } catch (e) {
        // Unreachable during a preview is not a reason to change anything.
        return statusOf(e) === 401;
    }
}

function adminOuts(s: AdminState, signed: SignedIn): AdminState {
    return { ...s, token: signed.token, userId: signed.userId, createdFirstUser: signed.created || s.createdFirstUser === true };
}

function endpointFailures(e: unknown): pulumi.dynamic.CheckFailure[] {
    if (hasUnknown(e)) return [];
    const url = (e as CoderEndpoint | undefined)?.url;
    if (typeof url !== "string" || !/^https?:\/\/[^/\s]+\/?$/.test(url)) {
        return [{ property: "endpoint", reason: `endpoint.url must be Coder's access URL, https://host[:port] (got ${JSON.stringify(url)})` }];
    }
    return [];
}

/** The claims of a license JWT (its middle part), or an error that does not show the license. */
function jwtClaims(jwt: string): Record<string, unknown> {
    const parts = jwt.split(".");
    const payload = parts.length === 3 ? parts[1]! : "";
    let claims: unknown;
    try {
        claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
        claims = undefined;
    }
    if (claims === null || typeof claims !== "object" || Array.isArray(claims)) {
        throw new Error("The Coder license (coder-refarch:license) is not a JWT: three base64url parts joined by dots, the middle one JSON claims.");
    }
    return claims as Record<string, unknown>;
}

function licenseFacts(l: LicenseInCoder): Pick<LicenseState, "licenseId" | "uuid" | "uploadedAt" | "expiresAt"> {
    const exp = l.claims?.license_expires;
    return {
        licenseId: l.id,
        uuid: l.uuid,
        uploadedAt: l.uploaded_at,
        expiresAt: typeof exp === "number" ? new Date(exp * 1000).toISOString() : undefined,
    };
}

function sameName(a: string, b: string): boolean {
    return a.toLowerCase() === b.toLowerCase();
}

// ---- the first admin ----

/**
 * CoderAdmin: creates Coder's first user when the deployment has none, else signs in as
 * that user; with `apiToken`, checks the token instead. Outputs a session token (secret).
 *   replace: email, username (another identity);
 *   update: endpoint, password, apiToken (sign in again), and a session Coder refuses;
 *   ignored: name, healthWaitMs (used only when the first user is created).
 */
export const adminProvider: ProviderOf<AdminState> = {
    async check(_olds: AdminState, news: AdminState) {
        const failures = endpointFailures(news.endpoint);
        if (!news.apiToken && !hasUnknown([news.email, news.username, news.password]) && (!news.email || !news.username || !news.password)) {
            failures.push({ property: "email", reason: "give the first admin's email, username and password, or an existing Owner's API token (apiToken)" });
        }
        return { inputs: news, failures };
    },

    async create(inputs: AdminState) {
        try {
            const c = clientFor(inputs.endpoint);
            await c.waitHealthy(inputs.healthWaitMs ?? DEFAULT_HEALTH_WAIT_MS, HEALTH_INTERVAL_MS);
            const signed = await bootstrapAdmin(c, inputs);
            return { id: signed.userId, outs: adminOuts(inputs, signed) };
        } catch (e) {
            throw plainError(e);
        }
    },

    /** Refresh: the session still works, or signs in again with the password. */
    async read(id: string, props?: AdminState) {
        if (!props) return { id };
        try {
            const c = clientFor(props.endpoint);
            try {
                const me = await c.withToken(props.token ?? "").me();
                return { id: me.id, props: { ...props, userId: me.id } };
            } catch (e) {
                if (statusOf(e) !== 401 || (!props.password && !props.apiToken)) throw e;
                return { id, props: adminOuts(props, await renewAdmin(c, props)) };
            }
        } catch (e) {
            throw plainError(e);
        }
    },

    async diff(_id: string, olds: AdminState, news: AdminState) {
        const replaces = ["email", "username"].filter((k) => changed(olds[k as keyof AdminState], news[k as keyof AdminState]));
        if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: false };
        const updates = ["endpoint", "password", "apiToken"].filter((k) => changed(olds[k as keyof AdminState], news[k as keyof AdminState]));
        if (updates.length > 0) return { changes: true };
        return { changes: await tokenRefused(olds) };
    },

    async update(_id: string, olds: AdminState, news: AdminState) {
        try {
            const signed = await renewAdmin(clientFor(news.endpoint), news);
            return { outs: adminOuts({ ...news, createdFirstUser: olds.createdFirstUser }, signed) };
        } catch (e) {
            throw plainError(e);
        }
    },

    /**
     * Nothing to do: tearing down the stack does not delete Coder's first admin. It owns the
     * deployment, and Coder has no way to create a first user again once one existed.
     */
    async delete() {
        return;
    },
};

// ---- the license ----

/**
 * CoderLicense: uploads the license once (or adopts the same license already in Coder).
 *   replace: license (the new one is uploaded before the old is deleted: Coder holds
 *            several licenses at once so features do not lapse, enterprise/coderd/licenses.go);
 *   update: endpoint, token (no API call; delete uses the newest credentials);
 *   refresh: a license deleted in Coder leaves the state, and the next `up` uploads it again.
 */
export const licenseProvider: ProviderOf<LicenseState> = {
    async check(_olds: LicenseState, news: LicenseState) {
        const failures = endpointFailures(news.endpoint);
        if (!hasUnknown(news.license)) {
            try {
                jwtClaims(news.license);
            } catch (e) {
                failures.push({ property: "license", reason: messageOf(e) });
            }
        }
        return { inputs: news, failures };
    },

    async create(inputs: LicenseState) {
        try {
            const claims = canonical(jwtClaims(inputs.license));
            const c = clientFor(inputs.endpoint, inputs.token);
            const existing = (await c.licenses()).find((l) => canonical(l.claims) === claims);
            const lic = existing ?? (await c.addLicense(inputs.license));
            return { id: String(lic.id), outs: { ...inputs, ...licenseFacts(lic), adopted: existing !== undefined } };
        } catch (e) {
            throw plainError(e);
        }
    },

    async read(id: string, props?: LicenseState) {
        if (!props) return { id };
        try {
            const found = (await clientFor(props.endpoint, props.token).licenses()).find((l) => String(l.id) === id);
            if (!found) return { id: "", props: {} as LicenseState };
            return { id, props: { ...props, ...licenseFacts(found) } };
        } catch (e) {
            // A session token older than Coder's session lifetime (24 h by default): the state
            // stands until the next `pulumi up` signs in again and updates the token.
            if (statusOf(e) === 401) return { id, props };
            throw plainError(e);
        }
    },

    async diff(_id: string, olds: LicenseState, news: LicenseState) {
        if (changed(olds.license, news.license)) return { changes: true, replaces: ["license"], deleteBeforeReplace: false };
        return { changes: changed(olds.endpoint, news.endpoint) || changed(olds.token, news.token) };
    },

    async update(_id: string, olds: LicenseState, news: LicenseState) {
        return { outs: { ...olds, ...news, license: news.license } };
    },

    async delete(id: string, props: LicenseState) {
        try {
            await clientFor(props.endpoint, props.token).deleteLicense(Number(id));
        } catch (e) {
            // 404: gone already. 401: the stored session has expired; on `pulumi destroy` the
            // license goes with coderd's database, and a replaced one may stay beside the new one.
            if (statusOf(e) !== 404 && statusOf(e) !== 401) throw plainError(e);
        }
    },
};

// ---- provisioner keys ----

/** A 403 right after the license upload is retried for this long (ms), this far apart. */
const KEY_LICENSE_WAIT_MS = 60_000;
const KEY_LICENSE_RETRY_MS = 3_000;

/**
 * CoderProvisionerKey: a scoped key for external provisioners (`coder provisioner keys
 * create`), in an organization, with tags. Outputs the key (secret), shown by Coder once.
 *   replace: organization, name, tags (Coder cannot edit a key); with the same name the old
 *            key goes first, since names are unique in an organization (409 otherwise);
 *   update: endpoint, token (no API call);
 *   refresh: a key deleted in Coder leaves the state.
 */
export const provisionerKeyProvider: ProviderOf<ProvisionerKeyState> = {
    async check(_olds: ProvisionerKeyState, news: ProvisionerKeyState) {
        const failures = endpointFailures(news.endpoint);
        const name = news.name;
        if (!hasUnknown(name)) {
            if (typeof name !== "string" || name === "" || name.length > 64) {
                failures.push({ property: "name", reason: "a provisioner key name has 1 to 64 characters" });
            } else if (RESERVED_KEY_NAMES.some((r) => sameName(r, name))) {
                failures.push({ property: "name", reason: `"${name}" is reserved by Coder (${RESERVED_KEY_NAMES.join(", ")})` });
            }
        }
        if (!hasUnknown(news.tags) && Object.values(news.tags ?? {}).some((v) => typeof v !== "string")) {
            failures.push({ property: "tags", reason: "tag values are strings" });
        }
        return { inputs: news, failures };
    },

    async create(inputs: ProvisionerKeyState) {
        const organization = inputs.organization || "default";
        const tags = inputs.tags ?? {};
        try {
            const c = clientFor(inputs.endpoint, inputs.token);
            const org = await c.organization(organization);
            let key = "";
            // Right after a license upload, the replicas that did not take it learn of it
            // asynchronously (pubsub): a 403 from one of them passes within seconds.
            const deadline = Date.now() + (inputs.licenseWaitMs ?? KEY_LICENSE_WAIT_MS);
            while (!key) {
                try {
                    key = await c.createProvisionerKey(org.id, inputs.name, tags);
                } catch (e) {
                    if (statusOf(e) === 409) {
                        throw new Error(
                            `${messageOf(e)} Coder shows a key's secret only when it is created, so Pulumi cannot adopt the existing ` +
                            `"${inputs.name}": delete it (coder provisioner keys delete ${inputs.name} --org ${org.name}) or choose another name.`,
                        );
                    }
                    if (statusOf(e) !== 403 || Date.now() + KEY_LICENSE_RETRY_MS > deadline) throw e;
                    await new Promise((r) => setTimeout(r, KEY_LICENSE_RETRY_MS));
                }
            }
            const listed = (await c.provisionerKeys(org.id)).find((k) => sameName(k.name, inputs.name));
            const keyId = listed?.id ?? `${org.id}/${inputs.name}`;
            return { id: keyId, outs: { ...inputs, organization, tags, organizationId: org.id, keyId, key } };
        } catch (e) {
            throw plainError(e);
        }
    },

    async read(id: string, props?: ProvisionerKeyState) {
        if (!props) return { id };
        try {
            const keys = await clientFor(props.endpoint, props.token).provisionerKeys(props.organizationId ?? "");
            const found = keys.find((k) => k.id === id || (id.endsWith(`/${k.name}`) && sameName(k.name, props.name)));
            if (!found) return { id: "", props: {} as ProvisionerKeyState };
            return { id, props: { ...props, tags: found.tags ?? {} } };
        } catch (e) {
            // an expired session: the state stands until the next `pulumi up` signs in again
            if (statusOf(e) === 401) return { id, props };
            throw plainError(e);
        }
    },

    async diff(_id: string, olds: ProvisionerKeyState, news: ProvisionerKeyState) {
        const oldOrg = olds.organization || "default";
        const newOrg = hasUnknown(news.organization) ? news.organization : news.organization || "default";
        const replaces: string[] = [];
        if (changed(oldOrg, newOrg)) replaces.push("organization");
        if (changed(olds.name, news.name)) replaces.push("name");
        if (changed(olds.tags ?? {}, news.tags ?? {})) replaces.push("tags");
        if (replaces.length > 0) {
            const sameSlot = !replaces.includes("organization") && !replaces.includes("name");
            return { changes: true, replaces, deleteBeforeReplace: sameSlot };
        }
        return { changes: changed(olds.endpoint, news.endpoint) || changed(olds.token, news.token) };
    },

    async update(_id: string, olds: ProvisionerKeyState, news: ProvisionerKeyState) {
        return { outs: { ...olds, endpoint: news.endpoint, token: news.token } };
    },

    async delete(id: string, props: ProvisionerKeyState) {
        try {
            const c = clientFor(props.endpoint, props.token);
            const orgId = props.organizationId ?? "";
            const ours = (await c.provisionerKeys(orgId)).find((k) => k.id === id || (id.endsWith(`/${k.name}`) && sameName(k.name, props.name)));
            // Gone already, or the name now belongs to a key made outside Pulumi: leave it.
            if (!ours) return;
            await c.deleteProvisionerKey(orgId, ours.name);
        } catch (e) {
            // 404: gone. 401: an expired session; on `pulumi destroy` the key goes with coderd's database.
            if (statusOf(e) !== 404 && statusOf(e) !== 401) throw plainError(e);
        }
    },
};

// ---- workspace proxies ----

/** The name Coder keeps for the primary region (enterprise/coderd/workspaceproxy.go postWorkspaceProxy). */
const RESERVED_PROXY_NAME = "primary";
/** Coder's name shape (codersdk/name.go UsernameValid: words of letters and digits joined by single hyphens, at most 32 characters), lowercase. */
const PROXY_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const PROXY_NAME_MAX = 32;

function coderWords(e: unknown): { message: string; detail: string } {
    const o = e as { coderMessage?: unknown; coderDetail?: unknown } | null;
    return {
        message: typeof o?.coderMessage === "string" ? o.coderMessage : "",
        detail: typeof o?.coderDetail === "string" ? o.coderDetail : "",
    };
}

/** A failed proxy call, with the fix for what Coder leaves to the operator. */
function proxyError(e: unknown, name: string): Error {
    const status = statusOf(e);
    const said = coderWords(e);
    if (status === 409) {
        return new Error(
            `${messageOf(e)} Coder shows a workspace proxy's token only when the proxy is created or its token regenerated, ` +
            `so Pulumi does not adopt the existing proxy "${name}" (taking it over would regenerate the token a running proxy ` +
            `may use): delete it in Coder (coder wsproxy delete ${name}) and run pulumi up again, or choose another region name.`,
        );
    }
    if (status === 403 && /premium feature/i.test(said.message)) {
        return new Error(
            `${messageOf(e)} Workspace proxies need a Coder license with the Workspace Proxy feature (Premium): set ` +
            `coder-refarch:license to such a license (or upload one in Coder), then run pulumi up again.`,
        );
    }
    // A rename onto a name another proxy has: coderd does not map the unique index on a PATCH
    // (enterprise/coderd/workspaceproxy.go patchWorkspaceProxy) and answers 500.
    if (status === 500 && /duplicate key|unique constraint/i.test(said.detail)) {
        return new Error(
            `Coder refused to name a workspace proxy "${name}": another proxy in Coder has that name. Delete that one ` +
            `(coder wsproxy delete ${name}) or choose another region name. (${messageOf(e)})`,
        );
    }
    return plainError(e);
}

function proxyGone(name: string, id: string, cause?: string): Error {
    return new Error(
        `The workspace proxy "${name}" (${id}) was deleted in Coder: run pulumi refresh so Pulumi forgets it, then pulumi up ` +
        `registers it again, with a new token for the proxy.${cause ? ` (${cause})` : ""}`,
    );
}

/**
 * CoderWorkspaceProxy: registers a workspace proxy with coderd (`coder wsproxy create`) and
 * outputs its token (secret), which Coder shows only on create and when regenerated.
 *   update: displayName, icon (PATCH, the token stays); tokenGeneration (PATCH with
 *           regenerate_token: a new token, the old one stops working); endpoint, token (no call);
 *   name:   an update too, a rename in place (PATCH with the new name). The proxy keeps its
 *           id, so the running proxy keeps its token and what refers to the proxy by id (the
 *           proxy users picked in the dashboard) stays; a replacement would make a new proxy,
 *           a new token, and drop those choices;
 *   create: a name Coder already has fails (409) and is never adopted: the existing proxy's
 *           token cannot be read back, and taking it over would cut off whoever runs it;
 *   refresh and delete: deleting marks the proxy deleted, and by id coderd still answers with
 *           `deleted: true` (enterprise/coderd/workspaceproxy.go deleteWorkspaceProxy,
 *           coderd/httpmw/workspaceproxy.go ExtractWorkspaceProxyParam): such a proxy, or a 404,
 *           leaves the state.
 */
export const workspaceProxyProvider: ProviderOf<WorkspaceProxyState> = {
    async check(_olds: WorkspaceProxyState, news: WorkspaceProxyState) {
        const failures = endpointFailures(news.endpoint);
        const name = news.name;
        if (!hasUnknown(name)) {
            if (typeof name !== "string" || name.length > PROXY_NAME_MAX || !PROXY_NAME.test(name)) {
                failures.push({
                    property: "name",
                    reason: `a workspace proxy's name is lowercase letters and digits, words joined by single hyphens, ` +
                        `at most ${PROXY_NAME_MAX} characters (got ${JSON.stringify(name)})`,
                });
            } else if (name === RESERVED_PROXY_NAME) {
                failures.push({ property: "name", reason: `"${RESERVED_PROXY_NAME}" is reserved by Coder for the primary region` });
            }
        }
        for (const k of ["displayName", "icon"] as const) {
            const v = news[k];
            if (!hasUnknown(v) && (typeof v !== "string" || v.trim() === "")) {
                failures.push({ property: k, reason: `${k} must not be empty: Coder requires it whenever the proxy is updated` });
            }
        }
        const g = news.tokenGeneration;
        if (g !== undefined && !hasUnknown(g) && !(typeof g === "number" && Number.isInteger(g) && g >= 0)) {
            failures.push({ property: "tokenGeneration", reason: `tokenGeneration is a whole number, 0 or more (got ${JSON.stringify(g)})` });
        }
        return { inputs: news, failures };
    },

    async create(inputs: WorkspaceProxyState) {
        try {
            const c = clientFor(inputs.endpoint, inputs.token);
            const req = { name: inputs.name, display_name: inputs.displayName, icon: inputs.icon };
            let created: WorkspaceProxyWithToken | undefined;
            // As for provisioner keys: a replica may learn of a fresh license seconds late.
            const deadline = Date.now() + (inputs.licenseWaitMs ?? KEY_LICENSE_WAIT_MS);
            while (!created) {
                try {
                    created = await c.createWorkspaceProxy(req);
                } catch (e) {
                    if (statusOf(e) !== 403 || Date.now() + KEY_LICENSE_RETRY_MS > deadline) throw e;
                    await new Promise((r) => setTimeout(r, KEY_LICENSE_RETRY_MS));
                }
            }
            const p = created.proxy;
            return {
                id: p.id,
                outs: { ...inputs, tokenGeneration: inputs.tokenGeneration ?? 0, name: p.name, proxyId: p.id, proxyToken: created.proxy_token },
            };
        } catch (e) {
            throw proxyError(e, inputs.name);
        }
    },

    async read(id: string, props?: WorkspaceProxyState) {
        if (!props) return { id };
        try {
            const p = await clientFor(props.endpoint, props.token).workspaceProxy(id);
            if (p.deleted) return { id: "", props: {} as WorkspaceProxyState };
            return { id, props: { ...props, name: p.name, displayName: p.display_name, icon: p.icon_url, proxyId: p.id } };
        } catch (e) {
            if (statusOf(e) === 404) return { id: "", props: {} as WorkspaceProxyState };
            // an expired session: the state stands until the next `pulumi up` signs in again
            if (statusOf(e) === 401) return { id, props };
            throw proxyError(e, props.name);
        }
    },

    async diff(_id: string, olds: WorkspaceProxyState, news: WorkspaceProxyState) {
        const edits = changed(olds.name, news.name) || changed(olds.displayName, news.displayName) || changed(olds.icon, news.icon) ||
            changed(olds.tokenGeneration ?? 0, news.tokenGeneration ?? 0);
        return { changes: edits || changed(olds.endpoint, news.endpoint) || changed(olds.token, news.token) };
    },

    async update(id: string, olds: WorkspaceProxyState, news: WorkspaceProxyState) {
        const regenerate = changed(olds.tokenGeneration ?? 0, news.tokenGeneration ?? 0);
        const edit = regenerate || changed(olds.name, news.name) || changed(olds.displayName, news.displayName) || changed(olds.icon, news.icon);
        const outs: WorkspaceProxyState = {
            ...olds, ...news, tokenGeneration: news.tokenGeneration ?? 0, proxyId: olds.proxyId ?? id, proxyToken: olds.proxyToken,
        };
        if (!edit) return { outs };
        let r: WorkspaceProxyWithToken;
        try {
            r = await clientFor(news.endpoint, news.token).updateWorkspaceProxy(id, {
                name: news.name, display_name: news.displayName, icon: news.icon, regenerate_token: regenerate,
            });
        } catch (e) {
            if (statusOf(e) === 404) throw proxyGone(olds.name, id, messageOf(e));
            throw proxyError(e, news.name);
        }
        // coderd edits a deleted proxy's row all the same, and says so in the answer
        if (!r || !r.proxy || r.proxy.deleted) throw proxyGone(olds.name, id);
        if (regenerate && (typeof r.proxy_token !== "string" || r.proxy_token === "")) {
            throw new Error(`Coder regenerated the token of the workspace proxy "${news.name}" (${id}) but did not return it: regenerate it again (change tokenGeneration).`);
        }
        return { outs: { ...outs, name: r.proxy.name, proxyToken: regenerate ? r.proxy_token : olds.proxyToken } };
    },

    async delete(id: string, props: WorkspaceProxyState) {
        try {
            await clientFor(props.endpoint, props.token).deleteWorkspaceProxy(id);
        } catch (e) {
            // 404: gone. 401: an expired session; on `pulumi destroy` the proxy goes with coderd's database.
            if (statusOf(e) !== 404 && statusOf(e) !== 401) throw proxyError(e, props.name);
        }
    },
};

// ---- the resources ----

/** The endpoint as program inputs. */
export interface CoderEndpointInput {
    url: pulumi.Input<string>;
    connectTo?: pulumi.Input<string>;
    fallbackAddress?: pulumi.Input<string>;
    caPem?: pulumi.Input<string>;
    insecureSkipVerify?: pulumi.Input<boolean>;
    timeoutMs?: pulumi.Input<number>;
}

export interface CoderAdminArgs {
    endpoint: pulumi.Input<CoderEndpointInput>;
    email?: pulumi.Input<string>;
    username?: pulumi.Input<string>;
    password?: pulumi.Input<string>;
    name?: pulumi.Input<string>;
    /** an existing Owner's API token (coder-refarch:adminToken): no user is created */
    apiToken?: pulumi.Input<string>;
    healthWaitMs?: pulumi.Input<number>;
}

const MODULE = "coder-refarch";

function secretOrUndefined(v: pulumi.Input<string> | undefined): pulumi.Output<string> | undefined {
    return v === undefined ? undefined : pulumi.secret(v);
}

function withSecrets(opts: pulumi.CustomResourceOptions | undefined, keys: string[]): pulumi.CustomResourceOptions {
    return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...keys] };
}

/** Coder's first admin, or an existing Owner's token; `token` signs the other resources' calls. */
export class CoderAdmin extends pulumi.dynamic.Resource {
    declare readonly token: pulumi.Output<string>;
    declare readonly userId: pulumi.Output<string>;
    declare readonly createdFirstUser: pulumi.Output<boolean>;

    constructor(name: string, args: CoderAdminArgs, opts?: pulumi.CustomResourceOptions) {
        const props = {
            endpoint: args.endpoint,
            email: args.email,
            username: args.username,
            password: secretOrUndefined(args.password),
            name: args.name,
            apiToken: secretOrUndefined(args.apiToken),
            healthWaitMs: args.healthWaitMs,
            token: undefined,
            userId: undefined,
            createdFirstUser: undefined,
        };
        super(adminProvider, name, props, withSecrets(opts, ["token", "password", "apiToken"]), MODULE, "CoderAdmin");
    }
}

export interface CoderLicenseArgs {
    endpoint: pulumi.Input<CoderEndpointInput>;
    token: pulumi.Input<string>;
    license: pulumi.Input<string>;
}

/** The Coder license, uploaded through the API. */
export class CoderLicense extends pulumi.dynamic.Resource {
    declare readonly licenseId: pulumi.Output<number>;
    declare readonly uuid: pulumi.Output<string>;
    declare readonly expiresAt: pulumi.Output<string | undefined>;

    constructor(name: string, args: CoderLicenseArgs, opts?: pulumi.CustomResourceOptions) {
        const props = {
            endpoint: args.endpoint,
            token: pulumi.secret(args.token),
            license: pulumi.secret(args.license),
            licenseId: undefined,
            uuid: undefined,
            uploadedAt: undefined,
            expiresAt: undefined,
            adopted: undefined,
        };
        super(licenseProvider, name, props, withSecrets(opts, ["token", "license"]), MODULE, "CoderLicense");
    }
}

export interface CoderProvisionerKeyArgs {
    endpoint: pulumi.Input<CoderEndpointInput>;
    token: pulumi.Input<string>;
    /** organization id or name (default: "default", Coder's default organization) */
    organization?: pulumi.Input<string>;
    name: pulumi.Input<string>;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    licenseWaitMs?: pulumi.Input<number>;
}

/** A scoped provisioner key; `key` goes into the provisioners' Secret (CODER_PROVISIONER_DAEMON_KEY). */
export class CoderProvisionerKey extends pulumi.dynamic.Resource {
    declare readonly key: pulumi.Output<string>;
    declare readonly keyId: pulumi.Output<string>;
    declare readonly organizationId: pulumi.Output<string>;

    constructor(name: string, args: CoderProvisionerKeyArgs, opts?: pulumi.CustomResourceOptions) {
        const props = {
            endpoint: args.endpoint,
            token: pulumi.secret(args.token),
            organization: args.organization ?? "default",
            name: args.name,
            tags: args.tags ?? {},
            licenseWaitMs: args.licenseWaitMs,
            organizationId: undefined,
            keyId: undefined,
            key: undefined,
        };
        super(provisionerKeyProvider, name, props, withSecrets(opts, ["token", "key"]), MODULE, "CoderProvisionerKey");
    }
}

export interface CoderWorkspaceProxyArgs {
    endpoint: pulumi.Input<CoderEndpointInput>;
    /** the admin's session token (secret) */
    token: pulumi.Input<string>;
    /** the proxy's name in Coder: lowercase, short and stable (a change renames the proxy in place) */
    name: pulumi.Input<string>;
    displayName: pulumi.Input<string>;
    /** an icon path or URL, e.g. /emojis/1f30e.png */
    icon: pulumi.Input<string>;
    /** change it (e.g. add 1) to regenerate the proxy's token; default 0 */
    tokenGeneration?: pulumi.Input<number>;
    licenseWaitMs?: pulumi.Input<number>;
}

/** A workspace proxy registered with coderd; `proxyToken` goes into the proxy's CODER_PROXY_SESSION_TOKEN. */
export class CoderWorkspaceProxy extends pulumi.dynamic.Resource {
    declare readonly proxyId: pulumi.Output<string>;
    declare readonly proxyToken: pulumi.Output<string>;
    declare readonly name: pulumi.Output<string>;

    constructor(name: string, args: CoderWorkspaceProxyArgs, opts?: pulumi.CustomResourceOptions) {
        const props = {
            endpoint: args.endpoint,
            token: pulumi.secret(args.token),
            name: args.name,
            displayName: args.displayName,
            icon: args.icon,
            tokenGeneration: args.tokenGeneration ?? 0,
            licenseWaitMs: args.licenseWaitMs,
            proxyId: undefined,
            proxyToken: undefined,
        };
        super(workspaceProxyProvider, name, props, withSecrets(opts, ["token", "proxyToken"]), MODULE, "CoderWorkspaceProxy");
    }
}
