/**
 * Reads a stack's config the way the Pulumi CLI hands it to the program: project
 * defaults from Pulumi.yaml, overlaid by Pulumi.<stack>.yaml, every value a string
 * (objects and arrays as JSON), keys namespaced.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const SECRET_PLACEHOLDER = "[secret]";

export interface StackConfig {
    /** `namespace:key` → value as the program sees it */
    raw: Record<string, string>;
    /** keys whose values are secrets (`secure:` in the stack file) */
    secretKeys: string[];
}

export function projectRoot(): string {
    return path.resolve(__dirname, "..");
}

export function listStacks(root = projectRoot()): string[] {
    return fs.readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .sort();
}

interface ProjectConfigDecl {
    type?: string;
    default?: unknown;
    value?: unknown;
    description?: string;
}

export function readProject(root = projectRoot()): { name: string; config: Record<string, ProjectConfigDecl> } {
    return parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
}

const asString = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

export function readStackConfig(stack: string, root = projectRoot()): StackConfig {
    const project = readProject(root);
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack file ${path.basename(file)} (stacks: ${listStacks(root).join(", ")})`);
    }
    const stackFile = parse(fs.readFileSync(file, "utf8")) ?? {};
    const raw: Record<string, string> = {};
    const secretKeys: string[] = [];
    const key = (k: string) => (k.includes(":") ? k : `${project.name}:${k}`);
    for (const [k, decl] of Object.entries(project.config ?? {})) {
        if (decl && typeof decl === "object" && "default" in decl) raw[key(k)] = asString(decl.default);
        else if (decl && typeof decl === "object" && "value" in decl) raw[key(k)] = asString(decl.value);
    }
    for (const [k, v] of Object.entries(stackFile.config ?? {})) {
        if (v && typeof v === "object" && "secure" in (v as object)) {
            raw[key(k)] = SECRET_PLACEHOLDER;
            secretKeys.push(key(k));
        } else {
            raw[key(k)] = asString(v);
        }
    }
    return { raw, secretKeys };
}
