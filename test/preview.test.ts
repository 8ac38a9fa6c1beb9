/** The offline preview: JSON output, the resource tree, exit codes, speed. */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { previewJson, resourceTree } from "../preview/output";
import { listStacks } from "../preview/stack-config";
import { render } from "./helpers";
import { sizingTable } from "../preview/sizing-table";

const run = promisify(execFile);
const root = path.resolve(__dirname, "..");
const cli = (...args: string[]) => run(process.execPath, ["--import", "tsx", "preview/cli.ts", ...args], { cwd: root });

describe("npm run preview -- --stack gcp-3k --json", () => {
    it("lists the GKE cluster, three seed node pools, the Cloud SQL instance, both Helm releases and the observability bundle", async () => {
        const out = previewJson(await render("gcp-3k"));
        const types = out.resources.map((r) => r.type);
        expect(out.stack).toBe("gcp-3k");
        expect(types.filter((t) => t === "gcp:container/cluster:Cluster")).toHaveLength(1);
        expect(types.filter((t) => t === "gcp:container/nodePool:NodePool")).toHaveLength(4);
        expect(types.filter((t) => t === "gcp:sql/databaseInstance:DatabaseInstance")).toHaveLength(1);
        expect(out.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => (r.inputs as Record<string, unknown>).chart))
            .toEqual(["cert-manager", "coder", "coder-provisioner", "coder-observability"]);
        for (const r of out.resources) expect(Object.keys(r).sort()).toEqual(["custom", "ignoreChanges", "inputDependencies", "inputs", "name", "parent", "protect", "provider", "type", "urn"]);
        expect(out.resources.filter((r) => r.protect).map((r) => r.type)).toContain("gcp:sql/databaseInstance:DatabaseInstance");
    });

    it("has a sizing table that agrees with seed 001", async () => {
        const { sizing } = previewJson(await render("gcp-3k"));
        expect(sizing.replicas.coderd.replicas).toBe(4);
        expect(sizing.replicas.provisioners.replicas).toBe(240);
        const pool = (n: string) => sizing.pools.find((p) => p.pool === n)!;
        expect(pool("coderd")).toMatchObject({ vcpu: 8, memoryGiB: 32, podsPerNode: 1 });
        expect(pool("provisioners")).toMatchObject({ machineType: "t2d-standard-8", podsPerNode: 30 });
        // seed 001's node counts as deployed: totals over the zones, not rounded up to a multiple of them
        expect(pool("coderd").nodes).toEqual({ min: 4, max: 4 });
        expect(pool("provisioners").nodes.max).toBe(8);
        expect(pool("workspaces")).toMatchObject({ machineType: "t2d-standard-8", podsPerNode: 12, instanceTypes: ["t2d-standard-8"] });
        expect(pool("workspaces").nodes.max).toBe(256);
        expect(pool("workspaces").initialNodes).toBe(3);
        expect(sizing.database).toMatchObject({ machineType: "db-custom-8-30720", storageGb: 1500, highAvailability: true });
        expect(sizing.limits).toMatchObject({ users: 3000, apiRps: 550 });
    });

    it("names the same-shape instance types an AWS group may launch, and what the first up starts", async () => {
        const r = await render("aws-3k");
        const ws = previewJson(r).sizing.pools.find((p) => p.pool === "workspaces")!;
        expect(ws.instanceTypes.length).toBeGreaterThan(1);
        const text = sizingTable(r.plan);
        expect(text).toMatch(/^pool +machine +vCPU\/GiB +nodes +start /m);
        expect(text).toContain(`  workspaces: also launches ${ws.instanceTypes.slice(1).join(", ")} (same vCPUs, memory and architecture)`);
    });

    it("protects what the SDK protects: a resource without its own protect takes its parent's", async () => {
        const r = await render("azure-3k");
        const lb = r.resources.find((x) => x.type === "coder-refarch:azure:LoadBalancerIp")!;
        const ip = r.resources.find((x) => x.parent === lb.name && x.type === "azure-native:network:PublicIPAddress")!;
        expect(lb.protect).toBe(true);
        expect(ip.protect).toBe(true);
        // and the provider a resource inherits from its parents: the Kubernetes layer's cluster provider
        const ns = r.resources.filter((x) => x.type === "kubernetes:core/v1:Namespace");
        expect(new Set(ns.map((x) => x.provider))).toEqual(new Set([r.resources.find((x) => x.type === "pulumi:providers:kubernetes")!.name]));
    });

    it("replaces every secret with [secret]", async () => {
        const r = await render("gcp-3k");
        const out = JSON.stringify(previewJson(r));
        expect(out).toContain('"[secret]"');
        // the mocked results of the generated password and PSK
        expect(out).not.toContain("mock-coder-gcp-db-password");
        expect(out).not.toContain("mock-coder-k8s-provisioner-psk");
        expect(out).not.toContain("4dabf18193072939515e22adb298388d");
    });

    it("draws the tree parent by parent", async () => {
        const tree = resourceTree((await render("gcp-3k")).resources);
        expect(tree.split("\n")[0]).toBe("* coder-refarch:index:Deployment  coder");
        expect(tree).toMatch(/\n {4}\* coder-refarch:gcp:Platform {2}coder-gcp\n/);
        expect(tree).toMatch(/\n {12}\+ gcp:sql\/databaseInstance:DatabaseInstance {2}coder-gcp-db-pg {2}\[protected\]/);
    });
});

describe("the preview command", () => {
    it("prints the tree and the sizing table for the default stack, fast", async () => {
        // Fast is measured as the CPU time the command spends (bash's `times`: its children's
        // user + system), not as wall time: the other test files share the cores, and under
        // them the same run takes twice as long on the clock while its CPU time barely moves.
        // Alone it is about 4 s of CPU; a path that type-checks the program costs over 13 s.
        // this Node (as cli() runs it), and `times` in the C locale (a decimal point, not a comma)
        const { stdout, stderr } = await run("bash", ["-c", '"$NODE" --import tsx preview/cli.ts; s=$?; times >&2; exit $s'], {
            cwd: root, env: { ...process.env, NODE: process.execPath, LC_ALL: "C" },
        });
        const [user, sys] = [...stderr.trim().split("\n").at(-1)!.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
        expect(user! + sys!).toBeGreaterThan(0.5);
        expect(user! + sys!).toBeLessThan(8);
        expect(stdout).toMatch(/^Stack dev: \d+ resources/);
        expect(stdout).toContain("Tier 1k (Up to 1,000 users) on gcp");
        expect(stdout).toMatch(/coderd +n4-standard-4/);
    });

    it("exits 1 with the validation message on a bad stack config", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "coder-refarch-"));
        fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), [
            "config:",
            "  gcp:project: p",
            "  coder-refarch:tier: 4k",
            "  coder-refarch:region: us-east1",
            "  coder-refarch:zones: [us-east1-b]",
            "  coder-refarch:accessUrl: http://coder.example.com",
        ].join("\n"));
        const err = await cli("--stack", "bad", "--dir", dir).then(() => undefined, (e: { code: number; stderr: string }) => e);
        expect(err?.code).toBe(1);
        expect(err?.stderr).toContain("invalid stack configuration (3 problems)");
        expect(err?.stderr).toMatch(/coder-refarch:tier: .*\n.*coder-refarch:zones: at least 2 zones.*\n.*coder-refarch:accessUrl: must use https/);
    });

    it("exits 1 for a stack without a file", async () => {
        const err = await cli("--stack", "nope").then(() => undefined, (e: { code: number; stderr: string }) => e);
        expect(err?.code).toBe(1);
        expect(err?.stderr).toContain(`no stack file Pulumi.nope.yaml (stacks: ${listStacks().join(", ")})`);
    });
});
