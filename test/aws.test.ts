/** What is AWS-specific: VPC, EKS cluster and add-ons, managed node groups, RDS and the known traps. */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, Settings, validateConfig } from "../config";
import { Rendered, RenderedResource, computed, isSecretValue, renderConfig, reveal } from "../preview/render";
import { buildPlan, Plan, splitAcross } from "../sizing";
import { NODE_PROFILES } from "../tiers";
import { AUTOSCALER_CHART } from "../components/aws/autoscaler";
import { EksCluster, EksClusterArgs, kubeReserved, UPDATE_BATCH_MINUTES } from "../components/aws/cluster";
import { AwsPlatform } from "../components/aws/platform";
import { NODE_DISK_DECISION } from "./fixtures/seeds";
import { POOL_KEY, STACKS, one, ofType, rawConfig, release, render as renderAll } from "./helpers";
import { regionalName } from "../components/aws/names";
import * as awsConfig from "@pulumi/aws/config";
import { regionProviderArgs } from "../components/aws/provider";

/**
 * A stack's primary region: a proxy region's resources (named `coder-<region name>-...` by the
 * program) are left out; each region's platform is tested on its own below.
 */
async function render(stack: string) {
    const r = await renderAll(stack);
    const ids = (r.settings.proxyRegions ?? []).map((p) => `coder-${p.name}-`);
    return ids.length ? { ...r, resources: r.resources.filter((x) => !ids.some((id) => x.name.startsWith(id))) } : r;
}

type Obj = Record<string, any>;
const awsStacks = STACKS.filter((s) => s.startsWith("aws-"));

const T = {
    cluster: "aws:eks/cluster:Cluster",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    addon: "aws:eks/addon:Addon",
    role: "aws:iam/role:Role",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    subnet: "aws:ec2/subnet:Subnet",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    asgTag: "aws:autoscaling/tag:Tag",
    db: "aws:rds/instance:Instance",
    params: "aws:rds/parameterGroup:ParameterGroup",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    kmsKey: "aws:kms/key:Key",
};

/** The mocks give every resource the id `<logical name>-id`. */
const byId = (r: Rendered, type: string, id: unknown): RenderedResource => {
    const found = ofType(r, type).find((x) => `${x.name}-id` === id);
    if (!found) throw new Error(`no ${type} with id ${String(id)}`);
    return found;
};

const roleOf = (g: RenderedResource) => (g.inputs.labels as Obj)[POOL_KEY] as string;
const policiesOf = (r: Rendered, roleName: string) =>
    ofType(r, T.attachment).filter((a) => a.inputs.role === roleName).map((a) => String(a.inputs.policyArn).split("/").pop());
const addon = (r: Rendered, name: string) => {
    const found = ofType(r, T.addon).filter((a) => a.inputs.addonName === name);
    expect(found, name).toHaveLength(1);
    return found[0]!;
};

/** Seed figures, written out: what each AWS stack deploys. */
const EXPECTED: Record<string, { db: string; storageGb: number; pools: Record<string, { type: string; min: number; max: number; desired?: number }> }> = {
    // seed 001 names db.t3.2xlarge and t3.* (burstable): we deploy the current generation (m8i, db.m8g) of the same size.
    "aws-3k": {
        db: "db.m8g.2xlarge",
        storageGb: 1500,
        pools: {
            coderd: { type: "m8i.2xlarge", min: 4, max: 4 },
            provisioners: { type: "m8i.2xlarge", min: 3, max: 8, desired: 8 },
            workspaces: { type: "m8i.2xlarge", min: 3, max: 256 },
            system: { type: "m8i.xlarge", min: 3, max: 3 }, // Coder's observability bundle from 2k: 4 vCPU / 16 GiB
        },
    },
    // 2k-users.md: m5.xlarge coderd, m5.2xlarge workspaces (current generation: m8i), 1 TB; the
    // database is never smaller than the 1k tier's (8 vCPU / 32 GiB)
    "aws-2k": {
        db: "db.m8g.2xlarge",
        storageGb: 1000,
        pools: {
            coderd: { type: "m8i.xlarge", min: 3, max: 3 },
            provisioners: { type: "m8i.2xlarge", min: 3, max: 4, desired: 4 },
            workspaces: { type: "m8i.2xlarge", min: 3, max: 128 },
            system: { type: "m8i.xlarge", min: 3, max: 3 }, // Coder's observability bundle from 2k: 4 vCPU / 16 GiB
        },
    },
    // seed 000 (the primary region): c2d-standard-16 coderd and provisioner nodes (same shape:
    // m8i.4xlarge), 256 workspace nodes of 8 vCPU / 32 GB each region; the database at 32 vCPU
    // (tiers/t10k.ts: db.m8g.8xlarge above the page's 16), 3 TB by decision
    "aws-10k": {
        db: "db.m8g.8xlarge",
        storageGb: 3000,
        pools: {
            coderd: { type: "m8i.4xlarge", min: 4, max: 4 },
            provisioners: { type: "m8i.4xlarge", min: 3, max: 4, desired: 4 },
            workspaces: { type: "m8i.2xlarge", min: 3, max: 256 },
            system: { type: "m8i.xlarge", min: 3, max: 3 }, // Coder's observability bundle from 2k: 4 vCPU / 16 GiB
        },
    },
    // seed 003: "M8-series in AWS"; the database is 8 vCPU / 32 GiB
    "aws-1k": {
        db: "db.m8g.2xlarge",
        storageGb: 512,
        pools: {
            coderd: { type: "m8i.xlarge", min: 4, max: 4 },
            provisioners: { type: "m8i.2xlarge", min: 3, max: 9, desired: 9 },
            workspaces: { type: "m8i.2xlarge", min: 3, max: 38 },
            system: { type: "m8i.large", min: 3, max: 3 },
        },
    },
};

describe.each(awsStacks)("AWS stack %s", (stack) => {
    it("RDS: Multi-AZ instance, private, encrypted with its own key, gp3 with storage autoscaling, protected twice", async () => {
        const r = await render(stack);
        const db = one(r, T.db);
        const i = db.inputs as Obj;
        const want = EXPECTED[stack]!;
        expect(i.instanceClass).toBe(want.db);
        expect(i.allocatedStorage).toBe(want.storageGb);
        expect(i.maxAllocatedStorage).toBeGreaterThan(want.storageGb);
        expect(i.storageType).toBe("gp3");
        expect(i.multiAz).toBe(true);
        expect(i.publiclyAccessible).toBe(false);
        expect(i.storageEncrypted).toBe(true);
        expect(i.kmsKeyId).toMatch(/^arn:aws:kms:/);
        expect(i.engine).toBe("postgres");
        expect(i.engineVersion).toBe(String(r.settings.databaseVersion));
        expect(i.engineLifecycleSupport).toBe("open-source-rds-extended-support-disabled");
        expect(i.deletionProtection).toBe(true);
        expect(db.protect).toBe(true);
        expect(i.skipFinalSnapshot).toBe(false);
        expect(i.finalSnapshotIdentifier).toMatch(/^coder-aws-\d+k-pg-final-/);
        expect(i.backupRetentionPeriod).toBe(14);
        expect(i.performanceInsightsEnabled).toBe(true);
        expect(i.copyTagsToSnapshot).toBe(true);
        expect(isSecretValue(i.password)).toBe(true);
        expect(db.ignoreChanges).toContain("allocatedStorage");
        // stable logical name, whatever the tier
        expect(db.name).toBe("coder-aws-db-pg");
        // the database URL coderd reads requires TLS
        const url = reveal(ofType(r, "kubernetes:core/v1:Secret").find((x) => x.name.endsWith("db-url"))!.inputs.stringData) as Obj;
        expect(url.url).toMatch(/^postgres:\/\/coder:[^@]+@coder-aws-\d+k-pg\.mock\.us-east-1\.rds\.amazonaws\.com:5432\/coder\?sslmode=require$/);
    });

    it("RDS parameters: TLS forced, max_connections from the plan (static, at reboot)", async () => {
        const r = await render(stack);
        const p = one(r, T.params).inputs as Obj;
        expect(p.family).toBe(`postgres${r.settings.databaseVersion}`);
        const byName = Object.fromEntries((p.parameters as Obj[]).map((x) => [x.name, x]));
        expect(byName["rds.force_ssl"]!.value).toBe("1");
        expect(byName.max_connections).toEqual({ name: "max_connections", value: String(r.plan.database.maxConnections), applyMethod: "pending-reboot" });
        expect((one(r, T.db).inputs as Obj).parameterGroupName).toBe(p.name ?? `${one(r, T.params).name}-mock`);
    });

    it("port 5432 admits the EKS cluster security group only, never a CIDR", async () => {
        const r = await render(stack);
        const sg = one(r, T.sg);
        expect((sg.inputs as Obj).ingress ?? []).toEqual([]);
        const rules = ofType(r, T.ingress);
        expect(rules).toHaveLength(1);
        const rule = rules[0]!.inputs as Obj;
        expect(rule).toMatchObject({ ipProtocol: "tcp", fromPort: 5432, toPort: 5432, referencedSecurityGroupId: "sg-mockcluster" });
        expect(rule.securityGroupId).toBe(`${sg.name}-id`);
        expect(rule.cidrIpv4).toBeUndefined();
        expect((one(r, T.db).inputs as Obj).vpcSecurityGroupIds).toEqual([`${sg.name}-id`]);
    });

    it("node groups: one per pool over the three zones (workspaces: one a zone), labels, NO_SCHEDULE taints, whole-group counts", async () => {
        const r = await render(stack);
        const groups = ofType(r, T.nodeGroup);
        expect(groups.map(roleOf).sort()).toEqual(["coderd", "provisioners", "system", "workspaces", "workspaces", "workspaces"]);
        for (const role of ["system", "coderd", "provisioners", "workspaces"]) {
            const mine = groups.filter((g) => roleOf(g) === role);
            const want = EXPECTED[stack]!.pools[role]!;
            const zonesOf = (g: RenderedResource) => (g.inputs.subnetIds as string[]).map((id) => (byId(r, T.subnet, id).inputs as Obj).availabilityZone);
            // every pool spans the three zones; a workspace pool has a group a zone (zonal EBS volumes)
            expect(mine.flatMap(zonesOf).sort(), role).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
            expect(mine.every((g) => zonesOf(g).length === (role === "workspaces" ? 1 : 3)), role).toBe(true);
            const sum = (f: (c: Obj) => number) => mine.reduce((n, g) => n + f((g.inputs as Obj).scalingConfig), 0);
            // provisioners start with room for every replica (240 / 30 a node = 8 on aws-3k)
            expect({ minSize: sum((c) => c.minSize), maxSize: sum((c) => c.maxSize), desiredSize: sum((c) => c.desiredSize) }, role)
                .toEqual({ minSize: want.min, maxSize: want.max, desiredSize: want.desired ?? want.min });
        }
        for (const g of groups) {
            const i = g.inputs as Obj;
            const role = roleOf(g);
            const want = EXPECTED[stack]!.pools[role]!;
            const subnets = (i.subnetIds as string[]).map((id) => byId(r, T.subnet, id).inputs as Obj);
            for (const s of subnets) expect(s.tags["kubernetes.io/role/internal-elb"]).toBe("1");
            // the plan's same-shape types, the planned machine first
            expect(i.instanceTypes).toEqual(r.plan.pools[role as keyof typeof r.plan.pools].instanceTypes);
            expect(i.instanceTypes[0]).toBe(want.type);
            // workspace nodes also start with the EBS CSI driver's startup taint, which its node plugin removes
            expect(i.taints).toEqual([
                ...(role === "system" ? [] : [{ key: POOL_KEY, value: role, effect: "NO_SCHEDULE" }]),
                // NoSchedule: added to a running group, NoExecute would evict its workspaces
                ...(role === "workspaces" ? [{ key: "ebs.csi.aws.com/agent-not-ready", effect: "NO_SCHEDULE" }] : []),
            ]);
            expect(i.labels).toEqual({ [POOL_KEY]: role });
            expect(i.amiType).toBe("AL2023_x86_64_STANDARD");
            expect(i.capacityType).toBe("ON_DEMAND");
            // a quarter of a large autoscaled group at a time; coderd and system one node at a time
            expect(i.updateConfig).toEqual(role === "workspaces" || role === "provisioners" ? { maxUnavailablePercentage: 25 } : { maxUnavailable: 1 });
            expect(g.ignoreChanges).toEqual(want.min === want.max ? [] : ["scalingConfig.desiredSize"]);
            expect(i.diskSize).toBeUndefined();
            expect(i.launchTemplate).toEqual({ id: `coder-aws-eks-${role}-id`, version: "1" });
        }
    });

    it("launch templates: max pods from the plan (within EKS's 110), IMDSv2 one hop, encrypted gp3 root volume", async () => {
        const r = await render(stack);
        for (const lt of ofType(r, T.launchTemplate)) {
            const i = lt.inputs as Obj;
            const role = lt.name.split("-").pop() as keyof typeof r.plan.pools;
            const userData = Buffer.from(i.userData, "base64").toString();
            const maxPods = Number(/maxPods: (\d+)/.exec(userData)![1]);
            expect(maxPods).toBe(r.plan.pools[role].maxPodsPerNode);
            expect(maxPods).toBeLessThanOrEqual(110);
            // the planned pods a node, plus DaemonSets, fit under max pods
            expect((r.plan.pools[role].workload?.perNode ?? 0) + 5).toBeLessThanOrEqual(maxPods);
            expect(userData).toContain("Content-Type: application/node.eks.aws");
            expect(i.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
            expect(i.blockDeviceMappings[0].ebs).toMatchObject({ volumeType: "gp3", encrypted: "true", volumeSize: NODE_DISK_DECISION[role] });
        }
    });

    it("cluster-autoscaler can build a node from a group scaled to zero: labels and taints as ASG tags", async () => {
        const r = await render(stack);
        for (const g of ofType(r, T.nodeGroup)) {
            const role = roleOf(g);
            const tags = Object.fromEntries(ofType(r, T.asgTag)
                .filter((t) => t.inputs.autoscalingGroupName === `eks-${g.name}-mock`)
                .map((t) => [(t.inputs.tag as Obj).key, (t.inputs.tag as Obj).value]));
            const want: Obj = {
                "k8s.io/cluster-autoscaler/enabled": "true",
                [`k8s.io/cluster-autoscaler/${r.settings.prefix}`]: "owned",
                [`k8s.io/cluster-autoscaler/node-template/label/${POOL_KEY}`]: role,
            };
            // the startup taint is not among them: a template node must not carry it
            if (role !== "system") want[`k8s.io/cluster-autoscaler/node-template/taint/${POOL_KEY}`] = `${role}:NoSchedule`;
            expect(tags, role).toEqual(want);
        }
    });

    it("cluster-autoscaler: pinned chart in kube-system on the system pool, auto-discovering this cluster's groups", async () => {
        const r = await render(stack);
        const rel = release(r, "cluster-autoscaler");
        expect(rel.parentType).toBe("coder-refarch:aws:ClusterAutoscaler");
        expect(rel.inputs).toMatchObject({
            name: "cluster-autoscaler",
            version: AUTOSCALER_CHART.version,
            repositoryOpts: { repo: "https://kubernetes.github.io/autoscaler" },
            namespace: "kube-system",
            atomic: true,
        });
        expect(AUTOSCALER_CHART.version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(rel.provider).toBe(one(r, "pulumi:providers:kubernetes").name);
        const v = reveal(rel.inputs.values) as Obj;
        expect(v.cloudProvider).toBe("aws");
        expect(v.awsRegion).toBe(r.settings.region);
        expect(v.autoDiscovery.clusterName).toBe((one(r, T.cluster).inputs as Obj).name);
        // the untainted system pool, never a pool it scales
        expect(v.nodeSelector).toEqual(r.plan.pools.system.placement.nodeSelector);
        expect(v.nodeSelector).toEqual({ [POOL_KEY]: "system" });
        expect(v.tolerations).toEqual([]);
        expect(v.replicaCount).toBe(1);
        expect(v.resources.requests).toEqual({ cpu: "100m", memory: "300Mi" });
        expect(v.extraArgs).toMatchObject({ "balance-similar-node-groups": true, "skip-nodes-with-system-pods": false, expander: "least-waste" });
        // the EBS CSI startup taint of workspace nodes is not a lasting property of the group's nodes
        expect(v.extraArgs["startup-taint"]).toBe("ebs.csi.aws.com/agent-not-ready");
    });

    it("cluster-autoscaler: IRSA role for kube-system/cluster-autoscaler, resizing only groups tagged as this cluster's", async () => {
        const r = await render(stack);
        const v = reveal(release(r, "cluster-autoscaler").inputs.values) as Obj;
        expect(v.rbac.serviceAccount.name).toBe("cluster-autoscaler");
        const roleArn = v.rbac.serviceAccount.annotations["eks.amazonaws.com/role-arn"] as string;
        const role = ofType(r, T.role).find((x) => roleArn === `arn:aws:iam::123456789012:role/${x.name}-mock`)!;
        expect(role, roleArn).toBeDefined();
        expect(role.parentType).toBe("coder-refarch:aws:ClusterAutoscaler");
        const trust = JSON.parse(role.inputs.assumeRolePolicy as string).Statement;
        expect(trust).toHaveLength(1);
        expect(trust[0].Action).toBe("sts:AssumeRoleWithWebIdentity");
        // the cluster's OIDC provider (mocked ARN and issuer)
        const issuer = "oidc.eks.us-east-1.amazonaws.com/id/MOCK0123456789";
        expect(trust[0].Principal).toEqual({ Federated: `arn:aws:iam::123456789012:oidc-provider/${issuer}` });
        expect(trust[0].Condition).toEqual({
            StringEquals: { [`${issuer}:sub`]: "system:serviceaccount:kube-system:cluster-autoscaler", [`${issuer}:aud`]: "sts.amazonaws.com" },
        });
        // no managed policies: one inline policy
        expect(policiesOf(r, `${role.name}-mock`)).toEqual([]);
        const inline = ofType(r, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === `${role.name}-id`);
        expect(inline).toHaveLength(1);
        const statements = JSON.parse(inline[0]!.inputs.policy as string).Statement as Obj[];
        const writes = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"];
        const ownerKey = `k8s.io/cluster-autoscaler/${r.settings.prefix}`;
        for (const st of statements) {
            expect(st.Effect).toBe("Allow");
            const actions = ([] as string[]).concat(st.Action);
            if (actions.some((a) => writes.includes(a))) {
                expect(actions.sort()).toEqual(writes);
                expect(st.Condition).toEqual({ StringEquals: { [`aws:ResourceTag/${ownerKey}`]: "owned" } });
            } else {
                for (const a of actions) expect(a).toMatch(/^(autoscaling|ec2|eks):(Describe|Get)/);
                expect(st.Condition).toBeUndefined();
            }
        }
        expect(statements.flatMap((st) => ([] as string[]).concat(st.Action))).toEqual(expect.arrayContaining([
            ...writes, "autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstanceTypes", "eks:DescribeNodegroup",
        ]));
        // every node group's ASG carries the tag the condition names, with the same value
        for (const g of ofType(r, T.nodeGroup)) {
            const tags = ofType(r, T.asgTag).filter((t) => t.inputs.autoscalingGroupName === `eks-${g.name}-mock`).map((t) => t.inputs.tag as Obj);
            expect(tags, roleOf(g)).toContainEqual(expect.objectContaining({ key: ownerKey, value: "owned" }));
        }
    });

    it("cluster-autoscaler cannot resize the static pools: their groups have min = max", async () => {
        const r = await render(stack);
        for (const g of ofType(r, T.nodeGroup)) {
            const pool = r.plan.pools[roleOf(g) as keyof typeof r.plan.pools];
            const { minSize, maxSize } = (g.inputs as Obj).scalingConfig;
            if (pool.autoscaling) expect(maxSize, pool.role).toBeGreaterThan(minSize);
            else expect(maxSize, pool.role).toBe(minSize);
        }
        expect(r.plan.pools.coderd.autoscaling).toBe(false);
        expect(r.plan.pools.system.autoscaling).toBe(false);
    });

    it("EKS: API access entries, KMS-encrypted secrets with rotation, control-plane logs, endpoint CIDRs", async () => {
        const r = await render(stack);
        const c = one(r, T.cluster).inputs as Obj;
        expect(c.name).toBe(r.settings.prefix);
        expect(c.accessConfig).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true });
        expect(c.encryptionConfig.resources).toEqual(["secrets"]);
        const key = ofType(r, T.kmsKey).find((k) => c.encryptionConfig.provider.keyArn.endsWith(`key/${k.name}-mock`));
        expect(key?.inputs.enableKeyRotation).toBe(true);
        expect(c.enabledClusterLogTypes).toEqual(expect.arrayContaining(["api", "audit", "authenticator"]));
        expect(c.vpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] });
        for (const id of c.vpcConfig.subnetIds) expect(byId(r, T.subnet, id).inputs.tags).toHaveProperty("kubernetes.io/role/internal-elb");
        expect(c.kubernetesNetworkConfig.serviceIpv4Cidr).toBe(r.settings.serviceCidr);
        expect(c.bootstrapSelfManagedAddons).toBe(false);
        expect(c.deletionProtection).toBe(true);
        // no aws-auth ConfigMap
        expect(r.resources.filter((x) => x.type === "kubernetes:core/v1:ConfigMap")).toEqual([]);
    });

    it("add-ons: VPC CNI enforces NetworkPolicy with prefix delegation; CNI and EBS CSI use their own IRSA roles", async () => {
        const r = await render(stack);
        const cni = addon(r, "vpc-cni");
        const cfg = JSON.parse(cni.inputs.configurationValues as string);
        expect(cfg.enableNetworkPolicy).toBe("true");
        expect(cfg.env.ENABLE_PREFIX_DELEGATION).toBe("true");
        const ebs = addon(r, "aws-ebs-csi-driver");
        addon(r, "coredns");
        addon(r, "kube-proxy");
        const roleFor = (a: RenderedResource) => ofType(r, T.role).find((x) => String(a.inputs.serviceAccountRoleArn).endsWith(`role/${x.name}-mock`))!;
        const trust = (a: RenderedResource) => JSON.parse(roleFor(a).inputs.assumeRolePolicy as string).Statement[0];
        expect(trust(cni).Action).toBe("sts:AssumeRoleWithWebIdentity");
        expect(Object.values(trust(cni).Condition.StringEquals)).toContain("system:serviceaccount:kube-system:aws-node");
        expect(Object.values(trust(ebs).Condition.StringEquals)).toContain("system:serviceaccount:kube-system:ebs-csi-controller-sa");
        expect(policiesOf(r, `${roleFor(cni).name}-mock`)).toEqual(["AmazonEKS_CNI_Policy"]);
        expect(policiesOf(r, `${roleFor(ebs).name}-mock`)).toEqual(["AmazonEBSCSIDriverPolicy"]);
        // the node role: least privilege, no CNI policy
        const nodeRoleArn = ofType(r, T.nodeGroup)[0]!.inputs.nodeRoleArn as string;
        const nodeRole = ofType(r, T.role).find((x) => nodeRoleArn.endsWith(`role/${x.name}-mock`))!;
        expect(policiesOf(r, `${nodeRole.name}-mock`).sort()).toEqual(["AmazonEC2ContainerRegistryReadOnly", "AmazonEKSWorkerNodePolicy"]);
        // the CNI runs before nodes join; CoreDNS and EBS CSI need nodes
        for (const g of ofType(r, T.nodeGroup)) expect(g.dependsOn).toEqual(expect.arrayContaining([cni.name, addon(r, "kube-proxy").name]));
        expect(ebs.dependsOn).toEqual(expect.arrayContaining(ofType(r, T.nodeGroup).map((g) => g.name)));
    });

    it("Kubernetes provider: secret kubeconfig with `aws eks get-token`, after nodes and add-ons", async () => {
        const r = await render(stack);
        const p = one(r, "pulumi:providers:kubernetes");
        expect(isSecretValue(p.inputs.kubeconfig)).toBe(true);
        const kc = JSON.parse(reveal(p.inputs.kubeconfig) as string);
        expect(kc.users[0].user.exec).toMatchObject({
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", r.settings.prefix, "--region", "us-east-1", "--output", "json"],
        });
        expect(p.dependsOn).toEqual(expect.arrayContaining([...ofType(r, T.nodeGroup).map((g) => g.name), addon(r, "aws-ebs-csi-driver").name]));
    });

    it("workspace volumes: default gp3 StorageClass, encrypted, bound where the pod lands", async () => {
        const r = await render(stack);
        const sc = one(r, "kubernetes:storage.k8s.io/v1:StorageClass").inputs as Obj;
        expect(sc.provisioner).toBe("ebs.csi.aws.com");
        expect(sc.parameters).toMatchObject({ type: "gp3", encrypted: "true" });
        expect(sc.volumeBindingMode).toBe("WaitForFirstConsumer");
        expect(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"]).toBe("true");
    });

    it("network: public and private subnets per zone with load-balancer tags, a NAT gateway per zone, coderd behind an NLB", async () => {
        const r = await render(stack);
        const subnets = ofType(r, T.subnet).map((s) => s.inputs as Obj);
        const pub = subnets.filter((s) => s.tags["kubernetes.io/role/elb"] === "1");
        const priv = subnets.filter((s) => s.tags["kubernetes.io/role/internal-elb"] === "1");
        expect(pub.map((s) => s.availabilityZone).sort()).toEqual(r.settings.zones);
        expect(priv.map((s) => s.availabilityZone).sort()).toEqual(r.settings.zones);
        for (const s of subnets) expect(s.tags[`kubernetes.io/cluster/${r.settings.prefix}`]).toBe("shared");
        expect(priv.map((s) => s.cidrBlock)).toEqual(["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"]);
        const nats = ofType(r, "aws:ec2/natGateway:NatGateway").map((n) => byId(r, T.subnet, n.inputs.subnetId).inputs as Obj);
        expect(nats.map((s) => s.availabilityZone).sort()).toEqual(r.settings.zones);
        for (const s of nats) expect(s.tags["kubernetes.io/role/elb"]).toBe("1");
        const coder = reveal(ofType(r, "kubernetes:helm.sh/v3:Release").find((x) => x.inputs.chart === "coder")!.inputs.values) as Obj;
        // only coderd's nodes are targets
        expect(coder.coder.service.annotations).toEqual({
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
            "service.beta.kubernetes.io/aws-load-balancer-target-node-labels": `${POOL_KEY}=coderd`,
        });
        const coderdGroups = ofType(r, T.nodeGroup).filter((g) => roleOf(g) === "coderd");
        expect(coderdGroups.map((g) => (g.inputs.labels as Obj)[POOL_KEY])).toEqual(["coderd"]);
    });
});

describe("AWS variants", () => {
    it("machineTypes asNamed deploys the seed's burstable t3 types", () => {
        // t3.xlarge (4 vCPU / 16 GiB) holds no 6-vCPU coderd: smaller pods, as a stack would set them
        const coderd = { requests: { cpu: "3", memory: "12Gi" }, limits: { cpu: "3", memory: "12Gi" } };
        const plan = buildPlan(validateConfig(rawConfig("aws-3k", { machineTypes: "asNamed", sizing: { coderd } }), "aws-3k"));
        expect(plan.pools.coderd.machine.name).toBe("t3.xlarge");
        expect(plan.pools.provisioners.machine.name).toBe("t3.2xlarge");
        expect(plan.pools.workspaces.machine.name).toBe("t3.2xlarge");
        expect(plan.database.machine.name).toBe("db.t3.2xlarge");
        for (const p of Object.values(buildPlan(validateConfig(rawConfig("aws-3k"), "aws-3k")).pools)) expect(p.machine.name).not.toMatch(/^t3\./);
    });

    it("API CIDRs, extra cluster admins and no deletion protection reach the resources", async () => {
        const admin = "arn:aws:iam::123456789012:role/platform-admins";
        const r = await renderConfig("aws-3k", rawConfig("aws-3k", {
            apiAuthorizedNetworks: ["203.0.113.0/24"], clusterAdminArns: [admin], deletionProtection: false,
        }));
        const c = one(r, T.cluster).inputs as Obj;
        expect(c.vpcConfig.publicAccessCidrs).toEqual(["203.0.113.0/24"]);
        expect(c.deletionProtection).toBe(false);
        expect(one(r, "aws:eks/accessEntry:AccessEntry").inputs).toMatchObject({ principalArn: admin, type: "STANDARD" });
        expect(one(r, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").inputs).toMatchObject({
            principalArn: admin,
            policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            accessScope: { type: "cluster" },
        });
        const db = one(r, T.db);
        expect((db.inputs as Obj).deletionProtection).toBe(false);
        expect(db.protect).toBe(false);
    });

    it("rejects a missing or different aws:region and overlapping ranges", () => {
        const problems = (changes: Record<string, unknown>) => {
            try {
                validateConfig(rawConfig("aws-3k", changes), "aws-3k");
                return [];
            } catch (e) {
                expect(e).toBeInstanceOf(ConfigError);
                return (e as ConfigError).problems;
            }
        };
        expect(problems({ "aws:region": "eu-west-1" })).toEqual([expect.stringMatching(/^aws:region: 'eu-west-1' differs/)]);
        expect(problems({ "aws:region": undefined })).toEqual([expect.stringMatching(/^aws:region: missing/)]);
        expect(problems({ vpcCidr: "10.10.0.0/16" })).toEqual([expect.stringMatching(/vpcCidr.*overlaps.*serviceCidr/)]);
        expect(problems({ vpcCidr: "10.0.0.0/24" })).toEqual([expect.stringMatching(/^coder-refarch:vpcCidr:/)]);
    });

    it("the VPC holds every pool at its maximum with prefix delegation", async () => {
        const r = await render("aws-3k");
        // Worst case a node: max pods in /28 prefixes, one warm prefix, one address per ENI (4 on m5.2xlarge).
        const perNode = (maxPods: number) => Math.ceil(maxPods / 16) * 16 + 16 + 4;
        const needed = Object.values(r.plan.pools).reduce((n, p) => n + p.total.max * perNode(p.maxPodsPerNode), 0);
        // workspaces 256, provisioners 8, coderd 4 nodes at 64 max pods; system 3 nodes at 110
        expect(needed).toBe((256 + 8 + 4) * (64 + 16 + 4) + 3 * (112 + 16 + 4));
        const privateAddresses = 3 * (2 ** 14 - 5);
        expect(needed).toBeLessThan(privateAddresses / 1.5);
    });
});

describe("cluster-autoscaler follows the cluster's Kubernetes minor", () => {
    // Latest patch per minor: releases cluster-autoscaler-1.33.6, -1.34.5, -1.35.2, -1.36.1 (2026-07-23).
    it.each([["1.33", "v1.33.6"], ["1.34", "v1.34.5"], ["1.35", "v1.35.2"], ["1.36", "v1.36.1"]])(
        "kubernetesVersion %s runs %s", async (version, tag) => {
            const r = await renderConfig("aws-3k", rawConfig("aws-3k", { kubernetesVersion: version }));
            expect((one(r, T.cluster).inputs as Obj).version).toBe(version);
            expect((reveal(release(r, "cluster-autoscaler").inputs.values) as Obj).image).toEqual({ tag });
        });

    it("EKS's default version (as the cluster reports it) picks its release too", async () => {
        const r = await render("aws-3k");
        // the mocked cluster reports 1.33 when no version is asked for
        expect((reveal(release(r, "cluster-autoscaler").inputs.values) as Obj).image).toEqual({ tag: "v1.33.6" });
    });

    it("rejects a version without a known release before registering anything", async () => {
        const registered: string[] = [];
        await expect(renderConfig("aws-3k", rawConfig("aws-3k", { kubernetesVersion: "1.29" }), [], registered))
            .rejects.toThrow(/coder-refarch:kubernetesVersion: 1\.29 has no cluster-autoscaler release/);
        expect(registered).toEqual([]);
    });
});

describe("the Kubernetes provider", () => {
    it("authenticates to EKS with `aws eks get-token` for this cluster and region", async () => {
        const r = await render("aws-3k");
        const kc = JSON.parse(reveal(one(r, "pulumi:providers:kubernetes").inputs.kubeconfig) as string);
        expect(kc.users[0].user.exec).toMatchObject({
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", "coder-aws-3k", "--region", "us-east-1", "--output", "json"],
        });
    });
});

describe("cluster-autoscaler's Kubernetes rights", () => {
    it("can list VolumeAttachments (from 1.32 on) and the DRA objects (from 1.35 on), which the pinned chart's ClusterRole predates", async () => {
        const r = await render("aws-3k");
        const role = ofType(r, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").map((x) => x.inputs as Obj)
            .find((x) => x.metadata.name === "coder-refarch-cluster-autoscaler-extra")!;
        expect(role.rules).toEqual([
            { apiGroups: ["storage.k8s.io"], resources: ["volumeattachments"], verbs: ["get", "list", "watch"] },
            // cluster-autoscaler's DRA provider lists exactly these three (simulator/dynamicresources/provider)
            { apiGroups: ["resource.k8s.io"], resources: ["resourceclaims", "resourceslices", "deviceclasses"], verbs: ["get", "list", "watch"] },
        ]);
        const binding = ofType(r, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").map((x) => x.inputs as Obj)
            .find((x) => x.roleRef.name === role.metadata.name)!;
        expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "cluster-autoscaler", namespace: "kube-system" }]);
        expect(release(r, "cluster-autoscaler").dependsOn).toContain("coder-aws-autoscaler-extra");
    });
});

describe("splitting a pool's counts over its zones", () => {
    it.each([[256, 3, [86, 85, 85]], [8, 3, [3, 3, 2]], [3, 3, [1, 1, 1]], [2, 3, [1, 1, 0]]])("%i over %i zones", async (total, parts, want) => {
        expect(splitAcross(total, parts)).toEqual(want);
    });
});

/**
 * Registers EksCluster alone under mocks with the caller's plan and returns each resource
 * with its options as given (custom timeouts, which the stack render does not keep).
 */
async function renderEks(plan: Plan, change: Partial<EksClusterArgs> = {}): Promise<{ type: string; name: string; inputs: Obj; opts: pulumi.CustomResourceOptions }[]> {
    const registered = new Map<string, Obj>();
    pulumi.runtime.setMocks({
        newResource: (a) => {
            registered.set(`${a.type}::${a.name}`, a.inputs as Obj);
            return { id: `${a.name}-id`, state: { ...a.inputs, ...computed(a.type, a.name, a.inputs as Obj) } };
        },
        call: () => ({}),
    }, "coder-refarch", "eks", false);
    const captured: { type: string; name: string; opts: pulumi.CustomResourceOptions }[] = [];
    const capture: pulumi.ResourceTransformation = (a) => {
        captured.push({ type: a.type, name: a.name, opts: a.opts as pulumi.CustomResourceOptions });
        return undefined;
    };
    new EksCluster("coder-aws-eks", {
        region: "us-east-1",
        clusterName: "coder-aws-3k",
        kubernetesVersion: "",
        privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
        zoneSubnets: [{ zone: "us-east-1a", ids: ["subnet-a"] }, { zone: "us-east-1b", ids: ["subnet-b"] }, { zone: "us-east-1c", ids: ["subnet-c"] }],
        serviceCidr: "172.20.0.0/16",
        pools: plan.pools,
        apiAuthorizedNetworks: [],
        clusterAdminArns: [],
        deletionProtection: true,
        credentials: {},
        tags: {},
        ...change,
    }, { transformations: [capture] });
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return captured.map((c) => ({ ...c, inputs: registered.get(`${c.type}::${c.name}`) ?? {} }));
}

const plan3k = () => buildPlan(validateConfig(rawConfig("aws-3k"), "aws-3k"));

describe("node group rollouts", () => {
    it("each group's update timeout outlasts replacing its largest size batch by batch; create and delete have explicit timeouts", async () => {
        const groups = (await renderEks(plan3k())).filter((x) => x.type === T.nodeGroup);
        expect(groups).toHaveLength(6);
        const minutes = (d: string | undefined) => Number(/^(\d+)m$/.exec(d ?? "")?.[1] ?? NaN);
        for (const g of groups) {
            const role = (g.inputs.labels as Obj)[POOL_KEY] as string;
            const max = g.inputs.scalingConfig.maxSize as number;
            const u = g.inputs.updateConfig as Obj;
            const perBatch = u.maxUnavailable ?? Math.max(1, Math.floor(max * u.maxUnavailablePercentage / 100));
            const batches = Math.ceil(max / perBatch);
            const t = g.opts.customTimeouts!;
            expect(t, g.name).toBeDefined();
            // the provider's default is 60 minutes; a 3k workspace group (86 nodes, 21 a batch) needs 5 batches
            expect(minutes(t.update), g.name).toBeGreaterThanOrEqual(Math.max(60, batches * UPDATE_BATCH_MINUTES));
            expect(minutes(t.create), g.name).toBeGreaterThanOrEqual(60);
            expect(minutes(t.delete), g.name).toBeGreaterThanOrEqual(60);
            if (role === "workspaces") expect(minutes(t.update), g.name).toBeGreaterThanOrEqual(5 * UPDATE_BATCH_MINUTES);
        }
    });

    it("several same-shape instance types reach the node group, the planned machine first", async () => {
        const plan = plan3k();
        plan.pools.workspaces.instanceTypes = ["m8i.2xlarge", "m7i.2xlarge", "m6i.2xlarge"];
        const rs = await renderEks(plan);
        const workspaces = rs.filter((x) => x.type === T.nodeGroup && (x.inputs.labels as Obj)[POOL_KEY] === "workspaces");
        expect(workspaces).toHaveLength(3);
        for (const g of workspaces) expect(g.inputs.instanceTypes).toEqual(["m8i.2xlarge", "m7i.2xlarge", "m6i.2xlarge"]);
        // EKS takes a list only from a launch template that names no type
        for (const lt of rs.filter((x) => x.type === T.launchTemplate)) expect(lt.inputs.instanceType).toBeUndefined();
    });

    it("nodes follow the configured Kubernetes version, not the cluster's live one (EKS's own upgrade rolls no node)", async () => {
        // the mocked cluster reports 1.33 when none is asked for
        const groups = (await renderEks(plan3k())).filter((x) => x.type === T.nodeGroup);
        for (const g of groups) expect(g.inputs.version, g.name).toBeUndefined();
        const pinned = (await renderEks(plan3k(), { kubernetesVersion: "1.35" })).filter((x) => x.type === T.nodeGroup);
        for (const g of pinned) expect(g.inputs.version, g.name).toBe("1.35");
    });
});

describe("Auto Scaling group tags", () => {
    it("the discovery tags EKS also sets are never deleted by the program; the node-template tags are its own", async () => {
        const tags = (await renderEks(plan3k())).filter((x) => x.type === T.asgTag);
        const discovery = tags.filter((t) => ["k8s.io/cluster-autoscaler/enabled", "k8s.io/cluster-autoscaler/coder-aws-3k"].includes((t.inputs.tag as Obj).key));
        // two a group, six groups; logical names unchanged (`<group>-asg-enabled`, `<group>-asg-owner`)
        expect(discovery).toHaveLength(12);
        for (const t of discovery) {
            expect(t.name, t.name).toMatch(/-asg-(enabled|owner)$/);
            expect(t.opts.retainOnDelete, t.name).toBe(true);
        }
        for (const t of tags.filter((x) => !discovery.includes(x))) {
            expect((t.inputs.tag as Obj).key).toMatch(/^k8s\.io\/cluster-autoscaler\/node-template\//);
            expect(t.opts.retainOnDelete, t.name).toBe(false);
        }
    });
});

describe("kube-reserved of the nodes", () => {
    it.each(awsStacks)("%s: the launch template reserves for the planned max pods what the sizing model subtracts", async (stack) => {
        const r = await render(stack);
        for (const lt of ofType(r, T.launchTemplate)) {
            const role = lt.name.split("-").pop() as keyof typeof r.plan.pools;
            const pool = r.plan.pools[role];
            const userData = Buffer.from(lt.inputs.userData as string, "base64").toString();
            const block = /kubeReserved:\n((?: {8}\S+: \S+\n)+)/.exec(userData)?.[1];
            expect(block, role).toBeDefined();
            const reserved = Object.fromEntries(block!.trim().split("\n").map((l) => l.trim().split(": ") as [string, string]));
            // nodeadm would count the ENI limit's pods (m8i.large: 59) instead of the planned max pods
            const model = NODE_PROFILES.aws.reserved(pool.machine, pool.maxPodsPerNode);
            expect(reserved, role).toEqual({
                cpu: `${model.cpuMillis}m`,
                memory: `${model.memoryMiB - 100}Mi`,
                "ephemeral-storage": "1Gi",
            });
            expect(reserved.memory).toBe(`${255 + 11 * pool.maxPodsPerNode}Mi`);
        }
    });

    it("matches nodeadm's CPU tiers: 2, 4, 8 and 16 vCPUs reserve 70m, 80m, 90m and 110m", async () => {
        expect([2, 4, 8, 16].map((v) => kubeReserved(v, 110).cpu)).toEqual(["70m", "80m", "90m", "110m"]);
        expect(kubeReserved(2, 110).memory).toBe("1465Mi");
    });
});

describe("node health and startup", () => {
    it("the node monitoring agent add-on runs after the nodes, so node repair acts on more than Ready", async () => {
        const r = await render("aws-3k");
        const nma = addon(r, "eks-node-monitoring-agent");
        expect(nma.dependsOn).toEqual(expect.arrayContaining(ofType(r, T.nodeGroup).map((g) => g.name)));
        // its chart tolerates every taint: no configuration needed to reach the tainted pools
        expect(nma.inputs.configurationValues).toBeUndefined();
        for (const g of ofType(r, T.nodeGroup)) expect((g.inputs as Obj).nodeRepairConfig).toEqual({ enabled: true });
        // the EBS CSI node plugin, which lifts the startup taint, runs on tainted nodes
        expect(JSON.parse(addon(r, "aws-ebs-csi-driver").inputs.configurationValues as string)).toEqual({ node: { tolerateAllTaints: true } });
    });
});

describe("RDS logs", () => {
    it.each(awsStacks)("%s: both exported log groups exist with a retention before the instance", async (stack) => {
        const r = await render(stack);
        const db = one(r, T.db);
        const id = (db.inputs as Obj).identifier as string;
        expect((db.inputs as Obj).enabledCloudwatchLogsExports).toEqual(["postgresql", "upgrade"]);
        const groups = ofType(r, "aws:cloudwatch/logGroup:LogGroup").filter((g) => String(g.inputs.name).startsWith("/aws/rds/"));
        expect(groups.map((g) => g.inputs.name).sort()).toEqual([`/aws/rds/instance/${id}/postgresql`, `/aws/rds/instance/${id}/upgrade`]);
        for (const g of groups) {
            expect(g.inputs.retentionInDays).toBe(90);
            expect(db.dependsOn).toContain(g.name);
        }
    });
});

describe("the kubeconfig signs as the Pulumi AWS provider", () => {
    const execOf = (r: Rendered) => JSON.parse(reveal(one(r, "pulumi:providers:kubernetes").inputs.kubeconfig) as string).users[0].user.exec as Obj;
    const base = ["eks", "get-token", "--cluster-name", "coder-aws-3k", "--region", "us-east-1", "--output", "json"];

    it("aws:profile: the same profile, on the command line (environment credentials would otherwise win over AWS_PROFILE)", async () => {
        const r = await renderConfig("aws-3k", rawConfig("aws-3k", { "aws:profile": "coder-deploy" }));
        expect(execOf(r).args).toEqual([...base, "--profile", "coder-deploy"]);
        expect(execOf(r).env).toBeUndefined();
    });

    it("aws:assumeRoles with one role: the same role", async () => {
        const role = "arn:aws:iam::123456789012:role/coder-deployer";
        const r = await renderConfig("aws-3k", rawConfig("aws-3k", {
            "aws:profile": "base", "aws:assumeRoles": [{ roleArn: role, sessionName: "pulumi" }],
        }));
        expect(execOf(r).args).toEqual([...base, "--role-arn", role, "--profile", "base"]);
    });

    it("refuses what `aws eks get-token` cannot follow, before registering anything", async () => {
        const refused = async (changes: Record<string, unknown>) => {
            const registered: string[] = [];
            const err = await renderConfig("aws-3k", rawConfig("aws-3k", changes), [], registered).then(() => undefined, (e: unknown) => e);
            expect(registered).toEqual([]);
            expect(err).toBeInstanceOf(ConfigError);
            return (err as ConfigError).problems;
        };
        const a = "arn:aws:iam::123456789012:role/a";
        expect(await refused({ "aws:assumeRoles": [{ roleArn: a }, { roleArn: `${a}b` }] }))
            .toEqual(expect.arrayContaining([expect.stringMatching(/^aws:assumeRoles: a chain of 2 roles/)]));
        expect(await refused({ "aws:assumeRoles": [{ roleArn: a, externalId: "x" }] }))
            .toEqual(expect.arrayContaining([expect.stringMatching(/^aws:assumeRoles\[0\]: externalId cannot be passed/)]));
        expect(await refused({ "aws:accessKey": "AKIAEXAMPLE", "aws:secretKey": "s" }))
            .toEqual(expect.arrayContaining([expect.stringMatching(/^aws:accessKey: /), expect.stringMatching(/^aws:secretKey: /)]));
    });
});

/** A registration as the mocks saw it (provider reference included) and as the platform asked for it. */
interface RegionResource { type: string; name: string; inputs: Obj; provider: string; custom: boolean }

const EUROPE = {
    region: "eu-west-1",
    zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
    accessUrl: "https://eu.coder.example.com",
    wildcardAccessUrl: "*.eu.coder.example.com",
};

/**
 * aws-3k's primary platform and a proxy region's platform (eu-west-1, its own prefix and
 * hosts) in one stack under mocks, each platform's resources apart, with the provider
 * reference each registration carried (`<urn>::<id>`; "" for the default provider).
 */
async function renderAwsRegions(changes: Record<string, unknown> = {}, place: typeof EUROPE = EUROPE) {
    const stack = "aws-3k";
    const raw = rawConfig(stack, changes);
    const mocked = new Map<string, { inputs: Obj; provider: string; custom: boolean }>();
    const calls: { token: string; provider: string }[] = [];
    pulumi.runtime.setMocks({
        newResource: (a) => {
            const inputs = (a.inputs ?? {}) as Obj;
            mocked.set(`${a.type}::${a.name}`, { inputs, provider: a.provider ?? "", custom: a.custom ?? true });
            return { id: `${a.name}-id`, state: { ...inputs, ...computed(a.type, a.name, inputs) } };
        },
        call: (a) => { calls.push({ token: a.token, provider: a.provider ?? "" }); return { id: "ZMOCKNLBZONE" }; },
    }, "coder-refarch", stack, false);
    pulumi.runtime.setAllConfig(raw);
    const settings = validateConfig(raw, stack);
    const proxySettings: Settings = { ...settings, ...place, zones: [...place.zones], prefix: `${settings.prefix}-europe`, network: {} };
    const seen = { primary: [] as { type: string; name: string }[], proxy: [] as { type: string; name: string }[] };
    const capture = (into: { type: string; name: string }[]): pulumi.ResourceTransformation => (a) => { into.push({ type: a.type, name: a.name }); return undefined; };
    const primary = new AwsPlatform("coder-aws", { settings, plan: buildPlan(settings) }, { transformations: [capture(seen.primary)] });
    const proxy = new AwsPlatform("coder-europe-aws", { settings: proxySettings, plan: buildPlan(proxySettings), role: "proxy" }, { transformations: [capture(seen.proxy)] });
    primary.pointDnsAt("mock-nlb-0123456789.elb.us-east-1.amazonaws.com");
    proxy.pointDnsAt("mock-nlb-9876543210.elb.eu-west-1.amazonaws.com");
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    const resolve = (rs: { type: string; name: string }[]): RegionResource[] => rs.map((r) => ({ ...r, ...mocked.get(`${r.type}::${r.name}`)! }));
    return { settings, proxySettings, primary, proxy, calls, all: [...mocked.entries()], seen: { primary: resolve(seen.primary), proxy: resolve(seen.proxy) } };
}

/** The name a resource has in the cloud: the one the program gives it, or the mocks' auto-name. */
const physicalOf = (r: RegionResource): string => String(r.inputs.name ?? r.inputs.identifier ?? `${r.name}-mock`);

describe("a proxy region's platform (AWS)", () => {
    // Rendered when the block runs, not when it is collected: Pulumi's mocks are global, and
    // the renders of the blocks above must be done.
    let regions: ReturnType<typeof renderAwsRegions>;
    beforeAll(() => { regions = renderAwsRegions({ "aws:profile": "coder-deploy", "aws:assumeRoles": [{ roleArn: "arn:aws:iam::123456789012:role/deployer" }] }); });

    it("creates no RDS, no DB subnet group, no database security group or key", async () => {
        const { proxy, seen } = await regions;
        const types = seen.proxy.map((r) => r.type);
        for (const t of types) expect(t, t).not.toMatch(/^aws:rds\//);
        expect(types).not.toContain("aws:ec2/securityGroup:SecurityGroup");
        expect(types).not.toContain("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        expect(types).not.toContain("random:index/randomPassword:RandomPassword");
        expect(proxy.role).toBe("proxy");
        expect(seen.proxy.filter((r) => r.type === "aws:kms/alias:Alias").map((r) => r.inputs.name)).toEqual(["alias/coder-aws-3k-europe-eks-secrets"]);
        expect(proxy.database).toBeUndefined();
        expect(proxy.databaseInstance).toBeUndefined();
        // the primary keeps its database
        expect(seen.primary.filter((r) => r.type === T.db)).toHaveLength(1);
    });

    it("every AWS resource and invoke of the proxy region goes through the region's own provider, with the stack's identity", async () => {
        const { proxy, seen, all, calls } = await regions;
        const providers = all.filter(([k]) => k.startsWith("pulumi:providers:aws::"));
        // one explicit AWS provider: the proxy region's (the primary's region is aws:region's)
        expect(providers.map(([k]) => k)).toEqual(["pulumi:providers:aws::coder-europe-aws-provider"]);
        const p = providers[0]![1].inputs;
        expect(p.region).toBe("eu-west-1");
        expect(p.profile).toBe("coder-deploy");
        // the provider SDK sends objects as JSON
        expect(JSON.parse(p.assumeRoles as string)).toEqual([{ roleArn: "arn:aws:iam::123456789012:role/deployer" }]);
        const urn = await new Promise<string>((resolve) => proxy.awsProvider!.urn.apply(resolve));
        const aws = seen.proxy.filter((r) => r.custom && r.type.startsWith("aws:"));
        expect(aws.length).toBeGreaterThan(50);
        for (const r of aws) expect(r.provider, `${r.type} ${r.name}`).toMatch(new RegExp(`^${urn.replace(/[$]/g, "\\$")}::`));
        // Route 53 records too (a global service, the same identity)
        expect(aws.filter((r) => r.type === "aws:route53/record:Record")).toHaveLength(2);
        // the primary stays on the default provider: nothing of it moves
        for (const r of (await regions).seen.primary.filter((x) => x.custom && x.type.startsWith("aws:"))) expect(r.provider, r.name).toBe("");
        // Kubernetes objects go to the region's own cluster
        for (const r of seen.proxy.filter((x) => x.custom && x.type.startsWith("kubernetes:"))) expect(r.provider).toContain("pulumi:providers:kubernetes::coder-europe-aws-eks-k8s::");
        // no invoke without the region's provider (the NLB zone of eu-west-1 is in the table)
        for (const c of calls) expect(c.provider).toMatch(/pulumi:providers:aws::coder-europe-aws-provider::|^$/);
    });

    it("everything naming a region names the proxy's: kubeconfig, autoscaler, S3 endpoint, ACME solver, NLB alias zone", async () => {
        const { proxy, proxySettings, seen } = await regions;
        const k8s = seen.proxy.find((r) => r.type === "pulumi:providers:kubernetes")!;
        const exec = JSON.parse(reveal(k8s.inputs.kubeconfig) as string).users[0].user.exec as Obj;
        expect(exec.args).toEqual(["eks", "get-token", "--cluster-name", "coder-aws-3k-europe", "--region", "eu-west-1", "--output", "json",
            "--role-arn", "arn:aws:iam::123456789012:role/deployer", "--profile", "coder-deploy"]);
        const autoscaler = seen.proxy.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
        expect((reveal(autoscaler.inputs.values) as Obj).awsRegion).toBe("eu-west-1");
        expect(seen.proxy.find((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint")!.inputs.serviceName).toBe("com.amazonaws.eu-west-1.s3");
        expect(proxy.cluster.acme!.dns01).toEqual({ route53: { region: "eu-west-1", hostedZoneID: "Z0123456789EXAMPLE0AB" } });
        const records = seen.proxy.filter((r) => r.type === "aws:route53/record:Record");
        expect(records.map((r) => r.inputs.name).sort()).toEqual(["*.eu.coder.example.com", "eu.coder.example.com"]);
        for (const r of records) expect(r.inputs.aliases[0].zoneId).toBe("Z2IFOLAFXWLO4F");
        for (const s of seen.proxy.filter((r) => r.type === T.subnet)) expect(EUROPE.zones).toContain(s.inputs.availabilityZone);
        // protected ranges: the region's private subnets, Services and the metadata server; no database
        const ranges = await new Promise<string[]>((resolve) => pulumi.output(proxy.cluster.protectedRanges).apply((r) => resolve(r as string[])));
        expect(ranges).toEqual(["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18", proxySettings.serviceCidr, "169.254.169.254/32"]);
    });

    it("no physical name of the proxy region is one of the primary's; its IAM roles and launch templates carry its prefix", async () => {
        const { proxySettings, seen } = await regions;
        const names = (rs: RegionResource[]) => new Set(rs.filter((r) => r.custom && r.type.startsWith("aws:")).map((r) => `${r.type}::${physicalOf(r)}`));
        const primary = names(seen.primary);
        expect([...names(seen.proxy)].filter((n) => primary.has(n))).toEqual([]);
        // IAM is global: every role of the region is named after the region's prefix
        const roles = seen.proxy.filter((r) => r.type === T.role);
        expect(roles.map((r) => r.inputs.name).sort()).toEqual(
            ["acme", "autoscaler", "ebs-csi", "eks-cluster", "flow-logs", "nodes", "vpc-cni"].map((x) => `${proxySettings.prefix}-${x}`));
        for (const r of roles) expect((r.inputs.name as string).length).toBeLessThanOrEqual(64);
        expect(seen.proxy.filter((r) => r.type === T.launchTemplate).map((r) => r.inputs.name).sort())
            .toEqual(["coderd", "provisioners", "system", "workspaces"].map((x) => `${proxySettings.prefix}-${x}`));
        const cluster = seen.proxy.find((r) => r.type === T.cluster)!;
        expect(cluster.inputs.name).toBe(proxySettings.prefix);
        expect(seen.proxy.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup").map((r) => r.inputs.name).sort())
            .toEqual([`/aws/eks/${proxySettings.prefix}/cluster`, `/aws/vpc/${proxySettings.prefix}/flow-logs`]);
        // the primary's roles keep their auto-names (a new name would replace its cluster)
        for (const r of seen.primary.filter((x) => x.type === T.role)) expect(r.inputs.name).toBeUndefined();
    });

    it("a long prefix still gives IAM-sized names, distinct for prefixes that share their start", async () => {
        const a = regionalName("coder-staging-eu-central-1-10k-a-frankfurt01", "autoscaler");
        const b = regionalName("coder-staging-eu-central-1-10k-a-frankfurt02", "autoscaler");
        expect(a).not.toBe(b);
        for (const n of [a, b]) expect(n.length).toBeLessThanOrEqual(64);
        expect(regionalName("coder-aws-10k-europe", "nodes")).toBe("coder-aws-10k-europe-nodes");
    });

    it("an invoke of the platform (the NLB zone of a region newer than the table) asks the region's provider", async () => {
        const mexico = { ...EUROPE, region: "mx-central-1", zones: ["mx-central-1a", "mx-central-1b", "mx-central-1c"] };
        const { calls, seen } = await renderAwsRegions({}, mexico);
        const zoneReads = calls.filter((c) => c.token === "aws:lb/getHostedZoneId:getHostedZoneId");
        expect(zoneReads.map((c) => c.provider)).toEqual([expect.stringMatching(/::pulumi:providers:aws::coder-europe-aws-provider::/)]);
        for (const r of seen.proxy.filter((x) => x.type === "aws:route53/record:Record")) expect(r.inputs.aliases[0].zoneId).toBe("ZMOCKNLBZONE");
    });

    it("the region's provider carries every key of the aws: namespace", async () => {
        const keys = Object.keys(awsConfig).filter((k) => k !== "requireRegion" && k !== "region");
        // every key set (as text pulumi-aws parses, JSON where it reads an object): each reaches the provider
        pulumi.runtime.setAllConfig(Object.fromEntries(keys.map((k) => [`aws:${k}`, "1"])));
        expect(Object.keys(regionProviderArgs("eu-west-1")).sort()).toEqual([...keys, "region"].sort());
    });
});
