/**
 * The workspaces namespace's admission rule: a pod (or a Deployment's pod template) that
 * would not land on the workspaces pool is refused, with a message that says what to set.
 * Pure functions: the CEL and the message are derived from the pool's placement, the one
 * definition the pool's labels and taints also come from (sizing.ts placementFor).
 *
 * Why: the system pool is untainted, so a template without a node selector or tolerations
 * (Coder's own kubernetes example has neither: coder/coder examples/templates/kubernetes/main.tf)
 * would schedule next to cluster DNS; Coder leaves placement to the templates ("Set
 * nodeSelectors, affinities, and tolerations in Coder templates", validated-architectures.md).
 */
import { Placement, Toleration } from "../../sizing";

/** The objects checked: pods themselves, and Deployments' pod templates (earlier, clearer feedback). */
export type PlacedKind = "Pod" | "Deployment";

/** Where each kind keeps its pod spec, as a CEL path and as a field path in the message. */
const POD_SPEC: Record<PlacedKind, { cel: string; field: string }> = {
    Pod: { cel: "object.spec", field: "spec" },
    Deployment: { cel: "object.spec.template.spec", field: "spec.template.spec" },
};

/** The resource rule of each kind (admissionregistration.k8s.io/v1 NamedRuleWithOperations). */
export const PLACED_RESOURCES: Record<PlacedKind, { apiGroups: string[]; apiVersions: string[]; resources: string[] }> = {
    Pod: { apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] },
    Deployment: { apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"] },
};

/**
 * A CEL string literal. Label keys, values and taint effects are restricted to
 * [A-Za-z0-9._/-] by the Kubernetes API, so none needs escaping; anything else is a bug.
 */
function celString(s: string): string {
    if (!/^[A-Za-z0-9._/-]*$/.test(s)) throw new Error(`not a label key, value or taint effect: ${JSON.stringify(s)}`);
    return `'${s}'`;
}

/**
 * The node selector holds every entry of the placement. `nodeSelector` may be absent
 * (has()), and a missing map key is an evaluation error in CEL, so presence (`in`) is
 * tested before the value: CEL's && is false as soon as one side is false.
 */
function nodeSelectorRule(placement: Placement, spec: string): string {
    const entries = Object.entries(placement.nodeSelector).sort(([a], [b]) => a.localeCompare(b));
    return [
        `has(${spec}.nodeSelector)`,
        ...entries.flatMap(([k, v]) => [`${celString(k)} in ${spec}.nodeSelector`, `${spec}.nodeSelector[${celString(k)}] == ${celString(v)}`]),
    ].join(" && ");
}

/**
 * Some toleration tolerates the taint, as the scheduler decides it (Kubernetes
 * `Toleration.ToleratesTaint`): the effect is empty or the taint's; the key is empty
 * (with operator Exists, which the API requires then) or the taint's; and the operator
 * is Exists, or Equal (the default) with the taint's value.
 */
function tolerationRule(t: Toleration, spec: string): string {
    const effect = `(!has(x.effect) || x.effect == '' || x.effect == ${celString(t.effect)})`;
    const key = `(!has(x.key) || x.key == '' || x.key == ${celString(t.key)})`;
    const value = `((has(x.operator) && x.operator == 'Exists') || (has(x.value) && x.value == ${celString(t.value)}))`;
    return `has(${spec}.tolerations) && ${spec}.tolerations.exists(x, ${effect} && ${key} && ${value})`;
}

/** What to set, as the pod spec's fields, named from the kind's pod spec. */
export function placementMessage(kind: PlacedKind, namespace: string, placement: Placement): string {
    const field = POD_SPEC[kind].field;
    const what = kind === "Pod" ? "pods" : "Deployments' pods";
    return `${what} in namespace ${namespace} must run on the workspaces node pool: ` +
        `set ${field}.nodeSelector ${JSON.stringify(placement.nodeSelector)} and ` +
        `${field}.tolerations ${JSON.stringify(placement.tolerations)} ` +
        "(in a Coder template: node_selector and toleration in the pod spec; the stack output workspacePlacement holds both)";
}

/**
 * The policy's validations for a kind: one for the node selector, one a toleration; each
 * failing one gives the whole fix (the message has no line break, as the API requires).
 */
export function placementValidations(kind: PlacedKind, namespace: string, placement: Placement): { expression: string; message: string }[] {
    const spec = POD_SPEC[kind].cel;
    const message = placementMessage(kind, namespace, placement);
    return [
        { expression: nodeSelectorRule(placement, spec), message },
        ...placement.tolerations.map((t) => ({ expression: tolerationRule(t, spec), message })),
    ];
}
