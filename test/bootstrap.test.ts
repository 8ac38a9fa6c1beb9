/**
 * A first `pulumi up` ends with a working Coder: what the program registers for the
 * bootstrap through Coder's API, and how the provisioners follow the license, on every cloud.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { isSecretValue, redact, renderConfig, Rendered, renderStack, reveal } from "../preview/render";
import { ofType, rawConfig, release } from "./helpers";
import { coderEndpoint, loadPlan, run } from "../program";

type Obj = Record<string, any>;

/** A license-shaped JWT (header.claims.signature); never checked offline. */
const LICENSE = "eyJhbGciOiJFZERTQSJ9.eyJsaWNlbnNlX2V4cGlyZXMiOjB9.c2lnbmF0dXJl";
const SECRET_KEYS = ["coder-refarch:license", "coder-refarch:adminToken"];

const dynamic = (r: Rendered, kind: string) => r.resources.filter((x) => x.type === `pulumi-nodejs:dynamic/coder-refarch:${kind}`);
const provisionerValues = (r: Rendered) => reveal(release(r, "coder-provisioner").inputs.values) as Obj;

describe.each(["gcp-3k", "aws-3k"])("%s", (stack) => {
    it("without a license: the first admin is created, the provisioners wait at 0 replicas, and the run says what to do", async () => {
        const r = await renderConfig(stack, rawConfig(stack));
        expect(dynamic(r, "CoderAdmin")).toHaveLength(1);
        expect(dynamic(r, "CoderLicense")).toHaveLength(0);
        expect(dynamic(r, "CoderProvisionerKey")).toHaveLength(0);
        const prov = provisionerValues(r);
        expect(prov.coder.replicaCount).toBe(0);
        expect(prov.provisionerDaemon.pskSecretName).toBe("coder-provisioner-psk");
        const { warnings } = await loadPlan(rawConfig(stack), stack, []);
        expect(warnings.join("\n")).toMatch(/no Coder license: the provisioners run 0 replicas .*pulumi config set --secret coder-refarch:license < license\.jwt.* and run pulumi up again/);
        // the admin is created through the API once coderd's release is up, with a generated password
        const admin = dynamic(r, "CoderAdmin")[0]!;
        expect(admin.dependsOn).toContain(release(r, "coder").name);
        expect(isSecretValue(admin.inputs.password)).toBe(true);
        expect((admin.inputs.endpoint as Obj).url).toBe(r.settings.accessUrl);
    });

    it("with a license: uploaded, a scoped key in a Secret, the provisioners at the tier's count after the license", async () => {
        const r = await renderConfig(stack, rawConfig(stack, { license: LICENSE }), SECRET_KEYS);
        const [license] = dynamic(r, "CoderLicense");
        const [key] = dynamic(r, "CoderProvisionerKey");
        expect(license).toBeDefined();
        expect(key).toBeDefined();
        expect(isSecretValue(license!.inputs.license)).toBe(true);
        expect(key!.dependsOn).toContain(license!.name);
        const prov = provisionerValues(r);
        expect(prov.coder.replicaCount).toBe(r.plan.provisioners.replicas);
        expect(prov.provisionerDaemon).toMatchObject({ keySecretName: "coder-provisioner-key", keySecretKey: "key", pskSecretName: "" });
        const keySecret = ofType(r, "kubernetes:core/v1:Secret").find((s) => (s.inputs.metadata as Obj).name === "coder-provisioner-key")!;
        expect(isSecretValue(keySecret.inputs.stringData) || Object.values(keySecret.inputs.stringData as Obj).every(isSecretValue)).toBe(true);
        expect(reveal(keySecret.inputs.stringData)).toEqual({ key: "mock-provisioner-key" });
        // the provisioners start after the license and restart when it changes
        const provRelease = release(r, "coder-provisioner");
        expect(provRelease.dependsOn).toEqual(expect.arrayContaining([license!.name, keySecret.name]));
        expect(Object.keys(prov.coder.podAnnotations).join(" ")).toMatch(/license/);
        // nothing secret in clear anywhere
        const clear = JSON.stringify(r.resources.map((x) => redact(x.inputs)));
        for (const secret of [LICENSE, "mock-provisioner-key", "mock-session-token"]) expect(clear).not.toContain(secret);
    });

    it("with an existing admin's token: no user is created, the token signs the calls", async () => {
        const r = await renderConfig(stack, rawConfig(stack, { adminEmail: "", adminToken: "owner-token", license: LICENSE }), SECRET_KEYS);
        const [admin] = dynamic(r, "CoderAdmin");
        expect(admin!.inputs.email).toBeUndefined();
        expect(isSecretValue(admin!.inputs.apiToken)).toBe(true);
        expect(r.resources.some((x) => x.type === "random:index/randomPassword:RandomPassword" && x.name.endsWith("admin-password"))).toBe(false);
    });

    it("without an admin credential: no API call, the PSK, 0 provisioners, and the run says so", async () => {
        const r = await renderConfig(stack, rawConfig(stack, { adminEmail: "" }));
        expect(r.resources.filter((x) => x.type.startsWith("pulumi-nodejs:dynamic"))).toEqual([]);
        expect(provisionerValues(r).coder.replicaCount).toBe(0);
        const { warnings } = await loadPlan(rawConfig(stack, { adminEmail: "" }), stack, []);
        expect(warnings.join("\n")).toMatch(/no Coder admin credential: create the first admin at https:\/\/coder\.example\.com yourself, or set coder-refarch:adminEmail/);
    });

    it("a license installed by hand: the provisioners run; with the PSK when no admin credential is set", async () => {
        const r = await renderConfig(stack, rawConfig(stack, { adminEmail: "", licenseInstalled: true }));
        const prov = provisionerValues(r);
        expect(prov.coder.replicaCount).toBe(r.plan.provisioners.replicas);
        expect(prov.provisionerDaemon.pskSecretName).toBe("coder-provisioner-psk");
    });

    it("coderd serves the certificate cert-manager issues, and starts after it", async () => {
        const r = await renderConfig(stack, rawConfig(stack));
        const coder = release(r, "coder");
        expect((reveal(coder.inputs.values) as Obj).coder.tls.secretNames).toEqual(["coder-acme-tls"]);
        const certificate = ofType(r, "kubernetes:cert-manager.io/v1:Certificate")[0]!;
        expect(coder.dependsOn).toContain(certificate.name);
        expect((certificate.inputs.spec as Obj).secretName).toBe("coder-acme-tls");
        expect((certificate.inputs.spec as Obj).dnsNames).toEqual(["coder.example.com", "*.coder.example.com"]);
    });
});

describe("the offline preview of a stack file with encrypted values", () => {
    it("renders the bootstrap with the license it cannot decrypt", async () => {
        const fs = await import("node:fs");
        const os = await import("node:os");
        const path = await import("node:path");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "coder-refarch-"));
        const root = path.join(__dirname, "..");
        fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.enc.yaml"), fs.readFileSync(path.join(root, "Pulumi.gcp-3k.yaml"), "utf8") + [
            "  coder-refarch:license:",
            "    secure: v1:AAAABBBBCCCC",
            "  coder-refarch:coderSecretEnv:",
            "    CODER_OIDC_CLIENT_SECRET:",
            "      secure: v1:DDDDEEEE",
            "",
        ].join("\n"));
        const r = await renderStack("enc", dir);
        expect(dynamic(r, "CoderLicense")).toHaveLength(1);
        expect(provisionerValues(r).coder.replicaCount).toBe(r.plan.provisioners.replicas);
        const env = (reveal(release(r, "coder").inputs.values) as Obj).coder.env.map((e: Obj) => e.name);
        expect(env).toContain("CODER_OIDC_CLIENT_SECRET");
    });
});

describe("how the machine running pulumi up reaches coderd", () => {
    it.each([
        ["the access URL, or the load balancer's address before DNS points at coderd", {}, { url: "https://coder.example.com", fallbackAddress: "203.0.113.20" }],
        ["behind a TLS proxy of the user's: coderd's plain-HTTP port through the load balancer", { dnsZone: "", acmeEmail: "", tlsTerminatedUpstream: true },
            { url: "http://coder.example.com", connectTo: "203.0.113.20" }],
        ["a test CA's certificate is not checked", { acmeServer: "https://acme-staging-v02.api.letsencrypt.org/directory" },
            { url: "https://coder.example.com", fallbackAddress: "203.0.113.20", insecureSkipVerify: true }],
    ] as [string, Record<string, unknown>, Obj][])("%s", async (_, changes, expected) => {
        const { settings } = await loadPlan(rawConfig("gcp-3k", changes), "gcp-3k", []);
        expect(coderEndpoint(settings, "203.0.113.20")).toEqual(expected);
    });

    it("trusts the chain of a certificate of the user's (a private CA)", async () => {
        const fs = await import("node:fs");
        const path = await import("node:path");
        const pem = (f: string) => fs.readFileSync(path.join(__dirname, "fixtures/tls", f), "utf8");
        const { settings } = await loadPlan(rawConfig("gcp-3k", { dnsZone: "", acmeEmail: "", tlsCertificate: pem("coder.crt"), tlsPrivateKey: pem("coder.key") }),
            "gcp-3k", ["coder-refarch:tlsPrivateKey"]);
        expect(coderEndpoint(settings, "203.0.113.20")).toMatchObject({ caPem: pem("coder.crt") });
    });
});

describe("stack outputs", () => {
    it("export the admin's password as a secret and the load balancer's address", async () => {
        pulumi.runtime.setMocks({
            newResource: (a) => ({
                id: `${a.name}-id`,
                state: {
                    ...a.inputs,
                    ...(a.type === "kubernetes:core/v1:Service" ? { status: { loadBalancer: { ingress: [{ ip: "203.0.113.20" }] } } } : {}),
                    ...(a.type === "random:index/randomPassword:RandomPassword" ? { result: "generated-password" } : {}),
                    ...(a.type.includes("CoderAdmin") ? { token: "t" } : {}),
                },
            }),
            call: () => ({}),
        }, "coder-refarch", "gcp-3k", false);
        pulumi.runtime.setAllConfig(rawConfig("gcp-3k"));
        const out = await run();
        const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
        expect(await pulumi.isSecret(out.adminPassword!)).toBe(true);
        expect(await value(out.adminPassword!)).toBe("generated-password");
        expect(await value(out.loadBalancerAddress!)).toBe("203.0.113.20");
    });
});
