/**
 * Renders a stack under Pulumi's mocks: every resource the program registers, with
 * its type token, name, parent, options and resolved inputs. Shared by the offline
 * preview and the tests.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { Settings } from "../config";
// No module of the program registers a resource when imported, so a static import is safe.
import { CoderDeployment, loadPlan } from "../program";
import { cloudReader } from "../components/network-check";
import { Plan } from "../sizing";
import { readStackConfig } from "./stack-config";

/** The marker Pulumi puts on secret values it hands to mocks. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export interface RenderedResource {
    type: string;
    name: string;
    /** parent's logical name; undefined for a top-level resource */
    parent?: string;
    parentType?: string;
    custom: boolean;
    /** inputs as the provider would receive them; secrets still wrapped (see isSecretValue) */
    inputs: Record<string, unknown>;
    protect: boolean;
    ignoreChanges: string[];
    dependsOn: string[];
    /** logical name of the provider it is managed by, explicit or inherited from its parents; undefined: the default provider */
    provider?: string;
    /** the resource's identity as Pulumi keys it: its parents' types, its type and name (the URN, less stack and project) */
    urn: string;
    /**
     * The resources each input takes an output of (`type::name`), as the SDK reports them to the
     * engine (property dependencies): a replacement of one makes the input unknown in a preview.
     */
    inputDependencies: Record<string, string[]>;
    /** the deleteBeforeReplace option as registered; undefined: not set, the provider decides */
    deleteBeforeReplace?: boolean;
}

export interface Rendered {
    stack: string;
    settings: Settings;
    plan: Plan;
    resources: RenderedResource[];
    /** what `pulumi preview` would warn about: the config's advisories, and a network not read offline */
    warnings: string[];
}

/**
 * Answers to the program's reads of the cloud (e.g. an existing network), by invoke token
 * (`gcp:compute/getSubnetwork:getSubnetwork`): a function of the invoke's arguments that
 * returns the provider's result, or throws as the cloud would (not found). A read without
 * an answer is skipped with a warning, as the offline preview cannot ask the cloud.
 */
export type CloudReads = Record<string, (args: Record<string, unknown>) => Record<string, unknown>>;

export function isSecretValue(v: unknown): v is { value: unknown } {
    return !!v && typeof v === "object" && (v as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
}

/** A deep copy with every secret replaced by `placeholder`. */
export function redact(v: unknown, placeholder = "[secret]"): unknown {
    if (isSecretValue(v)) return placeholder;
    if (Array.isArray(v)) return v.map((x) => redact(x, placeholder));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redact(x, placeholder)]));
    return v;
}

/** A deep copy with secrets unwrapped (for assertions on the values themselves). */
export function reveal(v: unknown): unknown {
    if (isSecretValue(v)) return reveal(v.value);
    if (Array.isArray(v)) return v.map(reveal);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
    return v;
}

/** Output properties the real providers compute, so dependent inputs resolve (tests reuse it). */
export function computed(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const physical = (inputs.name as string | undefined) ?? `${name}-mock`;
    switch (type) {
        case "gcp:container/cluster:Cluster":
            return {
                name: physical,
                endpoint: "203.0.113.10",
                masterAuth: { clusterCaCertificate: "bW9jay1jYQ==" },
                location: inputs.location,
                // the DNS-based control-plane endpoint GKE gives a cluster that asks for one
                controlPlaneEndpointsConfig: {
                    ...(inputs.controlPlaneEndpointsConfig as object),
                    dnsEndpointConfig: {
                        ...(inputs.controlPlaneEndpointsConfig as { dnsEndpointConfig?: object } | undefined)?.dnsEndpointConfig,
                        endpoint: `gke-0123456789abcdef0123456789abcdef0123-123456789012.${inputs.location}.gke.goog`,
                    },
                },
            };
        case "gcp:sql/databaseInstance:DatabaseInstance":
            // an address of the stack's private services range (privateServicesCidr's default)
            return { name: physical, privateIpAddress: "10.20.0.3", connectionName: `mock-project:region:${physical}` };
        case "gcp:compute/globalAddress:GlobalAddress":
            return { name: physical, address: inputs.address ?? "10.20.0.0" };
        case "gcp:serviceaccount/account:Account":
            return {
                email: `${inputs.accountId}@mock-project.iam.gserviceaccount.com`,
                name: `projects/mock-project/serviceAccounts/${inputs.accountId}@mock-project.iam.gserviceaccount.com`,
            };
        case "gcp:compute/address:Address":
            return { name: physical, address: inputs.addressType === "INTERNAL" ? "10.10.0.50" : "203.0.113.20" };
        case "kubernetes:core/v1:Service":
            // a read of coderd's Service after its release: the load balancer's address
            return { status: { loadBalancer: { ingress: [{ ip: "203.0.113.20", hostname: "mock-nlb-0123456789.elb.us-east-1.amazonaws.com" }] } } };
        case "pulumi-nodejs:dynamic/coder-refarch:CoderAdmin":
            return { token: "mock-session-token", userId: "00000000-0000-0000-0000-000000000001", createdFirstUser: true };
        case "pulumi-nodejs:dynamic/coder-refarch:CoderLicense":
            return { licenseId: 1, uuid: "00000000-0000-0000-0000-00000000000a" };
        case "pulumi-nodejs:dynamic/coder-refarch:CoderProvisionerKey":
            return { key: "mock-provisioner-key", keyId: "00000000-0000-0000-0000-00000000000b", organizationId: "00000000-0000-0000-0000-00000000000c" };
        case "random:index/randomPassword:RandomPassword":
            return { result: `mock-${name}` };
        case "random:index/randomId:RandomId":
            return { hex: "0a1b2c3d", b64Url: "ChssPQ" };
        case "aws:eks/cluster:Cluster":
            return {
                name: physical,
                arn: `arn:aws:eks:us-east-1:123456789012:cluster/${physical}`,
                endpoint: "https://MOCK0123456789.gr7.us-east-1.eks.amazonaws.com",
                certificateAuthority: { data: "bW9jay1jYQ==" },
                identities: [{ oidcs: [{ issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/MOCK0123456789" }] }],
                vpcConfig: { ...(inputs.vpcConfig as object), clusterSecurityGroupId: "sg-mockcluster", vpcId: "vpc-mock" },
                version: inputs.version ?? "1.33",
            };
        case "aws:eks/nodeGroup:NodeGroup":
            return { nodeGroupName: `${name}-mock`, resources: [{ autoscalingGroups: [{ name: `eks-${name}-mock` }] }] };
        case "aws:iam/role:Role":
            return { name: physical, arn: `arn:aws:iam::123456789012:role/${physical}` };
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            return { arn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/MOCK0123456789", url: inputs.url };
        case "aws:rds/instance:Instance":
            return {
                identifier: inputs.identifier ?? `${name}-mock`,
                address: `${inputs.identifier ?? name}.mock.us-east-1.rds.amazonaws.com`,
                endpoint: `${inputs.identifier ?? name}.mock.us-east-1.rds.amazonaws.com:5432`,
                arn: `arn:aws:rds:us-east-1:123456789012:db:${inputs.identifier ?? name}`,
            };
        case "aws:ec2/vpc:Vpc":
        case "aws:ec2/subnet:Subnet":
        case "aws:ec2/securityGroup:SecurityGroup":
            return { id: `${name}-id`, arn: `arn:aws:ec2:us-east-1:123456789012:${name}` };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { latestVersion: 1 };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { name: physical, arn: `arn:aws:logs:us-east-1:123456789012:log-group:${physical}` };
        case "aws:kms/key:Key":
            return { arn: `arn:aws:kms:us-east-1:123456789012:key/${name}-mock`, keyId: `${name}-mock` };
        case "azure-native:resources:ResourceGroup":
            return { name: inputs.resourceGroupName ?? physical, id: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${inputs.resourceGroupName ?? physical}` };
        case "azure-native:containerservice:ManagedCluster":
            return {
                name: inputs.resourceName ?? physical,
                fqdn: "mock-dns-0123abcd.hcp.eastus2.azmk8s.io",
                oidcIssuerProfile: { enabled: true, issuerURL: "https://eastus2.oic.prod-aks.azure.com/33333333-3333-3333-3333-333333333333/44444444-4444-4444-4444-444444444444/" },
            };
        case "azure-native:managedidentity:UserAssignedIdentity":
            return { name: physical, clientId: `${name}-client-id`, principalId: `${name}-principal-id` };
        case "azure-native:dbforpostgresql:Server":
            return { name: inputs.serverName ?? physical, fullyQualifiedDomainName: `${inputs.serverName ?? physical}.postgres.database.azure.com` };
        case "azure-native:dbforpostgresql:Database":
            return { name: inputs.databaseName ?? physical };
        case "azure-native:network:PublicIPAddress":
            return { name: inputs.publicIpAddressName ?? physical, ipAddress: "203.0.113.30" };
        case "azure-native:privatedns:PrivateZone":
            return { name: inputs.privateZoneName ?? physical };
        default:
            return { name: physical };
    }
}

/** A mock AKS user kubeconfig (base64), as `listManagedClusterUserCredentials` returns it. */
const AKS_KUBECONFIG = Buffer.from([
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: mock",
    "  cluster:",
    "    certificate-authority-data: bW9jay1jYQ==",
    "    server: https://mock-dns-0123abcd.hcp.eastus2.azmk8s.io:443",
].join("\n")).toString("base64");

/**
 * Reads every deployment of a cloud makes, whatever its config (not cloud reads of the
 * config's resources): the mocks answer them as the provider would.
 */
const PROGRAM_CALLS: CloudReads = {
    "azure-native:authorization:getClientConfig": () => ({
        // a user signed in with the Azure CLI (its tokens carry the CLI's application ID)
        clientId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        objectId: "22222222-2222-2222-2222-222222222222",
        subscriptionId: "00000000-0000-0000-0000-000000000000",
        tenantId: "33333333-3333-3333-3333-333333333333",
    }),
    "azure-native:containerservice:listManagedClusterUserCredentials": () => ({ kubeconfigs: [{ name: "clusterUser", value: AKS_KUBECONFIG }] }),
};

/**
 * What each registration tells the engine beyond its inputs, by `type::name`: the property
 * dependencies and deleteBeforeReplace. The mocks' newResource does not pass them on, so the
 * mock monitor's registration is wrapped once to read them.
 */
interface Registration { inputDependencies: Record<string, string[]>; deleteBeforeReplace?: boolean }
let registrations: Map<string, Registration> | undefined;
type RegisterRequest = {
    getType(): string; getName(): string;
    getDeletebeforereplace(): boolean; getDeletebeforereplacedefined(): boolean;
    getPropertydependenciesMap(): { forEach(f: (deps: { getUrnsList(): string[] }, key: string) => void): void };
};
const monitorRegister = MockMonitor.prototype.registerResource;
MockMonitor.prototype.registerResource = function (this: MockMonitor, req: RegisterRequest, callback: unknown) {
    const deps: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((d, key) => {
        // mock URNs: urn:pulumi:<stack>::<project>::<parent type>$<type>::<name>
        const refs = d.getUrnsList().map((urn) => {
            const parts = urn.split("::");
            return `${parts[parts.length - 2]!.split("$").pop()}::${parts[parts.length - 1]}`;
        });
        if (refs.length) deps[key] = [...new Set(refs)].sort();
    });
    registrations?.set(`${req.getType()}::${req.getName()}`, {
        inputDependencies: deps,
        deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
    });
    return (monitorRegister as (...a: unknown[]) => unknown).call(this, req, callback);
} as typeof MockMonitor.prototype.registerResource;

interface Captured {
    type: string;
    name: string;
    parent?: pulumi.Resource;
    opts: pulumi.ResourceOptions;
}

/**
 * Renders `stack` (Pulumi.<stack>.yaml under `root`) under mocks. Throws ConfigError
 * for a bad config before any resource is registered.
 */
export async function renderStack(stack: string, root?: string, cloudReads?: CloudReads): Promise<Rendered> {
    const { raw, secretKeys } = readStackConfig(stack, root);
    return renderConfig(stack, raw, secretKeys, [], cloudReads);
}

/**
 * Renders a stack from raw config (`namespace:key` → string, as the CLI passes it).
 * `registered` receives the type and name of every resource the mocks see, so a
 * caller can check that a failing config registered nothing. `cloudReads` answers the
 * program's reads of the cloud.
 */
export async function renderConfig(
    stack: string, raw: Record<string, string>, secretKeys: string[] = [], registeredLog: string[] = [], cloudReads: CloudReads = {},
): Promise<Rendered> {
    const registered = new Map<string, { type: string; name: string; inputs: Record<string, unknown>; custom: boolean }>();
    const sent = new Map<string, Registration>();
    registrations = sent;
    pulumi.runtime.setMocks({
        newResource: (args) => {
            const inputs = (args.inputs ?? {}) as Record<string, unknown>;
            registeredLog.push(`${args.type}::${args.name}`);
            registered.set(`${args.type}::${args.name}`, { type: args.type, name: args.name, inputs, custom: args.custom ?? true });
            return { id: `${args.name}-id`, state: { ...inputs, ...computed(args.type, args.name, inputs) } };
        },
        call: (args) => {
            const answer = cloudReads[args.token] ?? PROGRAM_CALLS[args.token];
            try {
                if (!answer) throw new Error(`no mock for the call ${args.token}`);
                return answer(args.inputs as Record<string, unknown>);
            } catch (e) {
                // The SDK rethrows a failed invoke with the RPC error's `details`, as the engine fills them.
                const message = e instanceof Error ? e.message : String(e);
                throw Object.assign(new Error(message), { details: message });
            }
        },
    }, "coder-refarch", stack, false);
    pulumi.runtime.setAllConfig(raw, secretKeys);

    // Reads the mocks cannot answer come back undefined: the program skips them and warns.
    const { settings, plan, network, warnings } = await loadPlan(raw, stack, undefined, cloudReader((token) => token in cloudReads));

    const captured: Captured[] = [];
    const names = new Map<pulumi.Resource, Captured>();
    const capture: pulumi.ResourceTransformation = (a) => {
        const c: Captured = { type: a.type, name: a.name, parent: a.opts.parent, opts: a.opts };
        captured.push(c);
        names.set(a.resource, c);
        return undefined;
    };
    new CoderDeployment("coder", { settings, plan, network }, { transformations: [capture] });
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

    // A resource without its own `protect` takes its parent's (@pulumi/pulumi resource.js),
    // which the SDK fills in after the transformation has seen the options.
    const protects = (c: Captured): boolean => {
        if (c.opts.protect !== undefined) return c.opts.protect === true;
        const parent = c.parent ? names.get(c.parent) : undefined;
        return parent ? protects(parent) : false;
    };
    // The provider a resource is managed by (@pulumi/pulumi resource.js): its own `provider`
    // for its package, else its own or its parents' `providers` for the package.
    const pkgOf = (type: string) => type.split(":")[0]!;
    const providerOf = (c: Captured, pkg: string): pulumi.ProviderResource | undefined => {
        const o = c.opts as pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;
        const matches = (p: pulumi.ProviderResource | undefined) => (p && names.get(p)?.type === `pulumi:providers:${pkg}` ? p : undefined);
        const fromList = o.providers === undefined ? undefined
            : Array.isArray(o.providers) ? o.providers.find((p) => matches(p)) : matches((o.providers as Record<string, pulumi.ProviderResource>)[pkg]);
        const found = matches(o.provider) ?? fromList;
        if (found) return found;
        const parent = c.parent ? names.get(c.parent) : undefined;
        return parent ? providerOf(parent, pkg) : undefined;
    };
    const urnOf = (c: Captured): string => {
        const types: string[] = [];
        for (let p = c.parent ? names.get(c.parent) : undefined; p; p = p.parent ? names.get(p.parent) : undefined) types.unshift(p.type);
        return `${[...types, c.type].join("$")}::${c.name}`;
    };
    const resources = captured.map((c): RenderedResource => {
        const reg = registered.get(`${c.type}::${c.name}`);
        if (!reg) throw new Error(`${c.type} ${c.name} was constructed but never registered`);
        const parent = c.parent ? names.get(c.parent) : undefined;
        const deps = ([] as unknown[]).concat(c.opts.dependsOn ?? []);
        const provider = reg.custom && !c.type.startsWith("pulumi:providers:") ? providerOf(c, pkgOf(c.type)) : undefined;
        return {
            type: c.type,
            name: c.name,
            parent: parent?.name,
            parentType: parent?.type,
            custom: reg.custom,
            inputs: reg.inputs,
            protect: protects(c),
            ignoreChanges: c.opts.ignoreChanges ?? [],
            dependsOn: deps.map((d) => names.get(d as pulumi.Resource)?.name ?? "?"),
            provider: provider ? names.get(provider)?.name : undefined,
            urn: urnOf(c),
            inputDependencies: sent.get(`${c.type}::${c.name}`)?.inputDependencies ?? {},
            deleteBeforeReplace: sent.get(`${c.type}::${c.name}`)?.deleteBeforeReplace,
        };
    });
    return { stack, settings, plan, resources, warnings };
}
