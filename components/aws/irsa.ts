import * as pulumi from "@pulumi/pulumi";
import { OpenIdConnectProvider } from "@pulumi/aws/iam/openIdConnectProvider";

/** Trust policy of an IAM role an AWS service assumes (EKS, EC2, RDS monitoring, flow logs). */
export function serviceTrustPolicy(service: string, actions: string | string[] = "sts:AssumeRole"): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: actions }],
    });
}

/**
 * Trust policy of an IAM role for a Kubernetes service account (IRSA): only tokens the
 * cluster's OIDC provider issued for `namespace/serviceAccount`, with STS as audience.
 */
export function irsaTrustPolicy(oidc: OpenIdConnectProvider, namespace: string, serviceAccount: string): pulumi.Output<string> {
    return pulumi.all([oidc.arn, oidc.url]).apply(([arn, url]) => {
        const issuer = url.replace(/^https:\/\//, "");
        return JSON.stringify({
            Version: "2012-10-17",
            Statement: [{
                Effect: "Allow",
                Principal: { Federated: arn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
                        [`${issuer}:aud`]: "sts.amazonaws.com",
                    },
                },
            }],
        });
    });
}
