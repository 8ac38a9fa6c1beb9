/**
 * The Coder API layer against a local server that follows Coder's contract
 * (./coder-api-server.ts): the client, the bootstrap resources' create/read/diff/update/
 * delete, what each error says, the address dialled through connectTo with TLS for the
 * access URL's host name, and the providers serialized and run as the Pulumi CLI does.
 * Nothing leaves 127.0.0.1; every wait is bounded.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { CoderApiError, CoderClient } from "../components/coder-api/client";
import {
    AdminState,
    CoderAdmin,
    CoderLicense,
    CoderProvisionerKey,
    CoderWorkspaceProxy,
    LicenseState,
    ProvisionerKeyState,
    WorkspaceProxyState,
    adminProvider,
    licenseProvider,
    provisionerKeyProvider,
    workspaceProxyProvider,
} from "../components/coder-api/resources";
import { CoderBootstrap, CoderBootstrapArgs } from "../components/coder-api/bootstrap";
import { FakeCoder, fakeLicense, startFakeCoder } from "./coder-api-server";

const ROOT = resolve(__dirname, "..");
const CERT = readFileSync(join(ROOT, "test/fixtures/tls/coder.crt"), "utf8");
const KEY = readFileSync(join(ROOT, "test/fixtures/tls/coder.key"), "utf8");

const ADMIN = { email: "admin@example.com", username: "admin", password: "correct-horse-battery-staple" };
const YEAR = 365 * 24 * 3600;
const licenseA = fakeLicense({ license_id: "a", exp: 2_000_000_000, license_expires: 1_900_000_000, features: { user_limit: 1000 } });
const licenseB = fakeLicense({ license_id: "b", exp: 2_000_000_000 + YEAR, license_expires: 1_900_000_000 + YEAR, features: { user_limit: 3000 } });

/** The message of the promise's rejection (fails the test when it resolves). */
async function failure(p: Promise<unknown>): Promise<string> {
    try {
        await p;
    } catch (e) {
        return (e as Error).message;
    }
    throw new Error("expected a rejection");
}

function expectNoSecret(message: string, ...secrets: (string | undefined)[]): void {
    for (const s of secrets) if (s) expect(message).not.toContain(s);
    expect(message).not.toContain(ADMIN.password);
    expect(message).not.toContain(licenseA);
    expect(message).not.toContain(licenseB);
}

let coder: FakeCoder;
beforeEach(async () => {
    coder = await startFakeCoder();
});
afterEach(async () => {
    await coder.close();
});

const endpoint = () => ({ url: coder.url, timeoutMs: 5_000 });

async function createAdmin(extra: Partial<AdminState> = {}): Promise<AdminState> {
    const r = await adminProvider.create({ endpoint: endpoint(), ...ADMIN, healthWaitMs: 5_000, ...extra });
    return r.outs!;
}

// ---- the client ----

describe("CoderClient against a local coderd", () => {
    it("answers /healthz, creates the first user once, signs in, and knows the user is an Owner", async () => {
        const c = new CoderClient({ url: coder.url });
        await c.health();
        expect(await c.hasFirstUser()).toBe(false);
        const first = await c.createFirstUser({ ...ADMIN, name: "Admin" });
        expect(first.organization_id).toBe(coder.state.org.id);
        expect(await c.hasFirstUser()).toBe(true);
        const again = await failure(c.createFirstUser(ADMIN));
        expect(again).toContain(`HTTP 409: "The initial user has already been created."`);
        expectNoSecret(again);
        const token = await c.login(ADMIN.email, ADMIN.password);
        const me = await c.withToken(token).me();
        expect(me.email).toBe(ADMIN.email);
        expect(me.roles.map((r) => r.name)).toContain("owner");
        // the request bodies follow codersdk's field names
        const post = coder.requests.find((r) => r.method === "POST" && r.path === "/api/v2/users/first");
        expect(post?.body).toEqual({ ...ADMIN, name: "Admin", trial: false });
        expect(coder.requests.filter((r) => r.path === "/api/v2/users/me").every((r) => r.authenticated)).toBe(true);
    });

    it("takes a 404 without Coder's build header for another server, not for a deployment without users", async () => {
        const other = createServer((_q, res) => res.writeHead(404).end("not found"));
        await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
        try {
            const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
            const msg = await failure(new CoderClient({ url }).hasFirstUser());
            expect(msg).toContain("X-Coder-Build-Version");
            expect(msg).toContain(`Is ${url} a Coder deployment`);
        } finally {
            await new Promise((r) => other.close(r));
        }
    });

    it("waits for /healthz while the load balancer has no ready backend, within the deadline", async () => {
        coder.switches.notReadyUntil = Date.now() + 600;
        const started = Date.now();
        const attempts = await new CoderClient({ url: coder.url }).waitHealthy(5_000, 100);
        expect(attempts).toBeGreaterThan(1);
        expect(Date.now() - started).toBeLessThan(5_000);
    });

    it("gives up at the deadline, naming the URL, the address dialled and the last error", async () => {
        coder.switches.notReadyUntil = Date.now() + 60_000;
        const started = Date.now();
        // a deadline a loaded build machine still answers several probes within
        const msg = await failure(new CoderClient({ url: coder.url }).waitHealthy(2_000, 100));
        expect(Date.now() - started).toBeLessThan(6_000);
        expect(msg).toContain(`coderd at ${coder.url} (dialled 127.0.0.1:${coder.port}) did not answer GET /healthz`);
        expect(msg).toContain("within 2s");
        expect(msg).toMatch(/Last error: .*HTTP 503: "no healthy upstream"/);
        expect(msg).toContain("coder pods' logs");
    });

    it("names the refused connection when nothing listens", async () => {
        const port = 1; // tcpmux: nothing listens there on a build machine
        const msg = await failure(new CoderClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 2_000 }).waitHealthy(600, 100));
        expect(msg).toContain(`coderd at http://127.0.0.1:${port}`);
        expect(msg).toContain("ECONNREFUSED");
        expect(msg).toContain("Nothing accepted the connection");
    });

    it("creates, updates, reads and deletes a workspace proxy, with 409 on a duplicate name", async () => {
        const c = new CoderClient({ url: coder.url }).withToken(await bootstrapToken());
        const created = await c.createWorkspaceProxy({ name: "europe", display_name: "Europe", icon: "/emojis/1f35b.png" });
        expect(created.proxy_token).toMatch(new RegExp(`^${created.proxy.id}:[0-9a-f]+$`));
        expect(created.proxy.name).toBe("europe");
        const dup = await failure(c.createWorkspaceProxy({ name: "Europe", display_name: "x", icon: "" }));
        expect(dup).toContain(`HTTP 409: "Workspace proxy with name "Europe" already exists."`);
        expect(dup).toContain("already exists in Coder");
        const primary = await failure(c.createWorkspaceProxy({ name: "primary", display_name: "", icon: "" }));
        expect(primary).toContain("HTTP 400");
        expect(primary).toContain("name: Reserved name");
        const kept = await c.updateWorkspaceProxy(created.proxy.id, { name: "europe", display_name: "Europe West", icon: "/emojis/1f35b.png" });
        expect(kept.proxy_token).toBe("");
        expect(kept.proxy.display_name).toBe("Europe West");
        const rotated = await c.updateWorkspaceProxy(created.proxy.id, { name: "europe", display_name: "Europe West", icon: "/emojis/1f35b.png", regenerate_token: true });
        expect(rotated.proxy_token).not.toBe(created.proxy_token);
        expect((await c.workspaceProxy("europe")).id).toBe(created.proxy.id);
        await c.deleteWorkspaceProxy(created.proxy.id);
        expect(await failure(c.workspaceProxy("europe"))).toContain("HTTP 404");
        const patch = coder.requests.find((r) => r.method === "PATCH");
        expect(patch?.body).toEqual({ id: created.proxy.id, name: "europe", display_name: "Europe West", icon: "/emojis/1f35b.png", regenerate_token: false });
    });
});

async function bootstrapToken(): Promise<string> {
    return (await createAdmin()).token!;
}

// ---- CoderAdmin ----

describe("CoderAdmin", () => {
    it("creates the first user once; a second create finds it and signs in", async () => {
        const first = await createAdmin();
        expect(first.createdFirstUser).toBe(true);
        expect(coder.state.users).toHaveLength(1);
        const second = await createAdmin();
        expect(second.createdFirstUser).toBe(false);
        expect(coder.state.users).toHaveLength(1);
        expect(second.userId).toBe(first.userId);
        expect(second.token).not.toBe(first.token);
        for (const t of [first.token!, second.token!]) {
            expect((await new CoderClient({ url: coder.url, token: t }).me()).email).toBe(ADMIN.email);
        }
        // the first user is created only when GET /users/first says 404
        expect(coder.requests.filter((r) => r.method === "POST" && r.path === "/api/v2/users/first")).toHaveLength(1);
    });

    it("says to set adminToken when a first user exists and signing in fails", async () => {
        await createAdmin();
        const msg = await failure(createAdmin({ password: "not-the-password" }));
        expect(msg).toContain(`Coder at ${coder.url} already has its first user, and signing in as ${ADMIN.email} failed (HTTP 401: "Incorrect email or password.")`);
        expect(msg).toContain("coder-refarch:adminToken");
        expectNoSecret(msg, "not-the-password");
    });

    it("uses an existing Owner's API token as is, and refuses one without the Owner role", async () => {
        await createAdmin();
        const ownerToken = coder.tokenFor(ADMIN.email);
        const viaToken = await adminProvider.create({ endpoint: endpoint(), apiToken: ownerToken, healthWaitMs: 5_000 });
        expect(viaToken.outs?.token).toBe(ownerToken);
        const memberToken = coder.addMember("dev@example.com", "member-password-1");
        const msg = await failure(adminProvider.create({ endpoint: endpoint(), apiToken: memberToken, healthWaitMs: 5_000 }));
        expect(msg).toContain("lacks Coder's Owner role");
        expect(msg).toContain("coder-refarch:adminToken");
        expectNoSecret(msg, memberToken, ownerToken);
    });

    it("refresh signs in again when Coder refuses the stored session", async () => {
        const outs = await createAdmin();
        coder.expireSessions();
        const read = await adminProvider.read(outs.userId!, outs);
        expect(read.id).toBe(outs.userId);
        expect(read.props?.token).not.toBe(outs.token);
        expect((await new CoderClient({ url: coder.url, token: read.props!.token }).me()).id).toBe(outs.userId);
    });

    it("diff: email or username replace; endpoint or password update; a refused session updates", async () => {
        const outs = await createAdmin();
        const inputs = { ...outs };
        expect(await adminProvider.diff(outs.userId!, outs, { ...inputs, email: "other@example.com" })).toMatchObject({ changes: true, replaces: ["email"] });
        expect(await adminProvider.diff(outs.userId!, outs, { ...inputs, username: "root" })).toMatchObject({ changes: true, replaces: ["username"] });
        expect(await adminProvider.diff(outs.userId!, outs, { ...inputs, password: "a-new-password" })).toEqual({ changes: true });
        expect(await adminProvider.diff(outs.userId!, outs, { ...inputs, endpoint: { ...outs.endpoint, connectTo: "127.0.0.1" } })).toEqual({ changes: true });
        expect(await adminProvider.diff(outs.userId!, outs, { ...inputs, name: "Renamed" })).toEqual({ changes: false });
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        expect(await adminProvider.diff(outs.userId!, outs, { ...inputs, endpoint: { url: unknown } })).toEqual({ changes: true });
        expect(await adminProvider.diff(outs.userId!, outs, inputs)).toEqual({ changes: false });
        coder.expireSessions();
        expect(await adminProvider.diff(outs.userId!, outs, inputs)).toEqual({ changes: true });
        const updated = await adminProvider.update(outs.userId!, outs, inputs);
        expect(updated.outs?.token).not.toBe(outs.token);
        expect(updated.outs?.createdFirstUser).toBe(true);
        expect((await new CoderClient({ url: coder.url, token: updated.outs!.token }).me()).id).toBe(outs.userId);
    });

    it("delete leaves Coder's first admin in place", async () => {
        const outs = await createAdmin();
        await adminProvider.delete(outs.userId!, outs);
        expect(coder.state.users).toHaveLength(1);
    });

    it("check asks for the admin's credentials or a token, and Coder's access URL", async () => {
        const r = await adminProvider.check({} as AdminState, { endpoint: { url: "coder.example.com" }, email: ADMIN.email } as AdminState);
        expect(r.failures?.map((f) => f.property)).toEqual(["endpoint", "email"]);
        expect((await adminProvider.check({} as AdminState, { endpoint: endpoint(), apiToken: "x" })).failures).toEqual([]);
    });
});

// ---- CoderLicense ----

describe("CoderLicense", () => {
    let token: string;
    beforeEach(async () => {
        token = await bootstrapToken();
    });
    const inputs = (license: string): LicenseState => ({ endpoint: endpoint(), token, license });

    it("uploads once, reads it back, and adopts the same license instead of uploading it twice", async () => {
        const r = await licenseProvider.create(inputs(licenseA));
        expect(coder.state.licenses).toHaveLength(1);
        expect(r.id).toBe(String(coder.state.licenses[0]!.id));
        expect(r.outs).toMatchObject({ licenseId: coder.state.licenses[0]!.id, adopted: false, expiresAt: new Date(1_900_000_000_000).toISOString() });
        expect(coder.requests.find((q) => q.method === "POST" && q.path === "/api/v2/licenses")?.body).toEqual({ license: licenseA });
        const read = await licenseProvider.read(r.id, r.outs);
        expect(read.id).toBe(r.id);
        const again = await licenseProvider.create(inputs(licenseA));
        expect(again).toMatchObject({ id: r.id, outs: { adopted: true } });
        expect(coder.state.licenses).toHaveLength(1);
    });

    it("drops from the state a license deleted in Coder", async () => {
        const r = await licenseProvider.create(inputs(licenseA));
        coder.state.licenses.length = 0;
        expect((await licenseProvider.read(r.id, r.outs)).id).toBe("");
    });

    it("replaces a changed license: the new one is uploaded, then the old one deleted", async () => {
        const old = await licenseProvider.create(inputs(licenseA));
        expect(await licenseProvider.diff(old.id, old.outs!, inputs(licenseB))).toEqual({ changes: true, replaces: ["license"], deleteBeforeReplace: false });
        expect(await licenseProvider.diff(old.id, old.outs!, { ...inputs(licenseA), token: "another-token" })).toEqual({ changes: true });
        expect(await licenseProvider.diff(old.id, old.outs!, inputs(licenseA))).toEqual({ changes: false });
        const replacement = await licenseProvider.create(inputs(licenseB));
        expect(coder.state.licenses).toHaveLength(2);
        await licenseProvider.delete(old.id, old.outs!);
        expect(coder.state.licenses.map((l) => String(l.id))).toEqual([replacement.id]);
        expect(coder.state.licenses[0]!.claims.license_id).toBe("b");
        await licenseProvider.delete(replacement.id, replacement.outs!);
        expect(coder.state.licenses).toHaveLength(0);
        await licenseProvider.delete(replacement.id, replacement.outs!); // 404: already gone
    });

    it("update keeps the license and takes the newest credentials", async () => {
        const r = await licenseProvider.create(inputs(licenseA));
        const fresh = coder.tokenFor(ADMIN.email);
        const u = await licenseProvider.update(r.id, r.outs!, { ...inputs(licenseA), token: fresh });
        expect(u.outs).toMatchObject({ token: fresh, licenseId: r.outs!.licenseId });
        expect(coder.state.licenses).toHaveLength(1);
    });

    it("check refuses what is not a JWT without echoing it", async () => {
        const r = await licenseProvider.check({} as LicenseState, inputs("not-a-license-at-all"));
        expect(r.failures?.[0]?.property).toBe("license");
        expect(r.failures?.[0]?.reason).toContain("not a JWT");
        expect(r.failures?.[0]?.reason).not.toContain("not-a-license-at-all");
    });
});

// ---- CoderProvisionerKey ----

describe("CoderProvisionerKey", () => {
    let token: string;
    beforeEach(async () => {
        token = await bootstrapToken();
    });
    const inputs = (over: Partial<ProvisionerKeyState> = {}): ProvisionerKeyState => ({
        endpoint: endpoint(), token, organization: "default", name: "europe", tags: { region: "europe" }, ...over,
    });

    it("creates a scoped key in the default organization, reads it, and deletes it", async () => {
        const r = await provisionerKeyProvider.create(inputs());
        const stored = coder.state.keys[0]!;
        expect(r.outs).toMatchObject({ key: stored.secret, keyId: stored.id, organizationId: coder.state.org.id, tags: { region: "europe" } });
        expect(r.id).toBe(stored.id);
        expect(coder.requests.find((q) => q.method === "POST" && q.path.endsWith("/provisionerkeys"))?.body).toEqual({ name: "europe", tags: { region: "europe" } });
        expect((await provisionerKeyProvider.read(r.id, r.outs)).id).toBe(r.id);
        await provisionerKeyProvider.delete(r.id, r.outs!);
        expect(coder.state.keys).toHaveLength(0);
        await provisionerKeyProvider.delete(r.id, r.outs!); // already gone
        expect((await provisionerKeyProvider.read(r.id, r.outs)).id).toBe("");
    });

    it("a duplicate name is a 409 that says the key cannot be adopted", async () => {
        const first = await provisionerKeyProvider.create(inputs());
        const msg = await failure(provisionerKeyProvider.create(inputs({ name: "Europe" })));
        expect(msg).toContain(`HTTP 409: "Provisioner key with name 'Europe' already exists in organization"`);
        expect(msg).toContain("cannot adopt");
        expect(msg).toContain("coder provisioner keys delete Europe --org coder");
        expectNoSecret(msg, token, first.outs!.key);
    });

    it("diff: tags replace in place (old key first), a new name replaces beside it, credentials update", async () => {
        const r = await provisionerKeyProvider.create(inputs());
        expect(await provisionerKeyProvider.diff(r.id, r.outs!, inputs({ tags: { region: "asia" } }))).toEqual({ changes: true, replaces: ["tags"], deleteBeforeReplace: true });
        expect(await provisionerKeyProvider.diff(r.id, r.outs!, inputs({ name: "asia" }))).toEqual({ changes: true, replaces: ["name"], deleteBeforeReplace: false });
        expect(await provisionerKeyProvider.diff(r.id, r.outs!, inputs({ organization: undefined }))).toEqual({ changes: false });
        expect(await provisionerKeyProvider.diff(r.id, r.outs!, inputs({ token: "other" }))).toEqual({ changes: true });
        const u = await provisionerKeyProvider.update(r.id, r.outs!, inputs({ token: "other" }));
        expect(u.outs).toMatchObject({ key: r.outs!.key, token: "other" });
    });

    it("check refuses Coder's reserved names", async () => {
        const r = await provisionerKeyProvider.check({} as ProvisionerKeyState, inputs({ name: "PSK" }));
        expect(r.failures?.[0]).toMatchObject({ property: "name" });
        expect(r.failures?.[0]?.reason).toContain("reserved");
    });
});

// ---- CoderWorkspaceProxy ----

/** A proxy's own call to coderd, as a running proxy makes it with its token. */
async function registerAsProxy(proxyToken: string): Promise<{ status: number; message?: string; detail?: string }> {
    const res = await fetch(`${coder.url}/api/v2/workspaceproxies/me/register`, {
        method: "POST",
        headers: { "Coder-External-Proxy-Token": proxyToken, "Content-Type": "application/json" },
        body: JSON.stringify({ access_url: "https://europe.coder.example.com", wildcard_hostname: "*.europe.coder.example.com", replica_id: randomUUID(), derp_enabled: true }),
    });
    return { status: res.status, ...((await res.json()) as { message?: string; detail?: string }) };
}

describe("CoderWorkspaceProxy", () => {
    let token: string;
    beforeEach(async () => {
        token = await bootstrapToken();
    });
    const inputs = (over: Partial<WorkspaceProxyState> = {}): WorkspaceProxyState => ({
        endpoint: endpoint(), token, name: "europe", displayName: "Europe", icon: "/emojis/1f30e.png", tokenGeneration: 0, ...over,
    });
    const stored = (id: string) => coder.state.proxies.find((p) => p.id === id)!;

    it("creates the proxy: its id, and its token, which the proxy can register with", async () => {
        const r = await workspaceProxyProvider.create(inputs());
        const p = stored(r.id);
        expect(r.outs).toMatchObject({ proxyId: p.id, proxyToken: p.token, name: "europe", tokenGeneration: 0 });
        expect(r.outs!.proxyToken).toMatch(new RegExp(`^${r.id}:[0-9a-f]{64}$`));
        expect(coder.requests.find((q) => q.method === "POST" && q.path === "/api/v2/workspaceproxies")?.body)
            .toEqual({ name: "europe", display_name: "Europe", icon: "/emojis/1f30e.png" });
        expect(await registerAsProxy(r.outs!.proxyToken!)).toMatchObject({ status: 201 });
        expect((await workspaceProxyProvider.read(r.id, r.outs)).props).toMatchObject({ name: "europe", displayName: "Europe", icon: "/emojis/1f30e.png" });
    });

    it("a new display name or icon is a PATCH that keeps the token", async () => {
        const r = await workspaceProxyProvider.create(inputs());
        const next = inputs({ displayName: "Europe West", icon: "/emojis/1f3f0.png" });
        expect(await workspaceProxyProvider.diff(r.id, r.outs!, next)).toEqual({ changes: true });
        const u = await workspaceProxyProvider.update(r.id, r.outs!, next);
        expect(u.outs).toMatchObject({ proxyToken: r.outs!.proxyToken, proxyId: r.id, displayName: "Europe West" });
        expect(stored(r.id)).toMatchObject({ display_name: "Europe West", icon_url: "/emojis/1f3f0.png", token: r.outs!.proxyToken });
        expect(coder.requests.filter((q) => q.method === "PATCH").at(-1)?.body)
            .toEqual({ id: r.id, name: "europe", display_name: "Europe West", icon: "/emojis/1f3f0.png", regenerate_token: false });
        expect(await registerAsProxy(r.outs!.proxyToken!)).toMatchObject({ status: 201 });
    });

    it("a new tokenGeneration regenerates the token: the old one is refused from then on", async () => {
        const r = await workspaceProxyProvider.create(inputs());
        const next = inputs({ tokenGeneration: 1 });
        expect(await workspaceProxyProvider.diff(r.id, r.outs!, next)).toEqual({ changes: true });
        const u = await workspaceProxyProvider.update(r.id, r.outs!, next);
        expect(u.outs!.proxyToken).toMatch(new RegExp(`^${r.id}:[0-9a-f]{64}$`));
        expect(u.outs!.proxyToken).not.toBe(r.outs!.proxyToken);
        expect(u.outs).toMatchObject({ tokenGeneration: 1, proxyId: r.id });
        expect(coder.requests.filter((q) => q.method === "PATCH").at(-1)?.body).toMatchObject({ regenerate_token: true });
        expect(await registerAsProxy(r.outs!.proxyToken!)).toEqual({ status: 401, message: "Invalid external proxy token", detail: "Invalid proxy token secret." });
        expect(await registerAsProxy(u.outs!.proxyToken!)).toMatchObject({ status: 201 });
    });

    it("a new name renames the proxy in place: same id, same token", async () => {
        const r = await workspaceProxyProvider.create(inputs());
        const next = inputs({ name: "eu-west" });
        expect(await workspaceProxyProvider.diff(r.id, r.outs!, next)).toEqual({ changes: true });
        const u = await workspaceProxyProvider.update(r.id, r.outs!, next);
        expect(u.outs).toMatchObject({ name: "eu-west", proxyId: r.id, proxyToken: r.outs!.proxyToken });
        expect(coder.state.proxies).toHaveLength(1);
        expect((await new CoderClient({ url: coder.url, token }).workspaceProxy("eu-west")).id).toBe(r.id);
        expect(await registerAsProxy(r.outs!.proxyToken!)).toMatchObject({ status: 201 });
    });

    it("a rename onto another proxy's name says which name clashes (coderd answers 500)", async () => {
        const r = await workspaceProxyProvider.create(inputs());
        await workspaceProxyProvider.create(inputs({ name: "asia", displayName: "Asia" }));
        const msg = await failure(workspaceProxyProvider.update(r.id, r.outs!, inputs({ name: "asia" })));
        expect(msg).toContain(`Coder refused to name a workspace proxy "asia": another proxy in Coder has that name`);
        expect(msg).toContain("coder wsproxy delete asia");
        expect(msg).toContain(`PATCH ${coder.url}/api/v2/workspaceproxies/${r.id} answered HTTP 500`);
        expectNoSecret(msg, token, r.outs!.proxyToken);
    });

    it("credentials alone change nothing in Coder; an unchanged proxy has no diff", async () => {
        const r = await workspaceProxyProvider.create(inputs());
        expect(await workspaceProxyProvider.diff(r.id, r.outs!, inputs())).toEqual({ changes: false });
        const fresh = coder.tokenFor(ADMIN.email);
        expect(await workspaceProxyProvider.diff(r.id, r.outs!, inputs({ token: fresh }))).toEqual({ changes: true });
        const patches = coder.requests.filter((q) => q.method === "PATCH").length;
        const u = await workspaceProxyProvider.update(r.id, r.outs!, inputs({ token: fresh }));
        expect(u.outs).toMatchObject({ token: fresh, proxyToken: r.outs!.proxyToken });
        expect(coder.requests.filter((q) => q.method === "PATCH")).toHaveLength(patches);
        // during a preview, an input not known yet counts as a change
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        expect(await workspaceProxyProvider.diff(r.id, r.outs!, inputs({ tokenGeneration: unknown as unknown as number }))).toEqual({ changes: true });
        expect(await workspaceProxyProvider.diff(r.id, r.outs!, inputs({ endpoint: { url: unknown } }))).toEqual({ changes: true });
    });

    it("delete marks it deleted in Coder; deleting again, or once Coder has no trace of it, is fine; refresh drops it", async () => {
        const r = await workspaceProxyProvider.create(inputs());
        await workspaceProxyProvider.delete(r.id, r.outs!);
        expect(stored(r.id).deleted).toBe(true);
        expect(coder.requests.filter((q) => q.method === "DELETE").at(-1)?.path).toBe(`/api/v2/workspaceproxies/${r.id}`);
        expect(await registerAsProxy(r.outs!.proxyToken!)).toMatchObject({ status: 401, detail: "Proxy has been deleted." });
        // by id, coderd still answers for a deleted proxy (deleted: true): refresh drops it
        expect((await workspaceProxyProvider.read(r.id, r.outs)).id).toBe("");
        await workspaceProxyProvider.delete(r.id, r.outs!); // already deleted: 200 again
        coder.state.proxies.length = 0;
        await workspaceProxyProvider.delete(r.id, r.outs!); // 404: gone
        expect((await workspaceProxyProvider.read(r.id, r.outs)).id).toBe("");
        // the name is free again
        const again = await workspaceProxyProvider.create(inputs());
        expect(again.id).not.toBe(r.id);
    });

    it("an update of a proxy deleted in Coder says to refresh", async () => {
        const r = await workspaceProxyProvider.create(inputs());
        await new CoderClient({ url: coder.url, token }).deleteWorkspaceProxy("europe");
        const msg = await failure(workspaceProxyProvider.update(r.id, r.outs!, inputs({ displayName: "Europe West" })));
        expect(msg).toContain(`The workspace proxy "europe" (${r.id}) was deleted in Coder: run pulumi refresh`);
        coder.state.proxies.length = 0;
        const gone = await failure(workspaceProxyProvider.update(r.id, r.outs!, inputs({ tokenGeneration: 2 })));
        expect(gone).toContain("was deleted in Coder");
        expect(gone).toContain("HTTP 404");
    });

    it("a name Coder already has is a 409 naming the proxy and the fix; the existing proxy is not adopted", async () => {
        const theirs = await new CoderClient({ url: coder.url, token }).createWorkspaceProxy({ name: "europe", display_name: "Theirs", icon: "/emojis/1f30e.png" });
        const msg = await failure(workspaceProxyProvider.create(inputs()));
        expect(msg).toContain(`POST ${coder.url}/api/v2/workspaceproxies answered HTTP 409: "Workspace proxy with name "europe" already exists."`);
        expect(msg).toContain(`does not adopt the existing proxy "europe"`);
        expect(msg).toContain("coder wsproxy delete europe");
        expect(msg).toContain("choose another region name");
        expectNoSecret(msg, token, theirs.proxy_token);
        // nothing changed in Coder: their token still works
        expect(coder.state.proxies).toHaveLength(1);
        expect(coder.requests.some((q) => q.method === "PATCH")).toBe(false);
        expect(await registerAsProxy(theirs.proxy_token)).toMatchObject({ status: 201 });
    });

    it("500: names the method, path and status", async () => {
        coder.switches.inject.push({ status: 500, match: "/api/v2/workspaceproxies" });
        const msg = await failure(workspaceProxyProvider.create(inputs()));
        expect(msg).toContain(`Coder API POST ${coder.url}/api/v2/workspaceproxies answered HTTP 500: "An internal server error occurred." (injected failure)`);
        expect(msg).toContain("check the coder pods' logs");
        expectNoSecret(msg, token);
    });

    it("a timeout names the method, path and wait", async () => {
        const r = await workspaceProxyProvider.create(inputs());
        coder.switches.hang = /^PATCH \/api\/v2\/workspaceproxies\//;
        const started = Date.now();
        const msg = await failure(workspaceProxyProvider.update(r.id, r.outs!, inputs({ endpoint: { url: coder.url, timeoutMs: 300 }, tokenGeneration: 1 })));
        expect(Date.now() - started).toBeLessThan(3_000);
        expect(msg).toContain(`Coder API PATCH ${coder.url}/api/v2/workspaceproxies/${r.id}: no answer within 0.3s`);
        expectNoSecret(msg, token, r.outs!.proxyToken);
    });

    it("an unlicensed coderd refuses the route: the message says a license is needed", async () => {
        coder.switches.requireLicense = true;
        const msg = await failure(workspaceProxyProvider.create({ ...inputs(), licenseWaitMs: 0 }));
        expect(msg).toContain(`"Workspace Proxy is a Premium feature. Contact sales!"`);
        expect(msg).toContain("Workspace proxies need a Coder license with the Workspace Proxy feature");
        expect(msg).toContain("coder-refarch:license");
        expectNoSecret(msg, token);
        // once the license is in, the same call goes through
        await licenseProvider.create({ endpoint: endpoint(), token, license: licenseA });
        expect((await workspaceProxyProvider.create({ ...inputs(), licenseWaitMs: 0 })).outs!.proxyToken).toBeTruthy();
    });

    it("check: the name's shape and Coder's reserved name, display name and icon required, tokenGeneration a whole number", async () => {
        const reasons = async (over: Partial<WorkspaceProxyState>) =>
            ((await workspaceProxyProvider.check({} as WorkspaceProxyState, inputs(over))).failures ?? []).map((f) => f.property);
        expect(await reasons({})).toEqual([]);
        expect(await reasons({ name: "Europe" })).toEqual(["name"]);
        expect(await reasons({ name: "eu_west" })).toEqual(["name"]);
        expect(await reasons({ name: "x".repeat(33) })).toEqual(["name"]);
        expect(await reasons({ name: "primary" })).toEqual(["name"]);
        expect(await reasons({ displayName: "", icon: " " })).toEqual(["displayName", "icon"]);
        expect(await reasons({ tokenGeneration: 1.5 })).toEqual(["tokenGeneration"]);
        expect(await reasons({ endpoint: { url: "coder.example.com" } })).toEqual(["endpoint"]);
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        expect(await reasons({ name: unknown, displayName: unknown, tokenGeneration: unknown as unknown as number })).toEqual([]);
        const primary = (await workspaceProxyProvider.check({} as WorkspaceProxyState, inputs({ name: "primary" }))).failures![0]!;
        expect(primary.reason).toContain("reserved by Coder for the primary region");
    });
});

// ---- errors ----

describe("errors say what to do, and never show a secret", () => {
    let token: string;
    beforeEach(async () => {
        token = await bootstrapToken();
    });

    it("401: a token Coder does not know", async () => {
        const bad = "abcdefghij-abcdefghijklmnopqrstuv";
        const msg = await failure(licenseProvider.create({ endpoint: endpoint(), token: bad, license: licenseA }));
        expect(msg).toContain(`Coder API GET ${coder.url}/api/v2/licenses answered HTTP 401: "You are signed out or your session has expired.`);
        expect(msg).toContain("(API key is invalid.)");
        expect(msg).toContain("Set coder-refarch:adminToken");
        expect(msg).toContain("password for coder-refarch:adminEmail");
        expectNoSecret(msg, bad, token);
        const none = await failure(new CoderClient({ url: coder.url }).me());
        expect(none).toContain(`answered HTTP 401: "You are signed out or your session has expired. Please sign in again to continue." (Cookie "coder_session_token" or query parameter must be provided.)`);
    });

    it("403: a user without the Owner role uploads a license", async () => {
        const member = coder.addMember("dev@example.com", "member-password-1");
        const msg = await failure(new CoderClient({ url: coder.url, token: member }).addLicense(licenseA));
        expect(msg).toContain(`POST ${coder.url}/api/v2/licenses answered HTTP 403: "Forbidden."`);
        expect(msg).toContain("needs the Owner role, or the feature needs a Coder license");
        expectNoSecret(msg, member);
    });

    it("a 403 just after the license upload (a replica that has not learnt of it) passes", async () => {
        coder.switches.inject.push({ status: 403, match: /provisionerkeys$/, times: 1 });
        const out = await provisionerKeyProvider.create({ endpoint: endpoint(), token, name: "after-license", tags: {}, licenseWaitMs: 10_000 });
        expect(out.outs!.key).toBeTruthy();
    });

    it("403: a licensed feature before the license is uploaded", async () => {
        coder.switches.requireLicense = true;
        const msg = await failure(provisionerKeyProvider.create({ endpoint: endpoint(), token, name: "k", tags: {}, licenseWaitMs: 0 }));
        expect(msg).toContain(`"External Provisioner Daemons is a Premium feature. Contact sales!"`);
        expect(msg).toContain("coder-refarch:license");
        expectNoSecret(msg, token);
    });

    it("409: a name Coder already has", async () => {
        coder.switches.inject.push({ status: 409, match: "/api/v2/workspaceproxies" });
        const msg = await failure(new CoderClient({ url: coder.url, token }).createWorkspaceProxy({ name: "eu", display_name: "EU", icon: "" }));
        expect(msg).toContain("answered HTTP 409");
        expect(msg).toContain("choose another name, or delete the existing one in Coder");
        expectNoSecret(msg, token);
    });

    it("500: coderd is unhealthy", async () => {
        coder.switches.inject.push({ status: 500, match: "/api/v2/licenses" });
        const msg = await failure(licenseProvider.create({ endpoint: endpoint(), token, license: licenseA }));
        expect(msg).toContain(`answered HTTP 500: "An internal server error occurred." (injected failure)`);
        expect(msg).toContain("check the coder pods' logs");
        expectNoSecret(msg, token);
    });

    it("a timeout names the URL, the wait and that DNS may not be pointed", async () => {
        coder.switches.hang = /\/api\/v2\/licenses/;
        const url = `http://coder.example.com:${coder.port}`;
        const started = Date.now();
        const msg = await failure(licenseProvider.create({ endpoint: { url, connectTo: "127.0.0.1", timeoutMs: 300 }, token, license: licenseA }));
        expect(Date.now() - started).toBeLessThan(3_000);
        expect(msg).toContain(`Coder API GET ${url}/api/v2/licenses (dialled 127.0.0.1:${coder.port}, host name coder.example.com): no answer within 0.3s`);
        expect(msg).toContain("DNS for coder.example.com may not point at it yet");
        expect(coder.requests.at(-1)?.host).toBe(`coder.example.com:${coder.port}`);
        expectNoSecret(msg, token);
    });

    it("what Coder echoes back is redacted", async () => {
        coder.switches.inject.push({ status: 400, match: "/api/v2/licenses", body: { message: "Invalid license", detail: `cannot parse ${licenseA}` } });
        const msg = await failure(new CoderClient({ url: coder.url, token }).addLicense(licenseA));
        expect(msg).toContain(`HTTP 400: "Invalid license" (cannot parse [redacted])`);
        expectNoSecret(msg, token);
    });

    it("DNS and certificate failures say what to check (no network needed)", () => {
        const base = { method: "GET", path: "/healthz", url: "https://coder.example.com", dialled: "203.0.113.10:443", viaConnectTo: true } as const;
        const dns = new CoderApiError({ ...base, kind: "connection", code: "ENOTFOUND", cause: "getaddrinfo ENOTFOUND coder.example.com" });
        expect(dns.message).toContain("(dialled 203.0.113.10:443, host name coder.example.com)");
        expect(dns.message).toContain("DNS for coder.example.com does not resolve (yet)");
        const cert = new CoderApiError({ ...base, kind: "connection", code: "CERT_HAS_EXPIRED", cause: "certificate has expired" });
        expect(cert.message).toContain("pass the CA that signed it (caPem)");
        expect(cert).toMatchObject({ kind: "connection", code: "CERT_HAS_EXPIRED", status: undefined });
    });
});

// ---- connectTo and TLS ----

describe("dialling the load balancer's address with the access URL's host name", () => {
    let tlsCoder: FakeCoder;
    beforeAll(async () => {
        tlsCoder = await startFakeCoder({ tls: { cert: CERT, key: KEY, hostName: "coder.example.com" } });
    });
    afterAll(async () => {
        await tlsCoder.close();
    });

    it("sends SNI and Host for coder.example.com while dialling 127.0.0.1, trusting the given CA", async () => {
        const url = `https://coder.example.com:${tlsCoder.port}`;
        await new CoderClient({ url, connectTo: "127.0.0.1", caPem: CERT }).health();
        const seen = tlsCoder.requests.at(-1)!;
        expect(seen).toMatchObject({ path: "/healthz", sni: "coder.example.com", host: `coder.example.com:${tlsCoder.port}` });
        const outs = (await adminProvider.create({ endpoint: { url, connectTo: "127.0.0.1", caPem: CERT }, ...ADMIN, healthWaitMs: 5_000 })).outs!;
        expect(outs.createdFirstUser).toBe(true);
        expect(tlsCoder.requests.every((r) => r.sni === "coder.example.com")).toBe(true);
    });

    it("dials the fallback address only while the access URL's host does not resolve", async () => {
        const url = `https://coder.example.com:${tlsCoder.port}`;
        // No DNS query leaves the machine: the lookup is answered here.
        const dns = createRequire(__filename)("node:dns") as typeof import("node:dns");
        const lookup = vi.spyOn(dns.promises, "lookup");
        try {
            lookup.mockRejectedValueOnce(Object.assign(new Error("getaddrinfo ENOTFOUND coder.example.com"), { code: "ENOTFOUND" }));
            await new CoderClient({ url, fallbackAddress: "127.0.0.1", caPem: CERT }).health();
            expect(tlsCoder.requests.at(-1)).toMatchObject({ path: "/healthz", sni: "coder.example.com" });
            // once the name resolves, the access URL is dialled (here it resolves to nothing that answers)
            lookup.mockResolvedValueOnce({ address: "127.0.0.1", family: 4 } as never);
            const c = new CoderClient({ url: "https://localhost:1", fallbackAddress: "127.0.0.1", timeoutMs: 1_000 });
            const msg = await failure(c.health());
            expect(c.dialled()).toBe("localhost:1");
            expect(msg).not.toContain("dialled 127.0.0.1");
        } finally {
            lookup.mockRestore();
        }
    });

    it("an untrusted certificate names the address dialled and the fix", async () => {
        const url = `https://coder.example.com:${tlsCoder.port}`;
        const msg = await failure(new CoderClient({ url, connectTo: "127.0.0.1", timeoutMs: 3_000 }).health());
        expect(msg).toContain(`(dialled 127.0.0.1:${tlsCoder.port}, host name coder.example.com)`);
        expect(msg).toContain("caPem");
    });

    it("a certificate that does not cover the access URL's host is refused", async () => {
        const url = `https://other.example.com:${tlsCoder.port}`;
        const msg = await failure(new CoderClient({ url, connectTo: "127.0.0.1", caPem: CERT, timeoutMs: 3_000 }).health());
        expect(msg).toContain("ERR_TLS_CERT_ALTNAME_INVALID");
        expect(msg).toContain("check that it covers other.example.com");
        // skipping the check is explicit
        await new CoderClient({ url, connectTo: "127.0.0.1", insecureSkipVerify: true }).health();
    });
});

// ---- as the Pulumi CLI runs them ----

/** Runs `node args`, bounded; resolves with stdout, rejects with stderr. */
function runNode(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<string> {
    return new Promise((resolvePromise, reject) => {
        const child = spawn(process.execPath, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (c: Buffer) => (out += c));
        child.stderr.on("data", (c: Buffer) => (err += c));
        const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
        child.on("close", (code) => {
            clearTimeout(timer);
            if (code === 0) resolvePromise(out);
            else reject(new Error(`node exited ${code}: ${err || out}`));
        });
    });
}

describe("the providers as the Pulumi CLI serializes and runs them", () => {
    it("serialized under ts-node, they run in a plain Node process with only Node's built-ins", async () => {
        const dir = mkdtempSync(join(tmpdir(), "coder-providers-"));
        try {
            // 1. as `pulumi up` does: the program under ts-node, each provider serialized by Pulumi
            const serialize = `
                const pulumi = require("@pulumi/pulumi");
                const r = require("./components/coder-api/resources.ts");
                (async () => {
                    for (const n of ["adminProvider", "licenseProvider", "provisionerKeyProvider", "workspaceProxyProvider"]) {
                        const p = r[n];
                        const sf = await pulumi.runtime.serializeFunction(() => p, { allowSecrets: true });
                        require("fs").writeFileSync(require("path").join(process.env.OUT, n + ".js"), sf.text);
                    }
                })().catch((e) => { console.error(e.message); process.exit(1); });`;
            await runNode(["-r", "ts-node/register", "-e", serialize], {
                cwd: ROOT,
                env: { ...process.env, OUT: dir, TS_NODE_TRANSPILE_ONLY: "true", TS_NODE_PROJECT: join(ROOT, "tsconfig.json") },
                timeoutMs: 90_000,
            });
            for (const n of ["adminProvider", "licenseProvider", "provisionerKeyProvider", "workspaceProxyProvider"]) {
                const text = readFileSync(join(dir, `${n}.js`), "utf8");
                // only Node's built-ins are required at run time: no path into this program
                const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
                expect(new Set(required)).toEqual(new Set(["node:http", "node:https", "node:net", "node:tls", "node:dns"]));
            }
            // 2. as pulumi-resource-pulumi-nodejs does: require-from-string, elsewhere, no ts-node
            const run = `
                const load = require(process.env.RFS);
                const fs = require("fs");
                const p = (n) => load(fs.readFileSync(n + ".js", "utf8")).handler();
                (async () => {
                    const endpoint = { url: process.env.CODER_URL, timeoutMs: 5000 };
                    const admin = await p("adminProvider").create({ endpoint, email: "admin@example.com", username: "admin",
                        password: process.env.PASSWORD, healthWaitMs: 5000 });
                    const token = admin.outs.token;
                    const lic = await p("licenseProvider").create({ endpoint, token, license: process.env.LICENSE });
                    const key = await p("provisionerKeyProvider").create({ endpoint, token, name: "europe", tags: { region: "europe" } });
                    const keyDiff = await p("provisionerKeyProvider").diff(key.id, key.outs, { ...key.outs, tags: {} });
                    await p("provisionerKeyProvider").delete(key.id, key.outs);
                    const wsp = p("workspaceProxyProvider");
                    const proxyIn = { endpoint, token, name: "europe", displayName: "Europe", icon: "/emojis/1f30e.png", tokenGeneration: 0 };
                    const proxy = await wsp.create(proxyIn);
                    const renamed = await wsp.update(proxy.id, proxy.outs, { ...proxyIn, name: "eu-west", displayName: "Europe West" });
                    const rotated = await wsp.update(proxy.id, renamed.outs, { ...proxyIn, name: "eu-west", displayName: "Europe West", tokenGeneration: 1 });
                    let dup;
                    try { await wsp.create({ ...proxyIn, name: "eu-west" }); } catch (e) { dup = { isError: e instanceof Error, message: e.message }; }
                    await wsp.delete(proxy.id, rotated.outs);
                    await wsp.delete(proxy.id, rotated.outs);
                    const proxyRun = { kept: renamed.outs.proxyToken === proxy.outs.proxyToken, rotated: rotated.outs.proxyToken !== proxy.outs.proxyToken,
                        name: rotated.outs.name, gone: (await wsp.read(proxy.id, rotated.outs)).id, dup };
                    let bad;
                    try { await p("licenseProvider").create({ endpoint, token: "abcdefghij-abcdefghijklmnopqrstuv", license: process.env.LICENSE }); }
                    catch (e) { bad = { isError: e instanceof Error, message: e.message }; }
                    console.log(JSON.stringify({ created: admin.outs.createdFirstUser, licenseId: lic.outs.licenseId, keyLength: key.outs.key.length, keyDiff, bad, proxyRun }));
                })().catch((e) => { console.error(e && e.message); process.exit(1); });`;
            const out = await runNode(["-e", run], {
                cwd: dir,
                env: { PATH: process.env.PATH, RFS: createRequire(join(ROOT, "package.json")).resolve("require-from-string"), CODER_URL: coder.url, PASSWORD: ADMIN.password, LICENSE: licenseA },
                timeoutMs: 30_000,
            });
            const r = JSON.parse(out.trim().split("\n").at(-1)!);
            expect(r).toMatchObject({ created: true, licenseId: 1, keyDiff: { changes: true, replaces: ["tags"], deleteBeforeReplace: true } });
            expect(r.keyLength).toBeGreaterThan(10);
            expect(coder.state.users).toHaveLength(1);
            expect(coder.state.licenses).toHaveLength(1);
            expect(coder.state.keys).toHaveLength(0);
            expect(r.bad.isError).toBe(true);
            expect(r.bad.message).toContain("answered HTTP 401");
            expect(r.bad.message).toContain("coder-refarch:adminToken");
            expect(r.proxyRun).toMatchObject({ kept: true, rotated: true, name: "eu-west", gone: "", dup: { isError: true } });
            expect(r.proxyRun.dup.message).toContain("coder wsproxy delete eu-west");
            expect(coder.state.proxies.map((x) => ({ name: x.name, deleted: x.deleted }))).toEqual([{ name: "eu-west", deleted: true }]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    }, 120_000);
});

// ---- as program resources ----

describe("as resources of a program (Pulumi's mocks)", () => {
    it("registers the four types, asking the engine to keep their secrets secret", async () => {
        // What the engine receives: the register request's secret outputs and (secret-marked) inputs.
        const resproto = createRequire(join(ROOT, "package.json"))("@pulumi/pulumi/proto/resource_pb");
        const proto = resproto.RegisterResourceRequest.prototype;
        const original = proto.setAdditionalsecretoutputsList;
        const sent = new Map<string, { secretOutputs: string[]; secretInputs: string[] }>();
        const SECRET_SIG = "4dabf18193072939515e22adb298388d";
        proto.setAdditionalsecretoutputsList = function (this: any, list: string[]) {
            const inputs = this.getObject().toJavaScript() as Record<string, unknown>;
            const secretInputs = Object.keys(inputs).filter((k) => (inputs[k] as Record<string, unknown> | null)?.[SECRET_SIG] !== undefined).sort();
            sent.set(this.getName(), { secretOutputs: list, secretInputs });
            return original.call(this, list);
        };
        try {
            const seen: { type: string; inputs: Record<string, unknown> }[] = [];
            await pulumi.runtime.setMocks({
                newResource: (a) => {
                    seen.push({ type: a.type, inputs: a.inputs });
                    return { id: `${a.name}-id`, state: { ...a.inputs, token: "session-token", key: "provisioner-key", licenseId: 1 } };
                },
                call: () => ({}),
            }, "coder-refarch", "test", false);
            const endpointIn = { url: "https://coder.example.com", connectTo: "203.0.113.10" };
            const admin = new CoderAdmin("admin", { endpoint: endpointIn, ...ADMIN });
            const license = new CoderLicense("license", { endpoint: endpointIn, token: admin.token, license: licenseA });
            const key = new CoderProvisionerKey("key", { endpoint: endpointIn, token: admin.token, name: "europe", tags: { region: "europe" } });
            const proxy = new CoderWorkspaceProxy("proxy", { endpoint: endpointIn, token: admin.token, name: "europe", displayName: "Europe", icon: "/emojis/1f30e.png" });
            await new Promise<void>((r) => pulumi.all([key.key, license.licenseId, proxy.proxyToken]).apply(() => r()));
            expect(seen.map((s) => s.type)).toEqual([
                "pulumi-nodejs:dynamic/coder-refarch:CoderAdmin",
                "pulumi-nodejs:dynamic/coder-refarch:CoderLicense",
                "pulumi-nodejs:dynamic/coder-refarch:CoderProvisionerKey",
                "pulumi-nodejs:dynamic/coder-refarch:CoderWorkspaceProxy",
            ]);
            expect(seen[3]!.inputs).toMatchObject({ name: "europe", displayName: "Europe", icon: "/emojis/1f30e.png", tokenGeneration: 0 });
            expect(seen[2]!.inputs).toMatchObject({ organization: "default", name: "europe", tags: { region: "europe" } });
            expect(typeof seen[0]!.inputs.__provider).toBe("string");
            expect(sent.get("admin")).toEqual({ secretOutputs: ["token", "password", "apiToken"], secretInputs: ["password"] });
            expect(sent.get("license")).toEqual({ secretOutputs: ["token", "license"], secretInputs: ["license", "token"] });
            expect(sent.get("key")).toEqual({ secretOutputs: ["token", "key"], secretInputs: ["token"] });
            expect(sent.get("proxy")).toEqual({ secretOutputs: ["token", "proxyToken"], secretInputs: ["token"] });
        } finally {
            proto.setAdditionalsecretoutputsList = original;
        }
    }, 60_000);
});

describe("CoderBootstrap: workspace proxies and the proxy regions' keys (Pulumi's mocks)", () => {
    interface Seen { type: string; name: string; props: Record<string, unknown>; dependsOn: unknown[] }
    const europe = { name: "europe", displayName: "Europe", icon: "/emojis/1f30d.png" };
    const asia = { name: "asia", displayName: "Asia", icon: "/emojis/1f30f.png" };
    const keyOf = (region: string) => ({ region, name: `coder-${region}`, tags: { region } });

    async function bootstrap(args: Partial<CoderBootstrapArgs>): Promise<{ b: CoderBootstrap; seen: Seen[] }> {
        await pulumi.runtime.setMocks({
            newResource: (a) => ({
                id: `${a.name}-id`,
                state: { ...a.inputs, token: "session-token", key: `key-of-${a.name}`, proxyToken: `token-of-${a.name}`, proxyId: `${a.name}-id`, licenseId: 1, uuid: "u" },
            }),
            call: () => ({}),
        }, "coder-refarch", "test", false);
        const seen: Seen[] = [];
        const b = new CoderBootstrap("coder-api", { endpoint: { url: "https://coder.example.com" }, admin: { token: "owner-token" }, after: [], ...args }, {
            transformations: [(a) => {
                seen.push({ type: a.type, name: a.name, props: a.props, dependsOn: [a.opts.dependsOn ?? []].flat() });
                return undefined;
            }],
        });
        const outs = [b.token, ...Object.values(b.workspaceProxies).map((p) => p.proxyToken), ...Object.values(b.regionProvisionerKeys).map((k) => k.key)];
        await new Promise<void>((r) => pulumi.all(outs).apply(() => r()));
        return { b, seen };
    }
    const ofKind = (seen: Seen[], kind: string) => seen.filter((x) => x.type === `pulumi-nodejs:dynamic/coder-refarch:${kind}`);
    const resolved = <T>(o: pulumi.Output<T>) => new Promise<T>((r) => o.apply(r));

    it("registers a proxy per name and a key per region, named after them, after the license", async () => {
        const { b, seen } = await bootstrap({
            license: licenseA,
            provisionerKey: { name: "coder-us", tags: {} },
            workspaceProxies: [europe, { ...asia, tokenGeneration: 2 }],
            regionProvisionerKeys: [keyOf("europe"), keyOf("asia")],
        });
        expect(Object.keys(b.workspaceProxies)).toEqual(["europe", "asia"]);
        expect(Object.keys(b.regionProvisionerKeys)).toEqual(["europe", "asia"]);
        const proxies = ofKind(seen, "CoderWorkspaceProxy");
        expect(proxies.map((p) => p.name)).toEqual(["coder-api-wsproxy-europe", "coder-api-wsproxy-asia"]);
        expect(proxies.map((p) => p.props.tokenGeneration)).toEqual([0, 2]);
        expect(proxies[0]!.props).toMatchObject({ name: "europe", displayName: "Europe", icon: "/emojis/1f30d.png" });
        const keys = ofKind(seen, "CoderProvisionerKey");
        expect(keys.map((k) => k.name)).toEqual(["coder-api-provisioner-key", "coder-api-provisioner-key-europe", "coder-api-provisioner-key-asia"]);
        for (const x of [...proxies, ...keys]) expect(x.dependsOn).toContain(b.license);
        expect(await resolved(b.workspaceProxies.europe!.proxyToken)).toBe("token-of-coder-api-wsproxy-europe");
        expect(await resolved(b.regionProvisionerKeys.asia!.key)).toBe("key-of-coder-api-provisioner-key-asia");
    });

    it("without a license (installed by hand) nothing waits on one; without proxies the records are empty", async () => {
        const { b, seen } = await bootstrap({ workspaceProxies: [europe], regionProvisionerKeys: [keyOf("europe")] });
        expect(b.license).toBeUndefined();
        for (const x of [...ofKind(seen, "CoderWorkspaceProxy"), ...ofKind(seen, "CoderProvisionerKey")]) expect(x.dependsOn).toEqual([]);
        const none = await bootstrap({});
        expect(none.b.workspaceProxies).toEqual({});
        expect(none.b.regionProvisionerKeys).toEqual({});
        expect(ofKind(none.seen, "CoderWorkspaceProxy")).toEqual([]);
    });

    it("removing a region leaves the other regions' resources under the same names", async () => {
        const both = await bootstrap({ license: licenseA, workspaceProxies: [europe, asia], regionProvisionerKeys: [keyOf("europe"), keyOf("asia")] });
        const one = await bootstrap({ license: licenseA, workspaceProxies: [asia], regionProvisionerKeys: [keyOf("asia")] });
        const names = (seen: Seen[]) => seen.filter((x) => x.type.startsWith("pulumi-nodejs:dynamic")).map((x) => x.name);
        expect(names(one.seen).every((n) => names(both.seen).includes(n))).toBe(true);
        expect(names(one.seen)).toContain("coder-api-wsproxy-asia");
        expect(names(one.seen)).toContain("coder-api-provisioner-key-asia");
    });

    it("names Coder keeps unique are refused before anything is registered", async () => {
        await expect(bootstrap({ workspaceProxies: [europe, { ...asia, name: "Europe" }] })).rejects.toThrow(/workspace proxy names must differ .*Europe given twice/);
        await expect(bootstrap({ regionProvisionerKeys: [keyOf("europe"), keyOf("europe")] })).rejects.toThrow(/one provisioner key per proxy region: europe given twice/);
        await expect(bootstrap({ provisionerKey: { name: "coder-europe", tags: {} }, regionProvisionerKeys: [keyOf("europe")] }))
            .rejects.toThrow(/provisioner key names must differ .*coder-europe given twice/);
    });
});
