/**
 * Coder's own settings reach coderd: coderEnv and coderSecretEnv as coderd's env (secrets
 * through a Secret), helmValues merged under the program's values; every clash with what
 * the program sets is a config error that registers nothing and names the key to use.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../config";
import { Rendered, isSecretValue, redact, renderConfig, reveal } from "../preview/render";
import { chartValues, documentedKeys, looksSecret, pathText, proxyRegionValues, unknownKeys } from "../components/k8s/settings";
import { coderdEnvOwners, mergeUnder, proxyEnvOwners } from "../components/k8s/values";
import { ofType, rawConfig, release } from "./helpers";

type Obj = Record<string, any>;

const SECRET_KEYS = ["coder-refarch:coderSecretEnv"];

const render = (changes: Record<string, unknown>, stack = "gcp-3k") => renderConfig(stack, rawConfig(stack, changes), SECRET_KEYS);

/** Renders a config expected to fail; returns its problems and what got registered. */
async function failing(changes: Record<string, unknown>, stack = "gcp-3k") {
    const registered: string[] = [];
    try {
        await renderConfig(stack, rawConfig(stack, changes), SECRET_KEYS, registered);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return { problems: e.problems, message: e.message, registered };
    }
    throw new Error("the config was accepted");
}

const valuesOf = (r: Rendered, chart: string) => reveal(release(r, chart).inputs.values) as Obj;
const envOf = (r: Rendered) => Object.fromEntries((valuesOf(r, "coder").coder.env as Obj[]).map((e) => [e.name, e.value ?? e.valueFrom]));

describe("coderEnv and coderSecretEnv reach coderd", () => {
    const oidc = {
        CODER_OIDC_ISSUER_URL: "https://accounts.google.com",
        CODER_OIDC_EMAIL_DOMAIN: "example.com",
        CODER_OIDC_CLIENT_ID: "1234-abcd.apps.googleusercontent.com",
        HTTP_PROXY: "http://proxy.internal:3128",
    };
    const secrets = { CODER_OIDC_CLIENT_SECRET: "GOCSPX-not-in-clear-1", CODER_EXTERNAL_AUTH_0_CLIENT_SECRET: "ghs-not-in-clear-2" };

    it("plain values are entries of coder.env, after the program's own", async () => {
        const r = await render({ coderEnv: oidc });
        const env = envOf(r);
        for (const [name, value] of Object.entries(oidc)) expect(env[name], name).toBe(value);
        expect(env.CODER_ACCESS_URL).toBe(r.settings.accessUrl);
        const names = (valuesOf(r, "coder").coder.env as Obj[]).map((e) => e.name);
        expect(names.indexOf("HTTP_PROXY")).toBeGreaterThan(names.indexOf("CODER_PROMETHEUS_ENABLE"));
        // nothing secret, so the release's values stay readable in a preview
        expect(isSecretValue(release(r, "coder").inputs.values)).toBe(false);
        // no Secret for an empty coderSecretEnv
        expect(ofType(r, "kubernetes:core/v1:Secret").map((s) => (s.inputs.metadata as Obj).name)).not.toContain("coder-env");
    });

    it("secret values become the Opaque Secret coder-env, read through secretKeyRef, before the release", async () => {
        const r = await render({ coderEnv: oidc, coderSecretEnv: secrets });
        const secret = ofType(r, "kubernetes:core/v1:Secret").find((s) => (s.inputs.metadata as Obj).name === "coder-env")!;
        expect(secret.inputs.type).toBe("Opaque");
        expect((secret.inputs.metadata as Obj).namespace).toBe(r.settings.namespaces.coder);
        expect(isSecretValue(secret.inputs.stringData)).toBe(true);
        expect(reveal(secret.inputs.stringData)).toEqual(secrets);
        const { Secret } = await import("kubernetes-models/v1/Secret");
        expect(() => new Secret(reveal(secret.inputs) as never).validate()).not.toThrow();

        const env = envOf(r);
        for (const name of Object.keys(secrets)) expect(env[name], name).toEqual({ secretKeyRef: { name: "coder-env", key: name } });
        expect(release(r, "coder").dependsOn).toContain(secret.name);
    });

    it("secret values appear nowhere in clear", async () => {
        const r = await render({ coderEnv: oidc, coderSecretEnv: secrets });
        for (const s of ofType(r, "kubernetes:core/v1:Secret")) {
            const data = s.inputs.stringData;
            const values = isSecretValue(data) ? [data] : Object.values(data as Obj);
            for (const v of values) expect(isSecretValue(v), s.name).toBe(true);
        }
        const clear = JSON.stringify(r.resources.map((x) => redact(x.inputs)));
        for (const v of Object.values(secrets)) expect(clear).not.toContain(v);
        // and the plain values are there, in clear, for review
        expect(clear).toContain(oidc.CODER_OIDC_ISSUER_URL);
    });

    it.each([
        ["CODER_EXTERNAL_AUTH_0_TOKEN_URL", "a URL"],
        ["CODER_MAX_TOKEN_LIFETIME", "a duration"],
        ["CODER_TLS_CLIENT_KEY_FILE", "a path"],
        ["TZ", "not CODER_*"],
    ])("%s (%s) is accepted in coderEnv", async (name) => {
        const r = await render({ coderEnv: { [name]: "x" } });
        expect(envOf(r)[name]).toBe("x");
    });
});

describe("bad coderEnv and coderSecretEnv fail with one message and register nothing", () => {
    const exact: [string, Record<string, unknown>, string][] = [
        ["CODER_ACCESS_URL in coderEnv", { coderEnv: { CODER_ACCESS_URL: "https://other.example.com" } },
            "coder-refarch:coderEnv.CODER_ACCESS_URL: set by the program from coder-refarch:accessUrl; change that key instead"],
        ["CODER_WILDCARD_ACCESS_URL in coderEnv", { coderEnv: { CODER_WILDCARD_ACCESS_URL: "*.other.example.com" } },
            "coder-refarch:coderEnv.CODER_WILDCARD_ACCESS_URL: set by the program from coder-refarch:wildcardAccessUrl; change that key instead"],
        ["CODER_PG_CONNECTION_URL in coderSecretEnv", { coderSecretEnv: { CODER_PG_CONNECTION_URL: "postgres://x" } },
            "coder-refarch:coderSecretEnv.CODER_PG_CONNECTION_URL: set by the program from the database it creates (Secret coder-db-url); it cannot be set here"],
        ["CODER_PROVISIONER_DAEMONS in coderEnv", { coderEnv: { CODER_PROVISIONER_DAEMONS: "3" } },
            "coder-refarch:coderEnv.CODER_PROVISIONER_DAEMONS: set by the program from the architecture (external provisioners do every build, none run in coderd); " +
            "size them with coder-refarch:sizing.provisioners.replicas instead"],
        ["CODER_TLS_CERT_FILE in coderEnv", { coderEnv: { CODER_TLS_CERT_FILE: "/x.crt" } },
            "coder-refarch:coderEnv.CODER_TLS_CERT_FILE: set by the coder chart from coder-refarch:tlsSecretNames or coder-refarch:tlsCertificate; change those keys instead"],
        ["CODER_OIDC_CLIENT_SECRET in coderEnv", { coderEnv: { CODER_OIDC_CLIENT_SECRET: "GOCSPX-in-clear" } },
            "coder-refarch:coderEnv.CODER_OIDC_CLIENT_SECRET: the name says it is a secret, and coderEnv is stored in clear in the stack file; " +
            "move it to coderSecretEnv: pulumi config rm --path 'coder-refarch:coderEnv.CODER_OIDC_CLIENT_SECRET', then " +
            "pulumi config set --secret --path 'coder-refarch:coderSecretEnv.CODER_OIDC_CLIENT_SECRET' VALUE"],
        ["a name in both maps", { coderEnv: { CODER_OIDC_CLIENT_ID: "a" }, coderSecretEnv: { CODER_OIDC_CLIENT_ID: "b" } },
            "coder-refarch:coderEnv.CODER_OIDC_CLIENT_ID: also set in coder-refarch:coderSecretEnv.CODER_OIDC_CLIENT_ID; keep one of the two " +
            "(pulumi config rm --path 'coder-refarch:coderEnv.CODER_OIDC_CLIENT_ID' keeps the secret)"],
    ];
    it.each(exact)("%s", async (_, changes, expected) => {
        const { problems, message, registered } = await failing(changes);
        expect(problems).toContain(expected);
        expect(message).toMatch(/^invalid stack configuration/);
        expect(registered).toEqual([]);
    });

    it.each(coderdEnvOwners().map((o) => [o.name, o.setBy] as const))("%s, set by the %s, is refused in coderEnv and coderSecretEnv", async (name, setBy) => {
        const by = setBy === "program" ? "program" : "coder chart";
        const inPlain = await failing({ coderEnv: { [name]: "x" } });
        expect(inPlain.problems).toEqual([expect.stringMatching(new RegExp(`^coder-refarch:coderEnv\\.${name}: set by the ${by} from .+; .+`))]);
        expect(inPlain.registered).toEqual([]);
        const inSecret = await failing({ coderSecretEnv: { [name]: "x" } });
        expect(inSecret.problems).toEqual([expect.stringMatching(new RegExp(`^coder-refarch:coderSecretEnv\\.${name}: set by the ${by} from `))]);
        expect(inSecret.registered).toEqual([]);
    });

    it.each(["CODER_OIDC_CLIENT_SECRET", "GITHUB_TOKEN", "CODER_EXTERNAL_AUTH_0_CLIENT_SECRET", "DB_PASSWORD", "CODER_LICENSE_KEY", "MY_PRIVATE_CERT", "coder_session_token"])(
        "%s looks like a secret: refused in coderEnv with the command that moves it, accepted in coderSecretEnv", async (name) => {
            const { problems, registered } = await failing({ coderEnv: { [name]: "in-clear" } });
            expect(problems).toHaveLength(1);
            expect(problems[0]).toContain(`pulumi config set --secret --path 'coder-refarch:coderSecretEnv.${name}' VALUE`);
            expect(problems[0]).not.toContain("in-clear");
            expect(registered).toEqual([]);
            expect(envOf(await render({ coderSecretEnv: { [name]: "hidden" } }))[name]).toEqual({ secretKeyRef: { name: "coder-env", key: name } });
        });

    it("a name that is not an environment variable name is refused by the schema", async () => {
        const { message, registered } = await failing({ coderEnv: { "CODER-OIDC": "x" } });
        expect(message).toMatch(/coder-refarch:coderEnv\.CODER-OIDC: /);
        expect(registered).toEqual([]);
    });

    it("names every bad entry in one message", async () => {
        const { problems, registered } = await failing({
            coderEnv: { CODER_ACCESS_URL: "x", CODER_OIDC_CLIENT_SECRET: "y", TZ: "UTC" },
            helmValues: { coder: { coder: { replicaCont: 3 } } },
        });
        expect(problems.map((p) => p.split(":").slice(0, 2).join(":"))).toEqual([
            "coder-refarch:coderEnv.CODER_ACCESS_URL", "coder-refarch:coderEnv.CODER_OIDC_CLIENT_SECRET", "coder-refarch:helmValues.coder.coder.replicaCont",
        ]);
        expect(registered).toEqual([]);
    });
});

describe("helmValues", () => {
    const conflicts: [string, Record<string, unknown>, string][] = [
        ["coderd replicas", { coder: { coder: { replicaCount: 9 } } },
            "coder-refarch:helmValues.coder.coder.replicaCount: the program sets it (coderd replicas from the tier); use coder-refarch:sizing.coderd.replicas"],
        ["provisioner replicas", { provisioner: { coder: { replicaCount: 9 } } },
            "coder-refarch:helmValues.provisioner.coder.replicaCount: the program sets it (provisioner replicas from the tier); use coder-refarch:sizing.provisioners.replicas"],
        ["coderd resources", { coder: { coder: { resources: { limits: { cpu: "16" } } } } },
            "coder-refarch:helmValues.coder.coder.resources.limits.cpu: the program sets it (coderd requests and limits from the tier); " +
            "use coder-refarch:sizing.coderd.requests and coder-refarch:sizing.coderd.limits"],
        ["coderd env", { coder: { coder: { env: [{ name: "CODER_OIDC_ISSUER_URL", value: "https://accounts.google.com" }] } } },
            "coder-refarch:helmValues.coder.coder.env: the program sets it (coderd's environment); use coder-refarch:coderEnv, or coder-refarch:coderSecretEnv for secrets"],
        ["provisioner env", { provisioner: { coder: { env: [] } } },
            "coder-refarch:helmValues.provisioner.coder.env: the program sets it (the provisioners' environment: coderd's in-cluster URL " +
            "(the primary's access URL in a proxy region), metrics and the cache directory); it cannot be set here"],
        ["a writable root filesystem", { coder: { coder: { securityContext: { readOnlyRootFilesystem: false } } } },
            "coder-refarch:helmValues.coder.coder.securityContext.readOnlyRootFilesystem: the program sets it (a read-only root filesystem; " +
            "the cache and temporary files go to a writable /tmp volume); it cannot be set here"],
        ["a volume named as the program's", { provisioner: { coder: { volumes: [{ name: "tmp", hostPath: { path: "/tmp" } }] } } },
            "coder-refarch:helmValues.provisioner.coder.volumes: the program sets it (the writable /tmp volume); add volumes of your own under other names"],
        ["TLS Secrets", { coder: { coder: { tls: { secretNames: ["my-tls"] } } } },
            "coder-refarch:helmValues.coder.coder.tls.secretNames: the program sets it (the TLS Secrets coderd serves); " +
            "use coder-refarch:tlsSecretNames, or coder-refarch:tlsCertificate and coder-refarch:tlsPrivateKey"],
        ["a label added to coderd's node selector", { coder: { coder: { nodeSelector: { "kubernetes.io/os": "linux" } } } },
            "coder-refarch:helmValues.coder.coder.nodeSelector: the program sets it (the placement of coderd pods on their node pool); " +
            "placement is fixed by the pools; size them with coder-refarch:sizing.pools"],
        ["provisioner tolerations", { provisioner: { coder: { tolerations: [] } } },
            "coder-refarch:helmValues.provisioner.coder.tolerations: the program sets it (the placement of provisioner pods on their node pool); " +
            "placement is fixed by the pools; size them with coder-refarch:sizing.pools"],
        ["a map replaced by a scalar", { coder: { coder: { affinity: "none" } } },
            "coder-refarch:helmValues.coder.coder.affinity: the program sets it (the placement of coderd pods on their node pool); " +
            "placement is fixed by the pools; size them with coder-refarch:sizing.pools"],
        ["a value without a hint", { coder: { coder: { service: { type: "ClusterIP" } } } },
            "coder-refarch:helmValues.coder.coder.service.type: the program sets it (to \"LoadBalancer\"); remove it from coder-refarch:helmValues"],
        ["the pre-shared key Secret", { coder: { provisionerDaemon: { pskSecretName: "mine" } } },
            "coder-refarch:helmValues.coder.provisionerDaemon.pskSecretName: the program sets it (the provisioners' pre-shared key Secret); it cannot be set here"],
    ];
    it.each(conflicts)("a value the program sets differently is a config error: %s", async (_, helmValues, expected) => {
        const { problems, registered } = await failing({ helmValues });
        expect(problems).toEqual([expected]);
        expect(registered).toEqual([]);
    });

    const unknown: [string, Record<string, unknown>, string][] = [
        ["typo in replicaCount", { coder: { coder: { replicaCont: 3 } } },
            "coder-refarch:helmValues.coder.coder.replicaCont: the coder chart has no value coder.replicaCont; the closest is coder.replicaCount " +
            "(components/k8s/charts/coder-values.yaml)"],
        ["a key below a known map", { coder: { coder: { image: { pullPolicyy: "Always" } } } },
            "coder-refarch:helmValues.coder.coder.image.pullPolicyy: the coder chart has no value coder.image.pullPolicyy; the closest is coder.image.pullPolicy " +
            "(components/k8s/charts/coder-values.yaml)"],
        ["a value only the coder chart has", { provisioner: { coder: { envFrom: [] } } },
            "coder-refarch:helmValues.provisioner.coder.envFrom: the coder-provisioner chart has no value coder.envFrom; the closest is coder.env " +
            "(components/k8s/charts/provisioner-values.yaml)"],
        ["a top-level typo", { coder: { coderd: { replicaCount: 3 } } },
            "coder-refarch:helmValues.coder.coderd: the coder chart has no value coderd; the closest is coder (components/k8s/charts/coder-values.yaml)"],
    ];
    it.each(unknown)("a key the chart does not have is a config error naming the closest: %s", async (_, helmValues, expected) => {
        const { problems, registered } = await failing({ helmValues });
        expect(problems).toEqual([expected]);
        expect(registered).toEqual([]);
    });

    it("values the program does not set are merged into the releases", async () => {
        const r = await render({
            helmValues: {
                coder: {
                    coder: {
                        podAnnotations: { "example.com/team": "platform" },
                        image: { repo: "registry.example.com/mirror/coder", pullPolicy: "Always" },
                        securityContext: { capabilities: { drop: ["ALL"] } },
                        // a volume of the stack's beside the program's writable /tmp
                        volumes: [{ name: "ca-certs", configMap: { name: "corporate-ca" } }],
                        volumeMounts: [{ name: "ca-certs", mountPath: "/etc/ssl/certs/corporate", readOnly: true }],
                        service: { annotations: { "external-dns.alpha.kubernetes.io/hostname": "coder.example.com" } },
                        // equal to the program's: no conflict
                        serviceAccount: { workspacePerms: false },
                    },
                },
                provisioner: { coder: { podLabels: { "example.com/team": "platform" } } },
            },
        });
        const coder = valuesOf(r, "coder").coder;
        // beside the program's digest annotations (which roll the pods when a Secret changes)
        expect(coder.podAnnotations).toMatchObject({ "example.com/team": "platform" });
        expect(coder.image).toEqual({ repo: "registry.example.com/mirror/coder", pullPolicy: "Always" });
        expect(coder.securityContext).toEqual({ readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(coder.volumes).toEqual([{ name: "tmp", emptyDir: {} }, { name: "ca-certs", configMap: { name: "corporate-ca" } }]);
        expect(coder.volumeMounts.map((m: Obj) => m.mountPath)).toEqual(["/tmp", "/etc/ssl/certs/corporate"]);
        expect(coder.service).toMatchObject({ type: "LoadBalancer", annotations: { "external-dns.alpha.kubernetes.io/hostname": "coder.example.com" } });
        expect(coder.serviceAccount).toEqual({ workspacePerms: false, enableDeployments: false });
        // the program's values stay
        expect(coder.replicaCount).toBe(r.plan.coderd.replicas);
        expect(coder.env.map((e: Obj) => e.name)).toContain("CODER_ACCESS_URL");
        expect(valuesOf(r, "coder-provisioner").coder).toMatchObject({ podLabels: { "example.com/team": "platform" }, replicaCount: 0 });
    });

    it.each(["gcp-3k", "aws-3k"])("%s: the values the config check compares with are the ones deployed (rendered values as helmValues are no conflict)", async (stack) => {
        const first = await render({ coderEnv: { TZ: "UTC" }, coderSecretEnv: { CODER_OIDC_CLIENT_SECRET: "s" } }, stack);
        const helmValues = { coder: valuesOf(first, "coder"), provisioner: valuesOf(first, "coder-provisioner") };
        const again = await render({ coderEnv: { TZ: "UTC" }, coderSecretEnv: { CODER_OIDC_CLIENT_SECRET: "s" }, helmValues }, stack);
        expect(valuesOf(again, "coder")).toEqual(helmValues.coder);
        expect(valuesOf(again, "coder-provisioner")).toEqual(helmValues.provisioner);
    });

    describe("the cloud's load-balancer annotations, known only once the cluster is", () => {
        afterEach(() => vi.restoreAllMocks());

        it("stand over a stack's annotation of the same name, with a warning", async () => {
            const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
            const key = "service.beta.kubernetes.io/aws-load-balancer-type";
            const r = await render({ helmValues: { coder: { coder: { service: { annotations: { [key]: "external" } } } } } }, "aws-3k");
            expect(valuesOf(r, "coder").coder.service.annotations[key]).toBe("nlb");
            const messages = warn.mock.calls.map((c) => String(c[0]));
            expect(messages).toContain(`coder-refarch:helmValues.coder.coder.service.annotations["${key}"]: the program sets it (the load balancer's annotations); ` +
                "use coder-refarch:internalLoadBalancer or coder-refarch:loadBalancerSourceRanges; the program's value stands");
        });
    });
});

describe("proxy regions: what the workspace proxies' values set is the program's too", () => {
    const proxyOnly = proxyEnvOwners().filter((o) => !coderdEnvOwners().some((c) => c.name === o.name));

    it("the proxies' own env: the primary's access URL and the session token", () => {
        expect(proxyOnly.map((o) => o.name)).toEqual(["CODER_PRIMARY_ACCESS_URL", "CODER_PROXY_SESSION_TOKEN"]);
    });

    it.each([
        ["CODER_PRIMARY_ACCESS_URL", "coderEnv",
            "coder-refarch:coderEnv.CODER_PRIMARY_ACCESS_URL: set by the program from coder-refarch:accessUrl " +
            "(the workspace proxies of coder-refarch:proxyRegions register with coderd there); change that key instead"],
        ["CODER_PROXY_SESSION_TOKEN", "coderSecretEnv",
            "coder-refarch:coderSecretEnv.CODER_PROXY_SESSION_TOKEN: set by the program from the workspace proxy's registration with coderd " +
            "(Secret coder-workspace-proxy-session-token); it cannot be set here"],
    ])("%s is refused in %s, with proxy regions or without", async (name, map, expected) => {
        for (const stack of ["gcp-3k", "gcp-10k"]) {
            const { problems, registered } = await failing({ [map]: { [name]: "x" } }, stack);
            expect(problems).toEqual([expected]);
            expect(registered).toEqual([]);
        }
    });

    // helmValues.coder applies to coderd and to every region's proxies: a value equal to
    // coderd's but not to the proxies' is refused too, naming the region.
    const conflicts: [string, Record<string, unknown>, string][] = [
        ["a PSK Secret for the proxies", { coder: { provisionerDaemon: { pskSecretName: "coder-provisioner-psk" } } },
            "coder-refarch:helmValues.coder.provisionerDaemon.pskSecretName: the program sets it (none: a workspace proxy accepts no provisioners); " +
            "it cannot be set here (in proxy region europe)"],
        ["coderd turned into a proxy", { coder: { coder: { workspaceProxy: true } } },
            "coder-refarch:helmValues.coder.coder.workspaceProxy: the program sets it (whether the release runs coderd or a workspace proxy: " +
            "coderd in the stack's region, a proxy in each proxy region); add a region to coder-refarch:proxyRegions"],
    ];
    it.each(conflicts)("gcp-10k: %s is a config error", async (_, helmValues, expected) => {
        const { problems, registered } = await failing({ helmValues }, "gcp-10k");
        expect(problems).toEqual([expected]);
        expect(registered).toEqual([]);
    });

    it("the proxies' replicas are the tier's proxy figure, named as such where they differ from coderd's", async () => {
        const r = await render({}, "gcp-10k");
        const replicas = r.plan.coderd.replicas;
        const { problems } = await failing({ helmValues: { coder: { coder: { replicaCount: replicas } } } }, "gcp-10k");
        // the proxies run 0 until they are registered (this stack has no license yet)
        expect(problems).toEqual(["coder-refarch:helmValues.coder.coder.replicaCount: the program sets it (workspace proxy replicas from the tier " +
            "(0 until the proxy is registered)); use coder-refarch:sizing.proxy.replicas (in proxy region europe)"]);
    });

    it("gcp-10k: the values the config check compares with are the ones each proxy region deploys", async () => {
        const r = await render({ coderEnv: { TZ: "UTC", CODER_DISABLE_PATH_APPS: "true" } }, "gcp-10k");
        const releases = ofType(r, "kubernetes:helm.sh/v3:Release");
        expect(r.plan.proxies.map((p) => p.name)).toEqual(["europe", "asia"]);
        for (const region of r.plan.proxies) {
            const ours = proxyRegionValues(r.settings, r.plan, region);
            for (const [chart, key] of [["coder", "coder"], ["coder-provisioner", "provisioner"]] as const) {
                const deployed = releases.find((x) => x.name === `coder-${region.name}-k8s-${key}`)!;
                expect(deployed, `${region.name} ${chart}`).toBeDefined();
                expect(deployed.inputs.chart).toBe(chart);
                expect(mergeUnder(ours[key], reveal(deployed.inputs.values) as Obj).conflicts, `${region.name} ${chart}`).toEqual([]);
            }
            expect((ours.coder.coder as Obj).workspaceProxy).toBe(true);
        }
    });
});

describe("the pure functions", () => {
    it("the env the program sets on coderd is exactly the owners' list (no second list to keep in step)", async () => {
        const r = await render({});
        const owners = new Set(coderdEnvOwners().map((o) => o.name));
        for (const e of valuesOf(r, "coder").coder.env as Obj[]) expect(owners.has(e.name), e.name).toBe(true);
    });

    it.each([
        ["CODER_OIDC_CLIENT_SECRET", true], ["CODER_PROVISIONER_DAEMON_KEY", true], ["GITHUB_TOKEN", true], ["PGPASSWORD", true],
        ["CODER_EXTERNAL_TOKEN_ENCRYPTION_KEYS", true], ["CODER_OIDC_CLIENT_ID", false], ["CODER_OIDC_CLIENT_KEY_FILE", false],
        ["CODER_EXTERNAL_AUTH_0_TOKEN_URL", false], ["CODER_DEFAULT_TOKEN_LIFETIME", false], ["HTTP_PROXY", false],
    ] as const)("looksSecret(%s) = %s", (name, expected) => {
        expect(looksSecret(name)).toBe(expected);
    });

    it("mergeUnder: maps merge, lists and scalars are leaves, the program's value stands", () => {
        const ours = { a: { b: 1, c: [1, 2] }, d: "x", e: { f: 1 } };
        expect(mergeUnder(ours, { a: { g: 2 }, h: [3] })).toEqual({ values: { a: { b: 1, c: [1, 2], g: 2 }, d: "x", e: { f: 1 }, h: [3] }, conflicts: [] });
        expect(mergeUnder(ours, { a: { c: [1, 2] }, d: "x" }).conflicts).toEqual([]);
        expect(mergeUnder(ours, { a: { c: [2] }, d: "y", e: 1 })).toEqual({
            values: ours,
            conflicts: [{ path: ["a", "c"], ours: [1, 2] }, { path: ["d"], ours: "x" }, { path: ["e"], ours: { f: 1 } }],
        });
        // a key named __proto__ stays a key
        const odd = mergeUnder({}, JSON.parse('{"__proto__": {"polluted": true}}') as Obj).values;
        expect(Object.keys(odd)).toEqual(["__proto__"]);
        expect(({} as Obj).polluted).toBeUndefined();
    });

    it("takes the probe settings the chart documents but leaves commented out", async () => {
        expect([...documentedKeys("coder")]).toEqual(expect.arrayContaining(["coder.readinessProbe.periodSeconds", "coder.livenessProbe.failureThreshold"]));
        const r = await renderConfig("gcp-3k", rawConfig("gcp-3k", { helmValues: { coder: { coder: { readinessProbe: { periodSeconds: 5 } } } } }));
        expect((reveal(release(r, "coder").inputs.values) as Record<string, any>).coder.readinessProbe).toMatchObject({ periodSeconds: 5 });
    });

    it("pathText writes paths as `pulumi config set --path` takes them", () => {
        expect(pathText(["coder", "coder", "replicaCount"])).toBe("coder.coder.replicaCount");
        expect(pathText(["coder", "podAnnotations", "example.com/team"])).toBe('coder.podAnnotations["example.com/team"]');
    });

    it("unknownKeys: free below defaults of {}, [] or null and below pass-through values", () => {
        const chart = chartValues("coder");
        expect(unknownKeys({ coder: { podAnnotations: { any: "x" }, resources: { anything: 1 }, affinity: { nodeAffinity: {} } } }, chart)).toEqual([]);
        expect(unknownKeys({ coder: { service: { typ: "x" } } }, chart)).toEqual([{ path: ["coder", "service", "typ"], closest: "type" }]);
        // documented in the values file, commented out there, read by the template when set
        const documented = new Set(["coder.readinessProbe.periodSeconds"]);
        expect(unknownKeys({ coder: { readinessProbe: { periodSeconds: 5 } } }, chart, [], documented)).toEqual([]);
        expect(unknownKeys({ coder: { readinessProbe: { periodSecond: 5 } } }, chart, [], documented))
            .toEqual([{ path: ["coder", "readinessProbe", "periodSecond"], closest: "periodSeconds" }]);
    });
});
