/**
 * What a working Coder needs that exists only behind coderd's API, in the order Coder's own
 * scale-test rig does it (scaletest/terraform/action: first user, login, license): the
 * first admin (or an existing Owner's token), the license, and the provisioners' scoped
 * key. Cloud-free: it sees an endpoint and config.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CoderAdmin, CoderEndpointInput, CoderLicense, CoderProvisionerKey } from "./resources";

/** The first admin to create, or an existing Owner's API token. */
export type AdminCredential = { email: string; username: string } | { token: pulumi.Input<string> };

export interface CoderBootstrapArgs {
    endpoint: pulumi.Input<CoderEndpointInput>;
    admin: AdminCredential;
    /** the license JWT to upload; absent when it is installed by hand or not yet bought */
    license?: pulumi.Input<string>;
    /** the provisioners' scoped key: only on a licensed coderd (external provisioners are a licensed feature) */
    provisionerKey?: { name: string; tags: Record<string, string> };
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

    constructor(name: string, args: CoderBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:coder:Bootstrap", name, {}, opts);
        const creating = "email" in args.admin;
        // Long and plain: Coder refuses weak passwords (coderd/userpassword), and shells and
        // password managers take it as it is.
        const password = creating
            ? new random.RandomPassword(`${name}-admin-password`, { length: 32, special: false }, { parent: this })
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
        this.registerOutputs({ token: this.token });
    }
}
