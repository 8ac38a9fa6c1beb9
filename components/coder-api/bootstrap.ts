/**
 * What a working Coder needs that exists only behind coderd's API, in the order Coder's own
 * scale-test rig does it (scaletest/terraform/action: first user, login, license): the
 * first admin (or an existing Owner's token), the license, the provisioners' scoped key, and
 * for each proxy region its workspace proxy and its provisioners' key. Cloud-free: it sees
 * an endpoint and config.
 */
import * as pulumi from "@pulumi/pulumi";
import { RandomPassword } from "@pulumi/random/randomPassword";
import { CoderAdmin, CoderEndpointInput, CoderLicense, CoderProvisionerKey, CoderWorkspaceProxy } from "./resources";

/** The first admin to create, or an existing Owner's API token. */
export type AdminCredential = { email: string; username: string } | { token: pulumi.Input<string> };

export interface CoderBootstrapArgs {
    endpoint: pulumi.Input<CoderEndpointInput>;
    admin: AdminCredential;
    /** the license JWT to upload; absent when it is installed by hand or not yet bought */
    license?: pulumi.Input<string>;
    /** the provisioners' scoped key: only on a licensed coderd (external provisioners are a licensed feature) */
    provisionerKey?: { name: string; tags: Record<string, string> };
    /**
     * workspace proxies to register (a licensed feature): each one's token is an output of
     * `workspaceProxies[name]`; raising tokenGeneration regenerates that proxy's token
     */
    workspaceProxies?: { name: string; displayName: string; icon: string; tokenGeneration?: number }[];
    /** a scoped key per proxy region, for the provisioners that run there (a licensed feature) */
    regionProvisionerKeys?: { region: string; name: string; tags: Record<string, string> }[];
    /** what must be up before the first call (coderd's release): a component's dependsOn does not reach its children */
    after: pulumi.Input<pulumi.Resource>[];
}

export class CoderBootstrap extends pulumi.ComponentResource {
    /** the first admin's generated password (secret); undefined with an existing Owner's token */
    public readonly adminPassword?: pulumi.Output<string>;
    /** the session token the other calls are signed with (secret) */
    public readonly token: pulumi.Output<string>;
    public readonly license?: CoderLicense;
    public readonly provisionerKey?: CoderProvisionerKey;
    /** by proxy name */
    public readonly workspaceProxies: Record<string, CoderWorkspaceProxy>;
    /** by region name */
    public readonly regionProvisionerKeys: Record<string, CoderProvisionerKey>;

    constructor(name: string, args: CoderBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:coder:Bootstrap", name, {}, opts);
        checkNames(args);
        const creating = "email" in args.admin;
        // Long and plain: Coder refuses weak passwords (coderd/userpassword), and shells and
        // password managers take it as it is.
        const password = creating
            ? new RandomPassword(`${name}-admin-password`, { length: 32, special: false }, { parent: this })
            : undefined;
        const admin = new CoderAdmin(`${name}-admin`, {
            endpoint: args.endpoint,
            ...("email" in args.admin
                ? { email: args.admin.email, username: args.admin.username, password: password!.result, name: "Coder admin" }
                : { apiToken: args.admin.token }),
        }, { parent: this, dependsOn: args.after });
        this.token = admin.token;
        this.adminPassword = password ? pulumi.secret(password.result) : undefined;

        // The license before the key: Coder refuses the key's route without it.
        this.license = args.license !== undefined
            ? new CoderLicense(`${name}-license`, { endpoint: args.endpoint, token: admin.token, license: args.license }, { parent: this })
            : undefined;
        this.provisionerKey = args.provisionerKey
            ? new CoderProvisionerKey(`${name}-provisioner-key`, {
                endpoint: args.endpoint,
                token: admin.token,
                name: args.provisionerKey.name,
                tags: args.provisionerKey.tags,
            }, { parent: this, dependsOn: this.license ? [this.license] : [] })
            : undefined;

        // Named after the proxy and the region, never their position: adding or removing one
        // leaves the others' resources as they are.
        const afterLicense = (): pulumi.CustomResourceOptions => ({ parent: this, dependsOn: this.license ? [this.license] : [] });
        this.workspaceProxies = {};
        for (const p of args.workspaceProxies ?? []) {
            this.workspaceProxies[p.name] = new CoderWorkspaceProxy(`${name}-wsproxy-${p.name}`, {
                endpoint: args.endpoint,
                token: admin.token,
                name: p.name,
                displayName: p.displayName,
                icon: p.icon,
                tokenGeneration: p.tokenGeneration ?? 0,
            }, afterLicense());
        }
        this.regionProvisionerKeys = {};
        for (const k of args.regionProvisionerKeys ?? []) {
            this.regionProvisionerKeys[k.region] = new CoderProvisionerKey(`${name}-provisioner-key-${k.region}`, {
                endpoint: args.endpoint,
                token: admin.token,
                name: k.name,
                tags: k.tags,
            }, afterLicense());
        }
        this.registerOutputs({ token: this.token });
    }
}

/**
 * Names Coder keeps unique, checked before anything is registered: proxy names (unique
 * regardless of case, enterprise/coderd/workspaceproxy.go postWorkspaceProxy) and provisioner
 * key names in the organization (enterprise/coderd/provisionerkeys.go postProvisionerKey).
 */
function checkNames(args: CoderBootstrapArgs): void {
    const twice = (names: string[]) => names.filter((n, i) => names.findIndex((m) => m.toLowerCase() === n.toLowerCase()) !== i);
    const proxies = twice((args.workspaceProxies ?? []).map((p) => p.name));
    if (proxies.length > 0) throw new Error(`workspace proxy names must differ (Coder ignores case): ${proxies.join(", ")} given twice`);
    const regions = twice((args.regionProvisionerKeys ?? []).map((k) => k.region));
    if (regions.length > 0) throw new Error(`one provisioner key per proxy region: ${regions.join(", ")} given twice`);
    const keys = twice([...(args.provisionerKey ? [args.provisionerKey.name] : []), ...(args.regionProvisionerKeys ?? []).map((k) => k.name)]);
    if (keys.length > 0) {
        throw new Error(`provisioner key names must differ within Coder's organization: ${keys.join(", ")} given twice ` +
            `(each proxy region needs a key name of its own)`);
    }
}
