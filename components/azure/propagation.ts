/**
 * A pause after a role assignment, before the first call it must authorize. Azure RBAC for
 * Kubernetes: "New role assignments can take up to five minutes to propagate and be updated
 * by the authorization server" (learn.microsoft.com/azure/aks/manage-azure-rbac). Without it
 * the first `pulumi up` fails its first Kubernetes call with 403 and has to be run again.
 *
 * The pause runs when the resource is created, that is when one of the assignments it waits
 * for is new (its `after` IDs change and it is replaced); later runs pass straight through.
 */
import * as pulumi from "@pulumi/pulumi";

interface WaitState {
    after: string[];
    seconds: number;
}

const waitProvider: pulumi.dynamic.ResourceProvider<WaitState, WaitState> = {
    async create(inputs) {
        await new Promise((resolve) => setTimeout(resolve, inputs.seconds * 1000));
        return { id: `waited-${Date.now()}`, outs: inputs };
    },
    async diff(_id, olds, news) {
        const replace = JSON.stringify([...(olds.after ?? [])].sort()) !== JSON.stringify([...(news.after ?? [])].sort());
        return { changes: replace || olds.seconds !== news.seconds, replaces: replace ? ["after"] : [], deleteBeforeReplace: false };
    },
    async update(_id, _olds, news) {
        return { outs: news };
    },
};

export interface PropagationWaitArgs {
    /** the role assignments' IDs: a new one replaces the resource, and the pause runs again */
    after: pulumi.Input<pulumi.Input<string>[]>;
    seconds: number;
}

export class PropagationWait extends pulumi.dynamic.Resource {
    constructor(name: string, args: PropagationWaitArgs, opts?: pulumi.CustomResourceOptions) {
        super(waitProvider, name, { after: args.after, seconds: args.seconds }, opts, "coder-refarch", "PropagationWait");
    }
}

/** AKS's own figure for Azure RBAC for Kubernetes (see above). */
export const RBAC_PROPAGATION_SECONDS = 300;

/** An Azure role assignment on a resource (not Kubernetes): usually within a minute. */
export const ARM_PROPAGATION_SECONDS = 60;
