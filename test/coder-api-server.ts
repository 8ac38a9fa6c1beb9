/**
 * A local stand-in for coderd's API, on 127.0.0.1 and a random port, following Coder's
 * contract for the endpoints the bootstrap calls (statuses, JSON shapes and messages as
 * coderd writes them; the file each comes from is named at its route). HTTP, or HTTPS with
 * a given certificate (the SNI of each connection is recorded).
 *
 * Switches inject what a real deployment does on a bad day: a status on the next matching
 * requests (401, 403, 409, 500 ...), a hang, a period where a load balancer without a ready
 * backend answers 503, and licensed features refused until a license is uploaded. A
 * workspace proxy's token can be tried the way a running proxy uses it (its register call).
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";

// ---- Coder's shapes, as the server keeps them ----

interface User {
    id: string;
    email: string;
    username: string;
    name: string;
    password: string;
    roles: { name: string; display_name: string }[];
}

interface License {
    id: number;
    uuid: string;
    uploaded_at: string;
    jwt: string;
    claims: Record<string, unknown>;
}

interface ProvisionerKey {
    id: string;
    created_at: string;
    organization: string;
    name: string;
    tags: Record<string, string>;
    secret: string;
}

interface Proxy {
    id: string;
    name: string;
    display_name: string;
    icon_url: string;
    token: string;
    deleted: boolean;
    created_at: string;
    updated_at: string;
}

export interface SeenRequest {
    method: string;
    path: string;
    host: string | undefined;
    sni: string | undefined;
    authenticated: boolean;
    body: unknown;
}

export interface Injection {
    status: number;
    /** which requests: a path prefix or a pattern over "METHOD /path" (default: any) */
    match?: string | RegExp;
    /** how many requests (default 1) */
    times?: number;
    /** the answer's body (default: what coderd writes for that status) */
    body?: unknown;
}

export interface Switches {
    inject: Injection[];
    /** requests matching this (or all, when true) get no answer at all */
    hang: boolean | RegExp;
    /** until this time (ms since the epoch) every request gets 503 from "the load balancer" */
    notReadyUntil: number;
    /** licensed endpoints answer 403 until a license is uploaded (as coderd's feature middleware does) */
    requireLicense: boolean;
}

export interface FakeCoderState {
    users: User[];
    sessions: Map<string, string>;
    licenses: License[];
    keys: ProvisionerKey[];
    proxies: Proxy[];
    org: { id: string; name: string; display_name: string; description: string; icon: string; is_default: boolean; created_at: string; updated_at: string };
}

export interface FakeCoder {
    /** the URL to reach it: http://127.0.0.1:port, or https://<host name>:port */
    url: string;
    port: number;
    state: FakeCoderState;
    switches: Switches;
    requests: SeenRequest[];
    /** a user without the Owner role, and a session token for it */
    addMember(email: string, password: string): string;
    /** a session token for an existing user (as `coder tokens create` would give) */
    tokenFor(email: string): string;
    /** every session expires (Coder's sessions last 24 h by default) */
    expireSessions(): void;
    close(): Promise<void>;
}

export interface FakeCoderOptions {
    /** serve HTTPS with this certificate; `hostName` goes into the URL */
    tls?: { cert: string; key: string; hostName: string };
}

/** A license-shaped JWT: Coder's claims in the middle, a signature this server does not check. */
export function fakeLicense(claims: Record<string, unknown>): string {
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    return `${part({ alg: "EdDSA", typ: "JWT", kid: "2022-08-12" })}.${part(claims)}.${randomBytes(32).toString("base64url")}`;
}

// ---- messages coderd writes ----

// coderd/httpmw/apikey.go
const SIGNED_OUT = "You are signed out or your session has expired. Please sign in again to continue.";
// coderd/httpapi/httpapi.go
const FORBIDDEN = { message: "Forbidden." };
const NOT_FOUND = { message: "Resource not found or you do not have access to this resource" };
const BUILD_VERSION = "v2.24.1-fake";

const now = () => new Date().toISOString();
/** Coder's API key: a 10-character id, a dash, a 22-character secret (coderd/apikey). */
const newToken = () => `${randomBytes(5).toString("hex")}-${randomBytes(11).toString("hex")}`;

class Answer {
    constructor(readonly status: number, readonly body?: unknown, readonly text?: string) {}
}

const json = (status: number, body?: unknown) => new Answer(status, body);

// ---- the server ----

export async function startFakeCoder(opts: FakeCoderOptions = {}): Promise<FakeCoder> {
    const created = now();
    const state: FakeCoderState = {
        users: [],
        sessions: new Map(),
        licenses: [],
        keys: [],
        proxies: [],
        org: { id: randomUUID(), name: "coder", display_name: "Coder", description: "", icon: "", is_default: true, created_at: created, updated_at: created },
    };
    const switches: Switches = { inject: [], hang: false, notReadyUntil: 0, requireLicense: false };
    const requests: SeenRequest[] = [];
    const sockets = new Set<Socket>();
    let nextLicenseId = 1;

    const userOf = (req: http.IncomingMessage): User | Answer => {
        const token = req.headers["coder-session-token"];
        if (typeof token !== "string" || token === "") {
            return json(401, { message: SIGNED_OUT, detail: `Cookie "coder_session_token" or query parameter must be provided.` });
        }
        if (!/^[0-9a-z]{10}-[0-9a-z]{22}$/.test(token)) {
            return json(401, { message: SIGNED_OUT, detail: "Invalid API key format: incorrect amount of API key parts" });
        }
        const id = state.sessions.get(token);
        const user = state.users.find((u) => u.id === id);
        return user ?? json(401, { message: SIGNED_OUT, detail: "API key is invalid." });
    };
    const isOwner = (u: User) => u.roles.some((r) => r.name === "owner");
    const sdkUser = (u: User) => ({
        id: u.id, username: u.username, email: u.email, name: u.name, status: "active", login_type: "password",
        roles: u.roles, organization_ids: [state.org.id], created_at: created, last_seen_at: now(), avatar_url: "",
    });
    const orgParam = (arg: string) =>
        arg === "default" || arg === state.org.id || arg === state.org.name
            ? state.org
            : json(404, { message: `Organization "${arg}" not found.`, detail: "Provide either the organization id or name." });
    const licensed = (feature: string): Answer | undefined =>
        switches.requireLicense && state.licenses.length === 0 ? json(403, { message: `${feature} is a Premium feature. Contact sales!` }) : undefined;
    const sdkLicense = (l: License) => ({ id: l.id, uuid: l.uuid, uploaded_at: l.uploaded_at, claims: l.claims });
    const sdkKey = (k: ProvisionerKey) => ({ id: k.id, created_at: k.created_at, organization: k.organization, name: k.name, tags: k.tags });
    const sdkProxy = (p: Proxy) => ({
        id: p.id, name: p.name, display_name: p.display_name, icon_url: p.icon_url, healthy: false, path_app_url: "",
        wildcard_hostname: "", derp_enabled: true, derp_only: false, status: { status: "unregistered", checked_at: now() },
        created_at: p.created_at, updated_at: p.updated_at, deleted: p.deleted, version: "",
    });
    // coderd/httpmw/workspaceproxy.go ExtractWorkspaceProxyParam: a UUID is looked up by id, deleted
    // proxies included (GetWorkspaceProxyByID); anything else by exact name among those not deleted.
    const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
    const proxyParam = (arg: string) =>
        isUuid(arg) ? state.proxies.find((p) => p.id === arg.toLowerCase()) : state.proxies.find((p) => !p.deleted && p.name === arg);
    // enterprise/coderd/workspaceproxy.go generateWorkspaceProxyToken: "<id>:<64 hex characters>"
    const proxyToken = (id: string) => `${id}:${randomBytes(32).toString("hex")}`;
    const requiredMissing = (body: Record<string, unknown>, fields: string[]): Answer | undefined => {
        const missing = fields.filter((f) => typeof body[f] !== "string" || body[f] === "");
        return missing.length === 0 ? undefined
            : json(400, { message: "Validation failed.", validations: missing.map((field) => ({ field, detail: `Validation failed for tag "required" with value: ""` })) });
    };

    // coderd/users.go firstUser, postFirstUser
    const firstUser = (method: string, body: Record<string, unknown>): Answer => {
        if (method === "GET") {
            return state.users.length === 0
                ? json(404, { message: "The initial user has not been created!" })
                : json(200, { message: "The initial user has already been created!" });
        }
        const missing = ["email", "username", "password"].filter((f) => typeof body[f] !== "string" || body[f] === "");
        if (missing.length > 0) {
            return json(400, { message: "Validation failed.", validations: missing.map((field) => ({ field, detail: `Validation failed for tag "required" with value: ""` })) });
        }
        if (state.users.length !== 0) return json(409, { message: "The initial user has already been created." });
        if (String(body.password).length < 8) {
            return json(400, { message: "Password not strong enough!", validations: [{ field: "password", detail: "password must be at least 8 characters" }] });
        }
        const user: User = {
            id: randomUUID(), email: String(body.email), username: String(body.username), name: String(body.name ?? ""),
            password: String(body.password), roles: [{ name: "owner", display_name: "Owner" }],
        };
        state.users.push(user);
        return json(201, { user_id: user.id, organization_id: state.org.id });
    };

    // coderd/userauth.go postLogin / loginRequest
    const login = (body: Record<string, unknown>): Answer => {
        const user = state.users.find((u) => u.email === body.email);
        if (!user || user.password !== body.password) return json(401, { message: "Incorrect email or password." });
        const token = newToken();
        state.sessions.set(token, user.id);
        return json(201, { session_token: token });
    };

    // enterprise/coderd/licenses.go
    const licenses = (method: string, rest: string[], body: Record<string, unknown>, user: User): Answer => {
        if (method === "GET" && rest.length === 0) return json(200, isOwner(user) ? state.licenses.map(sdkLicense) : []);
        if (!isOwner(user)) return json(403, FORBIDDEN);
        if (method === "POST" && rest.length === 0) {
            const jwt = typeof body.license === "string" ? body.license : "";
            const parts = jwt.split(".");
            let claims: Record<string, unknown> | undefined;
            try {
                claims = parts.length === 3 ? JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) : undefined;
            } catch {
                claims = undefined;
            }
            if (!claims) return json(400, { message: "Invalid license", detail: "token contains an invalid number of segments" });
            if (typeof claims.exp !== "number") return json(400, { message: "Invalid license", detail: "exp claim missing or not parsable" });
            const uuid = typeof claims.jti === "string" && /^[0-9a-f-]{36}$/.test(claims.jti) ? claims.jti : randomUUID();
            const l: License = { id: nextLicenseId++, uuid, uploaded_at: now(), jwt, claims };
            state.licenses.push(l);
            return json(201, sdkLicense(l));
        }
        if (method === "DELETE" && rest.length === 1) {
            if (!/^\d+$/.test(rest[0]!)) return json(404, { message: "License ID must be an integer" });
            const i = state.licenses.findIndex((l) => l.id === Number(rest[0]));
            if (i < 0) return json(404, { message: "Unknown license ID" });
            state.licenses.splice(i, 1);
            return json(200);
        }
        return json(404, { message: "Route not found." });
    };

    // enterprise/coderd/provisionerkeys.go
    const provisionerKeys = (method: string, orgId: string, rest: string[], body: Record<string, unknown>, user: User): Answer => {
        const refused = licensed("External Provisioner Daemons");
        if (refused) return refused;
        if (!isOwner(user)) return json(403, FORBIDDEN);
        if (method === "GET" && rest.length === 0) {
            return json(200, state.keys.filter((k) => k.organization === orgId).sort((a, b) => a.created_at.localeCompare(b.created_at)).map(sdkKey));
        }
        if (method === "POST" && rest.length === 0) {
            const name = typeof body.name === "string" ? body.name : "";
            const invalid = (message: string) => json(400, { message, validations: [{ field: "name", detail: message }] });
            if (name === "") return invalid("Name is required");
            if (name.length > 64) return invalid("Name must be at most 64 characters");
            if (["built-in", "user-auth", "psk"].includes(name.toLowerCase())) return invalid(`Name cannot be reserved name '${name}'`);
            if (state.keys.some((k) => k.organization === orgId && k.name.toLowerCase() === name.toLowerCase())) {
                return json(409, { message: `Provisioner key with name '${name}' already exists in organization` });
            }
            const secret = randomBytes(24).toString("base64url");
            const tags = (body.tags ?? {}) as Record<string, string>;
            state.keys.push({ id: randomUUID(), created_at: now(), organization: orgId, name, tags, secret });
            return json(201, { key: secret });
        }
        if (method === "DELETE" && rest.length === 1) {
            const i = state.keys.findIndex((k) => k.organization === orgId && k.name.toLowerCase() === decodeURIComponent(rest[0]!).toLowerCase());
            if (i < 0) return json(404, NOT_FOUND);
            state.keys.splice(i, 1);
            return json(204);
        }
        return json(404, { message: "Route not found." });
    };

    // enterprise/coderd/workspaceproxy.go
    // (the route group answers 403 without the feature before any authentication: the caller checks it)
    const proxies = (method: string, rest: string[], body: Record<string, unknown>, user: User): Answer => {
        if (!isOwner(user)) return json(403, FORBIDDEN);
        if (method === "POST" && rest.length === 0) {
            const name = String(body.name ?? "");
            if (name.toLowerCase() === "primary") {
                return json(400, { message: `The name "primary" is reserved for the primary region.`, detail: "Cannot name a workspace proxy 'primary'.", validations: [{ field: "name", detail: "Reserved name" }] });
            }
            const invalid = requiredMissing(body, ["name"]);
            if (invalid) return invalid;
            // the unique index workspace_proxies_lower_name_idx: lower(name) WHERE deleted = false
            if (state.proxies.some((p) => !p.deleted && p.name.toLowerCase() === name.toLowerCase())) {
                return json(409, { message: `Workspace proxy with name "${name}" already exists.` });
            }
            const p: Proxy = {
                id: randomUUID(), name, display_name: String(body.display_name ?? ""), icon_url: String(body.icon ?? ""),
                token: "", deleted: false, created_at: now(), updated_at: now(),
            };
            p.token = proxyToken(p.id);
            state.proxies.push(p);
            return json(201, { proxy: sdkProxy(p), proxy_token: p.token });
        }
        const p = rest.length === 1 ? proxyParam(decodeURIComponent(rest[0]!)) : undefined;
        if (!p) return json(404, NOT_FOUND);
        if (method === "GET") return json(200, sdkProxy(p));
        if (method === "PATCH") {
            // codersdk.PatchWorkspaceProxy: id, name, display_name and icon are required
            const invalid = requiredMissing(body, ["id", "name", "display_name", "icon"]);
            if (invalid) return invalid;
            const name = String(body.name);
            // UpdateWorkspaceProxy (coderd/database/queries/proxies.sql) edits the row whether or not it
            // is deleted; a name clash is the unique index's error, which the handler answers as a 500.
            if (state.proxies.some((o) => o !== p && !o.deleted && o.name.toLowerCase() === name.toLowerCase())) {
                return json(500, {
                    message: "An internal server error occurred.",
                    detail: `pq: duplicate key value violates unique constraint "workspace_proxies_lower_name_idx"`,
                });
            }
            p.name = name;
            p.display_name = String(body.display_name);
            p.icon_url = String(body.icon);
            let token = "";
            if (body.regenerate_token === true) {
                p.token = proxyToken(p.id);
                token = p.token;
            }
            p.updated_at = now();
            return json(200, { proxy: sdkProxy(p), proxy_token: token });
        }
        if (method === "DELETE") {
            // UpdateWorkspaceProxyDeleted: marks it deleted (again, when it already is)
            p.deleted = true;
            return json(200, { message: "Proxy has been deleted!" });
        }
        return json(404, { message: "Route not found." });
    };

    // A proxy's own calls (/workspaceproxies/me/...), authenticated by its token in the header
    // Coder-External-Proxy-Token (coderd/httpmw/workspaceproxy.go ExtractWorkspaceProxy); only
    // register is served (enterprise/coderd/workspaceproxy.go workspaceProxyRegister, reduced).
    const proxySelf = (method: string, rest: string[], req: http.IncomingMessage, body: Record<string, unknown>): Answer => {
        const header = req.headers["coder-external-proxy-token"];
        const token = typeof header === "string" ? header : "";
        if (token === "") return json(401, { message: "Missing required external proxy token" });
        const parts = token.split(":");
        if (parts.length !== 2 || !isUuid(parts[0]!) || parts[1]!.length !== 64) return json(401, { message: "Invalid external proxy token" });
        const p = state.proxies.find((x) => x.id === parts[0]!.toLowerCase());
        if (!p) return json(401, { message: "Invalid external proxy token", detail: "Proxy not found." });
        if (p.deleted) return json(401, { message: "Invalid external proxy token", detail: "Proxy has been deleted." });
        if (p.token !== token) return json(401, { message: "Invalid external proxy token", detail: "Invalid proxy token secret." });
        if (method === "POST" && rest.length === 1 && rest[0] === "register") {
            const accessUrl = typeof body.access_url === "string" ? body.access_url : "";
            if (!/^https?:\/\/[^/]+\/?$/.test(accessUrl)) return json(400, { message: "URL is invalid.", detail: "scheme must be http or https" });
            return json(201, { app_security_key: "", derp_mesh_key: "", derp_region_id: 999, derp_map: null, derp_force_websockets: false, sibling_replicas: [] });
        }
        return json(404, { message: "Route not found." });
    };

    // coderd/coderd.go: /healthz, then /api/v2 with its routes
    const route = (method: string, path: string, req: http.IncomingMessage, body: Record<string, unknown>): Answer => {
        if (path === "/healthz" && method === "GET") return new Answer(200, undefined, "OK");
        const seg = path.split("/").filter((s) => s !== "");
        if (seg[0] !== "api" || seg[1] !== "v2") return json(404, { message: "Route not found." });
        const [, , group, ...rest] = seg;
        if (group === "workspaceproxies") {
            // enterprise/coderd/coderd.go: RequireFeatureMW(FeatureWorkspaceProxy) on the whole group
            const refused = licensed("Workspace Proxy");
            if (refused) return refused;
            if (rest[0] === "me") return proxySelf(method, rest.slice(1), req, body);
        }
        if (group === "users" && rest[0] === "first") return firstUser(method, body);
        if (group === "users" && rest[0] === "login" && method === "POST") return login(body);
        const user = userOf(req);
        if (user instanceof Answer) return user;
        if (group === "users" && rest[0] === "me" && method === "GET") return json(200, sdkUser(user));
        if (group === "licenses") return licenses(method, rest, body, user);
        if (group === "organizations" && rest.length >= 1) {
            const org = orgParam(decodeURIComponent(rest[0]!));
            if (org instanceof Answer) return org;
            if (rest.length === 1 && method === "GET") return json(200, org);
            if (rest[1] === "provisionerkeys") return provisionerKeys(method, org.id, rest.slice(2), body, user);
        }
        if (group === "workspaceproxies") return proxies(method, rest, body, user);
        return json(404, { message: "Route not found." });
    };

    const injected = (method: string, path: string): Answer | undefined => {
        const i = switches.inject.findIndex((x) =>
            x.match === undefined || (typeof x.match === "string" ? path.startsWith(x.match) : x.match.test(`${method} ${path}`)));
        if (i < 0) return undefined;
        const x = switches.inject[i]!;
        const left = (x.times ?? 1) - 1;
        if (left <= 0) switches.inject.splice(i, 1);
        else x.times = left;
        const messages: Record<number, unknown> = {
            401: { message: SIGNED_OUT, detail: "API key is invalid." },
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: { message: "Already exists (injected)." },
            500: { message: "An internal server error occurred.", detail: "injected failure" },
        };
        return json(x.status, x.body ?? messages[x.status] ?? { message: `injected ${x.status}` });
    };

    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const method = req.method ?? "GET";
            const path = new URL(req.url ?? "/", "http://x").pathname;
            let body: Record<string, unknown> = {};
            const text = Buffer.concat(chunks).toString("utf8");
            try {
                body = text ? JSON.parse(text) : {};
            } catch {
                body = {};
            }
            requests.push({
                method, path, host: req.headers.host, sni: (req.socket as TLSSocket).servername || undefined,
                authenticated: typeof req.headers["coder-session-token"] === "string", body,
            });
            if (switches.hang === true || (switches.hang instanceof RegExp && switches.hang.test(`${method} ${path}`))) return;
            if (Date.now() < switches.notReadyUntil) {
                res.writeHead(503, { "Content-Type": "text/plain" }).end("no healthy upstream");
                return;
            }
            const a = injected(method, path) ?? route(method, path, req, body);
            res.setHeader("X-Coder-Build-Version", BUILD_VERSION);
            if (a.text !== undefined) {
                res.writeHead(a.status, { "Content-Type": "text/plain; charset=utf-8" }).end(a.text);
            } else if (a.body === undefined) {
                res.writeHead(a.status).end();
            } else {
                res.writeHead(a.status, { "Content-Type": "application/json; charset=utf-8" }).end(`${JSON.stringify(a.body)}\n`);
            }
        });
    };

    const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : http.createServer(handler);
    server.on("connection", (s: Socket) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    server.on("secureConnection", (s: Socket) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;

    const userByEmail = (email: string) => {
        const u = state.users.find((x) => x.email === email);
        if (!u) throw new Error(`no user ${email}`);
        return u;
    };

    const fake: FakeCoder = {
        url: opts.tls ? `https://${opts.tls.hostName}:${port}` : `http://127.0.0.1:${port}`,
        port,
        state,
        switches,
        requests,
        addMember(email, password) {
            const u: User = { id: randomUUID(), email, username: email.split("@")[0]!, name: "", password, roles: [] };
            state.users.push(u);
            return fake.tokenFor(email);
        },
        tokenFor(email) {
            const token = newToken();
            state.sessions.set(token, userByEmail(email).id);
            return token;
        },
        expireSessions() {
            state.sessions.clear();
        },
        close() {
            for (const s of sockets) s.destroy();
            return new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
    return fake;
}
