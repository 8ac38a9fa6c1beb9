/**
 * The offline preview refuses what the Pulumi CLI refuses before the program runs, in the
 * CLI's words (pulumi/pulumi: sdk/go/common/workspace/config.go mergeConfig and
 * validateStackConfigValue, project.go Validate and ValidateConfigValue), every problem at
 * once, and never with a stack trace.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { listStacks, readProject, readStackConfig, StackConfig, StackFileError, validateProject } from "../preview/stack-config";

const run = promisify(execFile);
const root = path.resolve(__dirname, "..");
const cli = (...args: string[]) => run(process.execPath, ["--import", "tsx", "preview/cli.ts", ...args], { cwd: root })
    .then(() => undefined, (e: { code: number; stderr: string }) => e);

const REAL_PROJECT = fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8");

/** A temporary project: Pulumi.yaml (the real one unless given) and the stack `t`. */
function projectDir(stackText: string, pulumiYaml = REAL_PROJECT): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "coder-refarch-rules-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), pulumiYaml);
    fs.writeFileSync(path.join(dir, "Pulumi.t.yaml"), stackText);
    return dir;
}

/** The problems readStackConfig reports for the stack `t`; [] when it accepts it. */
function problems(stackText: string, pulumiYaml?: string): string[] {
    try {
        readStackConfig("t", projectDir(stackText, pulumiYaml));
        return [];
    } catch (e) {
        if (e instanceof StackFileError) return e.problems;
        throw e;
    }
}

const accepted = (stackText: string, pulumiYaml?: string): StackConfig => readStackConfig("t", projectDir(stackText, pulumiYaml));

/** The keys every stack of the real project must set. */
const BASE: Record<string, string> = {
    "gcp:project": "p",
    "coder-refarch:region": "us-east1",
    "coder-refarch:zones": "[us-east1-b, us-east1-c]",
    "coder-refarch:accessUrl": "https://coder.example.com",
};

/** A stack file: BASE with some entries replaced by YAML text, or removed (null). */
function stackFile(changes: Record<string, string | null> = {}): string {
    const entries = Object.entries({ ...BASE, ...changes }).filter((e): e is [string, string] => e[1] !== null);
    return ["config:", ...entries.map(([k, v]) => `  ${k}: ${v}`)].join("\n") + "\n";
}

const must = (key: string, type: string) => `Stack 't' with configuration key '${key}' must be of type '${type}'`;
const encrypted = (key: string) => `Stack 't' with configuration key '${key}' must be encrypted as it's secret`;

/** A small project of its own; `config` is the YAML of its config block, indented by two. */
const demoProject = (config: string) => `name: demo\nruntime: nodejs\nconfig:\n${config}\n`;
const SECRET_TOKEN = demoProject("  apiToken:\n    type: string\n    secret: true");

describe("the CLI's type rules for stack values", () => {
    it.each([
        ["an integer key given a word", { "coder-refarch:databaseVersion": "sixteen" }, must("databaseVersion", "integer")],
        ["an integer key given 16.0 (the CLI sees the text, which Atoi refuses)", { "coder-refarch:databaseVersion": "16.0" }, must("databaseVersion", "integer")],
        ["a boolean key given yes", { "coder-refarch:deletionProtection": "yes" }, must("deletionProtection", "boolean")],
        ["a boolean key given True (only 'true' and 'false' pass)", { "coder-refarch:deletionProtection": "True" }, must("deletionProtection", "boolean")],
        ["an array key given a string", { "coder-refarch:zones": "us-east1-b" }, must("zones", "array<string>")],
        ["an array<string> key holding a number", { "coder-refarch:zones": "[us-east1-b, 7]" }, must("zones", "array<string>")],
        ["an object key given a list", { "coder-refarch:namespaces": "[coder, provisioners]" }, must("namespaces", "object")],
        ["an object key given JSON text", { "coder-refarch:sizing": `'{"coderd": {"replicas": 4}}'` }, must("sizing", "object")],
        ["a string key given a map", { "coder-refarch:region": "{name: us-east1}" }, must("region", "string")],
    ])("%s", (_name, changes, expected) => {
        expect(problems(stackFile(changes))).toEqual([expected]);
    });

    it.each([
        ["16", "16"],
        [`"16"`, "16"],
        ["+16", "+16"],
    ])("an integer key takes %s (the program receives %s)", (yaml, raw) => {
        expect(accepted(stackFile({ "coder-refarch:databaseVersion": yaml })).raw["coder-refarch:databaseVersion"]).toBe(raw);
    });

    it.each([["false"], [`"false"`], ["true"]])("a boolean key takes %s", (yaml) => {
        expect(accepted(stackFile({ "coder-refarch:deletionProtection": yaml })).raw["coder-refarch:deletionProtection"]).toBe(yaml.replace(/"/g, ""));
    });

    it("a string key takes any scalar, as its text", () => {
        expect(accepted(stackFile({ "coder-refarch:kubernetesVersion": "1.30" })).raw["coder-refarch:kubernetesVersion"]).toBe("1.30");
    });
});

describe("missing keys and defaults", () => {
    it.each([
        [["coder-refarch:accessUrl"], "Stack 't' is missing configuration value 'accessUrl'"],
        [["coder-refarch:zones", "coder-refarch:accessUrl"], "Stack 't' is missing configuration values 'accessUrl' and 'zones'"],
        [["coder-refarch:zones", "coder-refarch:region", "coder-refarch:accessUrl"],
            "Stack 't' is missing configuration values 'accessUrl', 'region' and 'zones'"],
    ])("without %j", (removed, expected) => {
        expect(problems(stackFile(Object.fromEntries(removed.map((k) => [k, null]))))).toEqual([expected]);
    });

    it("an empty stack file misses every required key", () => {
        expect(problems("")).toEqual(["Stack 't' is missing configuration values 'accessUrl', 'region' and 'zones'"]);
    });

    it("applies Pulumi.yaml's defaults as the CLI does: primitives as text, objects and arrays as JSON", () => {
        const { raw } = accepted(stackFile());
        expect(raw["coder-refarch:databaseVersion"]).toBe("16");
        expect(raw["coder-refarch:deletionProtection"]).toBe("true");
        expect(raw["coder-refarch:wildcardAccessUrl"]).toBe("");
        expect(JSON.parse(raw["coder-refarch:namespaces"]!)).toEqual({ coder: "coder", provisioners: "coder-provisioners", workspaces: "coder-workspaces" });
        expect(raw["coder-refarch:tlsSecretNames"]).toBe("[]");
    });

    it("passes objects as JSON with sorted keys, nested YAML 1.1 scalars typed as yaml.v2 types them", () => {
        const { raw } = accepted(stackFile({ "coder-refarch:coderEnv": "{CODER_B: x, CODER_A: yes, CODER_C: 010}" }));
        expect(raw["coder-refarch:coderEnv"]).toBe('{"CODER_A":true,"CODER_B":"x","CODER_C":8}');
    });

    it("takes Pulumi.yaml's short-hand values: a default for the project's keys, a value for others", () => {
        const { raw } = accepted("config: {}\n", demoProject("  flavor: small\n  retries: 3\n  aws:region: us-west-2"));
        expect(raw).toEqual({ "aws:region": "us-west-2", "demo:flavor": "small", "demo:retries": "3" });
    });
});

describe("secrets", () => {
    it("refuses a declared secret key set in plaintext", () => {
        expect(problems("config:\n  demo:apiToken: plain\n", SECRET_TOKEN)).toEqual([encrypted("apiToken")]);
    });

    it("refuses a declared secret key whose plaintext default applies", () => {
        const project = demoProject("  apiToken:\n    type: string\n    secret: true\n    default: changeme");
        expect(problems("config: {}\n", project)).toEqual([encrypted("apiToken")]);
    });

    it("requires a declared secret key without a default", () => {
        expect(problems("config: {}\n", SECRET_TOKEN)).toEqual(["Stack 't' is missing configuration value 'apiToken'"]);
    });

    it("takes a declared secret key set with secure:, passing the placeholder", () => {
        const { raw, secretKeys } = accepted("config:\n  demo:apiToken:\n    secure: v1:AAAA\n", SECRET_TOKEN);
        expect(raw["demo:apiToken"]).toBe("[secret]");
        expect(secretKeys).toEqual(["demo:apiToken"]);
    });

    it("does not enforce secret: true on an untyped key (the CLI validates typed keys only)", () => {
        expect(problems("config:\n  demo:apiToken: plain\n", demoProject("  apiToken:\n    secret: true"))).toEqual([]);
    });

    it("counts an object with secure: leaves as secret, and keeps its shape", () => {
        const project = demoProject("  oidc:\n    type: object\n    secret: true");
        const { raw, secretKeys } = accepted("config:\n  demo:oidc:\n    CLIENT_SECRET:\n      secure: v1:AAAA\n    CLIENT_ID: coder\n", project);
        expect(JSON.parse(raw["demo:oidc"]!)).toEqual({ CLIENT_ID: "coder", CLIENT_SECRET: "[secret]" });
        expect(secretKeys).toEqual(["demo:oidc"]);
    });

    it("passes coderSecretEnv set with --path --secret (undeclared) as a secret object", () => {
        const { raw, secretKeys } = accepted(stackFile({ "coder-refarch:coderSecretEnv": "{CODER_OIDC_CLIENT_SECRET: {secure: v1:AAAA}}" }));
        expect(JSON.parse(raw["coder-refarch:coderSecretEnv"]!)).toEqual({ CODER_OIDC_CLIENT_SECRET: "[secret]" });
        expect(secretKeys).toEqual(["coder-refarch:coderSecretEnv"]);
    });
});

describe("every problem at once", () => {
    const bad = stackFile({
        "coder-refarch:accessUrl": null,
        "coder-refarch:region": null,
        "coder-refarch:zones": null,
        "coder-refarch:databaseVersion": "sixteen",
        "coder-refarch:deletionProtection": "yes",
        "coder-refarch:namespaces": "[coder]",
    });
    const expected = [
        "Stack 't' is missing configuration values 'accessUrl', 'region' and 'zones'",
        must("databaseVersion", "integer"),
        must("deletionProtection", "boolean"),
        must("namespaces", "object"),
    ];

    it("lists the missing keys, then each bad value in key order", () => {
        expect(problems(bad)).toEqual(expected);
    });

    it("the preview command prints them one a line and exits 1, without a stack trace", async () => {
        const err = await cli("--stack", "t", "--dir", projectDir(bad));
        expect(err?.code).toBe(1);
        expect(err?.stderr.trim().split("\n")).toEqual(expected);
    });
});

describe("files the CLI cannot read", () => {
    it.each([
        ["a tab as indentation", "config:\n\tgcp:project: p\n", /^Pulumi\.t\.yaml:2:1: invalid YAML: Tabs are not allowed as indentation/],
        ["an unclosed bracket", "config:\n  coder-refarch:zones: [us-east1-b, us-east1-c\n  gcp:project: p\n", /^Pulumi\.t\.yaml:\d+:\d+: invalid YAML: /],
        ["a list at the top level", "- config\n", /^Pulumi\.t\.yaml: the top level must be a map with a config: key, not a list$/],
        ["config as a list", "config:\n  - gcp:project: p\n", /^Pulumi\.t\.yaml: config must be a map of <namespace>:<name> keys to values, not a list$/],
        ["a key without a namespace", stackFile({ region: "us-east1" }),
            /^Pulumi\.t\.yaml: could not parse region as a configuration key \(configuration keys should be of the form `<namespace>:<name>`\)$/],
    ])("%s", (_name, text, expected) => {
        const found = problems(text);
        expect(found).toHaveLength(1);
        expect(found[0]).toMatch(expected);
    });

    it("names Pulumi.yaml for a syntax error there", () => {
        expect(problems(stackFile(), `name: demo\nruntime: nodejs\nconfig: {a: [1, 2}\n`)[0]).toMatch(/^Pulumi\.yaml:3:\d+: invalid YAML: /);
    });

    it("the preview command says file and line of a YAML error, exits 1, prints no stack frames", async () => {
        const err = await cli("--stack", "t", "--dir", projectDir("config:\n  gcp:project: p\n\tcoder-refarch:region: x\n"));
        expect(err?.code).toBe(1);
        expect(err?.stderr).toMatch(/^Pulumi\.t\.yaml:3:1: invalid YAML: /);
        expect(err?.stderr).not.toMatch(/^\s+at /m);
    });
});

describe("Pulumi.yaml's own rules (project.go Validate, project.json)", () => {
    it.each([
        ["default and value together", "  size:\n    type: string\n    default: a\n    value: b",
            "Pulumi.yaml: project config 'size' cannot have both a 'default' and 'value' attribute"],
        ["an array without items", "  sizes:\n    type: array\n    default: []",
            "Pulumi.yaml: The configuration key 'sizes' declares an array but does not specify the underlying type via the 'items' attribute"],
        ["a default of another type", "  count:\n    type: integer\n    default: many",
            "Pulumi.yaml: The default value specified for configuration key 'count' is not of the expected type 'integer'"],
        ["an array default with a bad item", "  flags:\n    type: array\n    items:\n      type: boolean\n    default: [true, maybe]",
            "Pulumi.yaml: The default value specified for configuration key 'flags' is not of the expected type 'array<boolean>'"],
        ["a type on another namespace's key", "  aws:region:\n    type: string\n    value: us-east-1",
            "Pulumi.yaml: Configuration key 'aws:region' is not namespaced by the project and should not define a type"],
        ["a default on another namespace's key", "  aws:region:\n    default: us-east-1",
            "Pulumi.yaml: Configuration key 'aws:region' is not namespaced by the project and should not define a default value. " +
            "Did you mean to use the 'value' attribute instead of 'default'?"],
        ["another namespace's key without a value", "  aws:region:\n    description: the region",
            "Pulumi.yaml: Configuration key 'aws:region' is namespaced and must provide an attribute 'value'"],
    ])("refuses %s", (_name, config, expected) => {
        expect(problems("config: {}\n", demoProject(config))).toEqual([expected]);
    });

    it.each([
        ["a misspelt attribute", "  size:\n    type: string\n    defualt: a", /^Pulumi\.yaml: config 'size': unknown attribute 'defualt'/],
        ["an unknown type", "  size:\n    type: number", /^Pulumi\.yaml: config 'size': type must be one of string, integer, boolean, array, object$/],
    ])("refuses %s (the declaration schema)", (_name, config, expected) => {
        const found = problems("config: {}\n", demoProject(config));
        expect(found).toHaveLength(1);
        expect(found[0]).toMatch(expected);
    });

    it("the real Pulumi.yaml obeys them, and declares no secret key with a default", () => {
        const project = readProject();
        expect(validateProject(project)).toEqual([]);
        const secretWithDefault = Object.entries(project.config).filter(([, d]) => d.secret === true && d.default !== undefined);
        expect(secretWithDefault.map(([k]) => k)).toEqual([]);
    });
});

describe("shipped stacks", () => {
    it.each(listStacks())("%s passes the CLI's rules", (stack) => {
        expect(() => readStackConfig(stack)).not.toThrow();
    });
});
