/**
 * The offline diff (`npm run preview -- --stack NAME --diff OLD.json`): on a real change
 * (a stack moved from 1k to 2k), and on hand-made snapshots for each marker a reviewer
 * relies on: replacement, protected, ignored after creation, masked secrets.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ResourceDiff, Snapshot, SnapshotResource, diffMarkdown, diffSnapshots, diffText } from "../preview/diff";
import { previewJson } from "../preview/output";
import { renderConfig } from "../preview/render";
import { SEEDS } from "./fixtures/seeds";
import { rawConfig } from "./helpers";

const run = promisify(execFile);
const root = path.resolve(__dirname, "..");
const cli = (...args: string[]) => run(process.execPath, ["--import", "tsx", "preview/cli.ts", ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 });

/** A stack's `--json` at a tier, licensed (so provisioners run their planned replicas). */
async function snapshot(stack: string, changes: Record<string, unknown> = {}): Promise<Snapshot> {
    const json = previewJson(await renderConfig(stack, rawConfig(stack, { licenseInstalled: true, ...changes })));
    // through JSON, as a saved file is read back
    return JSON.parse(JSON.stringify(json)) as Snapshot;
}

const res = (type: string, name: string, inputs: Record<string, unknown>, more: Partial<SnapshotResource> = {}): SnapshotResource =>
    ({ type, name, parent: "coder", custom: true, protect: false, ignoreChanges: [], inputs, ...more });
const snap = (...resources: SnapshotResource[]): Snapshot => ({ stack: "t", resources });

describe("a stack moved from 1k to 2k (gcp-1k, tier 2k)", async () => {
    const old = await snapshot("gcp-1k");
    const now = await snapshot("gcp-1k", { tier: "2k" });
    const d = diffSnapshots(old, now, "gcp-1k.json");
    const text = diffText(d);
    const changed = (name: RegExp) => d.resources.find((r) => name.test(r.name) && r.op !== "create" && r.op !== "delete");
    const change = (name: RegExp, p: string) => changed(name)?.changes.find((c) => c.path === p);

    it("says the tiers and counts what changes", () => {
        expect(text.split("\n")[0]).toBe("Offline diff of stack gcp-1k: gcp-1k.json → now (tier 1k → 2k)");
        expect(text.split("\n")[1]).toMatch(/^\d+ to create, \d+ to delete, \d+ to replace, \d+ to update, \d+ unchanged \(1 more change only inputs pulumi up leaves to the cloud\)$/);
        expect(d.unchanged).toBeGreaterThan(50);
    });

    it("shows the replica counts in the Helm values: coderd 3 → 2 (seed 003 → 2k page), provisioners 60 → 120", () => {
        expect(change(/^coder-k8s-coder$/, "values.coder.replicaCount")).toMatchObject({ old: SEEDS["1k"].coderd.replicas, new: SEEDS["2k"].coderd.replicas, replaces: false });
        expect(change(/^coder-k8s-provisioner$/, "values.coder.replicaCount")).toMatchObject({ old: SEEDS["1k"].provisioners.replicas, new: SEEDS["2k"].provisioners.replicas });
        expect(text).toMatch(/^ {7}values\.coder\.replicaCount: 3 → 2$/m);
    });

    it("grows the workspaces pool's maximum to the 2k page's 128 nodes, in place", () => {
        const ws = change(/-workspaces$/, "autoscaling.totalMaxNodeCount");
        expect(ws).toMatchObject({ new: SEEDS["2k"].pools.workspaces!.nodes, replaces: false });
        expect(changed(/-workspaces$/)!.op).toBe("update");
    });

    it("shows the database's larger disk as the cloud's to grow (autoresize): protected, not replaced, not applied", () => {
        const db = d.resources.find((r) => r.type === "gcp:sql/databaseInstance:DatabaseInstance")!;
        expect(db).toMatchObject({ op: "ignored", protect: true, changes: [{ path: "settings.diskSize", old: 512, new: 1000, ignored: true, replaces: false }] });
        expect(text).toMatch(/^= {2}ignored gcp:sql\/databaseInstance:DatabaseInstance {2}coder-gcp-db-pg {2}\[protected\]$/m);
    });

    it("a new VPC range on AWS replaces the subnets and, through their IDs, the EKS cluster and its node groups", async () => {
        const before = await snapshot("aws-3k");
        const after = await snapshot("aws-3k", { vpcCidr: "10.1.0.0/16" });
        const v = diffSnapshots(before, after);
        const op = (type: string) => [...new Set(v.resources.filter((r) => r.type === type).map((r) => r.op))];
        expect(op("aws:ec2/subnet:Subnet")).toEqual(["replace"]);
        expect(op("aws:eks/cluster:Cluster")).toEqual(["replace"]);
        expect(op("aws:eks/nodeGroup:NodeGroup")).toEqual(["replace"]);
        expect(v.resources.find((r) => r.type === "aws:eks/cluster:Cluster")!.reason).toMatch(/^vpcConfig\.subnetIds\[\d+\] takes an output of aws:ec2\/subnet:Subnet \S+, which its replacement changes$/);
    });

    it("a replaced GKE cluster replaces its node pools and, through the Kubernetes provider's kubeconfig, everything in the cluster", async () => {
        const now = await snapshot("gcp-3k");
        const old: Snapshot = { ...now, resources: now.resources.map((r) => (r.type === "gcp:container/cluster:Cluster" ? { ...r, inputs: { ...r.inputs, location: "europe-west4" } } : r)) };
        const v = diffSnapshots(old, now);
        const ops = (pred: (r: ResourceDiff) => boolean) => [...new Set(v.resources.filter(pred).map((r) => r.op))];
        expect(ops((r) => r.type === "gcp:container/cluster:Cluster")).toEqual(["replace"]);
        expect(ops((r) => r.type === "gcp:container/nodePool:NodePool")).toEqual(["replace"]);
        expect(v.resources.find((r) => r.type === "pulumi:providers:kubernetes")).toMatchObject({
            op: "replace", changes: [{ path: "kubeconfig", new: "(known after coder-gcp-gke-cluster is replaced)", replaces: true }],
        });
        const k8s = now.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        expect(k8s.length).toBeGreaterThan(20);
        for (const r of k8s) expect(v.resources.find((d) => d.name === r.name && d.type === r.type)?.op, `${r.type} ${r.name}`).toBe("replace");
    });

    it("a resource under a new parent type is a new URN: what takes its outputs changes too", async () => {
        const now = await snapshot("gcp-3k");
        const vpc = now.resources.find((r) => r.type === "gcp:compute/network:Network")!;
        const old: Snapshot = { ...now, resources: now.resources.map((r) => (r === vpc ? { ...r, urn: r.urn!.replace(/^/, "coder-refarch:gcp:OldNetwork$") } : r)) };
        const v = diffSnapshots(old, now);
        // deleted under the old URN and created under the new: one replacement, which an alias would avoid
        expect(v.resources.filter((r) => r.name === vpc.name)).toEqual([expect.objectContaining({
            op: "replace", reason: expect.stringMatching(/^its URN changes \(coder-refarch:gcp:OldNetwork\$.* → .*\): a new parent type; the aliases option naming the old URN would keep it/),
        })]);
        const subnet = v.resources.find((r) => r.type === "gcp:compute/subnetwork:Subnetwork")!;
        expect(subnet).toMatchObject({ op: "replace", changes: [expect.objectContaining({ path: "network", replaces: true })] });
        const db = v.resources.find((r) => r.type === "gcp:sql/databaseInstance:DatabaseInstance")!;
        expect(db.protect).toBe(true);
        expect(db.changes.map((c) => c.path)).toContain("settings.ipConfiguration.privateNetwork");
    });

    it("marks a protected resource that changes in place (a larger database class)", async () => {
        const bigger = await snapshot("gcp-1k", { tier: "2k", sizing: { database: { machineType: "db-custom-16-61440" } } });
        const t = diffText(diffSnapshots(old, bigger, "gcp-1k.json"));
        expect(t).toMatch(/^! gcp:sql\/databaseInstance:DatabaseInstance coder-gcp-db-pg is protected \(stateful\) and changes in place: settings\.tier$/m);
        expect(t).toMatch(/^ {7}settings\.tier: "db-custom-8-30720" → "db-custom-16-61440"$/m);
    });

    it("counts the cost: the workspaces pool's maximum grows with the 2k page's 128 nodes", () => {
        const ws = d.cost.lines.find((l) => l.item === "workspaces pool")!;
        expect(ws.max.new! - ws.max.old!).toBeGreaterThan(0);
        expect(d.cost.total.max.new! - d.cost.total.max.old!).toBeGreaterThan(0);
        expect(text).toMatch(/^ {2}every pool at its maximum: \$[\d,.]+ → \$[\d,.]+ \(\+\$[\d,.]+\)$/m);
        expect(text).toMatch(/^ {2}primary workspaces pool \(t2d-standard-8\): first up \$[\d,.]+ \(no change\); max \$[\d,.]+ → \$[\d,.]+ \(\+\$[\d,.]+\)$/m);
    });

    it("leaves out what the cloud owns after creation: a changed initial count is shown as ignored", () => {
        for (const r of d.resources) for (const c of r.changes.filter((x) => x.path === "initialNodeCount")) expect(c.ignored).toBe(true);
    });
});

describe("markers on hand-made snapshots", () => {
    const POOL = "gcp:container/nodePool:NodePool";
    const DB = "gcp:sql/databaseInstance:DatabaseInstance";
    const GROUP = "aws:eks/nodeGroup:NodeGroup";

    it("a replacing input: an EKS node group's instance types", () => {
        const d = diffSnapshots(snap(res(GROUP, "ws", { instanceTypes: ["m5.2xlarge"] })), snap(res(GROUP, "ws", { instanceTypes: ["m7i.2xlarge"] })));
        expect(d.resources[0]).toMatchObject({ op: "replace", changes: [{ path: "instanceTypes[0]", replaces: true }] });
        expect(diffText(d)).toMatch(/^\+- replace aws:eks\/nodeGroup:NodeGroup {2}ws$/m);
        expect(diffText(d)).toContain('instanceTypes[0]: "m5.2xlarge" → "m7i.2xlarge"  (forces replacement)');
    });

    it("a protected resource that would be replaced or deleted is called out first", () => {
        const old = snap(res(DB, "db", { name: "coder-a", settings: { tier: "db-custom-4-15360" } }, { protect: true }), res(DB, "gone", { name: "x" }, { protect: true }));
        const now = snap(res(DB, "db", { name: "coder-b", settings: { tier: "db-custom-4-15360" } }, { protect: true }));
        const text = diffText(diffSnapshots(old, now));
        expect(text).toMatch(/^! gcp:sql\/databaseInstance:DatabaseInstance db is protected: pulumi up refuses to replace it \(replaced for name\)$/m);
        expect(text).toMatch(/^! gcp:sql\/databaseInstance:DatabaseInstance gone is protected: pulumi up refuses to delete it/m);
    });

    it("an input under ignoreChanges is shown, marked, and does not count as an update", () => {
        const d = diffSnapshots(snap(res(POOL, "p", { initialNodeCount: 1 }, { ignoreChanges: ["initialNodeCount"] })),
            snap(res(POOL, "p", { initialNodeCount: 3 }, { ignoreChanges: ["initialNodeCount"] })));
        expect(d.resources[0]).toMatchObject({ op: "ignored", changes: [{ ignored: true, replaces: false }] });
        expect(diffText(d)).toContain("initialNodeCount: 1 → 3  (ignored after creation: the live value stays)");
    });

    it("a named list (Helm env) matches by name: one insertion is one change, not a shifted list", () => {
        const env = (...names: string[]) => ({ values: { coder: { env: names.map((name) => ({ name, value: name.toLowerCase() })) } } });
        const d = diffSnapshots(snap(res("kubernetes:helm.sh/v3:Release", "coder", env("A", "C"))), snap(res("kubernetes:helm.sh/v3:Release", "coder", env("A", "B", "C"))));
        expect(d.resources[0]!.changes).toEqual([{ path: "values.coder.env[name=B]", old: undefined, new: { name: "B", value: "b" }, replaces: false, ignored: false }]);
    });

    it("secrets stay masked: a secret input shows as [secret] and its value never appears", async () => {
        const old = await snapshot("gcp-1k");
        const now = await snapshot("gcp-1k", { tier: "2k" });
        const out = diffText(diffSnapshots(old, now)) + diffMarkdown(diffSnapshots(old, now));
        expect(out).not.toMatch(/mock-coder-gcp-db-password|4dabf18193072939515e22adb298388d/);
        expect(diffText(diffSnapshots(old, now))).toMatch(/Secrets are masked/);
    });

    it("identity is the URN: a new parent type is a new resource; a parent of the same type under another name is not", () => {
        const under = (parentTypes: string, parent: string) => res(POOL, "p", {}, { parent, urn: `${parentTypes}$${POOL}::p` });
        const moved = diffSnapshots(snap(under("a:b:C", "x")), snap(under("a:b:D", "x")));
        expect(moved.resources).toEqual([expect.objectContaining({ op: "replace", name: "p", reason: expect.stringContaining(`its URN changes (a:b:C$${POOL}::p → a:b:D$${POOL}::p)`) })]);
        // protected: pulumi up refuses to replace it, and the text says how to keep it, not that it was removed
        const kept = diffText(diffSnapshots(snap(res(POOL, "p", {}, { parent: "x", urn: `a:b:C$${POOL}::p`, protect: true })),
            snap(res(POOL, "p", {}, { parent: "x", urn: `a:b:D$${POOL}::p`, protect: true }))));
        expect(kept).toMatch(/^! .* p is protected: pulumi up refuses to replace it \(its URN changes .*the aliases option/m);
        // two of the same type and name moving: which old one is which new one is not guessed
        const two = (t: string) => snap(res(POOL, "p", {}, { parent: "x", urn: `${t}$${POOL}::p` }), res(POOL, "p", {}, { parent: "y", urn: `a:b:Y$${t}$${POOL}::p` }));
        expect(diffSnapshots(two("a:b:C"), two("a:b:D")).resources.map((r) => r.op).sort()).toEqual(["create", "create", "delete", "delete"]);
        expect(kept).not.toContain("removed from the program");
        expect(diffSnapshots(snap(under("a:b:C", "x")), snap(under("a:b:C", "y"))).resources).toEqual([]);
        // a render saved without URNs: a new parent name may be a new URN, said as such
        const d = diffSnapshots(snap(res(POOL, "p", {})), snap(res(POOL, "p", {}, { parent: "other" })));
        expect(d.resources[0]).toMatchObject({ op: "replace", reason: expect.stringMatching(/its parent changes \(coder → other\): a new URN if the parent's type differs/) });
    });

    it("a dynamic resource whose provider's code changes is not updated: the provider's own diff decides", () => {
        const DYN = "pulumi-nodejs:dynamic/coder-refarch:CoderAdmin";
        const d = diffSnapshots(snap(res(DYN, "admin", { __provider: "exports.handler = a", email: "a@x" })), snap(res(DYN, "admin", { __provider: "exports.handler = b", email: "a@x" })));
        expect(d.resources).toEqual([expect.objectContaining({ op: "ignored", changes: [expect.objectContaining({ path: "__provider", ignored: true })] })]);
        const e = diffSnapshots(snap(res(DYN, "admin", { __provider: "a", email: "a@x" })), snap(res(DYN, "admin", { __provider: "a", email: "b@x" })));
        // a change of its inputs is still the provider's to apply: a new email replaces the admin (preview/replacement.ts)
        expect(e.resources[0]!.op).toBe("replace");
    });

    it("a replacement that reaches only inputs pulumi up ignores changes nothing there: listed apart, not an update", () => {
        const SUBNET = "aws:ec2/subnet:Subnet";
        const ng = (cidr: string) => snap(res(SUBNET, "sn", { cidrBlock: cidr }),
            res(GROUP, "ng", { subnetIds: ["sn-id"] }, { ignoreChanges: ["subnetIds"], inputDependencies: { subnetIds: [`${SUBNET}::sn`] } }));
        const d = diffSnapshots(ng("10.0.0.0/20"), ng("10.1.0.0/20"));
        expect(d.resources.find((r) => r.name === "ng")).toMatchObject({ op: "ignored", changes: [{ path: "subnetIds[0]", ignored: true, replaces: false }] });
        expect(diffText(d)).toMatch(/1 to replace, 0 to update, 0 unchanged \(1 more change only inputs pulumi up leaves to the cloud\)/);
    });

    it("a replacement reaches what uses it: an input holding its ID, and every resource of a replaced provider", () => {
        const SUBNET = "aws:ec2/subnet:Subnet";
        const PROVIDER = "pulumi:providers:kubernetes";
        const old = snap(res(SUBNET, "sn", { cidrBlock: "10.0.0.0/20" }), res(GROUP, "ng", { subnetIds: ["sn-id"] }),
            res(PROVIDER, "k8s", { kubeconfig: "a" }), res("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "coder" } }, { provider: "k8s" }));
        const now = snap(res(SUBNET, "sn", { cidrBlock: "10.1.0.0/20" }), res(GROUP, "ng", { subnetIds: ["sn-id"] }),
            res(PROVIDER, "k8s", { kubeconfig: "a" }), res("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "coder" } }, { provider: "k8s" }));
        const d = diffSnapshots(old, now);
        expect(d.resources.find((r) => r.name === "ng")).toMatchObject({
            op: "replace", reason: "subnetIds[0] takes an output of aws:ec2/subnet:Subnet sn, which its replacement changes",
            changes: [{ path: "subnetIds[0]", old: "sn-id", new: "(known after sn is replaced)", replaces: true }],
        });
        expect(d.unchanged).toBe(2);
        // a provider replaced (another cluster's kubeconfig) replaces what it manages
        const other = snap(...now.resources.map((r) => (r.name === "k8s" ? { ...r, inputs: { kubeconfig: "b" } } : r)));
        const forced = diffSnapshots(now, other);
        expect(forced.resources.find((r) => r.name === "k8s")).toMatchObject({ op: "replace" });
        expect(forced.resources.find((r) => r.name === "ns")).toMatchObject({ op: "replace", reason: "its provider k8s is replaced", changes: [] });
    });

    it("no change: says so", () => {
        const s = snap(res(POOL, "p", { a: 1 }));
        expect(diffText(diffSnapshots(s, s))).toMatch(/^No changes\.$/m);
    });

    it("Markdown: a heading, the summary in bold, the rest in a diff block", () => {
        const md = diffMarkdown(diffSnapshots(snap(res(GROUP, "ws", { instanceTypes: ["a"] })), snap(res(GROUP, "ws", { instanceTypes: ["b"] }))));
        expect(md).toMatch(/^### Offline diff of stack t: OLD\.json → now\n\n\*\*0 to create, 0 to delete, 1 to replace, 0 to update, 0 unchanged\*\*\n\nCost a month/);
        expect(md).toMatch(/\n- note: no cost estimate in the render of now\n\n```diff\n\+- replace aws:eks/);
        expect(md).toMatch(/\n```\n\n<sub>Secrets are masked/);
    });
});

describe("npm run preview -- --diff", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "coder-refarch-diff-"));

    it("diffs a stack against its saved render, as text and as Markdown", async () => {
        const saved = path.join(dir, "dev.json");
        fs.writeFileSync(saved, (await cli("--stack", "dev", "--json")).stdout);
        const { stdout } = await cli("--stack", "dev", "--diff", saved);
        expect(stdout).toMatch(new RegExp(`^Offline diff of stack dev: ${saved.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} → now \\(tier 1k → 1k\\)\n0 to create, 0 to delete, 0 to replace, 0 to update, \\d+ unchanged\n`));
        expect((await cli("--stack", "dev", "--diff", saved, "--markdown")).stdout).toMatch(/^### Offline diff of stack dev: /);
    });

    it("reads a render saved without --silent (npm's banner before the JSON)", async () => {
        const saved = path.join(dir, "banner.json");
        fs.writeFileSync(saved, "\n> coder-refarch@0.1.0 preview\n> tsx preview/cli.ts --stack dev --json\n\n" + fs.readFileSync(path.join(dir, "dev.json"), "utf8"));
        expect((await cli("--stack", "dev", "--diff", saved)).stdout).toMatch(/^0 to create, 0 to delete, 0 to replace, 0 to update, \d+ unchanged$/m);
    });

    it.each([
        ["a missing file", ["--diff", "/nonexistent/old.json"], /^--diff \/nonexistent\/old\.json: cannot read it \(ENOENT\); make one with: npm run --silent preview -- --stack NAME --json > \/nonexistent\/old\.json\n$/],
        ["a file that is not a render", ["--diff", "package.json"], /^--diff package\.json: not a saved preview/],
    ])("%s: exit 1 with a message, no stack trace", async (_, args, message) => {
        const e = await cli("--stack", "dev", ...args).then(() => undefined, (x: { code: number; stderr: string }) => x);
        expect(e?.code).toBe(1);
        expect(e?.stderr).toMatch(message);
        expect(e?.stderr).not.toMatch(/\n\s+at /);
    });

    it("--json with --diff, or --markdown alone: the usage, exit 2", async () => {
        for (const args of [["--json", "--diff", "x.json"], ["--markdown"]]) {
            const e = await cli(...args).then(() => undefined, (x: { code: number; stderr: string }) => x);
            expect(e?.code).toBe(2);
            expect(e?.stderr).toMatch(/^usage: npm run preview -- /);
        }
    });
});
