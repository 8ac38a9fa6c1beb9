/**
 * The replacement rules (preview/replacement.ts) against what the providers' SDKs say: every
 * input whose doc says it "forces a new resource" is listed, every listed path names an input
 * of the SDK, and the facts a tier upgrade rests on hold, each from its provider's source
 * (written here, not read from the rules). And every custom resource type a stack renders has
 * rules.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { REPLACED_ON, forcesReplacement, knowsReplacement } from "../preview/replacement";
import { STACKS, render } from "./helpers";

const SDK = path.join(__dirname, "../node_modules/@pulumi");

/** Doc phrasings of the bridged SDKs for an input whose change replaces the resource. */
const FORCES = /forces? (a )?new|force(s)? (the )?recreation|forces? (a )?replacement|will force a new|forces recreation|trigger recreation/i;

/** Providers whose SDK is bridged from a Terraform provider: their docs carry the upstream "ForceNew" wording. */
const BRIDGED = ["gcp", "aws", "random"];

interface Member {
    name: string;
    doc: string;
    type: string;
}

/** The members of `interface <name> {` found at or after `from` in `text`, with their doc comments. */
function members(text: string, iface: string, from = 0): Member[] {
    const start = text.indexOf(`interface ${iface} {`, from);
    if (start < 0) return [];
    let i = text.indexOf("{", start) + 1;
    const body0 = i;
    for (let depth = 1; depth > 0; i++) {
        if (text[i] === "{") depth++;
        else if (text[i] === "}") depth--;
    }
    const out: Member[] = [];
    let doc = "";
    let inDoc = false;
    let depth = 0;
    for (const line of text.slice(body0, i - 1).split("\n")) {
        if (depth === 0 && !inDoc && /^\s*\/\*\*/.test(line)) {
            doc = line;
            inDoc = !line.includes("*/");
            continue;
        }
        if (inDoc) {
            doc += `\n${line}`;
            inDoc = !line.includes("*/");
            continue;
        }
        const m = depth === 0 ? /^\s*"?([\w$]+)"?\??: (.*)$/.exec(line) : null;
        if (m) out.push({ name: m[1]!, doc: doc.replace(/\s*\n\s*\*\s?/g, " "), type: m[2]! });
        else if (out.length) out[out.length - 1]!.type += line;
        depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
        if (m) doc = "";
    }
    return out;
}

/** The SDK's declaration of a type token: its module's .d.ts and its Args interface. */
function declaration(token: string): { file: string; iface: string; pkg: string } | undefined {
    const [pkg, mod, cls] = token.split(":") as [string, string, string];
    if (pkg === "pulumi") return { pkg: cls, file: path.join(SDK, cls, "provider.d.ts"), iface: "ProviderArgs" };
    let dir: string;
    let base: string;
    if (pkg === "kubernetes") {
        const [group, version] = mod.split("/") as [string, string];
        dir = path.join(SDK, pkg, group.split(".")[0]!, version);
        base = cls;
    } else {
        const [folder, file] = mod.split("/") as [string, string | undefined];
        dir = path.join(SDK, pkg, folder === "index" ? "" : folder);
        base = file ?? cls;
    }
    if (!fs.existsSync(dir)) return undefined;
    const found = fs.readdirSync(dir).find((f) => f.toLowerCase() === `${base.toLowerCase()}.d.ts`);
    return found ? { pkg, file: path.join(dir, found), iface: `${cls}Args` } : undefined;
}

const inputsOf = new Map<string, string>();
/** A package's types/input.d.ts (empty where it has none). */
function inputTypes(pkg: string): string {
    if (!inputsOf.has(pkg)) {
        const f = path.join(SDK, pkg, "types/input.d.ts");
        inputsOf.set(pkg, fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "");
    }
    return inputsOf.get(pkg)!;
}

/** Where `inputs.a.b.C` is declared in a package's input types: the text and the offset of its namespace. */
function nested(pkg: string, ref: string): { text: string; from: number; iface: string } | undefined {
    const parts = ref.split(".");
    const text = inputTypes(pkg);
    let from = 0;
    for (const [i, ns] of parts.slice(0, -1).entries()) {
        from = text.indexOf(i === 0 ? `export declare namespace ${ns} {` : `namespace ${ns} {`, from);
        if (from < 0) return undefined;
    }
    return { text, from, iface: parts[parts.length - 1]! };
}

/** A member's input type: the referenced interface, whether it is a list, a map, or a plain value. */
function shapeOf(pkg: string, m: Member) {
    const ref = /inputs\.([\w.]+)/.exec(m.type)?.[1];
    return {
        ref: ref ? nested(pkg, ref) : undefined,
        list: /\[\]/.test(m.type),
        map: /\[key: string\]/.test(m.type),
    };
}

/** Every path of a type's inputs whose doc says a change forces a new resource (lists as `[]`). */
function docForced(token: string): string[] {
    const d = declaration(token)!;
    const out: string[] = [];
    const walk = (text: string, from: number, iface: string, prefix: string, depth: number) => {
        for (const m of members(text, iface, from)) {
            const p = prefix + m.name;
            if (FORCES.test(m.doc)) out.push(p);
            const s = shapeOf(d.pkg, m);
            if (s.ref && depth < 5) walk(s.ref.text, s.ref.from, s.ref.iface, `${p}${s.list ? "[]" : ""}.`, depth + 1);
        }
    };
    walk(fs.readFileSync(d.file, "utf8"), 0, d.iface, "", 0);
    return out;
}

/** Whether a rule's path names inputs of the type's SDK (a map's keys are free). */
function resolves(token: string, rule: string): boolean {
    const d = declaration(token)!;
    let text = fs.readFileSync(d.file, "utf8");
    let from = 0;
    let iface = d.iface;
    const steps = rule.replace(/\[\]/g, ".[]").split(".");
    for (let i = 0; i < steps.length; i++) {
        const m = members(text, iface, from).find((x) => x.name === steps[i]);
        if (!m) return false;
        const s = shapeOf(d.pkg, m);
        if (steps[i + 1] === "[]") {
            if (!s.list) return false;
            i++;
        }
        if (i === steps.length - 1 || s.map) return true;
        if (!s.ref) return false;
        ({ text, from, iface } = s.ref);
    }
    return true;
}

const tokens = Object.keys(REPLACED_ON).sort();
const bridged = tokens.filter((t) => BRIDGED.includes(t.split(":")[0]!));
/** Types with an SDK declaration: every package but the program's dynamic resources and cert-manager's and GMP's CRDs. */
const declared = tokens.filter((t) => declaration(t) !== undefined);

describe("every custom resource a stack renders", () => {
    it.each(STACKS)("%s: its types have replacement rules", async (stack) => {
        const r = await render(stack);
        const unknown = [...new Set(r.resources.filter((x) => x.custom && !knowsReplacement(x.type)).map((x) => x.type))];
        expect(unknown).toEqual([]);
    });
});

describe("the rules against the SDKs' own declarations", () => {
    it("has a declaration for every type of the cloud and Kubernetes SDKs (CRDs and the program's dynamic resources aside)", () => {
        const without = tokens.filter((t) => declaration(t) === undefined);
        expect(without.every((t) => t.startsWith("pulumi-nodejs:dynamic/") || /^kubernetes:(cert-manager\.io|monitoring\.googleapis\.com)\//.test(t)), without.join(", ")).toBe(true);
        expect(declared.length).toBeGreaterThan(60);
    });

    it.each(bridged)("%s: every input whose SDK doc says it forces a new resource is listed", (token) => {
        const missing = docForced(token).filter((p) => !forcesReplacement(token, p));
        expect(missing).toEqual([]);
    });

    it("finds the doc-stated facts at all (the wording is read, not skipped)", () => {
        expect(docForced("gcp:serviceaccount/account:Account")).toContain("accountId");
        expect(docForced("gcp:container/nodePool:NodePool")).toContain("initialNodeCount");
        expect(docForced("aws:eks/cluster:Cluster")).toEqual(expect.arrayContaining(["kubernetesNetworkConfig.serviceIpv4Cidr", "bootstrapSelfManagedAddons"]));
        expect(docForced("random:index/randomPassword:RandomPassword")).toContain("keepers");
    });

    it.each(declared)("%s: every listed path names an input of the SDK", (token) => {
        const unresolved = REPLACED_ON[token]!.filter((rule) => !resolves(token, rule));
        expect(unresolved).toEqual([]);
    });

    it("would catch a misnamed rule", () => {
        expect(resolves("aws:eks/nodeGroup:NodeGroup", "instanceTypes[]")).toBe(true);
        expect(resolves("aws:eks/nodeGroup:NodeGroup", "instanceType")).toBe(false);
        expect(resolves("gcp:container/nodePool:NodePool", "nodeConfig.machineType")).toBe(true);
        expect(resolves("gcp:container/nodePool:NodePool", "nodeConfig.machineTypes")).toBe(false);
        expect(resolves("kubernetes:core/v1:Secret", "metadata.name")).toBe(true);
        expect(resolves("kubernetes:core/v1:Secret", "metadata.nam")).toBe(false);
        expect(resolves("azure-native:containerservice:ManagedCluster", "networkProfile.podCidr")).toBe(true);
        expect(resolves("azure-native:containerservice:ManagedCluster", "networkProfile.podCIDR")).toBe(false);
    });
});

/**
 * Facts a tier upgrade rests on, each from its provider's source. `true`: the change replaces
 * the resource; `false`: it is made in place.
 */
const FACTS: [token: string, path: string, replaces: boolean, source: string][] = [
    // terraform-provider-google node_config.go / resource_container_node_pool.go (magic-modules#9575, provider 5.10+)
    ["gcp:container/nodePool:NodePool", "nodeConfig.machineType", false, "machine_type: no ForceNew; NodePools.update migrates the nodes"],
    ["gcp:container/nodePool:NodePool", "nodeConfig.diskType", false, "disk_type: no ForceNew"],
    ["gcp:container/nodePool:NodePool", "nodeConfig.diskSizeGb", false, "disk_size_gb: no ForceNew"],
    ["gcp:container/nodePool:NodePool", "maxPodsPerNode", true, "max_pods_per_node: ForceNew"],
    ["gcp:container/nodePool:NodePool", "nodeConfig.serviceAccount", true, "service_account: ForceNew"],
    ["gcp:container/nodePool:NodePool", "nodeConfig.oauthScopes[0]", true, "oauth_scopes: ForceNew"],
    ["gcp:container/nodePool:NodePool", "autoscaling.totalMaxNodeCount", false, "autoscaling: updated through the cluster"],
    ["gcp:container/nodePool:NodePool", "nodeLocations[1]", false, "node_locations: NodePools.update"],
    ["gcp:container/nodePool:NodePool", "nodeConfig.labels.pool", false, "labels: updatable"],
    ["gcp:container/nodePool:NodePool", "nodeConfig.taints[0].value", false, "taint: updatable"],
    ["gcp:container/nodePool:NodePool", "upgradeSettings.maxSurge", false, "upgrade_settings: updatable"],
    ["gcp:container/nodePool:NodePool", "nodeConfig", true, "a whole node_config added or removed (the block is ForceNew)"],
    ["gcp:container/cluster:Cluster", "name", true, "name: ForceNew"],
    ["gcp:container/cluster:Cluster", "datapathProvider", true, "datapath_provider: ForceNew"],
    ["gcp:container/cluster:Cluster", "privateClusterConfig.masterIpv4CidrBlock", true, "master_ipv4_cidr_block: ForceNew"],
    ["gcp:container/cluster:Cluster", "releaseChannel.channel", false, "release_channel: updatable"],
    ["gcp:container/cluster:Cluster", "masterAuthorizedNetworksConfig.cidrBlocks[0].cidrBlock", false, "updatable"],
    ["gcp:sql/databaseInstance:DatabaseInstance", "settings.tier", false, "tier: updatable (a restart)"],
    ["gcp:sql/databaseInstance:DatabaseInstance", "settings.diskSize", false, "disk_size: updatable (grows)"],
    ["gcp:sql/databaseInstance:DatabaseInstance", "settings.availabilityType", false, "availability_type: updatable"],
    ["gcp:sql/databaseInstance:DatabaseInstance", "name", true, "name: ForceNew"],
    ["gcp:sql/databaseInstance:DatabaseInstance", "region", true, "region: ForceNew"],
    // terraform-provider-aws internal/service/eks/node_group.go, ec2/ec2_launch_template.go, rds/instance.go
    ["aws:eks/nodeGroup:NodeGroup", "instanceTypes[0]", true, "instance_types: ForceNew"],
    ["aws:eks/nodeGroup:NodeGroup", "instanceTypes", true, "instance_types: ForceNew (the whole list)"],
    ["aws:eks/nodeGroup:NodeGroup", "amiType", true, "ami_type: ForceNew"],
    ["aws:eks/nodeGroup:NodeGroup", "subnetIds[2]", true, "subnet_ids: ForceNew"],
    ["aws:eks/nodeGroup:NodeGroup", "launchTemplate.version", false, "launch_template.version: UpdateNodegroupVersion"],
    ["aws:eks/nodeGroup:NodeGroup", "launchTemplate.id", true, "launch_template.id: ForceNew"],
    ["aws:eks/nodeGroup:NodeGroup", "scalingConfig.maxSize", false, "scaling_config: UpdateNodegroupConfig"],
    ["aws:eks/nodeGroup:NodeGroup", "labels.pool", false, "labels: UpdateNodegroupConfig"],
    ["aws:eks/nodeGroup:NodeGroup", "taints[0].effect", false, "taints: UpdateNodegroupConfig"],
    ["aws:eks/nodeGroup:NodeGroup", "updateConfig.maxUnavailablePercentage", false, "update_config: UpdateNodegroupConfig"],
    ["aws:ec2/launchTemplate:LaunchTemplate", "userData", false, "a new version of the template"],
    ["aws:ec2/launchTemplate:LaunchTemplate", "blockDeviceMappings[0].ebs.volumeSize", false, "a new version of the template"],
    ["aws:ec2/launchTemplate:LaunchTemplate", "name", true, "name: ForceNew"],
    ["aws:rds/instance:Instance", "instanceClass", false, "instance_class: ModifyDBInstance"],
    ["aws:rds/instance:Instance", "allocatedStorage", false, "allocated_storage: ModifyDBInstance (grows)"],
    ["aws:rds/instance:Instance", "maxAllocatedStorage", false, "max_allocated_storage: ModifyDBInstance"],
    ["aws:rds/instance:Instance", "multiAz", false, "multi_az: ModifyDBInstance"],
    ["aws:rds/instance:Instance", "engineVersion", false, "engine_version: ModifyDBInstance"],
    ["aws:rds/instance:Instance", "identifier", true, "identifier: ForceNew"],
    ["aws:rds/instance:Instance", "storageEncrypted", true, "storage_encrypted: ForceNew"],
    ["aws:rds/instance:Instance", "kmsKeyId", true, "kms_key_id: ForceNew"],
    ["aws:eks/cluster:Cluster", "name", true, "name: ForceNew"],
    ["aws:eks/cluster:Cluster", "vpcConfig.publicAccessCidrs[0]", false, "UpdateClusterConfig"],
    // pulumi-azure-native diff.go (path parameters), gen/replacement.go (forceNewMap); Azure/AKS#1790 (create-only pool shape)
    ["azure-native:containerservice:AgentPool", "vmSize", true, "forceNewMap: AgentPool vmSize"],
    ["azure-native:containerservice:AgentPool", "agentPoolName", true, "a path parameter"],
    ["azure-native:containerservice:AgentPool", "availabilityZones[0]", true, "create-only"],
    ["azure-native:containerservice:AgentPool", "maxPods", true, "create-only"],
    ["azure-native:containerservice:AgentPool", "count", false, "scaled in place"],
    ["azure-native:containerservice:AgentPool", "maxCount", false, "autoscaler range: in place"],
    ["azure-native:containerservice:AgentPool", "nodeLabels.pool", false, "labels: in place"],
    ["azure-native:containerservice:AgentPool", "upgradeSettings.maxSurge", false, "in place"],
    ["azure-native:containerservice:ManagedCluster", "dnsPrefix", true, "forceNewMap"],
    ["azure-native:containerservice:ManagedCluster", "networkProfile.podCidr", true, "forceNewMap"],
    ["azure-native:containerservice:ManagedCluster", "resourceName", true, "a path parameter"],
    ["azure-native:containerservice:ManagedCluster", "sku.tier", false, "in place"],
    ["azure-native:containerservice:ManagedCluster", "autoUpgradeProfile.upgradeChannel", false, "in place"],
    ["azure-native:dbforpostgresql:Server", "sku.name", false, "compute scales in place"],
    ["azure-native:dbforpostgresql:Server", "storage.storageSizeGB", false, "storage grows in place"],
    ["azure-native:dbforpostgresql:Server", "highAvailability.mode", false, "HA is enabled and disabled in place"],
    ["azure-native:dbforpostgresql:Server", "location", true, "x-ms-mutability: create, read"],
    ["azure-native:dbforpostgresql:Server", "serverName", true, "a path parameter"],
    ["azure-native:dbforpostgresql:Server", "network.delegatedSubnetResourceId", true, "create-only"],
    ["azure-native:resources:ResourceGroup", "location", true, "forceNewMap"],
    ["azure-native:network:PublicIPAddress", "sku.name", true, "forceNewMap"],
    // pulumi-kubernetes helm_release.go Diff, diff.go forceNewProperties
    ["kubernetes:helm.sh/v3:Release", "values.coder.replicaCount", false, "helm upgrade"],
    ["kubernetes:helm.sh/v3:Release", "values.coder.env[3].value", false, "helm upgrade"],
    ["kubernetes:helm.sh/v3:Release", "version", false, "helm upgrade"],
    ["kubernetes:helm.sh/v3:Release", "name", true, "forceNewFields .name"],
    ["kubernetes:helm.sh/v3:Release", "namespace", true, "forceNewFields .namespace"],
    ["kubernetes:core/v1:Secret", "stringData.url", true, "Secret data without enableSecretMutable"],
    ["kubernetes:core/v1:Secret", "metadata.labels.app", false, "labels: patched"],
    ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "spec.ingress[0]", false, "patched"],
    ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "roleRef.name", true, ".roleRef"],
    ["kubernetes:storage.k8s.io/v1:StorageClass", "parameters.type", true, ".parameters"],
    ["pulumi:providers:kubernetes", "kubeconfig", true, "DiffConfig: the active cluster"],
    ["pulumi:providers:kubernetes", "enableServerSideApply", false, "DiffConfig: no replacement"],
    ["pulumi:providers:aws", "region", true, "pulumi-aws#4000"],
    // components/coder-api/resources.ts, components/azure/propagation.ts
    ["pulumi-nodejs:dynamic/coder-refarch:CoderAdmin", "password", false, "diff: email and username only"],
    ["pulumi-nodejs:dynamic/coder-refarch:PropagationWait", "after[1]", true, "diff: a new list of role assignments"],
    ["random:index/randomPassword:RandomPassword", "length", true, "RequiresReplace"],
];

describe("the facts a tier upgrade rests on", () => {
    it.each(FACTS)("%s %s: replaces %s (%s)", (token, p, replaces) => {
        expect(knowsReplacement(token)).toBe(true);
        expect(forcesReplacement(token, p)).toBe(replaces);
    });
});

describe("paths", () => {
    it("are dot paths with [] for list elements", () => {
        for (const [token, rules] of Object.entries(REPLACED_ON)) {
            for (const rule of rules) expect(rule, token).toMatch(/^[A-Za-z_$][\w$]*(\[\])?(\.[A-Za-z_$][\w$]*(\[\])?)*$/);
        }
    });

    it("match a listed path, a path under one, or one that contains one", () => {
        const t = "gcp:container/nodePool:NodePool";
        expect(forcesReplacement(t, "maxPodsPerNode")).toBe(true);
        expect(forcesReplacement(t, "nodeConfig.shieldedInstanceConfig.enableSecureBoot")).toBe(true);
        expect(forcesReplacement(t, "nodeConfig")).toBe(true);
        expect(forcesReplacement(t, "nodeConfig.machineType")).toBe(false);
        expect(forcesReplacement("aws:eks/nodeGroup:NodeGroup", "instanceTypes[*]")).toBe(true);
        expect(forcesReplacement("aws:eks/nodeGroup:NodeGroup", "instanceTypesX")).toBe(false);
    });

    it("say nothing of an unknown type (unknown, not never replaced)", () => {
        expect(knowsReplacement("acme:index/widget:Widget")).toBe(false);
        expect(forcesReplacement("acme:index/widget:Widget", "name")).toBe(false);
        expect(knowsReplacement("constructor")).toBe(false);
    });
});
