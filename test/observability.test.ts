/**
 * Coder's observability bundle (the coder-observability chart): on in every region of the
 * 2k, 3k and 10k stacks, off on 1k unless asked, its values checked against the chart's own
 * values file, Grafana's password kept secret, the bundle on the system pool (which grows
 * to hold it), and storage and retention as decided per tier. The expected figures are
 * written here from the decision table (README: Decisions), not imported from tiers/.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Rendered, isSecretValue, redact, renderConfig, reveal } from "../preview/render";
import { bundleFits } from "../tiers/observability";
import { REGIONS, STACKS, ofType, rawConfig, render, renderRegion } from "./helpers";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CHART = "coder-observability";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";

const releasesOf = (r: Rendered) => ofType(r, RELEASE).filter((x) => x.inputs.chart === CHART);
const valuesOf = (r: Rendered): Obj => reveal(releasesOf(r)[0]!.inputs.values) as Obj;
const tierOf = (stack: string) => /-(1k|2k|3k|10k)$/.exec(stack)?.[1] ?? "1k";

/** The chart's values file, byte for byte from coder/observability (components/k8s/charts/README.txt). */
const CHART_VALUES: Obj = parse(fs.readFileSync(path.join(__dirname, "../components/k8s/charts/coder-observability-values.yaml"), "utf8"));

/**
 * The subcharts' own values files (excerpts, each with a header naming repo, path, commit and
 * version: test/fixtures/observability/, components/k8s/charts/README.txt).
 */
const SUBCHART_DIR = path.join(__dirname, "fixtures/observability");
const SUBCHARTS = ["grafana", "prometheus", "alertmanager", "kube-state-metrics", "loki", "minio", "grafana-agent"] as const;
type Subchart = (typeof SUBCHARTS)[number];
const subchartFile = (c: Subchart) => path.join(SUBCHART_DIR, `${c}.values.yaml`);
const SUBCHART_VALUES = Object.fromEntries(SUBCHARTS.map((c) => [c, parse(fs.readFileSync(subchartFile(c), "utf8")) ?? {}])) as Record<Subchart, Obj>;

/**
 * Keys of the subcharts that the umbrella chart's values file does not set, each with the
 * subchart that gets it and where that subchart's values file has it (the umbrella passes
 * `<subchart>.*` through; prometheus passes `alertmanager.*` and `kube-state-metrics.*` on to
 * its own subcharts, loki `minio.*`). Below `at` the value is the program's own (labels,
 * resources, Loki's config, tolerations), unless `leaves` says every leaf the program sets
 * below it must be in the subchart's file too.
 */
const SUBCHART_KEYS: Record<string, { chart: Subchart; at: string; leaves?: true }> = {
    "grafana.resources": { chart: "grafana", at: "resources" },
    "grafana.nodeSelector": { chart: "grafana", at: "nodeSelector" },
    "prometheus.server.retention": { chart: "prometheus", at: "server.retention" },
    "prometheus.server.resources": { chart: "prometheus", at: "server.resources" },
    "prometheus.server.nodeSelector": { chart: "prometheus", at: "server.nodeSelector" },
    "prometheus.alertmanager.nodeSelector": { chart: "alertmanager", at: "nodeSelector" },
    "prometheus.kube-state-metrics.nodeSelector": { chart: "kube-state-metrics", at: "nodeSelector" },
    "loki.loki.limits_config": { chart: "loki", at: "loki.limits_config" },
    "loki.loki.compactor": { chart: "loki", at: "loki.compactor" },
    "loki.minio.persistence": { chart: "loki", at: "minio.persistence", leaves: true },
    "loki.minio.nodeSelector": { chart: "minio", at: "nodeSelector" },
    "loki.write.resources": { chart: "loki", at: "write.resources" },
    "loki.write.nodeSelector": { chart: "loki", at: "write.nodeSelector" },
    "loki.read.resources": { chart: "loki", at: "read.resources" },
    "loki.read.nodeSelector": { chart: "loki", at: "read.nodeSelector" },
    "loki.backend.resources": { chart: "loki", at: "backend.resources" },
    "loki.backend.nodeSelector": { chart: "loki", at: "backend.nodeSelector" },
    "loki.gateway.nodeSelector": { chart: "loki", at: "gateway.nodeSelector" },
    "loki.chunksCache.nodeSelector": { chart: "loki", at: "chunksCache.nodeSelector" },
    "loki.resultsCache.nodeSelector": { chart: "loki", at: "resultsCache.nodeSelector" },
    "grafana-agent.controller.tolerations": { chart: "grafana-agent", at: "controller.tolerations" },
};

/** Where a path leaves a values file: undefined if the whole path is in it. */
function missingIn(values: Obj, p: string[]): string | undefined {
    let node: unknown = values;
    for (let i = 0; i < p.length; i++) {
        if (!node || typeof node !== "object" || Array.isArray(node) || !Object.hasOwn(node as Obj, p[i]!)) return p.slice(0, i + 1).join(".");
        node = (node as Obj)[p[i]!];
    }
    return undefined;
}

/**
 * Where a path the program sets is not documented by the subchart it goes to: undefined if
 * it is, or if it is under no SUBCHART_KEYS entry (then it is not a subchart key at all).
 */
function subchartMissing(p: string[]): string | undefined {
    const full = p.join(".");
    const key = Object.keys(SUBCHART_KEYS).find((k) => full === k || full.startsWith(`${k}.`));
    if (!key) return `${full} (no subchart key)`;
    const { chart, at, leaves } = SUBCHART_KEYS[key]!;
    const below = p.slice(key.split(".").length);
    const miss = missingIn(SUBCHART_VALUES[chart], [...at.split("."), ...(leaves ? below : [])]);
    return miss === undefined ? undefined : `${full}: ${chart} has no ${miss}`;
}

/** Every path of `v` down to its leaves (scalars and lists). */
function leafPaths(v: unknown, at: string[] = []): string[][] {
    if (v && typeof v === "object" && !Array.isArray(v)) {
        const entries = Object.entries(v as Obj);
        return entries.length ? entries.flatMap(([k, x]) => leafPaths(x, [...at, k])) : [at];
    }
    return [at];
}

/** Where a path leaves the chart's file: undefined if the whole path is in it. */
const missingAt = (p: string[]): string | undefined => missingIn(CHART_VALUES, p);

/** Storage and retention per tier (README: Decisions, "Observability: storage and retention"). */
const EXPECTED: Record<string, { promRetention: string; promSize: string; promVolume: string; lokiRetention: string; lokiStorage: string }> = {
    "1k": { promRetention: "15d", promSize: "20GB", promVolume: "24Gi", lokiRetention: "7d", lokiStorage: "20Gi" },
    "2k": { promRetention: "15d", promSize: "60GB", promVolume: "72Gi", lokiRetention: "7d", lokiStorage: "50Gi" },
    "3k": { promRetention: "15d", promSize: "100GB", promVolume: "120Gi", lokiRetention: "7d", lokiStorage: "75Gi" },
    "10k": { promRetention: "15d", promSize: "100GB", promVolume: "120Gi", lokiRetention: "7d", lokiStorage: "75Gi" },
};

const SYSTEM = { "coder-refarch/pool": "system" };

describe("which stacks are observable", () => {
    it.each(REGIONS)("%s: the bundle in every region from 2k up, none on 1k by default", async (id) => {
        const r = await renderRegion(id);
        const on = tierOf(id.split("/")[0]!) !== "1k";
        const releases = releasesOf(r);
        expect(releases).toHaveLength(on ? 1 : 0);
        if (!on) return;
        expect(releases[0]!.inputs).toMatchObject({
            chart: CHART, version: "0.7.5", namespace: "coder-observability",
            repositoryOpts: { repo: "https://helm.coder.com/observability" },
        });
    });

    it("observability: on puts it on a 1k stack; off takes it off a 2k stack", async () => {
        const on = await renderConfig("gcp-1k", rawConfig("gcp-1k", { observability: "on" }));
        expect(releasesOf(on)).toHaveLength(1);
        expect(on.plan.pools.system.machine.vcpu).toBe(4);
        const off = await renderConfig("gcp-2k", rawConfig("gcp-2k", { observability: "off" }));
        expect(releasesOf(off)).toHaveLength(0);
        expect(off.plan.pools.system.machine.vcpu).toBe(2);
        // no scrape annotations without the bundle
        const coder = reveal(ofType(off, RELEASE).find((x) => x.inputs.chart === "coder")!.inputs.values) as Obj;
        expect(coder.coder.podAnnotations["prometheus.io/scrape"]).toBeUndefined();
    });

    it("a value other than auto, on or off is a config error", async () => {
        await expect(renderConfig("gcp-2k", rawConfig("gcp-2k", { observability: "yes" }))).rejects.toThrow(/observability/);
    });
});

describe("the chart's values", () => {
    const observable = STACKS.filter((s) => tierOf(s) !== "1k");

    it.each(observable)("%s: every key the program sets is in the chart's values file, or in its subchart's", async (stack) => {
        const values = valuesOf(await render(stack));
        const unknown: string[] = [];
        for (const p of leafPaths(values)) {
            if (missingAt(p) === undefined) continue;
            const miss = subchartMissing(p);
            if (miss !== undefined) unknown.push(miss);
        }
        expect(unknown).toEqual([]);
    });

    it.each(Object.entries(SUBCHART_KEYS))("%s: not in the umbrella chart's values file, and in the subchart's", (key, { chart, at }) => {
        // still a subchart key: the umbrella file does not set it (else it belongs off this list)
        expect(missingAt(key.split("."))).toBeDefined();
        expect(missingIn(SUBCHART_VALUES[chart], at.split("."))).toBeUndefined();
    });

    it.each(SUBCHARTS)("the %s fixture names its source: repo, path, commit, version", (chart) => {
        const head = fs.readFileSync(subchartFile(chart), "utf8").split("\n").filter((l) => l.startsWith("#")).slice(0, 12).join("\n");
        for (const field of ["repo", "path", "commit", "version"]) expect(head).toMatch(new RegExp(`^#\\s+${field}\\s*:`, "m"));
        expect(head).toMatch(/commit\s*:\s*[0-9a-f]{40}/);
    });

    it("the subchart check finds a key the subchart does not have", () => {
        expect(subchartMissing(["grafana", "nodeSelector", "coder-refarch/pool"])).toBeUndefined();
        expect(subchartMissing(["loki", "minio", "persistence", "size"])).toBeUndefined();
        expect(subchartMissing(["loki", "minio", "persistence", "sizeGiB"])).toBe("loki.minio.persistence.sizeGiB: loki has no minio.persistence.sizeGiB");
        expect(subchartMissing(["prometheus", "server", "retentionTime"])).toBe("prometheus.server.retentionTime (no subchart key)");
        expect(missingIn(SUBCHART_VALUES.prometheus, ["alertmanager", "nodeSelector"])).toBe("alertmanager.nodeSelector");
        expect(missingIn(SUBCHART_VALUES.alertmanager, ["nodeSelector"])).toBeUndefined();
    });

    it("the check finds a key the chart does not have", () => {
        expect(missingAt(["grafana", "adminPassword"])).toBe("grafana.adminPassword");
        expect(missingAt(["grafana", "admin", "existingSecret"])).toBeUndefined();
        expect(missingAt(["loki", "write", "replicas"])).toBeUndefined();
    });

    it.each(observable)("%s: storage and retention as the tier's decision says", async (stack) => {
        const v = valuesOf(await render(stack));
        const e = EXPECTED[tierOf(stack)]!;
        expect(v.prometheus.server.retention).toBe(e.promRetention);
        expect(v.prometheus.server.retentionSize).toBe(e.promSize);
        expect(v.prometheus.server.persistentVolume).toEqual({ size: e.promVolume });
        expect(v.loki.loki.limits_config).toEqual({ retention_period: e.lokiRetention });
        expect(v.loki.loki.compactor).toMatchObject({ retention_enabled: true });
        expect(v.loki.minio.persistence).toEqual({ size: e.lokiStorage });
    });

    it("1k with observability on: the 1k figures", async () => {
        const v = valuesOf(await renderConfig("aws-1k", rawConfig("aws-1k", { observability: "on" })));
        expect(v.prometheus.server.retentionSize).toBe(EXPECTED["1k"]!.promSize);
        expect(v.loki.minio.persistence).toEqual({ size: EXPECTED["1k"]!.lokiStorage });
    });

    it.each(observable)("%s: Coder's namespaces are the ones the chart watches", async (stack) => {
        const v = valuesOf(await render(stack));
        expect(v.global.coder).toEqual({
            controlPlaneNamespace: "coder", externalProvisionersNamespace: "coder-provisioners", workspacesSelector: "namespace=`coder-workspaces`",
        });
    });
});

describe("Grafana's admin", () => {
    it.each(["gcp-2k", "aws-3k", "azure-10k"])("%s: a generated password in a Secret, never in clear, no anonymous admin", async (stack) => {
        const r = await render(stack);
        const secrets = ofType(r, SECRET).filter((x) => (x.inputs.metadata as Obj)?.name === "grafana-admin");
        expect(secrets.length).toBe(1 + r.settings.proxyRegions.length);
        for (const s of secrets) {
            expect((s.inputs.metadata as Obj).namespace).toBe("coder-observability");
            const data = s.inputs.stringData as Obj;
            expect(isSecretValue(data) || isSecretValue(data["admin-password"])).toBe(true);
            const password = (reveal(data) as Obj)["admin-password"] as string;
            expect(password.length).toBeGreaterThan(0);
            // Nowhere in clear: not in any resource's inputs once secrets are redacted.
            expect(JSON.stringify(r.resources.map((x) => redact(x.inputs)))).not.toContain(password);
        }
        const v = valuesOf(r);
        expect(v.grafana.admin).toEqual({ existingSecret: "grafana-admin" });
        expect(v.grafana.env).toEqual({ GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION: false });
        expect(v.grafana["grafana.ini"]["auth.anonymous"].enabled).toBe(false);
        expect(JSON.stringify(v.grafana)).not.toMatch(/adminPassword/);
        // the release waits for the Secret
        const rel = releasesOf(r).find((x) => !x.name.includes("-europe-") && !x.name.includes("-asia-"))!;
        expect(rel.dependsOn.some((d) => d.includes("grafana-admin"))).toBe(true);
    });
});

describe("placement", () => {
    it.each(STACKS.filter((s) => tierOf(s) !== "1k"))("%s: on the system pool; the collector on every node", async (stack) => {
        const r = await render(stack);
        expect(r.plan.pools.system.placement.nodeSelector).toEqual(SYSTEM);
        const v = valuesOf(r);
        for (const c of [v.grafana, v.prometheus.server, v.prometheus.alertmanager, v.prometheus["kube-state-metrics"],
            v.loki.write, v.loki.read, v.loki.backend, v.loki.gateway, v.loki.minio, v.loki.chunksCache, v.loki.resultsCache]) {
            expect(c.nodeSelector).toEqual(SYSTEM);
            expect(c.tolerations).toBeUndefined();
        }
        expect(v["grafana-agent"].controller.tolerations).toEqual([{ operator: "Exists" }]);
    });

    it.each(STACKS.filter((s) => tierOf(s) !== "1k"))("%s: the system pool grows to 4 vCPU / 16 GiB a zone, and the bundle fits there with a node gone, not on 2 vCPU / 8 GiB", async (stack) => {
        const r = await render(stack);
        const sys = r.plan.pools.system;
        expect(sys.machine.vcpu).toBe(4);
        expect(sys.machine.memoryGiB).toBe(16);
        const tier = r.plan.tier.name;
        // with one system node gone (README: Decisions)
        expect(bundleFits(tier, sys.allocatable, sys.zones.length)).toBe(true);
        const small = (await renderConfig(stack, rawConfig(stack, { observability: "off" }))).plan.pools.system;
        expect(small.machine.vcpu).toBe(2);
        expect(bundleFits(tier, small.allocatable, small.zones.length)).toBe(false);
    });
});

describe("what the bundle scrapes", () => {
    it.each(REGIONS.filter((id) => tierOf(id.split("/")[0]!) !== "1k"))("%s: coderd (or the proxy) and the provisioners are annotated for the collector, and the collector may reach 2112", async (id) => {
        const r = await renderRegion(id);
        for (const chart of ["coder", "coder-provisioner"]) {
            const values = reveal(ofType(r, RELEASE).find((x) => x.inputs.chart === chart)!.inputs.values) as Obj;
            expect(values.coder.podAnnotations).toMatchObject({ "prometheus.io/scrape": "true", "prometheus.io/port": "2112" });
        }
        const policies = ofType(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter((x) => ["coder-refarch-coderd", "coder-refarch-provisioners"].includes((x.inputs.metadata as Obj)?.name));
        expect(policies).toHaveLength(2);
        for (const p of policies) {
            const from = JSON.stringify((p.inputs.spec as Obj).ingress.filter((i: Obj) => i.ports?.some((x: Obj) => x.port === 2112)));
            expect(from).toContain("coder-observability");
        }
    });

    it.each(["gcp-2k", "aws-3k", "azure-2k"])("%s: the primary scrapes its database with coderd's credential, kept in a Secret", async (stack) => {
        const r = await render(stack);
        const v = valuesOf(r);
        expect(v.global.postgres).toMatchObject({ sslmode: "require", mountSecret: "coder-observability-postgres", exporter: { enabled: true } });
        expect(typeof v.global.postgres.hostname).toBe("string");
        expect(v.global.postgres.password).toBeUndefined();
        expect(v.sqlExporter).toEqual({ enabled: true });
        const pg = ofType(r, SECRET).find((x) => (x.inputs.metadata as Obj)?.name === "coder-observability-postgres")!;
        expect((pg.inputs.metadata as Obj).namespace).toBe("coder-observability");
        const data = pg.inputs.stringData as Obj;
        expect(isSecretValue(data) || isSecretValue(data.PGPASSWORD)).toBe(true);
    });

    it("a proxy region has no database: no exporter, no database alerts", async () => {
        const r = await renderRegion("gcp-10k/europe");
        const v = valuesOf(r);
        expect(v.global.postgres.exporter).toEqual({ enabled: false });
        expect(v.global.postgres.alerts.groups.Basic.enabled).toBe(false);
        expect(v.sqlExporter).toEqual({ enabled: false });
        expect(ofType(r, SECRET).some((x) => (x.inputs.metadata as Obj)?.name === "coder-observability-postgres")).toBe(false);
    });
});
