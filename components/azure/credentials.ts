/**
 * One identity: the Kubernetes provider signs in to AKS (Entra ID, local accounts off) with
 * kubelogin, from the credential source the Pulumi azure-native provider uses. Precedence
 * as the provider's (pulumi-azure-native provider/pkg/provider/auth_azidentity.go): default
 * credential chain, client certificate, client secret, OIDC, managed identity, Azure CLI.
 * Each is read from the stack's `azure-native:` config or its ARM_* environment variable.
 */
import * as pulumi from "@pulumi/pulumi";

/** The AKS AAD server application (Microsoft Entra ID's "Azure Kubernetes Service AAD Server"): the token's audience. */
export const AKS_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

/** How kubelogin signs in, as the kubeconfig's exec block says it. */
export interface KubeloginLogin {
    /** `--login`: azurecli, spn, msi, workloadidentity */
    mode: "azurecli" | "spn" | "msi" | "workloadidentity";
    /** further arguments (client and tenant IDs, a certificate's or token file's path): never a secret */
    args: string[];
    /**
     * the provider's client and tenant IDs as kubelogin's variables: kubelogin lets its
     * environment (AZURE_CLIENT_ID...) override its arguments, so a runner's other variables
     * cannot make it sign in as someone else than the provider
     */
    env?: { name: string; value: string }[];
    /** variables the plugin needs that the caller's environment lacks (a secret from stack config) */
    secretEnv?: { name: string; value: string }[];
}

/**
 * The provider's setting: `azure-native:<key>`, else the environment variable it falls back
 * to; `fromEnv` says which (a lookup without it reads stack config only).
 */
export type Lookup = ((key: string) => string | undefined) & { fromEnv?: (key: string) => boolean };

const ENV: Record<string, string> = {
    clientId: "ARM_CLIENT_ID",
    tenantId: "ARM_TENANT_ID",
    clientSecret: "ARM_CLIENT_SECRET",
    clientCertificatePath: "ARM_CLIENT_CERTIFICATE_PATH",
    clientCertificatePassword: "ARM_CLIENT_CERTIFICATE_PASSWORD",
    useMsi: "ARM_USE_MSI",
    useOidc: "ARM_USE_OIDC",
    oidcToken: "ARM_OIDC_TOKEN",
    oidcTokenFilePath: "ARM_OIDC_TOKEN_FILE_PATH",
    oidcRequestToken: "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    oidcRequestUrl: "ACTIONS_ID_TOKEN_REQUEST_URL",
    useDefaultAzureCredential: "ARM_USE_DEFAULT_AZURE_CREDENTIAL",
};

/** The stack's azure-native settings with the provider's environment fallbacks. */
export function providerLookup(config: Pick<pulumi.Config, "get"> = new pulumi.Config("azure-native"), env: NodeJS.ProcessEnv = process.env): Lookup {
    const fromEnv = (key: string) => config.get(key) === undefined && !!ENV[key] && env[ENV[key]!] !== undefined;
    return Object.assign((key: string) => config.get(key) ?? (ENV[key] ? env[ENV[key]!] : undefined) ?? undefined, { fromEnv });
}

const on = (v: string | undefined) => v === "true" || v === "1";

/**
 * kubelogin's login for the provider's credential source, or the problem that keeps kubelogin
 * from following it (named by key, with the fix).
 */
export function kubeloginLogin(get: Lookup = providerLookup()): { login?: KubeloginLogin; problems: string[] } {
    const clientId = get("clientId");
    const tenantId = get("tenantId");
    const ids = [...(clientId ? ["--client-id", clientId] : []), ...(tenantId ? ["--tenant-id", tenantId] : [])];
    /** the IDs in the variables kubelogin reads over its flags (ARM_* with --use-azurerm-env-vars) */
    const idEnv = (prefix: "AZURE" | "ARM") => [
        ...(clientId ? [{ name: `${prefix}_CLIENT_ID`, value: clientId }] : []),
        ...(tenantId ? [{ name: `${prefix}_TENANT_ID`, value: tenantId }] : []),
    ];
    const withIds = (login: KubeloginLogin): KubeloginLogin => {
        const env = idEnv(login.args.includes("--use-azurerm-env-vars") ? "ARM" : "AZURE");
        return env.length ? { ...login, env } : login;
    };
    if (on(get("useDefaultAzureCredential"))) {
        return { problems: ["azure-native:useDefaultAzureCredential: kubelogin, which signs the Kubernetes provider in to AKS, has no default credential chain; " +
            "name the credential instead (Azure CLI login, ARM_CLIENT_ID/ARM_CLIENT_SECRET, useOidc or useMsi)"] };
    }
    const spnIds = () => (!clientId || !tenantId
        ? ["azure-native:clientId and azure-native:tenantId (or ARM_CLIENT_ID, ARM_TENANT_ID): a service principal needs both"] : []);
    // A secret kubelogin reads from the environment: the provider's own ARM_* variables where the
    // secret is there (`--use-azurerm-env-vars`: nothing stored), else the stack config's value in the
    // kubeconfig's exec environment (a secret of the state). Never an argument, which `ps` shows.
    const secretFrom = (key: string, variable: string): Pick<KubeloginLogin, "args" | "secretEnv"> => (get.fromEnv?.(key)
        ? { args: ["--use-azurerm-env-vars"] }
        : { args: [], secretEnv: [{ name: variable, value: get(key)! }] });
    const certificate = get("clientCertificatePath");
    if (certificate) {
        const password = get("clientCertificatePassword") ? secretFrom("clientCertificatePassword", "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD") : { args: [] };
        return {
            login: withIds({ mode: "spn", ...password, args: [...ids, "--client-certificate", certificate, ...password.args] }),
            problems: spnIds(),
        };
    }
    if (get("clientSecret")) {
        const secret = secretFrom("clientSecret", "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET");
        return { login: withIds({ mode: "spn", ...secret, args: [...ids, ...secret.args] }), problems: spnIds() };
    }
    if (on(get("useOidc"))) {
        const file = get("oidcTokenFilePath");
        if (file) return { login: withIds({ mode: "workloadidentity", args: [...ids, "--federated-token-file", file] }), problems: spnIds() };
        if (get("oidcToken")) {
            return { problems: ["azure-native:oidcToken (or ARM_OIDC_TOKEN): kubelogin cannot take a token string; write the token to a file " +
                "and set azure-native:oidcTokenFilePath (ARM_OIDC_TOKEN_FILE_PATH) to it instead"] };
        }
        // GitHub Actions: kubelogin's workload-identity login asks the runner's token service itself
        // (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN, the same variables the provider reads).
        if (get("oidcRequestToken") && get("oidcRequestUrl")) return { login: withIds({ mode: "workloadidentity", args: ids }), problems: spnIds() };
        return { problems: ["azure-native:useOidc: no token (oidcTokenFilePath, or GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN with `permissions: id-token: write`)"] };
    }
    if (on(get("useMsi"))) return { login: withIds({ mode: "msi", args: clientId ? ["--client-id", clientId] : [] }), problems: [] };
    return { login: { mode: "azurecli", args: [] }, problems: [] };
}

/** The exec block of a kubeconfig that signs in with kubelogin; `withSecrets` false leaves out secrets (an exported kubeconfig). */
export function kubeloginExec(login: KubeloginLogin, withSecrets: boolean) {
    return {
        command: "kubelogin",
        args: ["get-token", "--login", login.mode, "--server-id", AKS_SERVER_ID, ...login.args],
        installHint: "kubelogin signs in to AKS with Entra ID: `az aks install-cli`, or https://azure.github.io/kubelogin/install.html",
        interactiveMode: "Never" as const,
        ...((login.env?.length || (withSecrets && login.secretEnv?.length))
            ? { env: [...(login.env ?? []), ...(withSecrets ? login.secretEnv ?? [] : [])] } : {}),
    };
}

/** The Azure CLI's application (client) ID: the `appid` of a user's tokens signed in with `az login`. */
export const AZURE_CLI_APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/**
 * The kind of principal that runs `pulumi up`, for its role assignment: azure-native's
 * RoleAssignment sends "User" when none is given, and Azure refuses an assignment whose type
 * differs from the principal's (UnmatchedPrincipalType). A service principal, managed or
 * workload identity signs in as a ServicePrincipal. The Azure CLI may hold either: a user's
 * token carries the CLI's own application ID (`clientId` of getClientConfig, the token's
 * `appid`), a service principal's its own.
 */
export function callerPrincipalType(login: KubeloginLogin, clientId: string): "User" | "ServicePrincipal" {
    if (login.mode !== "azurecli") return "ServicePrincipal";
    return clientId === AZURE_CLI_APP_ID ? "User" : "ServicePrincipal";
}
