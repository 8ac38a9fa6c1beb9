/**
 * Checks of Coder's own settings in a stack's config (coderEnv, coderSecretEnv, helmValues)
 * against what the program sets and what the charts accept. Pure functions that register no
 * resource: the program runs them with the other config checks, before anything exists.
 */
import { ACME_TLS_SECRET, usesAcme } from "./cert-manager";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT, Settings } from "../../config";
import { Plan, RegionPlan } from "../../sizing";
import { editDistance } from "../../tiers";
import {
    CODER_CHART, EnvSource, PROVISIONER_CHART, ReleaseValuesArgs, ServerKind, ValueConflict, Values, isMap, mergeUnder, releaseValues,
    proxyEnvOf, serverEnvOwners, tlsSecretNamesOf,
} from "./values";

const k = (key: string) => `${PROJECT}:${key}`;

/**
 * A path below a config key as `pulumi config set --path` writes it: names joined by dots,
 * a name with other characters (an annotation such as example.com/team) in ["..."].
 */
export const pathText = (parts: string[]): string =>
    parts.map((p, i) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(p) ? `${i ? "." : ""}${p}` : `[${JSON.stringify(p)}]`)).join("");

// ---- coderEnv and coderSecretEnv ----

/** Where each source of a program-set env var is changed, for the messages. */
const ENV_SOURCES: Record<EnvSource, { from: string; instead: string }> = {
    accessUrl: { from: k("accessUrl"), instead: "change that key instead" },
    wildcardAccessUrl: { from: k("wildcardAccessUrl"), instead: "change that key instead" },
    database: { from: "the database it creates (Secret coder-db-url)", instead: "it cannot be set here" },
    maxOpenConnections: {
        from: "the database plan",
        instead: `it cannot be set here: the database's max_connections (${k("sizing.database.maxConnections")}) is sized from it`,
    },
    provisioners: {
        from: "the architecture (external provisioners do every build, none run in coderd)",
        instead: `size them with ${k("sizing.provisioners.replicas")} instead`,
    },
    metrics: {
        from: `the architecture (Prometheus metrics for the namespaces in ${k("metricsNamespaces")})`,
        instead: "it cannot be set here",
    },
    provisionerPsk: { from: "the provisioners' pre-shared key (Secret coder-provisioner-psk)", instead: "it cannot be set here" },
    readOnlyRoot: { from: "the read-only root filesystem (the cache lives in the writable /tmp volume)", instead: "it cannot be set here" },
    tls: { from: `${k("tlsSecretNames")} or ${k("tlsCertificate")}`, instead: "change those keys instead" },
    chartNetworking: {
        from: "its ports and the replicas' mesh, which the Service and the network policies expect",
        instead: "it cannot be set here",
    },
    agentStats: {
        from: `${k("tier")} (agent stats aggregated by agent name from 2k users up, as Coder's scale-coder.md advises)`,
        instead: "it cannot be set here",
    },
    primaryAccessUrl: {
        from: `${k("accessUrl")} (the workspace proxies of ${k("proxyRegions")} register with coderd there)`,
        instead: "change that key instead",
    },
    proxyToken: {
        from: "the workspace proxy's registration with coderd (Secret coder-workspace-proxy-session-token)",
        instead: "it cannot be set here",
    },
};

/**
 * Names that say their value is a secret. A last word that names a location or a duration
 * (CODER_EXTERNAL_AUTH_0_TOKEN_URL, CODER_MAX_TOKEN_LIFETIME) says it is not.
 */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PRIVATE|_KEY$/;
const NOT_SECRET_LAST_WORD = /_(URL|FILE|PATH|DIR|LIFETIME|DURATION)$/;

export function looksSecret(name: string): boolean {
    const upper = name.toUpperCase();
    return SECRET_NAME.test(upper) && !NOT_SECRET_LAST_WORD.test(upper);
}

/**
 * One problem at most for each name of coderEnv and coderSecretEnv. Names the program or the
 * chart sets on coderd or on a workspace proxy are refused whether or not the stack has proxy
 * regions: the same names, and a proxy's own are meaningless to coderd.
 */
function envProblems(s: Settings): string[] {
    const owners = new Map(serverEnvOwners().map((o) => [o.name, o]));
    const secret = s.coderSecretEnv ?? {};
    const problems: string[] = [];
    for (const [map, names] of [["coderEnv", Object.keys(s.coderEnv)], ["coderSecretEnv", Object.keys(secret)]] as const) {
        for (const name of names) {
            const key = k(`${map}.${name}`);
            const owner = owners.get(name);
            if (owner) {
                const { from, instead } = ENV_SOURCES[owner.source];
                problems.push(`${key}: set by the ${owner.setBy === "program" ? "program" : "coder chart"} from ${from}; ${instead}`);
            } else if (map === "coderEnv" && Object.hasOwn(secret, name)) {
                problems.push(`${key}: also set in ${k(`coderSecretEnv.${name}`)}; keep one of the two ` +
                    `(pulumi config rm --path '${key}' keeps the secret)`);
            } else if (map === "coderEnv" && looksSecret(name)) {
                problems.push(`${key}: the name says it is a secret, and coderEnv is stored in clear in the stack file; ` +
                    `move it to coderSecretEnv: pulumi config rm --path '${key}', then ` +
                    `pulumi config set --secret --path '${k(`coderSecretEnv.${name}`)}' VALUE`);
            }
        }
    }
    return problems;
}

// ---- helmValues ----

/** The two charts by their key under coder-refarch:helmValues, and their values files (charts/README.txt). */
const CHARTS = {
    coder: { name: CODER_CHART, file: "coder-values.yaml" },
    provisioner: { name: PROVISIONER_CHART, file: "provisioner-values.yaml" },
} as const;
export type ChartKey = keyof typeof CHARTS;

const chartFiles = new Map<ChartKey, string>();

function chartFile(chart: ChartKey): string {
    let text = chartFiles.get(chart);
    if (text === undefined) {
        // Read at run time, beside this module, under the Pulumi CLI as under the tests.
        text = fs.readFileSync(path.join(__dirname, "charts", CHARTS[chart].file), "utf8");
        chartFiles.set(chart, text);
    }
    return text;
}

/** A chart's values file, as Coder publishes it: the keys a stack may set. */
export function chartValues(chart: ChartKey): Values {
    return parse(chartFile(chart)) as Values;
}

/**
 * Keys the chart documents without a default (`# coder.readinessProbe.periodSeconds -- ...`,
 * commented out in the values file, read by the templates when set): known keys too.
 */
export function documentedKeys(chart: ChartKey): Set<string> {
    const keys = new Set<string>();
    for (const m of chartFile(chart).matchAll(/^\s*# ([A-Za-z][\w.]*) -- /gm)) keys.add(m[1]!);
    return keys;
}

/**
 * Values the charts hand to the pod spec whole (toYaml) although their default is an
 * example: any field of the Kubernetes object is accepted below them. Below a default of
 * {}, [] or null anything is accepted anyway.
 */
const PASS_THROUGH = new Set(["coder.affinity", "coder.securityContext"]);

/** The keys of `theirs` the chart does not have, each with the closest key the chart has beside it. */
export function unknownKeys(
    theirs: unknown, chart: unknown, at: string[] = [], documented: ReadonlySet<string> = new Set(),
): { path: string[]; closest: string }[] {
    if (!isMap(theirs) || !isMap(chart) || Object.keys(chart).length === 0 || PASS_THROUGH.has(at.join("."))) return [];
    return Object.entries(theirs).flatMap(([key, v]) => Object.hasOwn(chart, key)
        ? unknownKeys(v, chart[key], [...at, key], documented)
        : documented.has([...at, key].join("."))
            ? []
            : [{ path: [...at, key], closest: closestKey(key, [...Object.keys(chart), ...childrenOf(documented, at)]) }]);
}

/** The documented keys directly below `at`. */
function childrenOf(documented: ReadonlySet<string>, at: string[]): string[] {
    const prefix = at.length ? `${at.join(".")}.` : "";
    return [...documented].filter((d) => d.startsWith(prefix) && !d.slice(prefix.length).includes(".")).map((d) => d.slice(prefix.length));
}

function closestKey(key: string, candidates: string[]): string {
    const distance = (c: string) => editDistance(key.toLowerCase(), c.toLowerCase());
    return candidates.reduce((best, c) => (distance(c) < distance(best) ? c : best));
}

/** The program's digest annotations (known at deploy time: a warning then); other annotations merge beside them. */
const DIGESTS = { what: "a digest of the Secrets the pods read, which rolls them when one changes", instead: "give the annotation another name" };

type Hint = { what: string; instead: string };

/** The read-only root filesystem and its writable /tmp (values.ts WRITABLE_TMP). */
const READ_ONLY_ROOT: Record<string, Hint> = {
    "coder.securityContext.readOnlyRootFilesystem": {
        what: "a read-only root filesystem; the cache and temporary files go to a writable /tmp volume",
        instead: "it cannot be set here",
    },
    "coder.volumes": { what: "the writable /tmp volume", instead: "add volumes of your own under other names" },
    "coder.volumeMounts": { what: "the writable /tmp volume's mount", instead: "add mounts of your own under other names and paths" },
};

/** What the program sets at the well-known paths, and the key that changes it. Longest prefix wins. */
const HINTS: Record<ChartKey, Record<string, Hint>> = {
    coder: {
        "coder.workspaceProxy": {
            what: "whether the release runs coderd or a workspace proxy: coderd in the stack's region, a proxy in each proxy region",
            instead: `add a region to ${k("proxyRegions")}`,
        },
        "coder.replicaCount": { what: "coderd replicas from the tier", instead: `use ${k("sizing.coderd.replicas")}` },
        "coder.resources": { what: "coderd requests and limits from the tier", instead: `use ${k("sizing.coderd.requests")} and ${k("sizing.coderd.limits")}` },
        "coder.env": { what: "coderd's environment", instead: `use ${k("coderEnv")}, or ${k("coderSecretEnv")} for secrets` },
        "coder.tls": { what: "the TLS Secrets coderd serves", instead: `use ${k("tlsSecretNames")}, or ${k("tlsCertificate")} and ${k("tlsPrivateKey")}` },
        "coder.nodeSelector": placement("coderd pods"),
        "coder.tolerations": placement("coderd pods"),
        "coder.affinity": placement("coderd pods"),
        "coder.topologySpreadConstraints": placement("coderd pods"),
        "coder.service.annotations": {
            what: "the load balancer's annotations",
            instead: `use ${k("internalLoadBalancer")} or ${k("loadBalancerSourceRanges")}`,
        },
        "provisionerDaemon.pskSecretName": { what: "the provisioners' pre-shared key Secret", instead: "it cannot be set here" },
        "coder.podAnnotations": DIGESTS,
        ...READ_ONLY_ROOT,
    },
    provisioner: {
        "coder.replicaCount": { what: "provisioner replicas from the tier", instead: `use ${k("sizing.provisioners.replicas")}` },
        "coder.resources": {
            what: "provisioner requests and limits from the tier",
            instead: `use ${k("sizing.provisioners.requests")} and ${k("sizing.provisioners.limits")}`,
        },
        "coder.env": {
            what: "the provisioners' environment: coderd's in-cluster URL (the primary's access URL in a proxy region), metrics and the cache directory",
            instead: "it cannot be set here",
        },
        "coder.nodeSelector": placement("provisioner pods"),
        "coder.tolerations": placement("provisioner pods"),
        "coder.affinity": placement("provisioner pods"),
        "provisionerDaemon.pskSecretName": { what: "the provisioners' credential Secret", instead: "it cannot be set here" },
        ...READ_ONLY_ROOT,
        "provisionerDaemon.keySecretName": { what: "the provisioners' credential Secret", instead: "it cannot be set here" },
        "provisionerDaemon.keySecretKey": { what: "the provisioners' credential Secret", instead: "it cannot be set here" },
        "coder.podAnnotations": DIGESTS,
    },
};

/** Where the coder release runs a workspace proxy, the hints that differ from coderd's. */
const PROXY_HINTS: Record<string, Hint> = {
    "coder.replicaCount": {
        what: "workspace proxy replicas from the tier (0 until the proxy is registered)", instead: `use ${k("sizing.proxy.replicas")}`,
    },
    "coder.resources": { what: "workspace proxy requests and limits from the tier", instead: `use ${k("sizing.proxy.requests")} and ${k("sizing.proxy.limits")}` },
    "coder.env": {
        what: "the workspace proxy's environment: its region's access URLs, the primary's, its session token and metrics",
        instead: "it cannot be set here",
    },
    "coder.tls": { what: "the TLS Secrets the proxies serve", instead: `use ${k("tlsSecretNames")}, or ${k("tlsCertificate")} and ${k("tlsPrivateKey")}` },
    "coder.nodeSelector": placement("workspace proxy pods"),
    "coder.tolerations": placement("workspace proxy pods"),
    "coder.affinity": placement("workspace proxy pods"),
    "coder.topologySpreadConstraints": placement("workspace proxy pods"),
    "provisionerDaemon.pskSecretName": { what: "none: a workspace proxy accepts no provisioners", instead: "it cannot be set here" },
};

function placement(pods: string) {
    return { what: `the placement of ${pods} on their node pool`, instead: `placement is fixed by the pools; size them with ${k("sizing.pools")}` };
}

/** The config error (or, at deploy time, the warning) for one conflict, with the coder release running `server`. */
export function conflictMessage(chart: ChartKey, c: ValueConflict, server: ServerKind = "coderd"): string {
    const key = k(`helmValues.${chart}.${pathText(c.path)}`);
    const hints = chart === "coder" && server === "proxy" ? { ...HINTS.coder, ...PROXY_HINTS } : HINTS[chart];
    for (let n = c.path.length; n > 0; n--) {
        const hint = hints[c.path.slice(0, n).join(".")];
        if (hint) return `${key}: the program sets it (${hint.what}); ${hint.instead}`;
    }
    const shown = JSON.stringify(c.ours);
    return `${key}: the program sets it${shown && shown.length <= 60 ? ` (to ${shown})` : ""}; remove it from ${k("helmValues")}`;
}

/** The program's values of both releases for a stack, as coder.ts builds them from the same settings. */
/**
 * What the stack's config decides of the deployment beyond the plan: one place, read by
 * program.ts to deploy and by the config check to compare helmValues with.
 */
export function deploymentChoices(s: Settings) {
    // External provisioners are a licensed feature: with the license uploaded by the program or by hand.
    const licensed = s.license !== undefined || s.licenseInstalled;
    const adminCredential = !!(s.adminEmail || s.adminToken);
    return {
        licensed,
        /** a scoped key needs a licensed coderd and an admin to create it through the API; else the PSK */
        provisionerAuth: (licensed && adminCredential ? "key" : "psk") as "key" | "psk",
        /**
         * Workspace proxies are registered through the API (a licensed feature, an admin's
         * request): with both, each proxy region's proxy gets its session token; else none runs.
         */
        proxiesRegistered: licensed && adminCredential,
        /** the TLS Secrets named in config, and the one cert-manager issues */
        tlsSecretNames: usesAcme(s) ? [...s.tlsSecretNames, ACME_TLS_SECRET] : s.tlsSecretNames,
    };
}

/** What both releases share in every region of a stack. */
function sharedArgs(s: Settings) {
    const choices = deploymentChoices(s);
    return {
        tlsSecretNames: tlsSecretNamesOf(!!(s.tlsCertificate && s.tlsPrivateKey), choices.tlsSecretNames),
        // The cloud layer's annotations are known once the cluster is; coder.ts warns of a clash with them.
        loadBalancerAnnotations: {},
        coderNamespace: s.namespaces.coder,
        // The pods' digest annotations are known once the Secrets are: coder.ts warns of a clash with them.
        provisionerAuth: choices.provisionerAuth,
    } satisfies Partial<ReleaseValuesArgs>;
}

export function programValues(s: Settings, plan: Plan): Record<ChartKey, Values> {
    const choices = deploymentChoices(s);
    return releaseValues({
        ...sharedArgs(s),
        server: {
            kind: "coderd",
            maxOpenConnections: plan.database.connectionsPerCoderd,
            // as program.ts passes it: Coder's scale-coder.md advice, from 2k users up
            aggregateAgentStats: plan.tier.name !== "1k",
        },
        coderd: { ...plan.coderd, placement: plan.pools.coderd.placement, perNode: plan.pools.coderd.workload?.perNode },
        provisioners: { ...plan.provisioners, replicas: choices.licensed ? plan.provisioners.replicas : 0, placement: plan.pools.provisioners.placement },
        accessUrl: s.accessUrl,
        wildcardAccessUrl: s.wildcardAccessUrl,
        env: s.coderEnv,
        secretEnvNames: Object.keys(s.coderSecretEnv ?? {}),
    });
}

/**
 * The program's values of both releases in one proxy region: the coder release runs the
 * region's workspace proxies (the plan's proxy figures, on the region's coderd pool, at its
 * pool's density), the provisioners dial the primary. The stack's helmValues apply here as
 * in the primary region. Of its coderEnv the proxies get the settings they read themselves
 * (PROXY_FORWARDED_ENV, as program.ts passes them); the rest (OIDC, external auth) and all of
 * coderSecretEnv are coderd's alone, secrets kept out of the regions' clusters.
 */
export function proxyRegionValues(s: Settings, plan: Plan, region: RegionPlan): Record<ChartKey, Values> {
    const choices = deploymentChoices(s);
    return releaseValues({
        ...sharedArgs(s),
        server: { kind: "proxy", primaryAccessUrl: s.accessUrl, hasToken: choices.proxiesRegistered },
        coderd: { ...plan.proxy, placement: region.pools.coderd.placement, perNode: region.pools.coderd.workload?.perNode },
        // the region's scoped key is created with the proxies (an admin and a license): no provisioner runs before it
        provisioners: { ...plan.provisioners, replicas: choices.proxiesRegistered ? plan.provisioners.replicas : 0, placement: region.pools.provisioners.placement },
        accessUrl: region.accessUrl,
        wildcardAccessUrl: region.wildcardAccessUrl,
        env: proxyEnvOf(s.coderEnv),
    });
}

/**
 * A stack's helmValues against the program's: the primary's releases, then each proxy
 * region's. `helmValues.coder` applies to coderd and to the proxies alike (one stack, one
 * set of Coder settings), so a value either sets differently is refused; a clash seen only
 * beside the proxies names the region.
 */
function helmValuesProblems(s: Settings, plan: Plan | undefined): string[] {
    const targets: { values: Record<ChartKey, Values>; server: ServerKind; where: string }[] = plan
        ? [
            { values: programValues(s, plan), server: "coderd", where: "" },
            ...(plan.proxies ?? []).map((r) => ({ values: proxyRegionValues(s, plan, r), server: "proxy" as const, where: ` (in proxy region ${r.name})` })),
        ]
        : [];
    return (Object.keys(CHARTS) as ChartKey[]).flatMap((chart) => {
        const theirs = s.helmValues[chart];
        if (!theirs) return [];
        const unknown = unknownKeys(theirs, chartValues(chart), [], documentedKeys(chart)).map(({ path: p, closest }) =>
            `${k(`helmValues.${chart}.${pathText(p)}`)}: the ${CHARTS[chart].name} chart has no value ${pathText(p)}; ` +
            `the closest is ${pathText([...p.slice(0, -1), closest])} (components/k8s/charts/${CHARTS[chart].file})`);
        // One message a path: the first region that clashes there says it.
        const conflicts = new Map<string, string>();
        for (const t of targets) {
            for (const c of mergeUnder(t.values[chart], theirs).conflicts) {
                const at = c.path.join("\u0000");
                if (!conflicts.has(at)) conflicts.set(at, conflictMessage(chart, c, t.server) + t.where);
            }
        }
        return [...unknown, ...conflicts.values()];
    });
}

/**
 * Every problem of coderEnv, coderSecretEnv and helmValues: names the program or the
 * chart sets, secrets in clear, a name in both maps, Helm values the charts do not have
 * or that differ from the program's. Each message names the key and what to do instead.
 * `plan` is the stack's plan where the caller has it; without one that builds, the Helm
 * values are checked against the charts only.
 */
export function coderSettingsProblems(s: Settings, plan: Plan | undefined): string[] {
    return [...envProblems(s), ...helmValuesProblems(s, plan)];
}
