/**
 * Reads a stack's config the way the Pulumi CLI hands it to the program, and refuses a
 * stack the CLI would refuse, so that a stack the offline preview accepts also passes
 * `pulumi preview`.
 *
 * Emulated from pulumi/pulumi (each rule below names its source):
 * - sdk/go/common/workspace/project.go: LoadProjectBytes, RewriteShorthandConfigValues,
 *   (*Project).Validate, ValidateConfigValue, InferFullTypeName; project.json (the schema
 *   of a config declaration);
 * - sdk/go/common/workspace/config.go (pkg/workspace/config.go in older releases):
 *   mergeConfig, createConfigValue, formatMissingKeys, validateStackConfigValues,
 *   validateStackConfigValue;
 * - sdk/go/common/resource/config/value.go and key.go: how a stack file's value becomes a
 *   config value (unmarshalValue, isSecureValue, hasSecureValue) and ParseKey;
 * - sdk/go/common/encoding/marshal.go: both files are read with gopkg.in/yaml.v2.
 *
 * Where the CLI stops at its first error, this module reports every problem at once, in
 * the CLI's words, one a line.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Document, isAlias, isMap, isScalar, isSeq, parseDocument, ParsedNode, ParseOptions, Tags, YAMLError } from "yaml";

export const SECRET_PLACEHOLDER = "[secret]";

export interface StackConfig {
    /** `namespace:key` → value as the program sees it, keys sorted as the CLI passes them */
    raw: Record<string, string>;
    /** keys whose values are secrets (`secure:` in the stack file, also nested in an object) */
    secretKeys: string[];
}

/**
 * Raised when the Pulumi CLI would refuse the stack before the program runs: a YAML syntax
 * error, a stack file of the wrong shape, an invalid Pulumi.yaml, or stack values that
 * break Pulumi.yaml's declarations. The message is the problems, one a line.
 */
export class StackFileError extends Error {
    constructor(public readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "StackFileError";
    }
}

export function projectRoot(): string {
    return path.resolve(__dirname, "..");
}

/** A stack file at the project's root, `Pulumi.<stack>.yaml`: its stack's name. */
export const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;

export function listStacks(root = projectRoot()): string[] {
    return fs.readdirSync(root)
        .map((f) => STACK_FILE.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .sort();
}

// ---- YAML ----

/**
 * The CLI reads Pulumi.yaml and the stack files with gopkg.in/yaml.v2
 * (sdk/go/common/encoding/marshal.go): YAML 1.1, so inside objects and arrays `yes`/`on`
 * are booleans and `010` is octal. yaml.v2 has no sexagesimal numbers and hands
 * timestamps to untyped values as their text, so those two YAML 1.1 tags are left out.
 */
const YAML_OPTIONS: ParseOptions & { version: "1.1"; customTags: (tags: Tags) => Tags } = {
    version: "1.1",
    customTags: (tags) => tags.filter((t) => typeof t === "string" ||
        (t.format !== "TIME" && t.tag !== "tag:yaml.org,2002:timestamp")),
};

/** One line for a YAML syntax error: file, line, column and the parser's own words. */
function yamlProblem(file: string, e: YAMLError): string {
    const at = e.linePos?.[0];
    const where = at ? `${file}:${at.line}:${at.col}` : file;
    // The parser's message ends with " at line L, column C:" and a code frame; both are said already.
    const problem = e.message.split(/ at line \d+, column \d+:/)[0]!.split("\n")[0];
    return `${where}: invalid YAML: ${problem}`;
}

/** A file's YAML document, or the problems that keep the CLI from reading it. */
function readYaml(dir: string, file: string): { doc?: Document.Parsed; problems: string[] } {
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) return { problems: [`no ${file} in ${dir}`] };
    // The CLI strips a UTF-8 byte order mark before parsing (readFileStripUTF8BOM).
    const text = fs.readFileSync(full, "utf8").replace(/^\uFEFF/, "");
    const doc = parseDocument(text, YAML_OPTIONS);
    // The parser also refuses a key given twice, where yaml.v2 lets the last one win:
    // stricter than the CLI, never more lenient, and almost always a mistake.
    if (doc.errors.length > 0) return { problems: doc.errors.map((e) => yamlProblem(file, e)) };
    return { doc, problems: [] };
}

const kindOf = (v: unknown): string =>
    v === null || v === undefined ? "nothing" : Array.isArray(v) ? "list" : typeof v === "object" ? "map" : `the ${typeof v} ${JSON.stringify(v)}`;

/** A `secure:` leaf: the preview cannot decrypt it; the program sees SECRET_PLACEHOLDER. */
class Ciphertext {
    constructor(readonly text: string) {}
}

/** A YAML or JSON map (not a list, a ciphertext or binary data). */
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && [Object.prototype, null].includes(Object.getPrototypeOf(v));

// ---- Pulumi.yaml ----

export interface ItemsType {
    type: string;
    items?: ItemsType;
}

/** A declaration in Pulumi.yaml's `config:` (ProjectConfigType in project.go). */
export interface ProjectConfigDecl {
    type?: string;
    items?: ItemsType;
    /** absent when Pulumi.yaml says nothing or null (the CLI's `Default != nil`) */
    default?: unknown;
    value?: unknown;
    description?: string;
    secret?: boolean;
}

export interface Project {
    name: string;
    /** declarations by key as written, short-hand values already rewritten */
    config: Record<string, ProjectConfigDecl>;
}

/** The attributes project.json allows in a declaration (configTypeDeclaration). */
const DECL_ATTRIBUTES = ["type", "items", "description", "secret", "default", "value"];
/** Type names the CLI knows (the constants of project.go). */
const CONFIG_TYPES = ["string", "integer", "boolean", "array", "object"];

/** Integers, strings and booleans: the values project.go's isPrimitiveValue accepts (yaml.v2 decodes 16 as int). */
const isPrimitive = (v: unknown): v is string | number | boolean =>
    typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isSafeInteger(v));

/** A key of Pulumi.yaml's config is the project's when it has no namespace or the project's (configKeyIsNamespacedByProject). */
const isProjectKey = (projectName: string, key: string): boolean => !key.includes(":") || key.startsWith(`${projectName}:`);

/**
 * RewriteShorthandConfigValues (project.go): `key: value` is a default for a key of the
 * project and a fixed value for a key of another namespace. Only primitives and arrays
 * are rewritten; anything else must be a declaration.
 */
function rewriteShorthand(projectName: string, key: string, decl: unknown): unknown {
    if (!isPrimitive(decl) && !Array.isArray(decl)) return decl;
    return isProjectKey(projectName, key) ? { default: decl } : { value: decl };
}

/** A declaration as the CLI's struct holds it: a YAML null is the same as no attribute. */
function normaliseDecl(decl: unknown): unknown {
    if (!isPlainObject(decl)) return decl;
    return Object.fromEntries(Object.entries(decl).filter(([, v]) => v !== null && v !== undefined));
}

function projectFrom(doc: Document.Parsed): { project?: Project; problems: string[] } {
    const top: unknown = doc.toJS();
    if (!isPlainObject(top)) return { problems: [`Pulumi.yaml: the top level must be a map, not ${kindOf(top)}`] };
    // ValidateProject (project.go): a non-empty string name.
    if (typeof top.name !== "string" || top.name === "") {
        return { problems: ["Pulumi.yaml: project is missing a non-empty string 'name' attribute"] };
    }
    const name = top.name;
    const declared = top.config ?? {};
    if (!isPlainObject(declared)) {
        // A string here is the old spelling of stackConfigDir (RewriteConfigPathIntoStackConfigDir); not supported by this preview.
        return { problems: [`Pulumi.yaml: config must be a map of declarations, not ${kindOf(declared)}`] };
    }
    const config: Record<string, ProjectConfigDecl> = {};
    for (const [key, decl] of Object.entries(declared)) {
        config[key] = normaliseDecl(rewriteShorthand(name, key, decl)) as ProjectConfigDecl;
    }
    return { project: { name, config }, problems: [] };
}

function loadProject(root: string): { project?: Project; problems: string[] } {
    const { doc, problems } = readYaml(root, "Pulumi.yaml");
    return doc ? projectFrom(doc) : { problems };
}

/** Pulumi.yaml's name and config declarations. Throws StackFileError if it cannot be read. */
export function readProject(root = projectRoot()): Project {
    const { project, problems } = loadProject(root);
    if (!project) throw new StackFileError(problems);
    return project;
}

/** Problems of an `items` declaration (configItemsType in project.json). */
function itemsProblems(key: string, items: unknown): string[] {
    if (!isPlainObject(items) || typeof items.type !== "string" || !CONFIG_TYPES.includes(items.type)) {
        return [`Pulumi.yaml: config '${key}': items must be {type: ${CONFIG_TYPES.join("|")}} (project.json)`];
    }
    if (items.type === "array" && items.items === undefined) {
        return [`Pulumi.yaml: config '${key}': items of type array need their own items (project.json)`];
    }
    return items.items === undefined ? [] : itemsProblems(key, items.items);
}

/** The JSON-schema part of loading Pulumi.yaml (project.json, configTypeDeclaration), for one declaration. */
function schemaProblems(key: string, decl: unknown): string[] {
    if (!isPlainObject(decl)) {
        return [`Pulumi.yaml: config '${key}' must be a string, integer, boolean, list or a declaration map, not ${kindOf(decl)} (project.json)`];
    }
    const problems: string[] = [];
    const unknown = Object.keys(decl).filter((a) => !DECL_ATTRIBUTES.includes(a));
    if (unknown.length) problems.push(`Pulumi.yaml: config '${key}': unknown attribute${unknown.length > 1 ? "s" : ""} ${unknown.map((a) => `'${a}'`).join(", ")} (allowed: ${DECL_ATTRIBUTES.join(", ")})`);
    if (decl.type !== undefined && (typeof decl.type !== "string" || !CONFIG_TYPES.includes(decl.type))) {
        problems.push(`Pulumi.yaml: config '${key}': type must be one of ${CONFIG_TYPES.join(", ")}`);
    }
    if (decl.secret !== undefined && typeof decl.secret !== "boolean") problems.push(`Pulumi.yaml: config '${key}': secret must be true or false`);
    if (decl.description !== undefined && typeof decl.description !== "string") problems.push(`Pulumi.yaml: config '${key}': description must be a string`);
    if (decl.items !== undefined) problems.push(...itemsProblems(key, decl.items));
    return problems;
}

/** (*Project).Validate in project.go, in its own words, for one declaration. */
function declarationProblems(projectName: string, key: string, decl: ProjectConfigDecl): string[] {
    const has = (attr: keyof ProjectConfigDecl) => decl[attr] !== undefined;
    if (has("default") && has("value")) return [`project config '${key}' cannot have both a 'default' and 'value' attribute`];
    if (isProjectKey(projectName, key)) {
        if (has("type") && decl.type === "array" && !has("items")) {
            return [`The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`];
        }
        if (has("type") && has("default") && !validateConfigValue(decl.type!, decl.items, decl.default)) {
            return [`The default value specified for configuration key '${key}' is not of the expected type '${inferFullTypeName(decl.type!, decl.items)}'`];
        }
        return [];
    }
    if (has("type")) return [`Configuration key '${key}' is not namespaced by the project and should not define a type`];
    if (has("default")) {
        return [`Configuration key '${key}' is not namespaced by the project and should not define a default value. ` +
            "Did you mean to use the 'value' attribute instead of 'default'?"];
    }
    if (!has("value")) return [`Configuration key '${key}' is namespaced and must provide an attribute 'value'`];
    return [];
}

/** One problem of Pulumi.yaml, with the declaration it is about. */
interface DeclarationProblem {
    key: string;
    problem: string;
}

function declarationsProblems(project: Project): DeclarationProblem[] {
    const problems: DeclarationProblem[] = [];
    for (const key of sortedKeys(project.config)) {
        const decl: unknown = project.config[key];
        const schema = schemaProblems(key, decl);
        const found = schema.length ? schema : [
            ...(key.includes(":") && parseKey(key) === undefined ? [keyParseError(key)] : []),
            ...declarationProblems(project.name, key, decl as ProjectConfigDecl),
        ];
        problems.push(...found.map((p) => ({ key, problem: p.startsWith("Pulumi.yaml: ") ? p : `Pulumi.yaml: ${p}` })));
    }
    return problems;
}

/**
 * Everything the CLI refuses in Pulumi.yaml's config block when it loads the project:
 * the declaration schema (project.json) and (*Project).Validate (project.go). Validate's
 * messages are the CLI's own; the CLI prefixes them with "could not unmarshal 'Pulumi.yaml'".
 */
export function validateProject(project: Project): string[] {
    return declarationsProblems(project).map((p) => p.problem);
}

// ---- config values and their types ----

/**
 * A config value as the CLI holds it (config.Value in value.go): text, or JSON for an
 * object or array (`object`); `secure` when it is a ciphertext or contains one.
 */
interface ConfigValue {
    text: string;
    secure: boolean;
    object: boolean;
    /** objects and arrays: the decoded value, ciphertexts as Ciphertext */
    content?: unknown;
}

/** ParseKey (key.go): `<namespace>:<name>`, or the old `<namespace>:config:<name>`. */
function parseKey(key: string): string | undefined {
    const parts = key.split(":");
    if (parts.length === 2) return key;
    if (parts.length === 3 && parts[1] === "config") return `${parts[0]}:${parts[2]}`;
    return undefined;
}

const keyParseError = (key: string) =>
    `could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`;

/** sort.Strings order (byte-wise; the same as UTF-16 order for the ASCII keys config uses). */
const sortedKeys = (o: object): string[] => Object.keys(o).sort();

/** isSecureValue (value.go): a map with the one key `secure` holding a string. */
function asCiphertext(v: unknown): Ciphertext | undefined {
    if (!isPlainObject(v)) return undefined;
    const keys = Object.keys(v);
    return keys.length === 1 && keys[0] === "secure" && typeof v.secure === "string" ? new Ciphertext(v.secure) : undefined;
}

/** A decoded stack value with every `secure:` leaf as a Ciphertext. */
function markCiphertexts(v: unknown): unknown {
    const secret = asCiphertext(v);
    if (secret) return secret;
    if (Array.isArray(v)) return v.map(markCiphertexts);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, markCiphertexts(x)]));
    return v;
}

/** hasSecureValue (value.go). */
function hasCiphertext(v: unknown): boolean {
    if (v instanceof Ciphertext) return true;
    if (Array.isArray(v)) return v.some(hasCiphertext);
    if (isPlainObject(v)) return Object.values(v).some(hasCiphertext);
    return false;
}

/**
 * The JSON the program receives for an object or array value: Go's json.Marshal sorts
 * map keys; a ciphertext (decrypted by the CLI) is the placeholder here.
 */
function programJson(v: unknown): string {
    const canonical = (x: unknown): unknown => {
        if (x instanceof Ciphertext) return SECRET_PLACEHOLDER;
        if (x instanceof Uint8Array) return Buffer.from(x).toString("utf8");
        if (Array.isArray(x)) return x.map(canonical);
        if (isPlainObject(x)) return Object.fromEntries(sortedKeys(x).map((k) => [k, canonical(x[k])]));
        return x;
    };
    return JSON.stringify(canonical(v));
}

/** The scalar's text as written (quotes and escapes resolved); a YAML null reads as "". */
function scalarText(node: ParsedNode): string | undefined {
    if (!isScalar(node)) return undefined;
    if (node.value === null) return "";
    return typeof node.source === "string" ? node.source : String(node.value);
}

/**
 * A stack file value as config.Value's unmarshalValue (value.go) reads it: first as a
 * string, which yaml.v2 grants any scalar, giving its text as written (`16.0`, `True`,
 * `yes` stay exactly that); otherwise a `secure:` map, or an object or array kept as JSON.
 */
function stackValue(node: ParsedNode | null, doc: Document.Parsed): ConfigValue {
    const resolved = node && isAlias(node) ? (node.resolve(doc) as ParsedNode | undefined) ?? null : node;
    if (resolved === null) return { text: "", secure: false, object: false };
    const text = scalarText(resolved);
    if (text !== undefined) return { text, secure: false, object: false };
    const content = markCiphertexts(resolved.toJS(doc));
    if (content instanceof Ciphertext) return { text: SECRET_PLACEHOLDER, secure: true, object: false };
    return { text: programJson(content), secure: hasCiphertext(content), object: true, content };
}

/**
 * createConfigValue (config.go): a primitive default is its text (`fmt.Sprintf("%v")`),
 * anything else JSON. Defaults are never secure.
 */
function defaultValue(v: unknown): ConfigValue {
    if (isPrimitive(v)) return { text: String(v), secure: false, object: false };
    return { text: programJson(v), secure: false, object: true, content: v };
}

/** strconv.Atoi: an optional sign and decimal digits, within int64 (the CLI's platforms are 64-bit). */
function atoi(s: string): boolean {
    if (!/^[+-]?[0-9]+$/.test(s)) return false;
    const n = BigInt(s);
    return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/**
 * ValidateConfigValue (project.go). Strings pass as integers when strconv.Atoi takes them
 * and as booleans only when exactly "true" or "false". Any other type name is checked as
 * an array of `items`. A ciphertext decrypts to a string the preview cannot see: it passes
 * every primitive type and fails object and array.
 */
export function validateConfigValue(typeName: string, items: ItemsType | undefined, value: unknown): boolean {
    const unknownSecret = value instanceof Ciphertext;
    switch (typeName) {
        case "string":
            return typeof value === "string" || unknownSecret;
        case "integer":
            // Go accepts int, a float64 equal to its truncation (which ±Inf is), or an Atoi string.
            if (typeof value === "number") return value === Math.trunc(value);
            return typeof value === "string" ? atoi(value) : unknownSecret;
        case "boolean":
            return value === "true" || value === "false" || typeof value === "boolean" || unknownSecret;
        case "object":
            return isPlainObject(value);
        default:
            return Array.isArray(value) && items !== undefined && value.every((x) => validateConfigValue(items.type, items.items, x));
    }
}

/** InferFullTypeName (project.go): `array<T>` whenever `items` is given. */
export function inferFullTypeName(typeName: string, items: ItemsType | undefined): string {
    return items ? `array<${inferFullTypeName(items.type, items.items)}>` : typeName;
}

// ---- Pulumi.<stack>.yaml ----

/**
 * The stack file's `config:` entries by parsed key, with the keys that do not parse as
 * problems; no values when the file's shape keeps the CLI from reading it.
 */
function stackValues(file: string, doc: Document.Parsed): { values?: Map<string, ConfigValue>; problems: string[] } {
    const values = new Map<string, ConfigValue>();
    const top = doc.contents;
    // The file decodes into workspace.ProjectStack: a map; other top-level keys are ignored.
    if (top !== null && !isMap(top)) {
        return { problems: [`${file}: the top level must be a map with a config: key, not ${isSeq(top) ? "a list" : "a scalar"}`] };
    }
    const config = top?.items.find((p) => isScalar(p.key) && p.key.value === "config")?.value ?? null;
    if (config === null || (isScalar(config) && config.value === null)) return { values, problems: [] };
    if (!isMap(config)) {
        return { problems: [`${file}: config must be a map of <namespace>:<name> keys to values, not ${isSeq(config) ? "a list" : "a scalar"}`] };
    }
    const problems: string[] = [];
    for (const pair of config.items) {
        const raw = scalarText(pair.key as ParsedNode);
        const key = raw === undefined ? undefined : parseKey(raw);
        if (key === undefined) {
            problems.push(`${file}: ${keyParseError(raw ?? String(pair.key))}`);
            continue;
        }
        values.set(key, stackValue(pair.value as ParsedNode | null, doc));
    }
    return { values, problems };
}

/** Fully namespaced form of a Pulumi.yaml config key (parseConfigKey in config.go). */
const namespaced = (projectName: string, key: string): string | undefined =>
    key.includes(":") ? parseKey(key) : `${projectName}:${key}`;

/** missingStackConfigurationKeysError + formatMissingKeys (config.go). */
function missingKeysProblem(stack: string, missing: string[]): string {
    const quoted = [...missing].sort().map((k) => `'${k}'`);
    const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
    return `Stack '${stack}' is missing configuration value${missing.length > 1 ? "s" : ""} ${list}`;
}

/**
 * mergeConfig (config.go): a declared key of the project's namespace that the stack does
 * not set and that has no default or value is missing; a default (or value) fills an
 * absent key. Returns the missing keys, as declared.
 */
function applyProjectConfig(project: Project, values: Map<string, ConfigValue>, valid: (key: string) => boolean): string[] {
    const missing: string[] = [];
    for (const declKey of sortedKeys(project.config).filter(valid)) {
        const decl = project.config[declKey]!;
        const key = namespaced(project.name, declKey)!;
        if (values.has(key)) continue;
        // When both are given (which Validate refuses) the default wins.
        const fill = decl.default !== undefined ? decl.default : decl.value;
        if (fill !== undefined) values.set(key, defaultValue(fill));
        else if (key.startsWith(`${project.name}:`)) missing.push(declKey);
    }
    return missing;
}

/**
 * validateStackConfigValue (config.go) for one explicitly typed key, after defaults are
 * applied: a `secret: true` key must be encrypted (an applied default never is), and the
 * value must match the declared type. A top-level ciphertext is not type-checked: the
 * CLI decrypts it first, the preview cannot.
 */
function valueProblem(stack: string, declKey: string, decl: ProjectConfigDecl, value: ConfigValue): string | undefined {
    if (decl.secret === true && !value.secure) {
        return `Stack '${stack}' with configuration key '${declKey}' must be encrypted as it's secret`;
    }
    if (value.secure && !value.object) return undefined;
    const content = value.object ? value.content : value.text;
    if (!validateConfigValue(decl.type!, decl.items, content)) {
        return `Stack '${stack}' with configuration key '${declKey}' must be of type '${inferFullTypeName(decl.type!, decl.items)}'`;
    }
    return undefined;
}

/**
 * The stack's config as the program receives it. Throws StackFileError with every problem
 * the CLI would stop at: YAML syntax, the files' shape, Pulumi.yaml's declarations, keys
 * missing from the stack, plaintext secrets and values of the wrong type.
 */
export function readStackConfig(stack: string, root = projectRoot()): StackConfig {
    const file = `Pulumi.${stack}.yaml`;
    if (!fs.existsSync(path.join(root, file))) {
        throw new StackFileError([`no stack file ${file} (stacks: ${listStacks(root).join(", ")})`]);
    }
    const loaded = loadProject(root);
    const read = readYaml(root, file);
    const parsed = read.doc ? stackValues(file, read.doc) : { problems: read.problems };
    const project = loaded.project;
    // A file the CLI cannot read stops it there: checking values it never saw would only add noise.
    if (!project || !parsed.values) throw new StackFileError([...loaded.problems, ...parsed.problems]);

    const declarations = declarationsProblems(project);
    // A declaration the CLI would not load is left out of the stack checks: its problem is said once.
    const bad = new Set(declarations.map((p) => p.key));
    const valid = (k: string) => !bad.has(k);

    const values = parsed.values;
    const missing = applyProjectConfig(project, values, valid);
    const problems = [...declarations.map((p) => p.problem), ...parsed.problems];
    if (missing.length) problems.push(missingKeysProblem(stack, missing));
    for (const declKey of sortedKeys(project.config).filter(valid)) {
        const decl = project.config[declKey]!;
        const value = values.get(namespaced(project.name, declKey)!);
        if (decl.type === undefined || !value) continue;
        const problem = valueProblem(stack, declKey, decl, value);
        if (problem) problems.push(problem);
    }
    if (problems.length) throw new StackFileError(problems);

    // The CLI hands the program a JSON map, whose keys Go sorts.
    const keys = [...values.keys()].sort();
    return {
        raw: Object.fromEntries(keys.map((k) => [k, values.get(k)!.text])),
        secretKeys: keys.filter((k) => values.get(k)!.secure),
    };
}
