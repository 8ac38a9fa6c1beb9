/**
 * The program: read and validate the stack's config, plan the tier, build one
 * deployment. index.ts runs it under the Pulumi CLI; preview/ runs it under mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, LETS_ENCRYPT_DIRECTORY, PROJECT, Settings, advisories, checkConfig, declaredDefaults, settingsForRegion } from "./config";
import { AwsPlatform, awsConfigProblems } from "./components/aws/platform";
import { GcpPlatform } from "./components/gcp/platform";
import { AzurePlatform, azureConfigProblems } from "./components/azure/platform";
import { Namespace } from "@pulumi/kubernetes/core/v1/namespace";
import { Service } from "@pulumi/kubernetes/core/v1/service";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import { CoderBootstrap } from "./components/coder-api/bootstrap";
import { tlsFor, usesAcme } from "./components/k8s/cert-manager";
import { CoderKubernetes, ProvisionerStart } from "./components/k8s/coder";
import { coderSettingsProblems, deploymentChoices } from "./components/k8s/settings";
import { ClusterHandle, DatabaseEndpoint } from "./components/k8s/types";
import { NOT_EVICTABLE, proxyEnvOf } from "./components/k8s/values";
// observability: Coder's observability bundle in every region (components/k8s/observability.ts)
import { CoderObservability, OBSERVABILITY_NAMESPACE, withScrapeAnnotations } from "./components/k8s/observability";
import { OBSERVABILITY, observabilityOn } from "./tiers/observability";
import { NetworkReader, NetworkRefs, cloudReader, inspectNetwork, networkConfigProblems } from "./components/network-check";
import { preflight } from "./components/preflight";
import { Plan, RegionPlan, buildPlan, planOfRegion } from "./sizing";

export interface CoderDeploymentArgs {
    settings: Settings;
    plan: Plan;
    /** the existing network of `coder-refarch:network`, as loadPlan found it; absent = create one */
    network?: NetworkRefs;
}

/** A proxy region as deployed: its cluster, and Coder's workspace proxy, provisioners and workspaces on it. */
export interface ProxyRegionDeployment {
    name: string;
    region: string;
    accessUrl: string;
    clusterName: pulumi.Output<string>;
    kubeconfig: pulumi.Output<string>;
    coder: CoderKubernetes;
    /** the proxy's load balancer: where DNS for the region's hosts points */
    loadBalancerAddress: pulumi.Output<string>;
    /** observability: the region's own bundle, where it is on */
    observability?: CoderObservability;
}

/** One tier on one cloud: the cloud platform, then Coder on its cluster. */
export class CoderDeployment extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly databaseInstance: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly workspaceStorageClass: pulumi.Output<string>;
    public readonly coder: CoderKubernetes;
    /** bootstrap through Coder's API (with an admin credential) */
    public bootstrap?: CoderBootstrap;
    /** coderd's load balancer: the address DNS points at */
    public loadBalancerAddress?: pulumi.Output<string>;
    /** the VPC the program created (GCP), which a teardown needs by name */
    public readonly networkName?: pulumi.Output<string>;
    /** proxy regions, by name */
    public readonly proxyRegions: ProxyRegionDeployment[];
    /** observability: the primary region's bundle, where it is on */
    public readonly observability?: CoderObservability;

    constructor(name: string, args: CoderDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:index:Deployment", name, {}, opts);
        const { settings: s, plan } = args;

        const platform = platformFor(s, plan, args.network ?? {}, name, this);
        const choices = deploymentChoices(s);
        if (!platform.database || !platform.databaseInstance) throw new Error("the primary region's platform has no database");

        this.coder = new CoderKubernetes(`${name}-k8s`, {
            ...this.regionArgs(name, s, plan, platform),
            control: { kind: "coderd", database: platform.database },
            coderd: { ...plan.coderd, placement: plan.pools.coderd.placement, perNode: plan.pools.coderd.workload?.perNode, maxOpenConnections: plan.database.connectionsPerCoderd },
            // External provisioners are a licensed feature, and one refused before the license
            // exists never dials again: none run until coderd is licensed.
            provisioners: { ...plan.provisioners, replicas: choices.licensed ? plan.provisioners.replicas : 0, placement: plan.pools.provisioners.placement },
            provisionerStart: (coderd) => this.startProvisioners(name, s, plan, platform, coderd),
            coderEnv: s.coderEnv,
            coderSecretEnv: Object.fromEntries(Object.entries(s.coderSecretEnv ?? {}).map(([k, v]) => [k, pulumi.secret(v)])),
        }, { parent: this });

        // observability: the primary's bundle, which also scrapes the database
        this.observability = this.observe(name, s, plan, platform);

        // Records for both hosts where the address is known only once the Service exists (an NLB's name).
        if (platform.pointDnsAt && this.loadBalancerAddress) platform.pointDnsAt(this.loadBalancerAddress);

        this.clusterName = platform.clusterName;
        this.databaseInstance = platform.databaseInstance;
        this.kubeconfig = platform.kubeconfig;
        this.networkName = platform.networkName;
        // After the primary's release: each proxy's registration (the bootstrap) waits on coderd; nothing else does.
        this.proxyRegions = plan.proxies.map((r) => this.proxyRegion(name, s, plan, r, platform));
        this.workspaceStorageClass = pulumi.output(platform.cluster.workspaceStorageClass);
        this.registerOutputs({ clusterName: this.clusterName, databaseInstance: this.databaseInstance });
    }

    /**
     * A proxy region: its platform (cluster, network, no database), then the Kubernetes layer
     * with Coder's chart in workspace-proxy mode, the region's provisioners (with the region's
     * key once coderd is licensed) and its workspaces. The proxy's token comes from registering
     * it with coderd; until then the proxy runs 0 replicas and the run says what to do next.
     */
    private proxyRegion(name: string, s: Settings, plan: Plan, r: RegionPlan, primary: Platform): ProxyRegionDeployment {
        const config = s.proxyRegions.find((p) => p.name === r.name)!;
        const rs = settingsForRegion(s, config);
        const id = `${name}-${r.name}`;
        const platform = platformFor(rs, planOfRegion(plan, r), {}, id, this, primary);
        const registered = this.bootstrap?.workspaceProxies?.[r.name];
        const key = this.bootstrap?.regionProvisionerKeys?.[r.name];
        const license = this.bootstrap?.license;
        const coder = new CoderKubernetes(`${id}-k8s`, {
            ...this.regionArgs(id, rs, planOfRegion(plan, r), platform),
            control: { kind: "proxy", primaryAccessUrl: s.accessUrl, token: registered?.proxyToken },
            coderd: { ...plan.proxy, placement: r.pools.coderd.placement, perNode: r.pools.coderd.workload?.perNode },
            // the settings a proxy reads itself (e.g. CODER_DISABLE_PATH_APPS); never coderSecretEnv
            coderEnv: proxyEnvOf(s.coderEnv),
            // Provisioners here dial the primary with the region's scoped key: none run before it exists.
            provisioners: { ...plan.provisioners, replicas: key ? plan.provisioners.replicas : 0, placement: r.pools.provisioners.placement },
            provisionerStart: key
                ? { auth: { kind: "key", key: key.key }, dependsOn: license ? [license] : [], licenseRevision: license ? license.uuid : "installed by hand" }
                : { auth: { kind: "psk" } },
        }, { parent: this });
        const loadBalancerAddress = this.serviceAddress(`${id}-coder-service`, coder.coderRelease, platform);
        if (platform.pointDnsAt) platform.pointDnsAt(loadBalancerAddress);
        // observability: each region its own bundle (no database here)
        const observability = this.observe(id, rs, planOfRegion(plan, r), platform);
        return { name: r.name, region: r.region, accessUrl: r.accessUrl, clusterName: platform.clusterName, kubeconfig: platform.kubeconfig, coder, loadBalancerAddress, observability };
    }

    /**
     * What the Kubernetes layer takes alike in every region, from the region's settings
     * (its hosts) and plan (its pools): namespaces, HTTPS (cert-manager and the certificate
     * the server serves from its start), the charts, metrics, workspaces and Helm values.
     */
    private regionArgs(id: string, s: Settings, plan: Plan, platform: Platform) {
        // observability: the bundle's collector may scrape port 2112, and finds the pods by their annotations
        const observed = observabilityOn(plan.tier.name, s.observability);
        return {
            cluster: platform.cluster,
            namespaces: s.namespaces,
            accessUrl: s.accessUrl,
            wildcardAccessUrl: s.wildcardAccessUrl,
            tlsSecretNames: deploymentChoices(s).tlsSecretNames,
            coderdDependsOn: (coderNs: Namespace) => {
                const certs = tlsFor(`${id}-tls`, {
                    settings: s, cluster: platform.cluster, coderNamespace: coderNs.metadata.name, placement: plan.pools.system.placement,
                }, { parent: this, dependsOn: [coderNs] });
                return certs ? [certs.certificate] : [];
            },
            tlsCertificate: s.tlsCertificate && s.tlsPrivateKey
                ? { certificate: pulumi.secret(s.tlsCertificate), privateKey: pulumi.secret(s.tlsPrivateKey) }
                : undefined,
            chart: { repository: s.helmRepository, version: s.coderVersion },
            metricsNamespaces: observed && !s.metricsNamespaces.includes(OBSERVABILITY_NAMESPACE)
                ? [...s.metricsNamespaces, OBSERVABILITY_NAMESPACE] : s.metricsNamespaces,
            aggregateAgentStats: plan.tier.name !== "1k",
            workspaces: {
                placement: plan.pools.workspaces.placement,
                requests: plan.pools.workspaces.workload?.requests ?? plan.tier.workspace.requests,
            },
            helmValues: observed ? withScrapeAnnotations(s.helmValues) : s.helmValues,
        };
    }

    /** observability: Coder's bundle in a region's cluster on its system pool, where the stack's setting and tier turn it on. */
    private observe(id: string, s: Settings, plan: Plan, platform: Platform): CoderObservability | undefined {
        if (!observabilityOn(plan.tier.name, s.observability)) return undefined;
        return new CoderObservability(`${id}-observability`, {
            provider: platform.cluster.provider,
            spec: OBSERVABILITY[plan.tier.name],
            placement: plan.pools.system.placement,
            namespaces: s.namespaces,
            databaseUrl: platform.database?.url,
        }, { parent: this });
    }

    /** The load balancer's address of a release's `coder` Service (Helm waits for it before the release completes). */
    private serviceAddress(id: string, release: Release, platform: Platform): pulumi.Output<string> {
        const service = Service.get(id, pulumi.interpolate`${release.namespace}/coder`,
            { parent: this, provider: platform.cluster.provider, dependsOn: [release] });
        return service.status.apply((st) => {
            const ingress = st?.loadBalancer?.ingress?.[0];
            const address = ingress?.ip || ingress?.hostname;
            if (!address) throw new Error(`the Service ${id} has no load-balancer address yet (kubectl -n coder get svc coder); run pulumi up again`);
            return address;
        });
    }

    /**
     * After coderd's release: read its load balancer's address, bootstrap through Coder's API
     * where an admin credential is configured, and say how the provisioners start.
     */
    private startProvisioners(name: string, s: Settings, plan: Plan, platform: Platform, coderd: Release): ProvisionerStart {
        this.loadBalancerAddress = this.serviceAddress(`${name}-coder-service`, coderd, platform);
        const admin = s.adminToken ? { token: pulumi.secret(s.adminToken) } : s.adminEmail ? { email: s.adminEmail, username: s.adminUsername } : undefined;
        if (!admin) return { auth: { kind: "psk" }, licenseRevision: s.licenseInstalled ? "installed by hand" : undefined };
        this.bootstrap = new CoderBootstrap(`${name}-coder-api`, {
            endpoint: coderEndpoint(s, this.loadBalancerAddress),
            admin,
            license: s.license !== undefined ? pulumi.secret(s.license) : undefined,
            provisionerKey: deploymentChoices(s).provisionerAuth === "key" ? { name: provisionerKeyName(s), tags: s.provisionerTags } : undefined,
            // Proxies and the proxy regions' provisioners are licensed features: registered once the license is in.
            ...(deploymentChoices(s).licensed ? {
                workspaceProxies: plan.proxies.map((r) => ({ name: r.name, displayName: r.displayName, icon: r.icon, tokenGeneration: r.tokenGeneration })),
                regionProvisionerKeys: plan.proxies.map((r) => ({ region: r.name, name: provisionerKeyName(settingsForRegion(s, s.proxyRegions.find((p) => p.name === r.name)!)), tags: { region: r.name } })),
            } : {}),
            after: [coderd],
        }, { parent: this });
        const key = this.bootstrap.provisionerKey;
        if (!key) return { auth: { kind: "psk" } };
        const license = this.bootstrap.license;
        return {
            auth: { kind: "key", key: key.key },
            dependsOn: license ? [license] : [],
            licenseRevision: license ? license.uuid : "installed by hand",
        };
    }
}


/**
 * How the machine running `pulumi up` reaches coderd: the access URL once DNS points at
 * coderd, the load balancer's address before (with the access URL's host name for TLS and
 * Host). Behind a TLS proxy of the user's, which may not exist yet, coderd's own plain-HTTP
 * port through the load balancer. A certificate of the user's may chain to a private CA:
 * its chain is trusted; one from a test CA (ACME staging) is not checked.
 */
export function coderEndpoint(s: Settings, loadBalancerAddress: pulumi.Input<string>) {
    if (s.tlsTerminatedUpstream) {
        return { url: `http://${new URL(s.accessUrl).hostname}`, connectTo: loadBalancerAddress };
    }
    return {
        url: s.accessUrl,
        fallbackAddress: loadBalancerAddress,
        ...(s.tlsCertificate ? { caPem: s.tlsCertificate } : {}),
        ...(usesAcme(s) && s.acmeServer !== LETS_ENCRYPT_DIRECTORY ? { insecureSkipVerify: true } : {}),
    };
}

/** The provisioners' key: one a stack and region (a proxy region's key adds its name). */
const provisionerKeyName = (s: Settings): string => `${s.prefix}-${s.region}`.slice(0, 64);

/** What the run cannot finish by itself: said as warnings, each with the next step. */
export function bootstrapNotes(s: Settings): string[] {
    const notes: string[] = [];
    const k = (key: string) => `${PROJECT}:${key}`;
    if (!s.adminEmail && !s.adminToken) {
        notes.push(`no Coder admin credential: create the first admin at ${s.accessUrl} yourself, or set ${k("adminEmail")} ` +
            `(the program creates it) or ${k("adminToken")} (\`pulumi config set --secret ${k("adminToken")} ...\`) and run pulumi up again`);
    }
    if (!deploymentChoices(s).licensed) {
        notes.push(`no Coder license: the provisioners run 0 replicas (external provisioners are a licensed feature, and one ` +
            `refused before the license exists never retries); set it with \`pulumi config set --secret ${k("license")} < license.jwt\` ` +
            `and run pulumi up again (or upload it in Coder and set ${k("licenseInstalled")} true)`);
    }
    if (s.proxyRegions.length > 0 && (!(s.adminEmail || s.adminToken) || !deploymentChoices(s).licensed)) {
        notes.push(`proxy regions ${s.proxyRegions.map((p) => p.name).join(", ")}: clusters, provisioners (0 replicas) and workspace pools deploy now; ` +
            `the workspace proxies register with coderd through its API and need ${[
                ...(s.adminEmail || s.adminToken ? [] : [`an admin credential (${k("adminEmail")} or ${k("adminToken")})`]),
                ...(deploymentChoices(s).licensed ? [] : [`a license (${k("license")})`]),
            ].join(" and ")}: set it and run pulumi up again; until then each proxy runs 0 replicas`);
    }
    if ((s.adminEmail || s.adminToken) && (s.internalLoadBalancer || s.loadBalancerSourceRanges.length > 0)) {
        notes.push(`the bootstrap through Coder's API runs from this machine: with ${s.internalLoadBalancer ? k("internalLoadBalancer") : k("loadBalancerSourceRanges")} ` +
            "it must reach coderd's load balancer (a VPN or peering into the network, or its address in the source ranges)");
    }
    if (usesAcme(s) && !JSON.stringify(s.helmValues.coder ?? {}).includes("reloader.stakater.com")) {
        notes.push(`cert-manager renews coderd's certificate about every 60 days, and coderd reads it only at start: install ` +
            `stakater Reloader and set ${k("helmValues")}.coder.coder.annotations["secret.reloader.stakater.com/reload"] to coder-acme-tls ` +
            "(README: HTTPS), or roll coderd after each renewal (kubectl -n coder rollout restart deployment coder)");
    }
    if (!s.dnsZone) {
        notes.push(`no ${k("dnsZone")}: after pulumi up, point DNS for ${new URL(s.accessUrl).hostname}` +
            `${s.wildcardAccessUrl ? ` and ${s.wildcardAccessUrl}` : ""} at the stack output loadBalancerAddress`);
    }
    return notes;
}

interface Platform {
    cluster: ClusterHandle;
    /** the primary region's (none in a proxy region) */
    database?: DatabaseEndpoint;
    clusterName: pulumi.Output<string>;
    databaseInstance?: pulumi.Output<string>;
    kubeconfig: pulumi.Output<string>;
    /** GCP: the VPC the program created (none in an existing network) */
    networkName?: pulumi.Output<string>;
    /** records for both hosts at an address known only after coderd's Service exists (AWS) */
    pointDnsAt?(address: pulumi.Input<string>): unknown;
}

/** The platform of the primary region, or (with `primary`) of a proxy region: no database, the primary's project APIs. */
function platformFor(s: Settings, plan: Plan, network: NetworkRefs, name: string, parent: pulumi.Resource, primary?: Platform): Platform {
    switch (s.cloud) {
        case "gcp":
            return new GcpPlatform(`${name}-gcp`, {
                settings: s, plan, existingNetwork: network.gcp,
                ...(primary ? { role: "proxy" as const, apis: (primary as GcpPlatform).apis } : {}),
            }, { parent });
        case "aws":
            return new AwsPlatform(`${name}-aws`, { settings: s, plan, existingNetwork: network.aws, ...(primary ? { role: "proxy" as const } : {}) }, { parent });
        case "azure":
            // The caller (tenant, subscription, object ID) is read once, by the primary.
            return new AzurePlatform(`${name}-azure`, {
                settings: s, plan, ...(primary ? { role: "proxy" as const, caller: (primary as AzurePlatform).caller } : {}),
            }, { parent });
    }
}

/** What a cloud layer or coderd's own settings cannot deploy, beyond the schema (checked before any resource exists). */
function cloudConfigProblems(s: Settings, plan: Plan | undefined): string[] {
    return [
        ...(s.cloud === "aws" ? awsConfigProblems(s) : []),
        ...(s.cloud === "azure" ? azureConfigProblems(s) : []),
        ...networkConfigProblems(s), ...coderSettingsProblems(s, plan),
    ];
}

/** The keys of `raw` whose values are secret (set with `pulumi config set --secret`). */
function secretKeysOf(raw: Record<string, string>): string[] {
    // The SDK's own test (runtime/config.ts isConfigSecret); internal, so not in its typings.
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    const isSecret = runtime.isConfigSecret;
    // Without it every secret would look like plaintext: fail plainly instead (an SDK upgrade to check).
    if (typeof isSecret !== "function") throw new Error("@pulumi/pulumi no longer has runtime.isConfigSecret; see program.ts secretKeysOf");
    return Object.keys(raw).filter((key) => isSecret(key));
}

/**
 * Validates the stack's config and plans it; throws ConfigError naming every problem
 * (config, cloud and sizing alike) before any resource exists. Returns the warnings too.
 */
export async function loadPlan(
    raw: Record<string, string> = pulumi.runtime.allConfig(), stack = pulumi.getStack(), secretKeys = secretKeysOf(raw),
    reader: NetworkReader = cloudReader(),
) {
    const check = checkConfig(raw, stack, secretKeys);
    // Sizing reads only some keys: plan whenever those could be read, so a bad URL does not hide a pool that cannot fit.
    const sizable = check.settings ?? (PLAN_KEYS.some((key) => check.unreadable.has(key)) ? undefined : check.partial);
    let plan: Plan | undefined;
    const sizingProblems: string[] = [];
    if (sizable) {
        try {
            plan = buildPlan(sizable);
        } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            sizingProblems.push(...e.problems);
        }
    }
    // coderd's settings are compared with the values the plan gives (skipped where it does not build)
    const problems = [...check.problems, ...(check.settings ? cloudConfigProblems(check.settings, plan) : []), ...sizingProblems];
    if (problems.length > 0 || !check.settings || !plan) throw new ConfigError(problems);
    // An existing network is read from the cloud only once the config itself is valid.
    // What only the cloud knows (zones, machine types a zone, quotas) is read too; both at once, every problem reported.
    const [{ problems: networkProblems, notes, ...network }, ready] = await Promise.all([
        inspectNetwork(check.settings, plan, reader),
        preflight(check.settings, plan, reader),
    ]);
    if (networkProblems.length + ready.problems.length > 0) throw new ConfigError([...networkProblems, ...ready.problems]);
    const warnings = [...advisories(check.settings, raw, declaredDefaults()), ...plan.warnings, ...notes, ...ready.notes, ...bootstrapNotes(check.settings)];
    return { settings: check.settings, plan, network, warnings };
}

/** The config keys the sizing reads. */
const PLAN_KEYS = ["cloud", "tier", "region", "zones", "proxyRegions", "sizing", "machineTypes", "podCidr", "nodeCidr", "databaseVersion", "network", "internalLoadBalancer", "observability"];

/** What a workspace template's pod spec needs: the pool's selector and toleration, and no eviction by scale-down. */
export const workspacePlacement = (plan: Plan) => ({ ...plan.pools.workspaces.placement, annotations: NOT_EVICTABLE });

/** What `pulumi stack output` shows. */
export function outputsOf(d: CoderDeployment, settings: Settings, plan: Plan) {
    const pools = Object.fromEntries(Object.values(plan.pools).map((p) => [p.role, {
        machineType: p.machine.name, instanceTypes: p.instanceTypes, nodes: p.total, zones: p.zones,
    }]));
    return {
        tier: settings.tier,
        cloud: settings.cloud,
        accessUrl: settings.accessUrl,
        clusterName: d.clusterName,
        databaseInstance: d.databaseInstance,
        kubeconfig: d.kubeconfig,
        coderNamespace: d.coder.coderNamespace,
        provisionerNamespace: d.coder.provisionerNamespace,
        workspaceNamespace: d.coder.workspaceNamespace,
        /** what workspace templates set on their pods to land on the workspaces pool */
        workspacePlacement: workspacePlacement(plan),
        /** the StorageClass of workspace volumes (the cluster's default) */
        workspaceStorageClass: d.workspaceStorageClass,
        pools,
        /** coderd's load balancer: where DNS for the access and wildcard hosts points */
        loadBalancerAddress: d.loadBalancerAddress,
        /** GCP: the VPC the program created; `pulumi destroy` needs its peering removed by name (README: Teardown) */
        networkName: d.networkName,
        /** the first admin's password (secret; with adminEmail) */
        adminPassword: d.bootstrap?.adminPassword,
        /** per proxy region: its cluster, its proxy's URL and load balancer (where DNS for its hosts points) */
        proxyRegions: Object.fromEntries(d.proxyRegions.map((r) => [r.name, {
            region: r.region, accessUrl: r.accessUrl, clusterName: r.clusterName, loadBalancerAddress: r.loadBalancerAddress,
        }])),
    };
}

/** The whole program, as index.ts runs it under the Pulumi CLI (the offline preview calls loadPlan and CoderDeployment itself). */
export async function run(opts?: pulumi.ComponentResourceOptions) {
    let loaded: Awaited<ReturnType<typeof loadPlan>>;
    try {
        loaded = await loadPlan();
    } catch (e) {
        // One message, no stack trace, nothing registered.
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
    for (const note of loaded.warnings) pulumi.log.warn(note);
    const deployment = new CoderDeployment("coder", loaded, opts);
    return outputsOf(deployment, loaded.settings, loaded.plan);
}
