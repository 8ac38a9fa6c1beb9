/**
 * A small typed client for the few Coder REST endpoints the bootstrap needs: health, the
 * first admin, sign-in, licenses, the default organization, provisioner keys and workspace
 * proxies. Pure TypeScript on Node's http/https modules (no Pulumi), so one request can dial
 * the load balancer's address while TLS (SNI, certificate check) and the Host header keep
 * the access URL's host name: the access URL works before its DNS record exists.
 *
 * Each endpoint cites the Coder source it was checked against (github.com/coder/coder).
 * Shared contract, checked once:
 *   - auth header `Coder-Session-Token` (codersdk/client.go SessionTokenHeader);
 *   - error body codersdk.Response {message, detail?, validations?: [{field, detail}]}
 *     (codersdk/client.go; written by coderd/httpapi/httpapi.go Write);
 *   - every answer carries `X-Coder-Build-Version` (coderd/coderd.go middleware,
 *     codersdk.BuildVersionHeader), which tells coderd from another server's 404.
 *
 * The dynamic providers in ./resources.ts capture this module by value when Pulumi
 * serializes them (see there). Pulumi rewrites classes into plain constructor functions
 * and keeps only the constructor's body, so this file avoids what that rewrite loses:
 * no class field initializers, no #private members, no static members, no getters, and
 * errors set `message` themselves (a rewritten `super(message)` on Error sets nothing).
 * Node's modules are required where they are used (see `node()`), never imported at the top.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { RequestOptions } from "node:https";
import type { PeerCertificate } from "node:tls";

/**
 * Node's built-in modules, required at the call. The serialized provider keeps the call as
 * text and requires the module by name where it runs. A top-level import would be captured
 * instead: fine under ts-node, but under a bundler's or test runner's module wrapper (tsx,
 * vitest) the serializer sees a wrapper object, not Node's module, and fails on its native code.
 */
function node(): {
    http: typeof import("node:http");
    https: typeof import("node:https");
    net: typeof import("node:net");
    tls: typeof import("node:tls");
} {
    return { http: require("node:http"), https: require("node:https"), net: require("node:net"), tls: require("node:tls") };
}

// ---- options and shapes ----

export interface CoderClientOptions {
    /** the access URL, e.g. https://coder.example.com */
    url: string;
    /** host or IP to dial instead of the URL's host (the load balancer's address while DNS is not pointed yet) */
    connectTo?: string;
    /**
     * host or IP to dial only when the URL's host does not resolve: the access URL while DNS
     * points at coderd, the load balancer's address before (TLS and Host keep the URL's host)
     */
    fallbackAddress?: string;
    /** a session or API token (header Coder-Session-Token) */
    token?: string;
    /** per request, milliseconds (default 30 s) */
    timeoutMs?: number;
    /** PEM of a CA to trust besides the public roots (a private CA or a self-signed certificate) */
    caPem?: string;
    /** skip the certificate check (tests, or a certificate not issued yet) */
    insecureSkipVerify?: boolean;
}

/** codersdk.Response: Coder's error (and message) body. */
export interface CoderResponse {
    message: string;
    detail?: string;
    validations?: { field: string; detail: string }[];
}

/** codersdk.CreateFirstUserRequest (codersdk/users.go). */
export interface FirstUserRequest {
    email: string;
    username: string;
    password: string;
    name?: string;
}

/** codersdk.CreateFirstUserResponse (codersdk/users.go). */
export interface FirstUserResponse {
    user_id: string;
    organization_id: string;
}

/** The fields of codersdk.User the bootstrap reads (codersdk/users.go). */
export interface CoderUser {
    id: string;
    username: string;
    email: string;
    status: string;
    roles: { name: string; display_name?: string; organization_id?: string }[];
    organization_ids: string[];
}

/** codersdk.License (codersdk/licenses.go): the JWT itself is never returned. */
export interface CoderLicense {
    id: number;
    uuid: string;
    uploaded_at: string;
    claims: Record<string, unknown>;
}

/** codersdk.Organization (codersdk/organizations.go). */
export interface CoderOrganization {
    id: string;
    name: string;
    display_name: string;
    is_default: boolean;
}

/** codersdk.ProvisionerKey (codersdk/provisionerdaemons.go): the secret is never returned. */
export interface CoderProvisionerKey {
    id: string;
    created_at: string;
    organization: string;
    name: string;
    tags: Record<string, string>;
}

/** codersdk.WorkspaceProxy (codersdk/workspaceproxy.go), the fields the program reads. */
export interface CoderWorkspaceProxy {
    id: string;
    name: string;
    display_name: string;
    icon_url: string;
    healthy: boolean;
    path_app_url: string;
    wildcard_hostname: string;
    status?: { status: string; checked_at?: string };
    deleted: boolean;
}

/** codersdk.UpdateWorkspaceProxyResponse: the token is shown once, on create or when regenerated. */
export interface WorkspaceProxyWithToken {
    proxy: CoderWorkspaceProxy;
    proxy_token: string;
}

/** codersdk.CreateWorkspaceProxyRequest. */
export interface WorkspaceProxyRequest {
    name: string;
    display_name: string;
    icon: string;
}

/** codersdk.PatchWorkspaceProxy, without the id (taken from the path argument). */
export interface WorkspaceProxyPatch extends WorkspaceProxyRequest {
    regenerate_token?: boolean;
}

// ---- errors ----

/** What went wrong, as data: the message is built from it and never holds a secret. */
export interface CoderApiErrorFacts {
    /** an HTTP answer with an unexpected status, no answer in time, no connection, or an unreadable answer */
    kind: "status" | "timeout" | "connection" | "protocol";
    method: string;
    path: string;
    /** the access URL's origin */
    url: string;
    /** host:port actually dialled */
    dialled: string;
    /** whether `dialled` came from connectTo (not from the URL) */
    viaConnectTo: boolean;
    status?: number;
    coderMessage?: string;
    coderDetail?: string;
    validations?: { field: string; detail: string }[];
    /** Node's error code (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED ...) and text */
    code?: string;
    cause?: string;
    timeoutMs?: number;
}

/**
 * A failed Coder API call. The message names the request, the address dialled, Coder's
 * own words and what to do; never a token, password, license or key (they are redacted
 * from anything Coder echoes back, too).
 */
export class CoderApiError extends Error {
    readonly kind: CoderApiErrorFacts["kind"];
    readonly status: number | undefined;
    readonly method: string;
    readonly path: string;
    readonly url: string;
    readonly dialled: string;
    readonly coderMessage: string | undefined;
    readonly coderDetail: string | undefined;
    readonly code: string | undefined;

    constructor(facts: CoderApiErrorFacts) {
        const message = describeFailure(facts);
        super(message);
        // Set again: the serialized form of this class calls Error as a plain function.
        this.message = message;
        this.name = "CoderApiError";
        this.kind = facts.kind;
        this.status = facts.status;
        this.method = facts.method;
        this.path = facts.path;
        this.url = facts.url;
        this.dialled = facts.dialled;
        this.coderMessage = facts.coderMessage;
        this.coderDetail = facts.coderDetail;
        this.code = facts.code;
    }
}

/** The message of anything thrown (a serialized CoderApiError is not an `instanceof Error`). */
export function messageOf(e: unknown): string {
    const m = (e as { message?: unknown } | null)?.message;
    return typeof m === "string" ? m : String(e);
}

/** The HTTP status of a CoderApiError (or of anything shaped like one), else undefined. */
export function statusOf(e: unknown): number | undefined {
    const s = (e as { status?: unknown } | null)?.status;
    return typeof s === "number" ? s : undefined;
}

const TLS_CODES = /^(CERT_|ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)_|ERR_SSL_|EPROTO)/;

function describeFailure(f: CoderApiErrorFacts): string {
    const host = hostOf(f.url);
    const where = f.viaConnectTo ? ` (dialled ${f.dialled}, host name ${host})` : "";
    const head = `Coder API ${f.method} ${f.url}${f.path}${where}`;
    switch (f.kind) {
        case "status":
            return `${head} answered ${statusLine(f)}. ${adviceForStatus(f.status ?? 0)}`;
        case "timeout":
            return `${head}: no answer within ${seconds(f.timeoutMs ?? 0)}. coderd may still be starting` +
                (isIpLiteral(host)
                    ? ", or the load balancer may not route to it yet."
                    : `, the load balancer may not route to it yet, or DNS for ${host} may not point at it yet ` +
                      `(the program can dial the load balancer's address instead: connectTo).`);
        case "connection":
            return `${head}: could not connect to ${f.dialled} (${f.code ?? "error"}: ${f.cause ?? "unknown"}). ` +
                adviceForConnection(f.code ?? "", host, f.dialled);
        case "protocol":
            return `${head}: ${f.cause ?? "unreadable answer"}. Is ${f.url} a Coder deployment (coderd) and not another server?`;
    }
}

function statusLine(f: CoderApiErrorFacts): string {
    let s = `HTTP ${f.status}`;
    if (f.coderMessage) s += `: "${f.coderMessage}"`;
    if (f.coderDetail) s += ` (${f.coderDetail})`;
    const v = (f.validations ?? []).map((x) => `${x.field}: ${x.detail}`);
    if (v.length > 0) s += ` [${v.join("; ")}]`;
    return s;
}

function adviceForStatus(status: number): string {
    if (status === 400) return "Coder rejected the request as invalid: the fields above say what to change.";
    if (status === 401) {
        return "The session token or the admin's credentials were refused (wrong, or expired). " +
            "Set coder-refarch:adminToken to an API token of a Coder Owner (coder tokens create), " +
            "or check that the password for coder-refarch:adminEmail is the one Coder has.";
    }
    if (status === 403) {
        return "The signed-in user may not do this: it needs the Owner role, or the feature needs a Coder license " +
            "(external provisioners, workspace proxies and multiple replicas are licensed features). " +
            "Sign in as an Owner (coder-refarch:adminToken) and set coder-refarch:license.";
    }
    if (status === 404) {
        return "Coder has no such object or route: it was deleted outside Pulumi, or this coderd " +
            "(its version, or a build without licensed features) does not serve the endpoint.";
    }
    if (status === 409) {
        return "It already exists in Coder: choose another name, or delete the existing one in Coder so Pulumi can create and own it.";
    }
    if (status === 429) return "Coder's rate limit answered: wait a minute and retry.";
    if (status >= 500) {
        return "coderd (or the load balancer in front of it) is unhealthy: check the coder pods' logs and readiness " +
            "(kubectl logs -l app.kubernetes.io/name=coder in coderd's namespace).";
    }
    return "";
}

function adviceForConnection(code: string, host: string, dialled: string): string {
    if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") {
        return `DNS for ${host} does not resolve (yet): point its record at the load balancer, ` +
            `or dial the load balancer's address instead (connectTo).`;
    }
    if (TLS_CODES.test(code)) {
        return `The TLS certificate presented for ${host} is not trusted: check that it covers ${host}, ` +
            `and pass the CA that signed it (caPem) when it is a private one.`;
    }
    return `Nothing accepted the connection at ${dialled}: coderd or its load balancer is not up yet, ` +
        `DNS may not be pointed yet, or a firewall (load-balancer source ranges) blocks this machine.`;
}

function seconds(ms: number): string {
    return `${Math.round(ms / 100) / 10}s`;
}

/** An IPv4 or IPv6 literal (no DNS involved). */
function isIpLiteral(host: string): boolean {
    return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

function hostOf(origin: string): string {
    return new URL(origin).hostname;
}

/** Replaces every secret (of 4+ characters) in a text Coder echoes back. */
function redact(text: string | undefined, secrets: readonly string[]): string | undefined {
    if (text === undefined) return undefined;
    let out = text;
    for (const s of secrets) {
        if (s.length >= 4) out = out.split(s).join("[redacted]");
    }
    return out;
}

// ---- transport ----

interface RequestSpec {
    method: "GET" | "POST" | "PATCH" | "DELETE";
    path: string;
    body?: unknown;
    /** statuses that mean success */
    expect: number[];
    /** values that must never appear in an error (the password, the license ...) */
    secrets?: string[];
    /** overrides the client's timeout for this request */
    timeoutMs?: number;
}

interface RawAnswer {
    status: number;
    headers: IncomingHttpHeaders;
    text: string;
}

const MAX_BODY = 4 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** "host" or "host:port" (IPv6 in brackets) → host and optional port. */
function splitConnectTo(connectTo: string): { host: string; port?: string } {
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(connectTo);
    if (v6) return v6[2] ? { host: v6[1]!, port: v6[2] } : { host: v6[1]! };
    const m = /^([^:]+):(\d+)$/.exec(connectTo);
    if (m) return { host: m[1]!, port: m[2]! };
    return { host: connectTo };
}

function parseJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

function asCoderResponse(v: unknown): CoderResponse | undefined {
    const o = v as Partial<CoderResponse> | undefined;
    return o && typeof o === "object" && typeof o.message === "string" ? (o as CoderResponse) : undefined;
}

// ---- the client ----

export class CoderClient {
    readonly origin: string;
    private readonly hostname: string;
    private readonly hostHeader: string;
    private dialHost: string;
    private port: number;
    private readonly secure: boolean;
    private viaConnectTo: boolean;
    /** whether the choice between the URL's host and fallbackAddress is made */
    private addressChosen: boolean;
    private readonly token: string | undefined;
    private readonly timeoutMs: number;
    private readonly ca: string[] | undefined;
    private readonly rejectUnauthorized: boolean;
    private readonly options: CoderClientOptions;

    constructor(opts: CoderClientOptions) {
        this.options = opts;
        const u = new URL(opts.url);
        if (u.protocol !== "https:" && u.protocol !== "http:") {
            throw new Error(`Coder access URL ${opts.url}: the scheme must be https or http`);
        }
        this.secure = u.protocol === "https:";
        this.origin = u.origin;
        this.hostname = u.hostname.replace(/^\[|\]$/g, "");
        this.hostHeader = u.host;
        const dial = opts.connectTo ? splitConnectTo(opts.connectTo) : undefined;
        this.viaConnectTo = dial !== undefined;
        this.addressChosen = dial !== undefined || !opts.fallbackAddress;
        this.dialHost = dial ? dial.host : this.hostname;
        this.port = Number(dial?.port ?? (u.port || (this.secure ? 443 : 80)));
        this.token = opts.token;
        this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        // Trust the public roots and the given CA: a private CA adds to, not replaces, the store.
        this.ca = opts.caPem ? [...node().tls.rootCertificates, opts.caPem] : undefined;
        this.rejectUnauthorized = opts.insecureSkipVerify !== true;
    }

    /** The same deployment with another token (e.g. after signing in). */
    withToken(token: string): CoderClient {
        return new CoderClient({ ...this.options, token });
    }

    /** host:port this client dials */
    dialled(): string {
        const h = this.dialHost.includes(":") ? `[${this.dialHost}]` : this.dialHost;
        return `${h}:${this.port}`;
    }

    // -- health --

    /**
     * GET /healthz answers 200 "OK" once coderd serves (coderd/coderd.go: the route writes "OK",
     * mounted before the API and without auth; Coder's health check probes the same path,
     * docs/admin/monitoring/health-check.md).
     */
    async health(timeoutMs?: number): Promise<void> {
        const spec: RequestSpec = { method: "GET", path: "/healthz", expect: [200], timeoutMs };
        const a = await this.send(spec);
        if (a.status !== 200) throw this.statusError(spec, a);
        if (a.text.trim() !== "OK") {
            throw this.failure(spec, { kind: "protocol", cause: `GET /healthz answered 200 without "OK"` });
        }
    }

    /**
     * Polls /healthz until it answers, for at most `deadlineMs`; each probe is bounded by what
     * is left. The error names the URL, the address dialled, the attempts and the last error.
     */
    async waitHealthy(deadlineMs: number, intervalMs: number): Promise<number> {
        const start = Date.now();
        let attempts = 0;
        let last = "no attempt";
        for (;;) {
            const left = deadlineMs - (Date.now() - start);
            if (left <= 0) break;
            attempts++;
            // A probe the deadline cuts short says only that time ran out: the error worth
            // naming is the one before it (e.g. the load balancer's 503).
            const cut = left < this.timeoutMs;
            try {
                await this.health(Math.max(1, Math.min(this.timeoutMs, left)));
                return attempts;
            } catch (e) {
                const timedOut = (e as { kind?: unknown } | null)?.kind === "timeout";
                if (!(cut && timedOut && last !== "no attempt")) last = messageOf(e);
            }
            const after = deadlineMs - (Date.now() - start);
            if (after <= 0) break;
            await sleep(Math.min(intervalMs, after));
        }
        const where = this.viaConnectTo ? ` (dialled ${this.dialled()}, host name ${this.hostname})` : ` (dialled ${this.dialled()})`;
        throw new Error(
            `coderd at ${this.origin}${where} did not answer GET /healthz with 200 "OK" within ${seconds(deadlineMs)} ` +
            `(${attempts} attempt${attempts === 1 ? "" : "s"}). Last error: ${last}`,
        );
    }

    // -- users --

    /**
     * GET /api/v2/users/first: 200 when a user exists, 404 "The initial user has not been
     * created!" when none (coderd/users.go firstUser). As codersdk.HasFirstUser does, a 404
     * without X-Coder-Build-Version is another server's, not coderd's.
     */
    async hasFirstUser(): Promise<boolean> {
        const spec: RequestSpec = { method: "GET", path: "/api/v2/users/first", expect: [200, 404] };
        const a = await this.send(spec);
        if (a.status === 200) return true;
        if (a.status === 404) {
            if (!a.headers["x-coder-build-version"]) {
                throw this.failure(spec, { kind: "protocol", cause: "404 without the X-Coder-Build-Version header" });
            }
            return false;
        }
        throw this.statusError(spec, a);
    }

    /**
     * POST /api/v2/users/first {email, username, name, password, trial} → 201
     * {user_id, organization_id}; 409 "The initial user has already been created." when any
     * user exists; 400 "Password not strong enough!" with a validation on `password`
     * (coderd/users.go postFirstUser; codersdk/users.go CreateFirstUserRequest). The user
     * gets the Owner role.
     */
    async createFirstUser(req: FirstUserRequest): Promise<FirstUserResponse> {
        const body: Record<string, unknown> = { email: req.email, username: req.username, password: req.password, trial: false };
        if (req.name !== undefined) body.name = req.name;
        return this.call<FirstUserResponse>({ method: "POST", path: "/api/v2/users/first", body, expect: [201], secrets: [req.password] });
    }

    /**
     * POST /api/v2/users/login {email, password} → 201 {session_token}; 401 "Incorrect email
     * or password."; 403 when password sign-in is disabled or the user is not a password
     * user (coderd/userauth.go postLogin/loginRequest; codersdk/users.go LoginWithPassword*).
     */
    async login(email: string, password: string): Promise<string> {
        const r = await this.call<{ session_token?: unknown }>({
            method: "POST", path: "/api/v2/users/login", body: { email, password }, expect: [201], secrets: [password],
        });
        if (typeof r.session_token !== "string" || r.session_token === "") {
            throw this.failure({ method: "POST", path: "/api/v2/users/login", expect: [201] }, { kind: "protocol", cause: "201 without session_token" });
        }
        return r.session_token;
    }

    /** GET /api/v2/users/me → codersdk.User (coderd/coderd.go route /users/{user}, "me" = codersdk.Me). */
    async me(): Promise<CoderUser> {
        return this.call<CoderUser>({ method: "GET", path: "/api/v2/users/me", expect: [200] });
    }

    // -- licenses --

    /**
     * GET /api/v2/licenses → []License (enterprise/coderd/licenses.go licenses; codersdk/licenses.go).
     * An empty list may come back as JSON null.
     */
    async licenses(): Promise<CoderLicense[]> {
        const r = await this.call<CoderLicense[] | null>({ method: "GET", path: "/api/v2/licenses", expect: [200] });
        return r ?? [];
    }

    /**
     * POST /api/v2/licenses {license} → 201 License{id, uuid, uploaded_at, claims}; 400
     * "Invalid license" for a bad JWT (enterprise/coderd/licenses.go postLicense;
     * codersdk/licenses.go AddLicenseRequest). Coder keeps several licenses at once.
     */
    async addLicense(jwt: string): Promise<CoderLicense> {
        return this.call<CoderLicense>({ method: "POST", path: "/api/v2/licenses", body: { license: jwt }, expect: [201], secrets: [jwt] });
    }

    /** DELETE /api/v2/licenses/{id} → 200; 404 "Unknown license ID" (enterprise/coderd/licenses.go deleteLicense). */
    async deleteLicense(id: number): Promise<void> {
        await this.call<unknown>({ method: "DELETE", path: `/api/v2/licenses/${encodeURIComponent(String(id))}`, expect: [200] });
    }

    // -- organizations --

    /**
     * GET /api/v2/organizations/{id or name}; the name "default" is the default organization
     * (coderd/httpmw/organizationparam.go; codersdk/organizations.go OrganizationByName).
     */
    async organization(idOrName: string): Promise<CoderOrganization> {
        return this.call<CoderOrganization>({ method: "GET", path: `/api/v2/organizations/${encodeURIComponent(idOrName)}`, expect: [200] });
    }

    async defaultOrganization(): Promise<CoderOrganization> {
        return this.organization("default");
    }

    // -- provisioner keys --

    /**
     * GET /api/v2/organizations/{org}/provisionerkeys → []ProvisionerKey, reserved keys left out
     * (enterprise/coderd/provisionerkeys.go provisionerKeys; codersdk/provisionerdaemons.go).
     */
    async provisionerKeys(orgId: string): Promise<CoderProvisionerKey[]> {
        const r = await this.call<CoderProvisionerKey[] | null>({ method: "GET", path: this.keysPath(orgId), expect: [200] });
        return r ?? [];
    }

    /**
     * POST /api/v2/organizations/{org}/provisionerkeys {name, tags} → 201 {key}; 409 when the
     * name exists in the organization; 400 for an empty name, one over 64 characters or a
     * reserved one (built-in, user-auth, psk) (enterprise/coderd/provisionerkeys.go
     * postProvisionerKey). The key is shown this once.
     */
    async createProvisionerKey(orgId: string, name: string, tags: Record<string, string>): Promise<string> {
        const spec: RequestSpec = { method: "POST", path: this.keysPath(orgId), body: { name, tags }, expect: [201] };
        const r = await this.call<{ key?: unknown }>(spec);
        if (typeof r.key !== "string" || r.key === "") throw this.failure(spec, { kind: "protocol", cause: "201 without key" });
        return r.key;
    }

    /** DELETE /api/v2/organizations/{org}/provisionerkeys/{name} → 204 (enterprise/coderd/provisionerkeys.go deleteProvisionerKey). */
    async deleteProvisionerKey(orgId: string, name: string): Promise<void> {
        await this.call<unknown>({ method: "DELETE", path: `${this.keysPath(orgId)}/${encodeURIComponent(name)}`, expect: [204] });
    }

    private keysPath(orgId: string): string {
        return `/api/v2/organizations/${encodeURIComponent(orgId)}/provisionerkeys`;
    }

    // -- workspace proxies --

    /**
     * POST /api/v2/workspaceproxies {name, display_name, icon} → 201 {proxy, proxy_token}; 409
     * `Workspace proxy with name "x" already exists.`; 400 for the reserved name "primary"
     * (enterprise/coderd/workspaceproxy.go postWorkspaceProxy; codersdk/workspaceproxy.go).
     */
    async createWorkspaceProxy(req: WorkspaceProxyRequest): Promise<WorkspaceProxyWithToken> {
        const spec: RequestSpec = { method: "POST", path: "/api/v2/workspaceproxies", body: req, expect: [201] };
        const r = await this.call<WorkspaceProxyWithToken>(spec);
        if (!r || typeof r.proxy_token !== "string" || !r.proxy) throw this.failure(spec, { kind: "protocol", cause: "201 without proxy and proxy_token" });
        return r;
    }

    /**
     * PATCH /api/v2/workspaceproxies/{id} {id, name, display_name, icon, regenerate_token} →
     * 200 {proxy, proxy_token}; the token is filled only when regenerated
     * (enterprise/coderd/workspaceproxy.go patchWorkspaceProxy; codersdk.PatchWorkspaceProxy).
     */
    async updateWorkspaceProxy(id: string, patch: WorkspaceProxyPatch): Promise<WorkspaceProxyWithToken> {
        const body = { id, name: patch.name, display_name: patch.display_name, icon: patch.icon, regenerate_token: patch.regenerate_token === true };
        return this.call<WorkspaceProxyWithToken>({ method: "PATCH", path: this.proxyPath(id), body, expect: [200] });
    }

    /** DELETE /api/v2/workspaceproxies/{id or name} → 200 codersdk.Response (enterprise/coderd/workspaceproxy.go deleteWorkspaceProxy). */
    async deleteWorkspaceProxy(idOrName: string): Promise<void> {
        await this.call<unknown>({ method: "DELETE", path: this.proxyPath(idOrName), expect: [200] });
    }

    /** GET /api/v2/workspaceproxies/{id or name} → WorkspaceProxy (enterprise/coderd/workspaceproxy.go workspaceProxy). */
    async workspaceProxy(idOrName: string): Promise<CoderWorkspaceProxy> {
        return this.call<CoderWorkspaceProxy>({ method: "GET", path: this.proxyPath(idOrName), expect: [200] });
    }

    private proxyPath(idOrName: string): string {
        return `/api/v2/workspaceproxies/${encodeURIComponent(idOrName)}`;
    }

    // -- plumbing --

    /** Sends, checks the status, parses the JSON body (undefined when empty). */
    private async call<T>(spec: RequestSpec): Promise<T> {
        const a = await this.send(spec);
        if (!spec.expect.includes(a.status)) throw this.statusError(spec, a);
        if (a.text.trim() === "") return undefined as T;
        const v = parseJson(a.text);
        if (v === undefined) throw this.failure(spec, { kind: "protocol", cause: `HTTP ${a.status} with a body that is not JSON` });
        return v as T;
    }

    private secretsOf(spec: RequestSpec): string[] {
        return [...(this.token ? [this.token] : []), ...(spec.secrets ?? [])];
    }

    private statusError(spec: RequestSpec, a: RawAnswer): CoderApiError {
        const body = asCoderResponse(parseJson(a.text));
        const secrets = this.secretsOf(spec);
        return this.failure(spec, {
            kind: "status",
            status: a.status,
            coderMessage: redact(body ? body.message : a.text.slice(0, 200).trim() || undefined, secrets),
            coderDetail: redact(body?.detail || undefined, secrets),
            validations: body?.validations?.map((v) => ({ field: v.field, detail: redact(v.detail, secrets) ?? "" })),
        });
    }

    private failure(spec: RequestSpec, f: Omit<CoderApiErrorFacts, "method" | "path" | "url" | "dialled" | "viaConnectTo">): CoderApiError {
        return new CoderApiError({
            ...f,
            cause: redact(f.cause, this.secretsOf(spec)),
            method: spec.method,
            path: spec.path,
            url: this.origin,
            dialled: this.dialled(),
            viaConnectTo: this.viaConnectTo,
        });
    }

    /** One HTTP exchange, to the address chosen once for this client. */
    private async send(spec: RequestSpec): Promise<RawAnswer> {
        if (!this.addressChosen) await this.chooseAddress();
        return this.exchange(spec);
    }

    /**
     * The access URL when its host resolves; otherwise the fallback address (the load
     * balancer's, before DNS is pointed at it). Decided once, at the first request.
     */
    private async chooseAddress(): Promise<void> {
        this.addressChosen = true;
        const fallback = this.options.fallbackAddress;
        if (!fallback || node().net.isIP(this.hostname) !== 0) return;
        try {
            await (require("node:dns") as typeof import("node:dns")).promises.lookup(this.hostname);
        } catch {
            const dial = splitConnectTo(fallback);
            this.dialHost = dial.host;
            if (dial.port) this.port = Number(dial.port);
            this.viaConnectTo = true;
        }
    }

    /** One HTTP exchange, bounded by a deadline over connect, TLS, request and answer. */
    private exchange(spec: RequestSpec): Promise<RawAnswer> {
        const timeoutMs = spec.timeoutMs ?? this.timeoutMs;
        const payload = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body));
        const headers: Record<string, string> = { Host: this.hostHeader, Accept: "application/json", "User-Agent": "coder-refarch" };
        if (payload) {
            headers["Content-Type"] = "application/json";
            headers["Content-Length"] = String(payload.length);
        }
        if (this.token) headers["Coder-Session-Token"] = this.token;
        const { http, https, net, tls } = node();
        const options: RequestOptions = {
            host: this.dialHost,
            port: this.port,
            method: spec.method,
            path: spec.path,
            headers,
            agent: false,
        };
        if (this.secure) {
            // SNI and the certificate check follow the access URL's host name, whatever is dialled.
            if (net.isIP(this.hostname) === 0) options.servername = this.hostname;
            else options.checkServerIdentity = (_h: string, cert: PeerCertificate) => tls.checkServerIdentity(this.hostname, cert);
            options.rejectUnauthorized = this.rejectUnauthorized;
            if (this.ca) options.ca = this.ca;
        }
        const mod = this.secure ? https : http;
        return new Promise<RawAnswer>((resolve, reject) => {
            let timedOut = false;
            let settled = false;
            // Declared before its use in `finish` (the serializer needs every variable bound up front).
            let timer: NodeJS.Timeout | undefined;
            const finish = (err: CoderApiError | undefined, answer?: RawAnswer) => {
                if (settled) return;
                settled = true;
                if (timer) clearTimeout(timer);
                if (err) reject(err);
                else resolve(answer!);
            };
            const req = mod.request(options, (res) => {
                const chunks: Buffer[] = [];
                let size = 0;
                res.on("data", (c: Buffer) => {
                    size += c.length;
                    if (size > MAX_BODY) {
                        req.destroy();
                        finish(this.failure(spec, { kind: "protocol", cause: `answer larger than ${MAX_BODY} bytes` }));
                        return;
                    }
                    chunks.push(c);
                });
                res.on("end", () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
                res.on("error", (e: Error) => finish(this.transportError(spec, e, timedOut, timeoutMs)));
            });
            timer = setTimeout(() => {
                timedOut = true;
                req.destroy();
                finish(this.failure(spec, { kind: "timeout", timeoutMs }));
            }, timeoutMs);
            req.on("error", (e: Error) => finish(this.transportError(spec, e, timedOut, timeoutMs)));
            if (payload) req.write(payload);
            req.end();
        });
    }

    private transportError(spec: RequestSpec, e: Error, timedOut: boolean, timeoutMs: number): CoderApiError {
        if (timedOut) return this.failure(spec, { kind: "timeout", timeoutMs });
        const code = (e as { code?: unknown }).code;
        return this.failure(spec, { kind: "connection", code: typeof code === "string" ? code : undefined, cause: e.message });
    }
}
