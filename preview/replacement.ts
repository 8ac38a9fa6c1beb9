/**
 * Which input changes make a provider replace a resource, for every custom resource type the
 * program registers: the offline preview cannot ask the providers (their Diff runs in the
 * engine), yet a reviewer of a change, and the tier-upgrade tests, must know whether a change
 * is an update in place or a delete and create (of a cluster, a database, a node pool).
 *
 * Paths are the SDK's input names, dot-separated, `[]` for every element of a list. Each
 * provider's block says where its facts come from. A path covers the inputs the program sets
 * (and, for the Terraform-bridged providers, every input whose SDK doc says "forces a new
 * resource"); an input not listed is updated in place. Some Azure and Kubernetes inputs the API
 * fixes at creation without the provider planning a replacement (the update is refused): they
 * are listed too, marked "create-only", as no plan can change them in place either.
 */

/**
 * Google (pulumi-gcp 9.x, bridged from terraform-provider-google 7.x): ForceNew in the upstream
 * schemas (google/services/<service>/resource_*.go and node_config.go; the MMv1-generated
 * resources mark everything but labels and a few mutable fields immutable), and the SDK docs'
 * "forces a new resource" / "will force recreation".
 *
 * GKE node pools change machine type, boot disk type and size in place: `machine_type`,
 * `disk_type` and `disk_size_gb` of node_config are not ForceNew since provider 5.10
 * (GoogleCloudPlatform/magic-modules#9575, "Do not replace GKE's NodePool resource on
 * machineType/diskType/diskSizeGb change"); GKE migrates the nodes with a surge upgrade
 * (NodePools.update: "Initiates an upgrade operation that migrates the nodes in the node pool
 * to the specified [machine type/disk type/disk size]"). The rest of node_config that shapes a
 * VM (service account, scopes, metadata, shielded instance, accelerators) is ForceNew, and so
 * are `max_pods_per_node` and `initial_node_count`.
 */
const GCP: Record<string, readonly string[]> = {
    "gcp:compute/address:Address": ["name", "project", "region", "address", "addressType", "description", "networkTier", "subnetwork", "network", "purpose", "prefixLength", "ipVersion", "ipv6EndpointType"],
    "gcp:compute/globalAddress:GlobalAddress": ["name", "project", "address", "addressType", "description", "network", "prefixLength", "purpose", "ipVersion"],
    "gcp:compute/network:Network": ["name", "project", "autoCreateSubnetworks", "description", "enableUlaInternalIpv6", "internalIpv6Range", "networkFirewallPolicyEnforcementOrder", "params.resourceManagerTags"],
    "gcp:compute/router:Router": ["name", "project", "region", "network", "encryptedInterconnectRouter", "params.resourceManagerTags"],
    "gcp:compute/routerNat:RouterNat": ["name", "project", "region", "router"],
    // An expansion of ip_cidr_range is in place; any other change replaces the subnetwork
    // (CustomizeDiff isShrinkageIpCidr): listed, as no step of the program only grows a range.
    "gcp:compute/subnetwork:Subnetwork": ["name", "project", "region", "network", "ipCidrRange", "description", "ipv6AccessType", "reservedInternalRange", "params.resourceManagerTags"],
    // The cluster's own nodeConfig describes GKE's temporary default pool (ForceNew fields as a
    // node pool's); the program ignores it after creation (components/gcp/cluster.ts).
    "gcp:container/cluster:Cluster": [
        "name", "project", "location", "network", "subnetwork", "initialNodeCount", "networkingMode", "datapathProvider",
        "ipAllocationPolicy", "privateClusterConfig.enablePrivateNodes", "privateClusterConfig.masterIpv4CidrBlock",
        "privateClusterConfig.privateEndpointSubnetwork", "defaultMaxPodsPerNode", "enableAutopilot", "enableTpu",
        "dnsConfig", "nodeConfig.serviceAccount", "nodeConfig.oauthScopes", "nodeConfig.metadata", "nodeConfig.shieldedInstanceConfig",
        "nodeConfig.guestAccelerators", "nodeConfig.localSsdCount", "nodeConfig.minCpuPlatform", "nodeConfig.preemptible", "nodeConfig.spot",
    ],
    "gcp:container/nodePool:NodePool": [
        "name", "namePrefix", "project", "cluster", "location", "initialNodeCount", "maxPodsPerNode", "placementPolicy", "queuedProvisioning",
        "networkConfig.createPodRange", "networkConfig.podRange", "networkConfig.podIpv4CidrBlock", "networkConfig.subnetwork",
        "networkConfig.additionalNodeNetworkConfigs", "networkConfig.additionalPodNetworkConfigs", "networkConfig.podCidrOverprovisionConfig",
        "nodeConfig.serviceAccount", "nodeConfig.oauthScopes", "nodeConfig.metadata", "nodeConfig.shieldedInstanceConfig",
        "nodeConfig.guestAccelerators", "nodeConfig.localSsdCount", "nodeConfig.minCpuPlatform", "nodeConfig.preemptible", "nodeConfig.spot",
        "nodeConfig.bootDiskKmsKey", "nodeConfig.nodeGroup", "nodeConfig.advancedMachineFeatures", "nodeConfig.soleTenantConfig",
        "nodeConfig.hostMaintenancePolicy", "nodeConfig.confidentialNodes", "nodeConfig.enableConfidentialStorage", "nodeConfig.gvnic",
        "nodeConfig.gcfsConfig", "nodeConfig.reservationAffinity", "nodeConfig.ephemeralStorageLocalSsdConfig",
        "nodeConfig.localNvmeSsdBlockConfig", "nodeConfig.secondaryBootDisks",
    ],
    // IAM members: every argument names the binding.
    "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember": ["project", "managedZone", "role", "member", "condition"],
    "gcp:dns/recordSet:RecordSet": ["name", "project", "managedZone"],
    "gcp:projects/iAMMember:IAMMember": ["project", "role", "member", "condition"],
    "gcp:projects/service:Service": ["project", "service"],
    "gcp:serviceaccount/account:Account": ["accountId", "project"],
    "gcp:serviceaccount/iAMMember:IAMMember": ["serviceAccountId", "role", "member", "condition"],
    "gcp:servicenetworking/connection:Connection": ["network", "service"],
    "gcp:sql/database:Database": ["name", "instance", "project"],
    // Machine tier, availability type, disk size, flags, backups and the zones change in place
    // (a restart where Cloud SQL needs one); the disk type and the instance's identity do not.
    "gcp:sql/databaseInstance:DatabaseInstance": [
        "name", "project", "region", "masterInstanceName", "encryptionKeyName", "replicaConfiguration", "restoreBackupContext", "clone",
        "settings.diskType", "settings.timeZone",
    ],
    "gcp:sql/user:User": ["name", "instance", "host", "project"],
};

/**
 * AWS (pulumi-aws 7.x, bridged from terraform-provider-aws 6.x): ForceNew in the upstream
 * schemas (internal/service/<service>/*.go), and the SDK docs' "forces a new resource".
 *
 * An EKS managed node group's instance types, AMI type, capacity type, subnets and role are
 * fixed at creation (eks_node_group: ForceNew): a change is a new node group. Its launch
 * template's contents change in place: a new template version (`launchTemplate.version` is
 * updatable), which EKS rolls out node by node (UpdateNodegroupVersion), as are labels, taints,
 * scaling and update settings (UpdateNodegroupConfig).
 */
const AWS: Record<string, readonly string[]> = {
    "aws:autoscaling/tag:Tag": ["autoscalingGroupName", "tag", "region"],
    "aws:cloudwatch/logGroup:LogGroup": ["name", "namePrefix", "logGroupClass", "region"],
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ["vpcId", "region"],
    "aws:ec2/eip:Eip": ["domain", "address", "customerOwnedIpv4Pool", "ipamPoolId", "networkBorderGroup", "publicIpv4Pool", "region"],
    "aws:ec2/flowLog:FlowLog": [
        "vpcId", "subnetId", "eniId", "transitGatewayId", "transitGatewayAttachmentId", "iamRoleArn", "logDestination", "logDestinationType",
        "maxAggregationInterval", "trafficType", "logFormat", "destinationOptions", "deliverCrossAccountRole", "region",
    ],
    // Attaching to another VPC is an update (detach, attach).
    "aws:ec2/internetGateway:InternetGateway": ["region"],
    // Every other change of a launch template is a new version of the same template.
    "aws:ec2/launchTemplate:LaunchTemplate": ["name", "namePrefix", "region"],
    "aws:ec2/natGateway:NatGateway": ["allocationId", "connectivityType", "subnetId", "privateIp", "region"],
    // The target (gateway, NAT gateway) changes in place (ReplaceRoute).
    "aws:ec2/route:Route": ["routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId", "region"],
    "aws:ec2/routeTable:RouteTable": ["vpcId", "region"],
    // Another route table is an update (ReplaceRouteTableAssociation).
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ["subnetId", "gatewayId", "region"],
    "aws:ec2/securityGroup:SecurityGroup": ["name", "namePrefix", "description", "vpcId", "region"],
    "aws:ec2/subnet:Subnet": ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId", "outpostArn", "ipv4IpamPoolId", "ipv4NetmaskLength", "region"],
    "aws:ec2/vpc:Vpc": ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength", "region"],
    // privateDnsEnabled: "If vpcEndpointType is anything other than Interface, changing this value forces a new resource" (d.ts).
    "aws:ec2/vpcEndpoint:VpcEndpoint": ["vpcId", "serviceName", "vpcEndpointType", "serviceRegion", "resourceConfigurationArn", "serviceNetworkArn", "privateDnsEnabled", "region"],
    "aws:eks/addon:Addon": ["clusterName", "addonName", "region"],
    // The subnets are listed conservatively (EKS can change a cluster's subnets since 2023,
    // the provider's schema has marked them ForceNew); the program never changes them.
    "aws:eks/cluster:Cluster": [
        "name", "roleArn", "bootstrapSelfManagedAddons", "accessConfig.bootstrapClusterCreatorAdminPermissions",
        "kubernetesNetworkConfig.ipFamily", "kubernetesNetworkConfig.serviceIpv4Cidr", "vpcConfig.subnetIds", "vpcConfig.controlPlaneEgressMode",
        "encryptionConfig.provider.keyArn", "encryptionConfig.resources", "outpostConfig", "region",
    ],
    "aws:eks/nodeGroup:NodeGroup": [
        "clusterName", "nodeGroupName", "nodeGroupNamePrefix", "nodeRoleArn", "subnetIds", "instanceTypes[]", "amiType", "capacityType",
        "diskSize", "remoteAccess", "launchTemplate.id", "launchTemplate.name", "region",
    ],
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ["url"],
    "aws:iam/role:Role": ["name", "namePrefix", "path"],
    "aws:iam/rolePolicy:RolePolicy": ["name", "namePrefix", "role"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
    "aws:kms/alias:Alias": ["name", "namePrefix", "region"],
    "aws:kms/key:Key": ["keyUsage", "customerMasterKeySpec", "customKeyStoreId", "multiRegion", "xksKeyId", "region"],
    // Instance class, storage (a grow), Multi-AZ, parameter group, engine version and backups
    // change in place (ModifyDBInstance); the engine, encryption and master user do not.
    "aws:rds/instance:Instance": [
        "identifier", "identifierPrefix", "engine", "dbName", "username", "storageEncrypted", "kmsKeyId", "availabilityZone",
        "characterSetName", "ncharCharacterSetName", "timezone", "snapshotIdentifier", "restoreToPointInTime", "s3Import",
        "customIamInstanceProfile", "region",
    ],
    "aws:rds/parameterGroup:ParameterGroup": ["name", "namePrefix", "family", "description", "region"],
    "aws:rds/subnetGroup:SubnetGroup": ["name", "namePrefix", "region"],
    "aws:route53/record:Record": ["name", "zoneId", "setIdentifier"],
    // Plugin framework resource: only the group is RequiresReplace; the rule is modified in place.
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["securityGroupId", "region"],
};

/**
 * Azure (pulumi-azure-native 3.x): the provider replaces a resource when a parameter of its
 * resource path changes (provider/pkg/provider/diff.go: "All the parameters that are part of
 * the resource path cause a replacement": resource group, names, scope), or a property its
 * metadata marks forceNew: x-ms-mutability without "update" in the Azure REST spec (a tracked
 * resource's location), or the provider's own list (provider/pkg/gen/replacement.go
 * forceNewMap: ManagedCluster dnsPrefix, nodeResourceGroup, location, networkProfile;
 * AgentPool vmSize; PublicIPAddress sku, version, location; RoleAssignment principalId, scope;
 * ResourceGroup and VirtualNetwork location). Other properties fixed at creation by the Azure
 * API but not so marked are listed as create-only (the update is refused, no plan changes
 * them): an AKS pool's zones, max pods, OS disk and subnet (Azure/AKS#1790), a Flexible
 * Server's admin login, zone, network and geo-redundant backup, a role assignment's role.
 *
 * NB: for a replacement, azure-native asks the engine to delete the old resource before it
 * creates the new one unless it named the resource itself (provider.go Diff:
 * `deleteBeforeReplace := len(replaces) > 0`, cleared only for auto-named resources): a
 * resource with an explicit name that must be created first sets `deleteBeforeReplace: false`
 * (the engine lets the option override the provider).
 */
const AZURE: Record<string, readonly string[]> = {
    "azure-native:authorization:ManagementLockByScope": ["scope", "lockName"],
    // roleDefinitionId: create-only (RoleAssignmentUpdateNotPermitted).
    "azure-native:authorization:RoleAssignment": ["scope", "roleAssignmentName", "principalId", "roleDefinitionId"],
    "azure-native:containerservice:AgentPool": [
        "resourceGroupName", "resourceName", "agentPoolName", "vmSize", "gpuInstanceProfile", "networkProfile.nodePublicIPTags",
        // create-only
        "availabilityZones", "maxPods", "osDiskSizeGB", "osDiskType", "osSKU", "osType", "type", "vnetSubnetID", "podSubnetID",
        "kubeletDiskType", "kubeletConfig", "linuxOSConfig", "enableNodePublicIP", "nodePublicIPPrefixID", "enableEncryptionAtHost",
        "enableFIPS", "enableUltraSSD", "hostGroupID", "scaleSetPriority",
    ],
    "azure-native:containerservice:MaintenanceConfiguration": ["resourceGroupName", "resourceName", "configName"],
    // networkProfile as a whole: releases before pulumi-azure-native#4771 (July 2026) replace the
    // cluster for any change under it; later ones for its create-only leaves only (podCidr,
    // serviceCidr, dnsServiceIP, networkPlugin, networkPluginMode, networkDataplane,
    // networkPolicy, outboundType...). agentPoolProfiles: AKS accepts no change to pools through
    // the cluster; the program ignores them after creation.
    "azure-native:containerservice:ManagedCluster": [
        "resourceGroupName", "resourceName", "location", "dnsPrefix", "fqdnSubdomain", "nodeResourceGroup", "diskEncryptionSetID",
        "linuxProfile", "windowsProfile", "networkProfile",
    ],
    "azure-native:dbforpostgresql:Configuration": ["resourceGroupName", "serverName", "configurationName"],
    // charset and collation: create-only.
    "azure-native:dbforpostgresql:Database": ["resourceGroupName", "serverName", "databaseName", "charset", "collation"],
    // SKU, storage size (a grow), HA, backups' retention, maintenance window and major version
    // change in place.
    "azure-native:dbforpostgresql:Server": [
        "resourceGroupName", "serverName", "location",
        // create-only
        "administratorLogin", "availabilityZone", "network.delegatedSubnetResourceId", "network.privateDnsZoneArmResourceId",
        "backup.geoRedundantBackup", "storage.type", "pointInTimeUTC", "sourceServerResourceId",
    ],
    "azure-native:dns:RecordSet": ["resourceGroupName", "zoneName", "relativeRecordSetName", "recordType"],
    "azure-native:managedidentity:FederatedIdentityCredential": ["resourceGroupName", "resourceName", "federatedIdentityCredentialResourceName"],
    "azure-native:managedidentity:UserAssignedIdentity": ["resourceGroupName", "resourceName", "location"],
    // zones: create-only.
    "azure-native:network:NatGateway": ["resourceGroupName", "natGatewayName", "location", "zones"],
    // zones: create-only.
    "azure-native:network:PublicIPAddress": ["resourceGroupName", "publicIpAddressName", "location", "publicIPAddressVersion", "publicIPPrefix", "sku", "zones"],
    "azure-native:network:VirtualNetwork": ["resourceGroupName", "virtualNetworkName", "location"],
    "azure-native:privatedns:PrivateZone": ["resourceGroupName", "privateZoneName", "location"],
    // virtualNetwork: create-only.
    "azure-native:privatedns:VirtualNetworkLink": ["resourceGroupName", "privateZoneName", "virtualNetworkLinkName", "location", "virtualNetwork"],
    "azure-native:resources:ResourceGroup": ["resourceGroupName", "location"],
};

/**
 * Kubernetes (pulumi-kubernetes 4.x): every object is replaced when its name or namespace
 * changes; some kinds on more fields (provider/pkg/provider/diff.go forceNewProperties: a
 * Secret's type and data unless `enableSecretMutable`, which the program leaves off; a
 * ConfigMap's data likewise; a binding's roleRef; a StorageClass's provisioner and parameters;
 * a Service's clusterIP; a workload's selector). A Helm release is replaced for its name or
 * namespace (helm_release.go Diff: `forceNewFields := []string{".name", ".namespace"}`); its
 * values, chart and version change in place (`helm upgrade`).
 */
const META = ["metadata.name", "metadata.namespace"] as const;
const SELECTOR = ["spec.selector"] as const;
const KUBERNETES: Record<string, readonly string[]> = {
    "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy": META,
    "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding": META,
    "kubernetes:apps/v1:DaemonSet": [...META, ...SELECTOR],
    "kubernetes:apps/v1:Deployment": [...META, ...SELECTOR],
    "kubernetes:apps/v1:StatefulSet": [...META, ...SELECTOR, "spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.serviceName", "spec.volumeClaimTemplates"],
    "kubernetes:batch/v1:Job": [...META, ...SELECTOR, "spec.completions", "spec.parallelism", "spec.template"],
    "kubernetes:cert-manager.io/v1:Certificate": META,
    "kubernetes:cert-manager.io/v1:ClusterIssuer": META,
    "kubernetes:core/v1:ConfigMap": [...META, "data", "binaryData"],
    "kubernetes:core/v1:LimitRange": META,
    "kubernetes:core/v1:Namespace": META,
    "kubernetes:core/v1:PersistentVolumeClaim": [...META, "spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"],
    "kubernetes:core/v1:Secret": [...META, "type", "stringData", "data"],
    "kubernetes:core/v1:Service": [...META, "spec.clusterIP"],
    "kubernetes:core/v1:ServiceAccountPatch": META,
    "kubernetes:helm.sh/v3:Release": ["name", "namespace"],
    "kubernetes:monitoring.googleapis.com/v1:PodMonitoring": META,
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": META,
    "kubernetes:policy/v1:PodDisruptionBudget": META,
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": META,
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": [...META, "roleRef"],
    "kubernetes:rbac.authorization.k8s.io/v1:Role": META,
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": [...META, "roleRef"],
    // reclaimPolicy, volumeBindingMode: create-only (the API refuses their update).
    "kubernetes:storage.k8s.io/v1:StorageClass": [...META, "provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"],
};

/**
 * Providers, whose replacement replaces every resource they manage. aws: a new region
 * (pulumi-aws#4000, "Replace resources when the AWS region changes"). kubernetes: a kubeconfig
 * whose active cluster changes (provider.go DiffConfig; the program's kubeconfig names one
 * cluster, so any change of it is counted), or a new render directory. azure-native: never
 * (DiffConfig reports no change).
 */
const PROVIDERS: Record<string, readonly string[]> = {
    "pulumi:providers:aws": ["region"],
    "pulumi:providers:azure-native": [],
    "pulumi:providers:kubernetes": ["kubeconfig", "renderYamlToDirectory"],
};

/**
 * random (pulumi-random 4.x, bridged from terraform-provider-random, plugin framework): every
 * argument is RequiresReplace (internal/provider/resource_id.go, resource_password.go): a new
 * value is a new secret.
 */
const RANDOM: Record<string, readonly string[]> = {
    "random:index/randomId:RandomId": ["byteLength", "prefix", "keepers"],
    "random:index/randomPassword:RandomPassword": [
        "length", "special", "upper", "lower", "numeric", "number", "minLower", "minNumeric", "minSpecial", "minUpper", "overrideSpecial", "keepers",
    ],
};

/**
 * The program's dynamic resources: what their providers' diff() returns as `replaces`
 * (components/coder-api/resources.ts, components/azure/propagation.ts).
 */
const DYNAMIC: Record<string, readonly string[]> = {
    "pulumi-nodejs:dynamic/coder-refarch:CoderAdmin": ["email", "username"],
    "pulumi-nodejs:dynamic/coder-refarch:CoderLicense": ["license"],
    "pulumi-nodejs:dynamic/coder-refarch:CoderProvisionerKey": ["organization", "name", "tags"],
    "pulumi-nodejs:dynamic/coder-refarch:CoderWorkspaceProxy": [],
    "pulumi-nodejs:dynamic/coder-refarch:PropagationWait": ["after"],
};

/** Input paths, by resource type token, whose change makes the provider replace the resource (dot paths; `[]` for every element of a list, e.g. "nodeConfig.machineType", "instanceTypes[]"). */
export const REPLACED_ON: Readonly<Record<string, readonly string[]>> = Object.freeze({
    ...GCP, ...AWS, ...AZURE, ...KUBERNETES, ...PROVIDERS, ...RANDOM, ...DYNAMIC,
});

/** A path's steps: names, and `[]` for a list element (`[3]`, `[*]` and `[]` alike). */
function steps(path: string): string[] {
    return path.replace(/\[(\d+|\*)?\]/g, ".[]").split(".").filter((s) => s !== "");
}

/** True when a change at `path` (dot path; list indices as `[n]`, e.g. "instanceTypes[0]", "nodeConfig", "values.coder.env[3].value") replaces a resource of `type`: the path is a listed path, lies under one, or contains one (a whole object added/removed). */
export function forcesReplacement(type: string, path: string): boolean {
    const p = steps(path);
    return (REPLACED_ON[type] ?? []).some((rule) => {
        const q = steps(rule);
        const n = Math.min(p.length, q.length);
        for (let i = 0; i < n; i++) if (p[i] !== q[i]) return false;
        return true;
    });
}

/** Types whose replacement rules are known (a type not listed here: unknown, not "never replaced"). */
export function knowsReplacement(type: string): boolean {
    return Object.prototype.hasOwnProperty.call(REPLACED_ON, type);
}
