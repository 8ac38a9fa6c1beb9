/**
 * The GitHub Actions workflows of pull requests (.github/workflows): schema-valid, safe for
 * pull requests from forks, and running the commands the README documents; and
 * preview/changed-stacks.ts, which picks the stacks a pull request touches.
 */
import { validateWorkflow } from "@action-validator/core";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import { readStacks, scopeOf, StackEntry, touchedStacks } from "../preview/changed-stacks";
import { listStacks } from "../preview/stack-config";

const root = path.resolve(__dirname, "..");
const workflowDir = path.join(root, ".github", "workflows");

// ---- the workflows as data ----

interface Step {
    name?: string;
    id?: string;
    if?: string;
    uses?: string;
    run?: string;
    with?: Record<string, string | number | boolean>;
    env?: Record<string, string>;
    "working-directory"?: string;
}

interface Job {
    name?: string;
    if?: string;
    needs?: string | string[];
    "runs-on"?: string;
    permissions?: Record<string, string>;
    environment?: string;
    strategy?: { matrix?: { include?: unknown } };
    env?: Record<string, string>;
    outputs?: Record<string, string>;
    steps?: Step[];
}

interface Workflow {
    name: string;
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    jobs: Record<string, Job>;
}

interface WorkflowFile {
    file: string;
    text: string;
    wf: Workflow;
}

const workflowFiles: WorkflowFile[] = fs.readdirSync(workflowDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((file) => {
        const text = fs.readFileSync(path.join(workflowDir, file), "utf8");
        return { file, text, wf: parse(text) as Workflow };
    });

/** The workflow that runs on pull_request, and the one that comments from workflow_run. */
const prFile = workflowFiles.find((w) => "pull_request" in w.wf.on)!;
const posterFile = workflowFiles.find((w) => "workflow_run" in w.wf.on)!;
const pr = prFile.wf;
const poster = posterFile.wf;

const allJobs = workflowFiles.flatMap((w) => Object.entries(w.wf.jobs).map(([id, job]) => ({ file: w.file, id, job })));
const allSteps = allJobs.flatMap(({ file, id, job }) => (job.steps ?? []).map((step) => ({ file, job: id, step })));
const stepsOf = (job: Job): Step[] => job.steps ?? [];
const runScripts = (job: Job): string[] => stepsOf(job).flatMap((s) => (s.run ? [s.run] : []));
const action = (s: Step): string | undefined => s.uses?.split("@")[0]?.toLowerCase();
const stepUsing = (job: Job, name: string): Step[] => stepsOf(job).filter((s) => action(s) === name.toLowerCase());
const stepById = (job: Job, id: string): Step => {
    const s = stepsOf(job).find((x) => x.id === id);
    if (!s) throw new Error(`no step with id ${id}`);
    return s;
};

/** The fork gate: a pull request whose head is in this repository. */
const SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository";
/** Actions that obtain cloud or Pulumi credentials. */
const CREDENTIAL_ACTIONS = [
    "google-github-actions/auth",
    "aws-actions/configure-aws-credentials",
    "azure/login",
    "pulumi/auth-actions",
];

/**
 * GitHub's context availability table (docs: "Contexts", "Context availability"): the contexts
 * an expression may name at each place of a workflow. The schema validator does not know it.
 */
const CONTEXTS = {
    workflowConcurrency: ["github", "inputs", "vars"],
    jobEnv: ["github", "needs", "strategy", "matrix", "vars", "secrets", "inputs"],
    jobIf: ["github", "needs", "vars", "inputs"],
    jobName: ["github", "needs", "strategy", "matrix", "vars", "inputs"],
    jobOutputs: ["github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "secrets", "steps", "inputs"],
    jobStrategy: ["github", "needs", "vars", "inputs"],
    step: ["github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "secrets", "steps", "inputs"],
};
const CONTEXT_NAMES = ["github", "needs", "strategy", "matrix", "job", "jobs", "runner", "env", "vars", "secrets", "steps", "inputs"];

/** `where: context` for each context an expression names outside the places it is available. */
function contextProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    const used = (text: string, bare: boolean) => {
        const exprs = bare && !text.includes("${{") ? [text] : [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]!);
        // string literals name no context
        return exprs.flatMap((e) => [...e.replace(/'[^']*'/g, "''").matchAll(/(?<![\w.-])([a-z]+)(?=\.|\[)/g)].map((m) => m[1]!))
            .filter((c) => CONTEXT_NAMES.includes(c));
    };
    const check = (where: string, value: unknown, allowed: string[], bare = false) => {
        const walk = (v: unknown, at: string) => {
            if (typeof v === "string") {
                for (const c of used(v, bare)) if (!allowed.includes(c)) problems.push(`${at}: ${c}`);
            } else if (v && typeof v === "object") {
                for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
            }
        };
        walk(value, where);
    };
    if (wf.concurrency) check("concurrency", wf.concurrency, CONTEXTS.workflowConcurrency);
    for (const [id, job] of Object.entries(wf.jobs)) {
        const at = `jobs.${id}`;
        if (job.env) check(`${at}.env`, job.env, CONTEXTS.jobEnv);
        if (job.if) check(`${at}.if`, job.if, CONTEXTS.jobIf, true);
        if (job.name) check(`${at}.name`, job.name, CONTEXTS.jobName);
        if (job["runs-on"]) check(`${at}.runs-on`, job["runs-on"], CONTEXTS.jobName);
        if (job.outputs) check(`${at}.outputs`, job.outputs, CONTEXTS.jobOutputs);
        if (job.strategy) check(`${at}.strategy`, job.strategy, CONTEXTS.jobStrategy);
        stepsOf(job).forEach((step, i) => {
            const { if: cond, ...rest } = step;
            if (cond) check(`${at}.steps[${i}].if`, cond, CONTEXTS.step.filter((c) => c !== "secrets"), true);
            check(`${at}.steps[${i}]`, rest, CONTEXTS.step);
        });
    }
    return problems;
}

describe("workflow files", () => {
    it("are the pull-request workflow and the workflow_run comment poster", () => {
        expect(workflowFiles.map((w) => w.file)).toEqual(["pull-request-comment.yml", "pull-request.yml"]);
        expect(Object.keys(pr.jobs).sort()).toEqual(["offline-diff", "preview", "stacks", "test"]);
        expect(Object.keys(poster.jobs)).toEqual(["comment"]);
    });

    it.each(workflowFiles.map((w) => [w.file, w.text] as const))("%s validates against the workflow schema", (_file, text) => {
        const result = validateWorkflow(text);
        expect(result.actionType).toBe("workflow");
        expect(result.errors).toEqual([]);
    });

    it("the validator rejects a job without runs-on", () => {
        const doc = parseDocument(prFile.text);
        doc.deleteIn(["jobs", "test", "runs-on"]);
        const errors = validateWorkflow(doc.toString()).errors;
        expect(errors.length).toBeGreaterThan(0);
        expect(JSON.stringify(errors)).toContain("/jobs/test/runs-on");
    });

    it("the validator rejects an unknown key", () => {
        const doc = parseDocument(prFile.text);
        doc.setIn(["jobs", "test", "runs_on"], "ubuntu-latest");
        expect(validateWorkflow(doc.toString()).errors.length).toBeGreaterThan(0);
        const top = parseDocument(posterFile.text);
        top.set("permission", { contents: "read" });
        expect(JSON.stringify(validateWorkflow(top.toString()).errors)).toContain("Additional property 'permission' is not allowed");
    });

    it("expressions in env, if, name, runs-on, outputs, strategy, concurrency and steps use only the contexts GitHub makes available there (a wrong one fails the run at queue time)", () => {
        for (const w of workflowFiles) expect(contextProblems(w.wf), w.file).toEqual([]);
        // the check can fail: the runner context in a job's env
        const broken = parse(prFile.text) as Workflow;
        broken.jobs["offline-diff"]!.env = { ...broken.jobs["offline-diff"]!.env, OUT: "${{ runner.temp }}/x" };
        expect(contextProblems(broken)).toEqual(["jobs.offline-diff.env.OUT: runner"]);
    });

    it("the poster listens to the pull-request workflow by its name", () => {
        expect(poster.on).toEqual({ workflow_run: { workflows: [pr.name], types: ["completed"] } });
    });

    it("actions are pinned to one major version each, the same in every file", () => {
        const versions = new Map<string, Set<string>>();
        for (const { step } of allSteps) {
            if (!step.uses) continue;
            const [name, ref] = step.uses.split("@");
            expect(ref, step.uses).toMatch(/^v\d+$/);
            versions.set(name!.toLowerCase(), (versions.get(name!.toLowerCase()) ?? new Set()).add(ref!));
        }
        for (const [name, refs] of versions) expect([...refs], name).toHaveLength(1);
        expect(versions.get("pulumi/actions")).toEqual(new Set(["v7"]));
    });
});

// ---- what a reviewer of the workflows' security checks ----

describe("workflow security", () => {
    it("no workflow runs on pull_request_target", () => {
        for (const { wf, text } of workflowFiles) {
            expect(Object.keys(wf.on)).not.toContain("pull_request_target");
            expect(text).not.toMatch(/pull_request_target/);
        }
    });

    it("no secret but the run's own GITHUB_TOKEN is read, and no long-lived cloud or Pulumi key is named", () => {
        for (const { file, text } of workflowFiles) {
            const refs = [...text.matchAll(/secrets\s*(?:\.\s*([A-Za-z0-9_-]+)|\[)/g)].map((m) => m[1] ?? "[dynamic]");
            expect(refs.filter((r) => r !== "GITHUB_TOKEN"), file).toEqual([]);
            for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "GOOGLE_CREDENTIALS",
                "ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET", "AZURE_CREDENTIALS", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"]) {
                expect(text, `${file} names ${key}`).not.toContain(key);
            }
        }
        // credential inputs that take a key instead of a federated token
        const keyInputs = ["credentials_json", "aws-access-key-id", "aws-secret-access-key", "creds", "client-secret", "auth-type"];
        for (const { file, step } of allSteps) {
            for (const input of Object.keys(step.with ?? {})) expect(keyInputs, `${file}: ${step.uses} ${input}`).not.toContain(input);
        }
    });

    it("permissions: read-only at the top, widened per job only where needed", () => {
        expect(pr.permissions).toEqual({ contents: "read" });
        expect(poster.permissions).toEqual({});
        const granted = Object.fromEntries(allJobs.map(({ file, id, job }) => [`${file}:${id}`, job.permissions]));
        expect(granted).toEqual({
            "pull-request.yml:test": { contents: "read" },
            "pull-request.yml:stacks": { contents: "read" },
            "pull-request.yml:offline-diff": { contents: "read" },
            "pull-request.yml:preview": { contents: "read", "id-token": "write", "pull-requests": "write" },
            "pull-request-comment.yml:comment": { actions: "read", "pull-requests": "write" },
        });
    });

    it("the job that runs the pull request's code with credentials is gated to pull requests from this repository", () => {
        const withCredentials = allJobs.filter(({ job }) =>
            job.permissions?.["id-token"] === "write" || stepsOf(job).some((s) => CREDENTIAL_ACTIONS.includes(action(s) ?? "")));
        expect(withCredentials.map(({ id }) => id)).toEqual(["preview"]);
        for (const { job } of withCredentials) {
            expect(job.if).toContain(SAME_REPOSITORY);
            // an `||` could bypass the gate
            expect(job.if).not.toContain("||");
        }
    });

    it("the offline diff holds no secret, no variable and no credential, and reads the base only through git", () => {
        const job = pr.jobs["offline-diff"]!;
        const text = JSON.stringify(job);
        expect(job.permissions).toEqual({ contents: "read" });
        expect(text).not.toMatch(/secrets\.|vars\.|github\.token|id-token/);
        expect(stepsOf(job).filter((s) => s.uses).map(action).sort())
            .toEqual(["actions/checkout", "actions/setup-node", "actions/upload-artifact"]);
        expect(stepUsing(job, "actions/checkout")[0]!.with).toMatchObject({
            ref: "${{ github.event.pull_request.head.sha }}", "fetch-depth": 0,
        });
        expect(JSON.stringify(job.env)).toContain("${{ github.event.pull_request.base.sha }}");
    });

    it("the workflow_run poster never checks out or runs code: it downloads the artifacts and posts them", () => {
        const job = poster.jobs["comment"]!;
        const steps = stepsOf(job);
        expect(steps.map(action)).toEqual(["actions/download-artifact", "actions/github-script"]);
        expect(steps.filter((s) => s.run)).toEqual([]);
        expect(posterFile.text).not.toMatch(/actions\/checkout|npm |npx |node /);
        expect(steps[0]!.with).toMatchObject({
            pattern: "offline-diff-*",
            "run-id": "${{ github.event.workflow_run.id }}",
            "github-token": "${{ github.token }}",
            // a single matching artifact is unpacked flat unless merged: the folder must come from the artifact
            "merge-multiple": true,
        });
        expect(job.if).toContain("github.event.workflow_run.event == 'pull_request'");
    });

    it("every checkout leaves no token in .git/config", () => {
        const checkouts = allSteps.filter(({ step }) => action(step) === "actions/checkout");
        expect(checkouts.length).toBeGreaterThan(0);
        for (const { file, job, step } of checkouts) expect(step.with?.["persist-credentials"], `${file}:${job}`).toBe(false);
    });

    it("no expression is pasted into a shell script: values reach scripts through env", () => {
        for (const { file, job, step } of allSteps) {
            if (step.run) expect(step.run, `${file}:${job}:${step.name ?? step.run}`).not.toContain("${{");
        }
    });

    it("one run per pull request: a new push cancels the previous run", () => {
        expect(pr.concurrency).toEqual({ group: "pull-request-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
    });

    it("the matrix jobs are skipped, not failed, when no stack is touched", () => {
        expect(pr.jobs["offline-diff"]!.strategy?.matrix?.include).toBe("${{ fromJSON(needs.stacks.outputs.stacks) }}");
        expect(pr.jobs["offline-diff"]!.if).toContain("needs.stacks.outputs.stacks != '[]'");
        expect(pr.jobs["preview"]!.strategy?.matrix?.include).toBe("${{ fromJSON(needs.stacks.outputs.preview) }}");
        expect(pr.jobs["preview"]!.if).toContain("needs.stacks.outputs.preview != '[]'");
    });
});

// ---- running the workflows' shell steps against stand-ins ----

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "workflows-test-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let tmpCount = 0;
const tmpDir = (name: string) => fs.mkdtempSync(path.join(tmp, `${name}-${tmpCount++}-`));

/** A stand-in for npm or npx that logs its arguments and answers as the preview CLI would. */
function stubBin(): { bin: string; log: string } {
    const dir = tmpDir("bin");
    const log = path.join(dir, "calls.log");
    const npm = [
        "#!/bin/bash",
        'echo "npm $*" >> "$STUB_LOG"',
        'case " $* " in',
        '  " ci "*) exit 0 ;;',
        '  *" --json "*) [ -n "$FAIL_JSON" ] && { echo "base broken" >&2; exit 1; }; echo \'{"resources":[]}\' ;;',
        '  *" --diff "*) [ -n "$FAIL_DIFF" ] && { echo "Stack problems: coder-refarch:region" >&2; exit 1; }; echo "### Offline diff of \\`$STACK\\`" ;;',
        '  *) [ -n "$FAIL_RENDER" ] && { echo "render broken" >&2; exit 1; }; echo "Stack $STACK: 3 resources" ;;',
        "esac",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "npm"), npm + "\n", { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "npx"), '#!/bin/bash\necho "npx $*" >> "$STUB_LOG"\ncat > "$STUB_LOG.stdin"\nprintf \'%s\\n\' "$NPX_OUTPUT"\n', { mode: 0o755 });
    return { bin: dir, log };
}

/** GitHub's `name=value` lines of $GITHUB_OUTPUT (one-line values only). */
const readOutputs = (file: string): Record<string, string> => (fs.existsSync(file)
    ? Object.fromEntries(fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]))
    : {});

/** Runs a step's script as a Linux runner does (`bash -e`), with the job's and step's env. */
function runStep(script: string, env: Record<string, string>, cwd: string): { status: number; stderr: string } {
    const file = path.join(tmpDir("script"), "step.sh");
    fs.writeFileSync(file, script);
    try {
        execFileSync("bash", ["--noprofile", "--norc", "-e", file], { cwd, env: { PATH: process.env.PATH!, HOME: os.tmpdir(), ...env }, stdio: "pipe" });
        return { status: 0, stderr: "" };
    } catch (e) {
        const err = e as { status: number; stderr: Buffer };
        return { status: err.status, stderr: err.stderr.toString() };
    }
}

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, {
    cwd,
    env: { PATH: process.env.PATH!, HOME: os.tmpdir(), GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" },
}).toString().trim();

/** Writes `files` (path → text) in `repo`, stages every change and commits it: the new commit's SHA. */
function commit(repo: string, message: string, files: Record<string, string> = {}): string {
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(repo, f), text);
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", message);
    return git(repo, "rev-parse", "HEAD");
}

describe("the offline job runs the README's preview commands", () => {
    const job = pr.jobs["offline-diff"]!;
    const scripts = runScripts(job).join("\n");
    const npmRuns = [...scripts.matchAll(/npm run [^\n;|&]*/g)].map((m) => m[0].trim());

    it("each artifact carries its stack's folder (offline-diff-<stack>/), which the poster looks for", () => {
        const temp = tmpDir("runner");
        const env = path.join(temp, "env");
        const paths = stepsOf(job).find((s) => s.name === "Paths")!;
        expect(runStep(paths.run!, { RUNNER_TEMP: temp, STACK: "gcp-3k", GITHUB_ENV: env }, root).status).toBe(0);
        const out = readOutputs(env)["OUT_DIR"]!;
        const upload = stepUsing(job, "actions/upload-artifact")[0]!.with!;
        // the uploaded folder is OUT_DIR's parent: the artifact's files are under offline-diff-gcp-3k/
        expect(String(upload["path"]).replace("${{ runner.temp }}", temp).replace(/\/$/, "")).toBe(path.dirname(out));
        expect(path.basename(out)).toBe(String(upload["name"]).replace("${{ matrix.stack }}", "gcp-3k"));
    });

    it("renders with `npm run preview -- --stack NAME`, the base as --json, the pull request as --diff --markdown", () => {
        expect(npmRuns.length).toBeGreaterThan(0);
        for (const cmd of npmRuns) {
            expect(cmd).toMatch(/^npm run --silent preview -- --stack "\$STACK"( |$)/);
            const flags = cmd.replace(/^npm run --silent preview -- --stack "\$STACK"/, "").replace(/\s*[12]?>.*$/, "").trim();
            expect(["", "--json", '--diff "$BASE_DIR/base.json" --markdown']).toContain(flags);
        }
        expect(scripts).toContain('npm run --silent preview -- --stack "$STACK" --json > base.json');
        expect(scripts).toContain('npm run --silent preview -- --stack "$STACK" --diff "$BASE_DIR/base.json" --markdown > "$OUT_DIR/diff.md"');
        // the package's script and the README's words for it
        const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
        expect(pkg.scripts["preview"]).toBe("tsx preview/cli.ts");
        const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
        expect(readme).toMatch(/npm run preview -- --stack [a-z0-9-]+/);
        expect(readme).toContain("--json");
    });

    it("decides a stack is new with the stack file name listStacks reads", () => {
        const test = /\[ -f "\$BASE_DIR\/(Pulumi\.\$STACK\.yaml)" \]/.exec(scripts);
        expect(test).not.toBeNull();
        const dir = tmpDir("stacks");
        for (const stack of ["gcp-3k", "azure-10k", "staging.eu"]) fs.writeFileSync(path.join(dir, test![1]!.replace("$STACK", stack)), "config: {}\n");
        expect(listStacks(dir)).toEqual(["azure-10k", "gcp-3k", "staging.eu"]);
    });

    it("checks out the base where the pull request left it, in a worktree", () => {
        const repo = tmpDir("repo");
        git(repo, "init", "-q", "-b", "main");
        const branchPoint = commit(repo, "base", { "Pulumi.old.yaml": "config: {}\n" });
        git(repo, "checkout", "-q", "-b", "change");
        const head = commit(repo, "new stack", { "Pulumi.new.yaml": "config: {}\n" });
        git(repo, "checkout", "-q", "main");
        const baseTip = commit(repo, "main moves on", { "Pulumi.later.yaml": "config: {}\n" });
        git(repo, "checkout", "-q", head);

        const script = stepById(job, "base").run!;
        for (const [stack, exists] of [["old", "true"], ["new", "false"], ["later", "false"]] as const) {
            const out = path.join(tmpDir("out"), "output");
            const baseDir = path.join(tmpDir("wt"), "base");
            const r = runStep(script, { STACK: stack, BASE_SHA: baseTip, HEAD_SHA: head, BASE_DIR: baseDir, GITHUB_OUTPUT: out }, repo);
            expect(r.stderr).toBe("");
            expect(readOutputs(out), stack).toEqual({ exists });
            expect(git(baseDir, "rev-parse", "HEAD")).toBe(branchPoint);
        }
    });

    describe("renders and writes diff.md and the pull request's number", () => {
        const render = (env: Record<string, string>) => {
            const { bin, log } = stubBin();
            const temp = tmpDir("runner");
            const outDir = path.join(temp, "offline-diff");
            const outputs = path.join(temp, "output");
            const baseDir = tmpDir("base");
            const base = runStep(stepById(job, "base-render").run!, {
                PATH: `${bin}:${process.env.PATH}`, STUB_LOG: log, STACK: "gcp-3k", BASE_DIR: baseDir, GITHUB_OUTPUT: outputs, ...env,
            }, root);
            expect(base.status).toBe(0);
            const rendered = readOutputs(outputs)["rendered"] ?? "";
            fs.rmSync(outputs, { force: true });
            const head = runStep(stepById(job, "head").run!, {
                PATH: `${bin}:${process.env.PATH}`, STUB_LOG: log, STACK: "gcp-3k", PR_NUMBER: "42", BASE_DIR: baseDir, OUT_DIR: outDir,
                RUNNER_TEMP: temp, GITHUB_OUTPUT: outputs, BASE_EXISTS: "true", BASE_RENDERED: rendered, ...env,
            }, root);
            return {
                status: head.status,
                rendered,
                outputs: readOutputs(outputs),
                calls: fs.readFileSync(log, "utf8").trim().split("\n"),
                diff: fs.readFileSync(path.join(outDir, "diff.md"), "utf8"),
                number: fs.readFileSync(path.join(outDir, "pr-number"), "utf8"),
            };
        };

        it("a stack in the base: the diff against the base's JSON", () => {
            const r = render({});
            expect(r.status).toBe(0);
            expect(r.rendered).toBe("true");
            expect(r.calls).toEqual([
                "npm ci --no-audit --no-fund",
                "npm run --silent preview -- --stack gcp-3k --json",
                expect.stringMatching(/^npm run --silent preview -- --stack gcp-3k --diff .*\/base\.json --markdown$/),
            ]);
            expect(r.diff).toBe("### Offline diff of `gcp-3k`\n");
            expect(r.number).toBe("42\n");
            expect(r.outputs).toEqual({});
        });

        it("a new stack: no base render, no --diff, the full render", () => {
            const r = render({ BASE_EXISTS: "false", BASE_RENDERED: "" });
            expect(r.calls.filter((c) => c.includes("--diff"))).toEqual([]);
            expect(r.calls.at(-1)).toBe("npm run --silent preview -- --stack gcp-3k");
            expect(r.diff).toContain("A new stack (`Pulumi.gcp-3k.yaml` is not in the base)");
            expect(r.diff).toContain("~~~text\nStack gcp-3k: 3 resources\n~~~");
        });

        it("a base that does not render: the full render, said so", () => {
            const r = render({ FAIL_JSON: "1" });
            expect(r.status).toBe(0);
            expect(r.rendered).toBe("false");
            expect(r.diff).toContain("The base did not render");
            expect(r.calls.filter((c) => c.includes("--diff"))).toEqual([]);
        });

        it("a pull request that does not render: its message in diff.md, and the job fails after the upload", () => {
            const r = render({ FAIL_DIFF: "1" });
            expect(r.status).toBe(0);
            expect(r.outputs).toEqual({ failed: "true" });
            expect(r.diff).toBe("### Offline preview of `gcp-3k`: the render failed\n\n~~~text\nStack problems: coder-refarch:region\n~~~\n");
            const steps = stepsOf(job);
            const upload = steps.findIndex((s) => action(s) === "actions/upload-artifact");
            const fail = steps.findIndex((s) => s.if === "steps.head.outputs.failed == 'true'");
            expect(upload).toBeGreaterThan(steps.findIndex((s) => s.id === "head"));
            expect(fail).toBeGreaterThan(upload);
            expect(steps[upload]!.with).toMatchObject({ name: "offline-diff-${{ matrix.stack }}", path: "${{ runner.temp }}/offline-diff/" });
        });
    });
});

describe("the stacks job", () => {
    const job = pr.jobs["stacks"]!;
    const step = stepById(job, "touched");
    const touched: StackEntry[] = [
        { stack: "aws-3k", cloud: "aws", region: "us-east-1" },
        { stack: "azure-3k", cloud: "azure", region: "eastus2" },
        { stack: "broken", cloud: null, region: null },
        { stack: "gcp-3k", cloud: "gcp", region: "europe-west1" },
    ];
    const run = (ready: Record<string, string>, stacks: StackEntry[] = touched) => {
        const { bin, log } = stubBin();
        const temp = tmpDir("runner");
        const outputs = path.join(temp, "output");
        const repo = tmpDir("repo");
        git(repo, "init", "-q", "-b", "main");
        const base = commit(repo, "base", { "README.md": "a\n" });
        fs.renameSync(path.join(repo, "README.md"), path.join(repo, "GUIDE.md"));
        const head = commit(repo, "change", { "config.ts": "b\n" });
        const r = runStep(step.run!, {
            PATH: `${bin}:${process.env.PATH}`, STUB_LOG: log, NPX_OUTPUT: JSON.stringify(stacks), RUNNER_TEMP: temp,
            GITHUB_OUTPUT: outputs, GITHUB_STEP_SUMMARY: path.join(temp, "summary.md"), BASE_SHA: base, HEAD_SHA: head,
            GCP_READY: "false", AWS_READY: "false", AZURE_READY: "false", PULUMI_READY: "false", ...ready,
        }, repo);
        expect(r.stderr).toBe("");
        return {
            outputs: readOutputs(outputs),
            changed: fs.readFileSync(`${log}.stdin`, "utf8"),
            calls: fs.readFileSync(log, "utf8").trim(),
            summary: fs.readFileSync(path.join(temp, "summary.md"), "utf8"),
        };
    };

    it("feeds changed-stacks.ts the pull request's changed paths, renames as both paths", () => {
        const r = run({});
        expect(r.calls).toBe("npx tsx preview/changed-stacks.ts");
        expect(r.changed.split("\n").filter(Boolean).sort()).toEqual(["GUIDE.md", "README.md", "config.ts"]);
        expect(step.run).toContain('git diff --name-only --no-renames "$BASE_SHA...$HEAD_SHA"');
    });

    it("every touched stack gets an offline diff; pulumi preview only where the cloud and the backend are configured", () => {
        expect(JSON.parse(run({}).outputs["stacks"]!)).toEqual(touched);
        expect(JSON.parse(run({ GCP_READY: "true", AWS_READY: "true", AZURE_READY: "true" }).outputs["preview"]!)).toEqual([]);
        expect(JSON.parse(run({ PULUMI_READY: "true", GCP_READY: "true" }).outputs["preview"]!).map((s: StackEntry) => s.stack)).toEqual(["gcp-3k"]);
        expect(JSON.parse(run({ PULUMI_READY: "true", AWS_READY: "true", AZURE_READY: "true" }).outputs["preview"]!).map((s: StackEntry) => s.stack))
            .toEqual(["aws-3k", "azure-3k"]);
    });

    it("no touched stack: empty lists, which skip both matrix jobs", () => {
        const r = run({ PULUMI_READY: "true", GCP_READY: "true" }, []);
        expect(r.outputs).toEqual({ stacks: "[]", preview: "[]" });
        expect(r.summary).toContain("none: no offline diff, no pulumi preview");
    });

    it("reads which clouds are configured from the repository variables the preview job uses", () => {
        expect(step.env).toMatchObject({
            GCP_READY: "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER != '' && vars.GCP_SERVICE_ACCOUNT != '' }}",
            AWS_READY: "${{ vars.AWS_ROLE_ARN != '' }}",
            AZURE_READY: "${{ vars.AZURE_CLIENT_ID != '' && vars.AZURE_TENANT_ID != '' && vars.AZURE_SUBSCRIPTION_ID != '' }}",
            PULUMI_READY: "${{ vars.PULUMI_ORGANIZATION != '' || vars.PULUMI_BACKEND_URL != '' }}",
        });
        expect(stepUsing(job, "actions/checkout")[0]!.with).toMatchObject({ "fetch-depth": 0 });
    });
});

describe("the test and preview jobs", () => {
    it("test: checkout, Node 20 with the npm cache, npm ci, npm test", () => {
        const job = pr.jobs["test"]!;
        expect(stepsOf(job).map((s) => s.uses ?? s.run)).toEqual(["actions/checkout@v5", "actions/setup-node@v5", "npm ci --no-audit --no-fund", "npm test"]);
        expect(stepsOf(job)[1]!.with).toEqual({ "node-version": 20, cache: "npm" });
    });

    const job = pr.jobs["preview"]!;
    const steps = stepsOf(job);
    const pulumi = stepUsing(job, "pulumi/actions").find((s) => s.with?.["command"])!;

    it("pulumi/actions@v7 previews the stack with the policy pack and comments on the pull request", () => {
        expect(pulumi.uses).toBe("pulumi/actions@v7");
        expect(pulumi.with).toMatchObject({
            command: "preview",
            "comment-on-pr": true,
            policyPacks: "policy",
            policyPackConfigs: "${{ steps.policy.outputs.config }}",
            "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
            "stack-name": "${{ vars.PULUMI_STACK_PREFIX != '' && format('{0}/{1}', vars.PULUMI_STACK_PREFIX, matrix.stack) || matrix.stack }}",
        });
        expect(pulumi.with).not.toHaveProperty("refresh");
        // the action installs nothing: the program's and the pack's dependencies first
        const at = steps.indexOf(pulumi);
        expect(steps.slice(0, at).map((s) => [s.run, s["working-directory"]]))
            .toEqual(expect.arrayContaining([["npm ci --no-audit --no-fund", undefined], ["npm ci --no-audit --no-fund", "policy"]]));
        expect(fs.existsSync(path.join(root, "policy", "package-lock.json"))).toBe(true);
    });

    it("previews only a stack the backend has: a new or undeployed stack gets a notice, any other failure fails", () => {
        const step = stepById(job, "deployed");
        expect(steps.indexOf(stepUsing(job, "pulumi/actions")[0]!)).toBeLessThan(steps.indexOf(step));
        expect(step.env).toEqual({ STACK_NAME: pulumi.with!["stack-name"], BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}" });
        for (const s of steps.slice(steps.indexOf(step) + 1)) expect(s.if, s.name ?? s.run ?? s.uses).toBe("steps.deployed.outputs.deployed == 'true'");
        const select = (stderr: string, status: number, backend = "") => {
            const bin = tmpDir("bin");
            fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/bash\necho "pulumi $* [$PULUMI_BACKEND_URL]" >> "${bin}/log"\necho "${stderr}" >&2\nexit ${status}\n`, { mode: 0o755 });
            const temp = tmpDir("runner");
            const out = path.join(temp, "output");
            const r = runStep(step.run!, { PATH: `${bin}:${process.env.PATH}`, RUNNER_TEMP: temp, GITHUB_OUTPUT: out, STACK_NAME: "acme/coder-refarch/gcp-3k", BACKEND_URL: backend }, root);
            return { ...r, outputs: readOutputs(out), log: fs.readFileSync(path.join(bin, "log"), "utf8").trim() };
        };
        expect(select("", 0)).toMatchObject({ status: 0, outputs: { deployed: "true" }, log: "pulumi stack select acme/coder-refarch/gcp-3k --non-interactive []" });
        expect(select("error: no stack named 'acme/coder-refarch/gcp-3k' found", 255)).toMatchObject({ status: 0, outputs: { deployed: "false" } });
        expect(select("error: PULUMI_ACCESS_TOKEN must be set", 255)).toMatchObject({ status: 1, outputs: {} });
        expect(select("", 0, "gs://acme-pulumi-state").log).toContain("[gs://acme-pulumi-state]");
    });

    it("a stack's own policy pack config is used when there is one (dev)", () => {
        const out = path.join(tmpDir("out"), "output");
        expect(runStep(stepById(job, "policy").run!, { STACK: "dev", GITHUB_OUTPUT: out }, root).status).toBe(0);
        expect(readOutputs(out)).toEqual({ config: "policy/config.dev.json" });
        fs.rmSync(out, { force: true });
        runStep(stepById(job, "policy").run!, { STACK: "gcp-3k", GITHUB_OUTPUT: out }, root);
        expect(readOutputs(out)).toEqual({});
    });

    it("each cloud signs in through OIDC only, for its own stacks", () => {
        const gcp = stepUsing(job, "google-github-actions/auth")[0]!;
        expect(gcp).toMatchObject({
            if: "matrix.cloud == 'gcp'",
            with: { workload_identity_provider: "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}", service_account: "${{ vars.GCP_SERVICE_ACCOUNT }}" },
        });
        expect(stepUsing(job, "google-github-actions/setup-gcloud")[0]).toMatchObject({ if: "matrix.cloud == 'gcp'", with: { install_components: "gke-gcloud-auth-plugin" } });
        expect(stepUsing(job, "aws-actions/configure-aws-credentials")[0]).toMatchObject({
            if: "matrix.cloud == 'aws'",
            with: { "role-to-assume": "${{ vars.AWS_ROLE_ARN }}", "aws-region": "${{ matrix.region }}" },
        });
        expect(stepUsing(job, "azure/login")[0]).toMatchObject({
            if: "matrix.cloud == 'azure'",
            with: { "client-id": "${{ vars.AZURE_CLIENT_ID }}", "tenant-id": "${{ vars.AZURE_TENANT_ID }}", "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}" },
        });
        expect(stepUsing(job, "azure/use-kubelogin")[0]).toMatchObject({ if: "matrix.cloud == 'azure'" });
        expect(stepUsing(job, "pulumi/auth-actions")[0]).toMatchObject({
            if: "vars.PULUMI_BACKEND_URL == ''",
            with: { organization: "${{ vars.PULUMI_ORGANIZATION }}" },
        });
        // every credential step comes before the first step that runs the pull request's dependencies
        const firstInstall = steps.findIndex((s) => s.run?.startsWith("npm ci"));
        for (const s of steps.filter((x) => CREDENTIAL_ACTIONS.includes(action(x) ?? ""))) expect(steps.indexOf(s)).toBeLessThan(firstInstall);
    });

    it("azure-native's OIDC login (and kubelogin's, which follows it) gets ARM_USE_OIDC and the IDs", () => {
        const s = steps.find((x) => x.run?.includes("ARM_USE_OIDC"))!;
        expect(s.if).toBe("matrix.cloud == 'azure'");
        const env = path.join(tmpDir("env"), "env");
        runStep(s.run!, { ...s.env as Record<string, string>, CLIENT_ID: "c", TENANT_ID: "t", SUBSCRIPTION_ID: "s", GITHUB_ENV: env }, root);
        expect(fs.readFileSync(env, "utf8")).toBe("ARM_USE_OIDC=true\nARM_CLIENT_ID=c\nARM_TENANT_ID=t\nARM_SUBSCRIPTION_ID=s\n");
        expect(s.env).toEqual({ CLIENT_ID: "${{ vars.AZURE_CLIENT_ID }}", TENANT_ID: "${{ vars.AZURE_TENANT_ID }}", SUBSCRIPTION_ID: "${{ vars.AZURE_SUBSCRIPTION_ID }}" });
    });
});

// ---- the comment poster's script, run against a fake GitHub ----

interface FakeComment { id: number; body: string; user: { login: string; type: string } }

describe("the comment poster", () => {
    const script = String(stepUsing(poster.jobs["comment"]!, "actions/github-script")[0]!.with!["script"]);
    const HEAD = "a".repeat(40);

    async function post(opts: {
        artifacts: Record<string, Record<string, string>>;
        runPulls?: readonly number[];
        pull?: { number?: number; sha?: string; repo?: string; state?: string };
        comments?: FakeComment[];
    }) {
        const dir = tmpDir("artifacts");
        for (const [name, files] of Object.entries(opts.artifacts)) {
            fs.mkdirSync(path.join(dir, name));
            for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name, f), text);
        }
        const pull = { number: 7, sha: HEAD, repo: "someone/coder-refarch", state: "open", ...opts.pull };
        const created: { issue_number: number; body: string }[] = [];
        const updated: { comment_id: number; body: string }[] = [];
        const log = { failed: [] as string[], notices: [] as string[], warnings: [] as string[] };
        const github = {
            rest: {
                pulls: {
                    get: async ({ pull_number }: { pull_number: number }) => {
                        if (pull_number !== pull.number) throw new Error("Not Found");
                        return { data: { number: pull.number, state: pull.state, head: { sha: pull.sha, repo: { full_name: pull.repo } } } };
                    },
                },
                issues: {
                    listComments: async () => ({ data: opts.comments ?? [] }),
                    createComment: async (p: { issue_number: number; body: string }) => (created.push(p), { data: { id: 1000 + created.length } }),
                    updateComment: async (p: { comment_id: number; body: string }) => (updated.push(p), { data: {} }),
                },
            },
            paginate: async () => opts.comments ?? [],
        };
        const context = {
            repo: { owner: "acme", repo: "coder-refarch" },
            payload: {
                workflow_run: {
                    head_sha: HEAD,
                    head_repository: { full_name: "someone/coder-refarch" },
                    pull_requests: (opts.runPulls ?? []).map((number) => ({ number })),
                    html_url: "https://github.com/acme/coder-refarch/actions/runs/1",
                },
            },
        };
        const core = {
            info: () => undefined,
            notice: (m: string) => log.notices.push(m),
            warning: (m: string) => log.warnings.push(m),
            setFailed: (m: string) => log.failed.push(m),
        };
        // Only node's fs and path: the script loads nothing else.
        const requireOnly = (m: string) => {
            if (m === "fs") return fs;
            if (m === "path") return path;
            throw new Error(`the poster requires ${m}`);
        };
        const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
        await new AsyncFunction("github", "context", "core", "require", "process", script)(
            github, context, core, requireOnly, { env: { ARTIFACTS_DIR: dir } });
        return { created, updated, ...log };
    }

    const bot = { login: "github-actions[bot]", type: "Bot" };
    const marker = (stack: string) => `<!-- coder-refarch offline diff: ${stack} -->`;

    it("posts one comment a stack, found again by its hidden marker", async () => {
        const r = await post({
            artifacts: {
                "offline-diff-gcp-3k": { "pr-number": "7\n", "diff.md": "### gcp-3k\n" },
                "offline-diff-aws-3k": { "pr-number": "7\n", "diff.md": "### aws-3k\n" },
            },
            comments: [
                { id: 5, body: `${marker("aws-3k")}\nold`, user: bot },
                // a person quoting the marker is not the bot's comment
                { id: 6, body: `${marker("gcp-3k")}\nquoted`, user: { login: "someone", type: "User" } },
            ],
        });
        expect(r.failed).toEqual([]);
        expect(r.updated).toEqual([{ owner: "acme", repo: "coder-refarch", comment_id: 5, body: `${marker("aws-3k")}\n### aws-3k\n` }]);
        expect(r.created).toEqual([{ owner: "acme", repo: "coder-refarch", issue_number: 7, body: `${marker("gcp-3k")}\n### gcp-3k\n` }]);
    });

    it("caps the body at GitHub's 65,536 characters and says where the whole diff is", async () => {
        const r = await post({ artifacts: { "offline-diff-gcp-10k": { "pr-number": "7", "diff.md": "x".repeat(200_000) } } });
        expect(r.created[0]!.body).toHaveLength(65_536);
        expect(r.created[0]!.body).toMatch(/^<!-- coder-refarch offline diff: gcp-10k -->\n> Cut to GitHub's comment limit: the whole diff is the artifact `offline-diff-gcp-10k` of https:\/\/github.com\//);
    });

    it.each([
        ["a number that is not digits", { "pr-number": "7; rm -rf /", "diff.md": "x" }, {}],
        ["no diff.md", { "pr-number": "7" }, {}],
        ["a pull request the run does not list", { "pr-number": "8", "diff.md": "x" }, { runPulls: [7], pull: { number: 8 } }],
        ["a pull request from another head repository", { "pr-number": "7", "diff.md": "x" }, { pull: { repo: "mallory/coder-refarch" } }],
    ] as const)("refuses %s and posts nothing", async (_what, files, rest) => {
        const r = await post({ artifacts: { "offline-diff-gcp-3k": files }, ...rest });
        expect(r.failed).toHaveLength(1);
        expect(r.created).toEqual([]);
        expect(r.updated).toEqual([]);
    });

    it("refuses artifacts that name two pull requests", async () => {
        const r = await post({
            artifacts: { "offline-diff-a": { "pr-number": "7", "diff.md": "x" }, "offline-diff-b": { "pr-number": "9", "diff.md": "y" } },
        });
        expect(r.failed[0]).toMatch(/several pull requests/);
        expect(r.created).toEqual([]);
    });

    it("skips an artifact whose name is not a stack name, a stale run and a closed pull request", async () => {
        const odd = await post({ artifacts: { "offline-diff-<script>": { "pr-number": "7", "diff.md": "x" } } });
        expect(odd.warnings).toHaveLength(1);
        expect(odd.created).toEqual([]);
        const stale = await post({ artifacts: { "offline-diff-gcp-3k": { "pr-number": "7", "diff.md": "x" } }, pull: { sha: "b".repeat(40) } });
        expect(stale.notices[0]).toMatch(/moved on/);
        expect(stale.created).toEqual([]);
        const closed = await post({ artifacts: { "offline-diff-gcp-3k": { "pr-number": "7", "diff.md": "x" } }, pull: { state: "closed" } });
        expect(closed.created).toEqual([]);
    });

    it("a run without offline diffs posts nothing", async () => {
        const r = await post({ artifacts: {} });
        expect(r).toMatchObject({ created: [], updated: [], failed: [] });
    });
});

// ---- preview/changed-stacks.ts ----

describe("preview/changed-stacks.ts", () => {
    const stacks: StackEntry[] = [
        { stack: "aws-3k", cloud: "aws", region: "us-east-1" },
        { stack: "azure-3k", cloud: "azure", region: "eastus2" },
        { stack: "broken", cloud: null, region: null },
        { stack: "dev", cloud: "gcp", region: "us-east1" },
        { stack: "gcp-3k", cloud: "gcp", region: "europe-west1" },
    ];
    const ALL = stacks.map((s) => s.stack);

    it.each<[string, string[], string[]]>([
        ["a stack file", ["Pulumi.gcp-3k.yaml"], ["gcp-3k"]],
        ["two stack files and docs", ["Pulumi.aws-3k.yaml", "README.md", "Pulumi.dev.yaml"], ["aws-3k", "dev"]],
        ["a deleted stack file (no longer a stack)", ["Pulumi.gone.yaml"], []],
        ["a stack file that cannot be read", ["Pulumi.broken.yaml"], ["broken"]],
        ["GCP's components", ["components/gcp/cluster.ts"], ["dev", "gcp-3k"]],
        ["AWS's components", ["components/aws/network.ts"], ["aws-3k"]],
        ["Azure's components, and a stack file", ["components/azure/credentials.ts", "Pulumi.dev.yaml"], ["azure-3k", "dev"]],
        ["the entry point", ["index.ts"], ALL],
        ["the program", ["program.ts"], ALL],
        ["the config", ["config.ts"], ALL],
        ["the sizing", ["sizing.ts"], ALL],
        ["a cost model", ["cost.ts"], ALL],
        ["a tier", ["tiers/3k.ts"], ALL],
        ["the Kubernetes layer", ["components/k8s/coder.ts"], ALL],
        ["a chart's values", ["components/k8s/charts/coder-values.yaml"], ALL],
        ["a shared component", ["components/preflight.ts"], ALL],
        ["the Coder API resources", ["components/coder-api/client.ts"], ALL],
        ["the dependencies", ["package.json"], ALL],
        ["the lockfile", ["package-lock.json"], ALL],
        ["the project file", ["Pulumi.yaml"], ALL],
        ["the compiler options", ["tsconfig.json"], ALL],
        ["the offline render", ["preview/render.ts"], ALL],
        ["the stack reader", ["preview/stack-config.ts"], ALL],
        ["a path no rule names", ["scripts/bootstrap.sh"], ALL],
        ["a cloud's code and a program file", ["components/aws/dns.ts", "sizing.ts"], ALL],
        ["the README", ["README.md"], []],
        ["docs anywhere", ["components/gcp/NOTES.md", "docs/ops.md"], []],
        ["tests", ["test/config.test.ts", "test/fixtures/a.json", "vitest.config.mts"], []],
        ["the policy pack (every stack's preview runs it)", ["policy/rules.ts", "policy/package.json"], ALL],
        ["a stack's own policy pack config", ["policy/config.dev.json"], ["dev"]],
        ["the workflows and CI", [".github/workflows/pull-request.yml", ".ci/run"], []],
        ["this module", ["preview/changed-stacks.ts"], []],
        ["nothing", [], []],
        ["blank lines and ./ prefixes", ["", "  ", "./Pulumi.aws-3k.yaml"], ["aws-3k"]],
    ])("%s", (_what, changed, expected) => {
        expect(touchedStacks(changed, stacks).map((s) => s.stack)).toEqual(expected);
    });

    it("scopes: a stack file only at the root, a cloud only under components/<cloud>/", () => {
        expect(scopeOf("Pulumi.gcp-3k.yaml")).toEqual({ kind: "stack", stack: "gcp-3k" });
        expect(scopeOf("Pulumi.yaml")).toEqual({ kind: "all" });
        expect(scopeOf("examples/Pulumi.gcp-3k.yaml")).toEqual({ kind: "all" });
        expect(scopeOf("components/gcp/cluster.ts")).toEqual({ kind: "cloud", cloud: "gcp" });
        expect(scopeOf("components/gcp.ts")).toEqual({ kind: "all" });
        expect(scopeOf("components/oci/cluster.ts")).toEqual({ kind: "all" });
        expect(scopeOf("policy/README.MD")).toEqual({ kind: "none" });
    });

    it("reads every stack of the project with its cloud and region", () => {
        const read = readStacks();
        expect(read.map((s) => s.stack)).toEqual(listStacks());
        for (const s of read) {
            const file = parse(fs.readFileSync(path.join(root, `Pulumi.${s.stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
            // coder-refarch:cloud defaults to gcp (Pulumi.yaml)
            expect(s.cloud, s.stack).toBe(file.config["coder-refarch:cloud"] ?? "gcp");
            expect(s.region, s.stack).toBe(file.config["coder-refarch:region"]);
        }
        expect(read.find((s) => s.stack === "gcp-3k")).toEqual({ stack: "gcp-3k", cloud: "gcp", region: "europe-west1" });
    });

    it("a stack file the CLI would refuse is still a stack, without cloud and region", () => {
        const dir = tmpDir("project");
        fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.copyFileSync(path.join(root, "Pulumi.aws-3k.yaml"), path.join(dir, "Pulumi.aws-3k.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), "config: [not, a, map]\n");
        expect(readStacks(dir)).toEqual([
            { stack: "aws-3k", cloud: "aws", region: "us-east-1" },
            { stack: "bad", cloud: null, region: null },
        ]);
    });

    it("`npx tsx preview/changed-stacks.ts` reads paths on stdin and prints one line of JSON", async () => {
        const child = promisify(execFile)(process.execPath, ["--import", "tsx", "preview/changed-stacks.ts"], { cwd: root });
        child.child.stdin!.end("components/aws/cluster.ts\nREADME.md\n");
        const { stdout } = await child;
        expect(stdout.split("\n")).toHaveLength(2);
        const printed = JSON.parse(stdout) as StackEntry[];
        expect(printed.map((s) => s.stack)).toEqual(listStacks().filter((s) => s.startsWith("aws-")));
        expect(printed[0]).toEqual({ stack: "aws-10k", cloud: "aws", region: "us-east-1" });
    });
});

// ---- the README's section, once it is in ----

describe("README: Pull requests", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const section = /^## Pull requests\n([\s\S]*?)(?=^## )/m.exec(readme + "\n## ")?.[1];
    const used = [...new Set(workflowFiles.flatMap((w) => [...w.text.matchAll(/\bvars\.([A-Za-z0-9_]+)/g)].map((m) => m[1]!)))].sort();

    it("the workflows read these repository variables", () => {
        expect(used).toEqual([
            "AWS_ROLE_ARN", "AZURE_CLIENT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_TENANT_ID", "GCP_SERVICE_ACCOUNT",
            "GCP_WORKLOAD_IDENTITY_PROVIDER", "PULUMI_BACKEND_URL", "PULUMI_OIDC_TEAM", "PULUMI_ORGANIZATION", "PULUMI_STACK_PREFIX",
        ]);
    });

    it.runIf(section !== undefined)("lists every repository variable the workflows read", () => {
        for (const v of used) expect(section, v).toContain(`\`${v}\``);
    });

    it.runIf(section !== undefined)("the only job with an OIDC token runs in the reviewed environment, whose subject every identity's setup admits", () => {
        const withToken = workflowFiles.flatMap((w) => Object.entries(w.wf.jobs).filter(([, j]) => j.permissions?.["id-token"] === "write").map(([n, j]) => [n, j.environment]));
        expect(withToken).toEqual([["preview", "preview"]]);
        // the subjects the README's commands configure: GCP's condition, AWS's trust policy, Entra's credential, Pulumi's issuer policy
        const subjects = [...section!.matchAll(/repo:(?:\$REPO|OWNER\/REPO):([a-z_]+(?::[a-z-]+)?)/g)].map((m) => m[1]);
        expect(subjects.length).toBeGreaterThanOrEqual(5);
        expect(new Set(subjects)).toEqual(new Set(["environment:preview"]));
        // the environment is created with reviewers before a run could create it without them
        expect(section).toMatch(/gh api -X PUT repos\/\$REPO\/environments\/preview[\s\S]*"reviewers": \[\{"type": "Team"/);
    });
});
