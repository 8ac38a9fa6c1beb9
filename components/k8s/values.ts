/**
 * Helm values of Coder's charts, as pure functions: the only place that knows the
 * charts' value keys (tests check every key against the charts' values files), and how
 * a stack's own values (coder-refarch:helmValues) merge under them.
 */
import * as pulumi from "@pulumi/pulumi";
import { k8sResources } from "../../sizing";
import { PlacedWorkload } from "./types";

/** Chart and release names; selectors below follow the charts' own labels. */
export const CODER_CHART = "coder";
export const PROVISIONER_CHART = "coder-provisioner";
export const CODER_RELEASE = "coder";
export const PROVISIONER_RELEASE = "coder-provisioner";
export const PSK_SECRET = "coder-provisioner-psk";
/** The Opaque Secret of a provisioner key (`coder provisioner keys create`), in the provisioners' namespace. */
export const PROVISIONER_KEY_SECRET = "coder-provisioner-key";
/** Its data key: the chart's default `provisionerDaemon.keySecretKey`. */
export const PROVISIONER_KEY_SECRET_KEY = "key";
export const DB_URL_SECRET = "coder-db-url";
/**
 * The Secret of a workspace proxy's session token and its data key: the names of the coder
 * chart's own proxy fixture (helm/coder/tests/testdata/workspace_proxy.yaml@1767a708).
 */
export const PROXY_TOKEN_SECRET = "coder-workspace-proxy-session-token";
export const PROXY_TOKEN_SECRET_KEY = "token";
export const PROVISIONER_SERVICE_ACCOUNT = "coder-provisioner";
export const TLS_SECRET = "coder-tls";
/** Container ports of Coder's charts: http always, https with TLS, prometheus-http with CODER_PROMETHEUS_ENABLE. */
export const CODER_PORTS = { http: 8080, https: 8443, metrics: 2112 } as const;
/**
 * The name both charts give the metrics port (helm/coder/templates/_coder.tpl and
 * helm/provisioner/templates/_coder.tpl: `- name: "prometheus-http" containerPort: 2112`).
 */
export const METRICS_PORT_NAME = "prometheus-http";

/** How the provisioners authenticate to coderd: the pre-shared key, or a provisioner key in PROVISIONER_KEY_SECRET. */
export type ProvisionerAuthKind = "psk" | "key";

/**
 * Pod annotations that hold a digest of what the pods read from Secrets at start: a
 * changed Secret changes the pod template, and the Deployment rolls. Values come from
 * the caller: components/k8s/coder.ts computes keyed digests at deploy time.
 */
export const DIGEST_ANNOTATIONS = {
    tls: "coder-refarch/tls-digest",
    databaseUrl: "coder-refarch/database-url-digest",
    provisionerPsk: "coder-refarch/provisioner-psk-digest",
    provisionerKey: "coder-refarch/provisioner-key-digest",
    secretEnv: "coder-refarch/secret-env-digest",
    license: "coder-refarch/license-digest",
    proxyToken: "coder-refarch/proxy-token-digest",
} as const;
export type DigestName = keyof typeof DIGEST_ANNOTATIONS;

/** The annotations of the digests given, in a fixed order; absent ones are left out. */
export function digestAnnotations<T>(digests: Partial<Record<DigestName, T>>): Record<string, T> {
    return Object.fromEntries((Object.keys(DIGEST_ANNOTATIONS) as DigestName[])
        .flatMap((d) => (digests[d] === undefined ? [] : [[DIGEST_ANNOTATIONS[d], digests[d]!] as const])));
}

/** The labels the charts put on their pods (libcoder `coder.selectorLabels`). */
export const coderSelector = { "app.kubernetes.io/name": CODER_CHART, "app.kubernetes.io/instance": CODER_RELEASE };
export const provisionerSelector = { "app.kubernetes.io/name": PROVISIONER_CHART, "app.kubernetes.io/instance": PROVISIONER_RELEASE };

/** An env entry of a pod spec: a value, or a key of a Secret. */
export type EnvVar = { name: string; value: string } | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

/** Helm values of one chart. */
export type Values = Record<string, unknown>;

/** The Opaque Secret that holds coderd's secret env (coder-refarch:coderSecretEnv), one key a variable. */
export const CODER_ENV_SECRET = "coder-env";

/**
 * What the coder chart's pods run: coderd, or a workspace proxy (`coder wsproxy server`,
 * the chart's `coder.workspaceProxy`) that registers with the primary's coderd.
 */
export type ServerMode =
    | {
        kind: "coderd";
        /** CODER_PG_CONN_MAX_OPEN: the database's max_connections is sized from it */
        maxOpenConnections: number;
        /** agent stats aggregated by agent name alone (CODER_PROMETHEUS_AGGREGATE_AGENT_STATS_BY), from 2k users up */
        aggregateAgentStats: boolean;
    }
    | {
        kind: "proxy";
        /** the primary's access URL: the proxies register there, the region's provisioners dial it */
        primaryAccessUrl: string;
        /** the proxy has its session token (in PROXY_TOKEN_SECRET); without one it runs 0 replicas */
        hasToken: boolean;
    };
export type ServerKind = ServerMode["kind"];

export interface CoderValuesArgs {
    /** what the pods run */
    server: ServerMode;
    /** the coder chart's pods (coderd's, or the proxies'): size and placement */
    coderd: PlacedWorkload;
    /** the server's own access URL (a proxy's: its region's) */
    accessUrl: string;
    wildcardAccessUrl: string;
    loadBalancerAnnotations: Record<string, string>;
    /** a reserved address for the load balancer (coder.service.loadBalancerIP), where the cloud reserves one */
    loadBalancerIP?: pulumi.Input<string>;
    /** TLS Secrets the server serves HTTPS with (port 443 on the Service) */
    tlsSecretNames: string[];
    /** further env values of the server (name → value) */
    env?: Record<string, string>;
    /** names of the server's env taken from the Secret CODER_ENV_SECRET, each under its own key */
    secretEnvNames?: string[];
    /** the server's pod annotations (digests of the Secrets it reads; see DIGEST_ANNOTATIONS) */
    podAnnotations?: Record<string, unknown>;
}

/**
 * What makes the program set an env var of coderd. Config errors name the setting behind
 * each (components/k8s/settings.ts), so a user who tries to set one learns where it comes from.
 */
export type EnvSource =
    | "accessUrl" | "wildcardAccessUrl" | "database" | "maxOpenConnections" | "provisioners" | "metrics"
    | "provisionerPsk" | "tls" | "chartNetworking" | "agentStats" | "primaryAccessUrl" | "proxyToken" | "readOnlyRoot";

interface ProgramEnv {
    name: string;
    source: EnvSource;
    /** the entry's value for these args; undefined when the program leaves it unset */
    set(a: CoderValuesArgs): Omit<EnvVar, "name"> | undefined;
}

/** The server's mode, for the entries of one mode's list. */
function modeOf<K extends ServerKind>(a: CoderValuesArgs, kind: K): Extract<ServerMode, { kind: K }> {
    if (a.server.kind !== kind) throw new Error(`${kind} env asked of a ${a.server.kind}`);
    return a.server as Extract<ServerMode, { kind: K }>;
}

const ACCESS_URL: ProgramEnv = { name: "CODER_ACCESS_URL", source: "accessUrl", set: (a) => ({ value: a.accessUrl }) };
const WILDCARD_ACCESS_URL: ProgramEnv = {
    name: "CODER_WILDCARD_ACCESS_URL", source: "wildcardAccessUrl", set: (a) => (a.wildcardAccessUrl ? { value: a.wildcardAccessUrl } : undefined),
};
/**
 * Read-only root filesystems: Coder's containers write only their cache (Terraform and its
 * providers, the site's files) and temporary files, so both go to an emptyDir at /tmp, the
 * layout Coder's own scale-test deployment uses (coder/coder#8271: "mount CODER_CACHE volume
 * under /tmp"; #7200: a writable /tmp beside readOnlyRootFileSystem). The charts already run
 * as a non-root user without privilege escalation and with the RuntimeDefault seccomp profile.
 */
export const WRITABLE_TMP = {
    securityContext: { readOnlyRootFilesystem: true },
    volumes: [{ name: "tmp", emptyDir: {} }],
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
} as const;
export const CACHE_DIRECTORY = "/tmp/coder-cache";
const CACHE_DIR: ProgramEnv = { name: "CODER_CACHE_DIRECTORY", source: "readOnlyRoot", set: () => ({ value: CACHE_DIRECTORY }) };

// The chart opens the prometheus-http port only for the literal value "true".
const PROMETHEUS: ProgramEnv = { name: "CODER_PROMETHEUS_ENABLE", source: "metrics", set: () => ({ value: "true" }) };

/** coderd's env as the program sets it: the one list coderValues builds coderd's `coder.env` from. */
const CODERD_ENV: readonly ProgramEnv[] = [
    ACCESS_URL,
    WILDCARD_ACCESS_URL,
    { name: "CODER_PG_CONNECTION_URL", source: "database", set: () => ({ valueFrom: { secretKeyRef: { name: DB_URL_SECRET, key: "url" } } }) },
    { name: "CODER_PG_CONN_MAX_OPEN", source: "maxOpenConnections", set: (a) => ({ value: String(modeOf(a, "coderd").maxOpenConnections) }) },
    // External provisioners do every build; none run inside coderd.
    { name: "CODER_PROVISIONER_DAEMONS", source: "provisioners", set: () => ({ value: "0" }) },
    PROMETHEUS,
    { name: "CODER_PROMETHEUS_COLLECT_AGENT_STATS", source: "metrics", set: () => ({ value: "true" }) },
    { name: "CODER_PROMETHEUS_COLLECT_DB_METRICS", source: "metrics", set: () => ({ value: "true" }) },
    // One series per agent name instead of per workspace, user and template: "For a high
    // scale deployment, configure agent stats to avoid large cardinality"
    // (coder/coder docs/tutorials/best-practices/scale-coder.md). Unset: Coder's default labels.
    {
        name: "CODER_PROMETHEUS_AGGREGATE_AGENT_STATS_BY", source: "agentStats",
        set: (a) => (modeOf(a, "coderd").aggregateAgentStats ? { value: "agent_name" } : undefined),
    },
    CACHE_DIR,
];

/**
 * A workspace proxy's env as the program sets it. `coder wsproxy server` takes only the
 * server options marked for proxies (enterprise/cli/proxyserver.go@913f9442:
 * `cfg.Options().Filter(codersdk.IsWorkspaceProxies)`, plus its own CODER_PROXY_SESSION_TOKEN
 * and CODER_PRIMARY_ACCESS_URL, both required): the access URLs, addresses, TLS, DERP, Prometheus
 * enable and address (codersdk/deployment.go@b2c02e46). coderd's database, built-in
 * provisioners, PSK and agent-stats and database metrics are not among them, and a proxy
 * builds nothing, so none of those is set.
 */
const PROXY_ENV: readonly ProgramEnv[] = [
    // the proxy's own URL, which users and the dashboard reach it at
    ACCESS_URL,
    WILDCARD_ACCESS_URL,
    { name: "CODER_PRIMARY_ACCESS_URL", source: "primaryAccessUrl", set: (a) => ({ value: modeOf(a, "proxy").primaryAccessUrl }) },
    {
        name: "CODER_PROXY_SESSION_TOKEN", source: "proxyToken",
        set: () => ({ valueFrom: { secretKeyRef: { name: PROXY_TOKEN_SECRET, key: PROXY_TOKEN_SECRET_KEY } } }),
    },
    PROMETHEUS,
];

/**
 * The stack's coderEnv names a workspace proxy also reads: the server options Coder marks for
 * proxies (`Mark(annotationExternalProxies, "true")` in coder/coder codersdk/deployment.go,
 * its serpent-based version; @b2c02e46 marks the same options but CODER_BLOCK_DIRECT), less
 * those the program or the chart sets on a proxy (access URLs,
 * addresses, CODER_TLS_*, CODER_DERP_SERVER_RELAY_URL, Prometheus) and the secret
 * CODER_TRACE_HONEYCOMB_API_KEY. Only these plain values reach the proxies; coderSecretEnv
 * stays with coderd.
 */
export const PROXY_FORWARDED_ENV: readonly string[] = [
    "CODER_DOCS_URL",
    "CODER_DERP_SERVER_ENABLE",
    "CODER_BLOCK_DIRECT",
    "CODER_PPROF_ENABLE",
    "CODER_PPROF_ADDRESS",
    "CODER_TRACE_ENABLE",
    "CODER_TRACE_LOGS",
    "CODER_TRACE_DATADOG",
    "CODER_DANGEROUS_DISABLE_RATE_LIMITS",
    "CODER_API_RATE_LIMIT",
    "CODER_VERBOSE",
    "CODER_LOGGING_HUMAN",
    "CODER_LOGGING_JSON",
    "CODER_LOGGING_STACKDRIVER",
    "CODER_DANGEROUS_ALLOW_CORS_REQUESTS",
    "CODER_EXPERIMENTS",
    "CODER_PROXY_TRUSTED_HEADERS",
    "CODER_PROXY_TRUSTED_ORIGINS",
    "CODER_SECURE_AUTH_COOKIE",
    "CODER_STRICT_TRANSPORT_SECURITY",
    "CODER_STRICT_TRANSPORT_SECURITY_OPTIONS",
    "CODER_DISABLE_PATH_APPS",
    "CODER_DISABLE_OWNER_WORKSPACE_ACCESS",
];

/** The entries of a stack's coderEnv a workspace proxy takes (PROXY_FORWARDED_ENV). */
export function proxyEnvOf(env: Record<string, string> | undefined): Record<string, string> {
    const names = new Set(PROXY_FORWARDED_ENV);
    return Object.fromEntries(Object.entries(env ?? {}).filter(([name]) => names.has(name)));
}

/**
 * Env the coder chart adds before `coder.env` (helm/coder/templates/_coder.tpl) from the
 * values above: a second entry of the same name would silently replace it.
 */
const CHART_ENV: readonly { name: string; source: EnvSource }[] = [
    // the ports the Service and the network policies expect
    { name: "CODER_HTTP_ADDRESS", source: "chartNetworking" },
    { name: "CODER_PROMETHEUS_ADDRESS", source: "chartNetworking" },
    // the replicas' mesh over pod IPs
    { name: "KUBE_POD_IP", source: "chartNetworking" },
    { name: "CODER_DERP_SERVER_RELAY_URL", source: "chartNetworking" },
    { name: "CODER_CLUSTER_HOST", source: "chartNetworking" },
    // from provisionerDaemon.pskSecretName
    { name: "CODER_PROVISIONER_DAEMON_PSK", source: "provisionerPsk" },
    // from coder.tls.secretNames
    { name: "CODER_TLS_ENABLE", source: "tls" },
    { name: "CODER_TLS_ADDRESS", source: "tls" },
    { name: "CODER_TLS_CERT_FILE", source: "tls" },
    { name: "CODER_TLS_KEY_FILE", source: "tls" },
];

export type EnvOwner = { name: string; setBy: "program" | "chart"; source: EnvSource };

const ownersOf = (own: readonly ProgramEnv[]): EnvOwner[] => [
    ...own.map((e) => ({ name: e.name, setBy: "program" as const, source: e.source })),
    ...CHART_ENV.map((e) => ({ ...e, setBy: "chart" as const })),
];

/** Every coderd env var the program or the chart sets, whatever the args: none may come from the user. */
export function coderdEnvOwners(): EnvOwner[] {
    return ownersOf(CODERD_ENV);
}

/** Every workspace proxy env var the program or the chart sets, whatever the args. */
export function proxyEnvOwners(): EnvOwner[] {
    return ownersOf(PROXY_ENV);
}

/** The env vars the program or the chart sets on coderd or on a proxy, each name once (coderd's entry first). */
export function serverEnvOwners(): EnvOwner[] {
    const owners = new Map<string, EnvOwner>();
    for (const o of [...coderdEnvOwners(), ...proxyEnvOwners()]) if (!owners.has(o.name)) owners.set(o.name, o);
    return [...owners.values()];
}

/** The server's env: the program's own, then the user's values, then the user's secrets by reference. */
function serverEnv(a: CoderValuesArgs): EnvVar[] {
    const own = (a.server.kind === "coderd" ? CODERD_ENV : PROXY_ENV).flatMap((e) => {
        const v = e.set(a);
        return v ? [{ name: e.name, ...v } as EnvVar] : [];
    });
    const env = a.env ?? {};
    // Sorted, so that the order of keys in the stack file changes nothing.
    return [
        ...own,
        ...Object.keys(env).sort().map((name) => ({ name, value: env[name]! })),
        ...[...(a.secretEnvNames ?? [])].sort().map((name) => ({ name, valueFrom: { secretKeyRef: { name: CODER_ENV_SECRET, key: name } } })),
    ];
}

/** The TLS Secrets coderd serves: the one stored from a certificate in config, then those named. */
export function tlsSecretNamesOf(hasCertificate: boolean, named: string[]): string[] {
    return [...(hasCertificate ? [TLS_SECRET] : []), ...named];
}

/** coderd's in-cluster URL, which the provisioners dial. */
export const coderServiceUrl = (coderNamespace: string): string => `http://${CODER_RELEASE}.${coderNamespace}.svc.cluster.local`;

/**
 * Pods cluster-autoscaler never evicts to remove a node ("What types of pods can prevent CA
 * from removing a node?": a pod annotated safe-to-evict "false"; kubernetes/autoscaler
 * cluster-autoscaler/FAQ.md). coderd: Coder's control plane pool "must be static, to prevent
 * scale down events from dropping pods" (validated-architectures); an autoscaled coderd pool
 * may then only lose an empty node (the rollout's surge node). Provisioners: an evicted one
 * fails the build it runs. Workspaces: templates add it (the workspacePlacement output).
 */
export const NOT_EVICTABLE = { "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" } as const;

/** `coder.podAnnotations`: never evicted by scale-down, plus the pods' own. */
const podAnnotationsOf = (annotations: Record<string, unknown> | undefined) => ({ podAnnotations: { ...NOT_EVICTABLE, ...annotations } });

/**
 * Node anti-affinity of the coder chart's pods (coderd's or the proxies'). One a node by
 * default, required: losing a node costs one replica. Where the pool packs several on a node
 * (perNode above 1, e.g. three 4 vCPU / 12 GiB pods on a 16 vCPU node), preferred: the
 * scheduler still spreads them across nodes, and their requests cap how many share one.
 */
export function serverAffinity(w: Pick<PlacedWorkload, "perNode">) {
    const term = { labelSelector: { matchLabels: coderSelector }, topologyKey: "kubernetes.io/hostname" };
    return (w.perNode ?? 1) <= 1
        ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } }
        : { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
}

export function coderValues(a: CoderValuesArgs) {
    const proxy = a.server.kind === "proxy";
    return {
        coder: {
            // Set in both modes, so a stack's helmValues cannot turn coderd into a proxy or back.
            workspaceProxy: proxy,
            // A proxy without its session token would fail at start: none runs until it has one.
            replicaCount: a.server.kind === "proxy" && !a.server.hasToken ? 0 : a.coderd.replicas,
            ...podAnnotationsOf(a.podAnnotations),
            env: serverEnv(a),
            ...structuredClone(WRITABLE_TMP),
            resources: k8sResources(a.coderd),
            nodeSelector: a.coderd.placement.nodeSelector,
            tolerations: a.coderd.placement.tolerations,
            affinity: serverAffinity(a.coderd),
            topologySpreadConstraints: [
                { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: coderSelector } },
            ],
            service: {
                type: "LoadBalancer",
                // Keep client source addresses (audit logs, rate limits).
                externalTrafficPolicy: "Local",
                sessionAffinity: "None",
                annotations: a.loadBalancerAnnotations,
                // the chart's own advice: "manually create a static IP address ... and specify it here in production"
                ...(a.loadBalancerIP !== undefined ? { loadBalancerIP: a.loadBalancerIP } : {}),
            },
            tls: { secretNames: a.tlsSecretNames },
            // coderd builds nothing itself, nor does a proxy, so neither needs rights over workspaces.
            serviceAccount: { workspacePerms: false, enableDeployments: false },
        },
        // coderd accepts PSK provisioners only while it has a PSK (helm/coder/templates/_coder.tpl
        // sets CODER_PROVISIONER_DAEMON_PSK from this Secret); provisioner keys need none. A
        // proxy accepts no provisioners: no PSK (the chart's default, set so it stays so).
        provisionerDaemon: { pskSecretName: proxy ? "" : PSK_SECRET },
    };
}

export interface ProvisionerValuesArgs {
    /** replicas may be 0: no provisioner runs (e.g. until coderd is licensed) */
    provisioners: PlacedWorkload;
    /** the URL of coderd the provisioners dial: its in-cluster Service, or the primary's access URL from a proxy region */
    coderUrl: string;
    auth: ProvisionerAuthKind;
    /** the provisioners' pod annotations (digests and restart tokens; see DIGEST_ANNOTATIONS) */
    podAnnotations?: Record<string, unknown>;
}

/**
 * The chart's credential values (helm/provisioner/templates/_coder.tpl): with a key Secret
 * and key, CODER_PROVISIONER_DAEMON_KEY comes from it, and a pskSecretName other than the
 * chart's default "coder-provisioner-psk" beside it fails the render; otherwise
 * CODER_PROVISIONER_DAEMON_PSK comes from pskSecretName. Both are always set, so a stack's
 * helmValues cannot add the other credential unnoticed (a conflict, refused by the config checks).
 */
function provisionerCredentials(auth: ProvisionerAuthKind) {
    return auth === "key"
        // "" rather than the default name: no PSK reaches the provisioners at all.
        ? { pskSecretName: "", keySecretName: PROVISIONER_KEY_SECRET, keySecretKey: PROVISIONER_KEY_SECRET_KEY }
        : { pskSecretName: PSK_SECRET, keySecretName: "" };
}

export function provisionerValues(a: ProvisionerValuesArgs) {
    return {
        coder: {
            replicaCount: a.provisioners.replicas,
            ...podAnnotationsOf(a.podAnnotations),
            env: [
                { name: "CODER_URL", value: a.coderUrl },
                { name: "CODER_PROMETHEUS_ENABLE", value: "true" },
                { name: "CODER_CACHE_DIRECTORY", value: CACHE_DIRECTORY },
            ],
            ...structuredClone(WRITABLE_TMP),
            resources: k8sResources(a.provisioners),
            nodeSelector: a.provisioners.placement.nodeSelector,
            // The chart's default is a map; a list is what the pod spec takes.
            tolerations: a.provisioners.placement.tolerations,
            affinity: {
                podAntiAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [{
                        weight: 100,
                        podAffinityTerm: { labelSelector: { matchLabels: provisionerSelector }, topologyKey: "topology.kubernetes.io/zone" },
                    }],
                },
            },
            // Rights over workspaces are granted in the workspaces namespace only (see WorkspaceNamespace).
            serviceAccount: { workspacePerms: false, enableDeployments: false, name: PROVISIONER_SERVICE_ACCOUNT },
        },
        provisionerDaemon: {
            ...provisionerCredentials(a.auth),
            // A build in flight may finish before the pod goes.
            terminationGracePeriodSeconds: 600,
        },
    };
}

/** Everything the values of both releases depend on. */
export interface ReleaseValuesArgs extends CoderValuesArgs {
    provisioners: PlacedWorkload;
    /** the namespace of coderd's Service, which the provisioners dial (with coderd in the cluster) */
    coderNamespace: string;
    provisionerAuth: ProvisionerAuthKind;
    provisionerPodAnnotations?: Record<string, unknown>;
}

/**
 * Provisioners beside a proxy authenticate with a provisioner key only: the PSK is each
 * cluster's own, and a proxy region's would never be coderd's. With the PSK they run none.
 */
export const provisionersRun = (server: ServerKind, auth: ProvisionerAuthKind): boolean => server === "coderd" || auth === "key";

/** The program's values of both releases; config checks and the releases use this one function. */
export function releaseValues(a: ReleaseValuesArgs): { coder: Values; provisioner: Values } {
    return {
        coder: coderValues(a),
        provisioner: provisionerValues({
            provisioners: provisionersRun(a.server.kind, a.provisionerAuth) ? a.provisioners : { ...a.provisioners, replicas: 0 },
            // Beside a proxy, through the primary's access URL: the proxy serves workspace
            // traffic, not coderd's provisioner API.
            coderUrl: a.server.kind === "proxy" ? a.server.primaryAccessUrl : coderServiceUrl(a.coderNamespace),
            auth: a.provisionerAuth,
            podAnnotations: a.provisionerPodAnnotations,
        }),
    };
}

/** A place where a stack's Helm values and the program's differ: its path in the chart's values, and the program's value. */
export interface ValueConflict {
    path: string[];
    ours: unknown;
}

/**
 * Maps the program sets as a whole, where other maps merge key by key: a node selector is
 * one condition, and a label added to it would take the pods off their pool.
 */
const SET_WHOLE = new Set(["coder.nodeSelector"]);

/**
 * Lists of named entries the program adds to and a stack may extend: a stack's entries come
 * after the program's; one with a name of the program's is a conflict unless equal.
 */
const NAMED_LISTS = new Set(["coder.volumes", "coder.volumeMounts"]);

export const isMap = (v: unknown): v is Values => typeof v === "object" && v !== null && !Array.isArray(v);

/** Structural equality of plain (JSON) values. */
export function sameValue(a: unknown, b: unknown): boolean {
    if (Array.isArray(a) || Array.isArray(b)) {
        return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
    }
    if (isMap(a) && isMap(b)) {
        const keys = Object.keys(a);
        return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
    }
    return a === b;
}

/**
 * A stack's values merged under the program's: maps merge key by key; lists, scalars and
 * null are leaves, and where both set a leaf the program's stands. Every leaf where the two
 * differ, or where a map meets something else, is a conflict; equal values are none.
 */
export function mergeUnder(ours: Values, theirs: Values = {}, at: string[] = []): { values: Values; conflicts: ValueConflict[] } {
    const merged = new Map(Object.entries(ours));
    const conflicts: ValueConflict[] = [];
    for (const [key, their] of Object.entries(theirs)) {
        const path = [...at, key];
        const our = merged.get(key);
        if (our === undefined) {
            merged.set(key, their);
        } else if (NAMED_LISTS.has(path.join(".")) && Array.isArray(our) && Array.isArray(their)) {
            const named = (x: unknown) => (isMap(x) ? x.name : undefined);
            const clashing = their.filter((t) => our.some((o) => named(o) === named(t) && !sameValue(o, t)));
            if (clashing.length) conflicts.push({ path, ours: our });
            merged.set(key, [...our, ...their.filter((t) => !our.some((o) => named(o) === named(t)))]);
        } else if (isMap(our) && isMap(their) && !SET_WHOLE.has(path.join("."))) {
            const sub = mergeUnder(our, their, path);
            merged.set(key, sub.values);
            conflicts.push(...sub.conflicts);
        } else if (!sameValue(our, their)) {
            conflicts.push({ path, ours: our });
        }
    }
    // fromEntries defines own properties: a key such as "__proto__" stays a plain key.
    return { values: Object.fromEntries(merged), conflicts };
}
