/**
 * The AWS provider of a region other than `aws:region` (a proxy region): the same identity
 * and settings as the stack's default provider, in the region's place.
 */
import * as pulumi from "@pulumi/pulumi";
import * as awsConfig from "@pulumi/aws/config";
import { Provider, ProviderArgs } from "@pulumi/aws/provider";

/**
 * The settings of the `aws:` config namespace, as the default provider reads them
 * (@pulumi/aws config/vars.d.ts), for an explicit provider in `region`. Only the default
 * provider is configured "with inputs sourced from the stack's configuration values for the
 * relevant provider package" (pulumi/pulumi docs/architecture/providers/default.md); an
 * explicit one has its arguments (provider.d.ts, ProviderArgs) and the environment. So every
 * key is carried over: the identity (profile, assumeRoles; the credentials
 * awsConfigProblems refuses are carried over too), the account guards (allowedAccountIds,
 * forbiddenAccountIds), defaultTags and ignoreTags, endpoints, proxies, retries and the
 * skip* switches. Each key of vars.d.ts is named here; a test keeps the list complete.
 */
export function regionProviderArgs(region: string): ProviderArgs {
    const c = awsConfig;
    const args: ProviderArgs = {
        accessKey: c.accessKey,
        allowedAccountIds: c.allowedAccountIds,
        assumeRoleWithWebIdentity: c.assumeRoleWithWebIdentity,
        assumeRoles: c.assumeRoles,
        customCaBundle: c.customCaBundle,
        defaultTags: c.defaultTags,
        ec2MetadataServiceEndpoint: c.ec2MetadataServiceEndpoint,
        ec2MetadataServiceEndpointMode: c.ec2MetadataServiceEndpointMode,
        endpoints: c.endpoints,
        forbiddenAccountIds: c.forbiddenAccountIds,
        httpProxy: c.httpProxy,
        httpsProxy: c.httpsProxy,
        ignoreTags: c.ignoreTags,
        insecure: c.insecure,
        maxRetries: c.maxRetries,
        noProxy: c.noProxy,
        profile: c.profile,
        region,
        retryMode: c.retryMode,
        s3UsEast1RegionalEndpoint: c.s3UsEast1RegionalEndpoint,
        s3UsePathStyle: c.s3UsePathStyle,
        secretKey: c.secretKey,
        sharedConfigFiles: c.sharedConfigFiles,
        sharedCredentialsFiles: c.sharedCredentialsFiles,
        skipCredentialsValidation: c.skipCredentialsValidation,
        skipMetadataApiCheck: c.skipMetadataApiCheck,
        skipRegionValidation: c.skipRegionValidation,
        skipRequestingAccountId: c.skipRequestingAccountId,
        stsRegion: c.stsRegion,
        tagPolicyCompliance: c.tagPolicyCompliance,
        token: c.token,
        tokenBucketRateLimiterCapacity: c.tokenBucketRateLimiterCapacity,
        useDualstackEndpoint: c.useDualstackEndpoint,
        useFipsEndpoint: c.useFipsEndpoint,
        userAgents: c.userAgents,
    };
    // Unset keys stay unset: the provider then falls back to the environment, as the default one does.
    return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as ProviderArgs;
}

/** The region the stack's default AWS provider works in: `aws:region`, else AWS_REGION / AWS_DEFAULT_REGION. */
export function defaultProviderRegion(): string | undefined {
    return awsConfig.region;
}

/** An AWS provider for `region` with the stack's `aws:` settings. */
export function regionProvider(name: string, region: string, opts?: pulumi.CustomResourceOptions): Provider {
    return new Provider(name, regionProviderArgs(region), opts);
}
