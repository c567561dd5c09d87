/**
 * Red flags in a model-written patch: what its added lines could do if they ran before anyone read them. The scan is
 * deliberately broad (a minimal fix for a crash needs none of these), and a flagged patch is only ever shown as a
 * suggested diff, never pushed. It covers the languages of the corpus: Python, Go, Java/Kotlin, JavaScript and
 * TypeScript, plus what any language can hide (URLs, secret file paths, encoded blobs) and the files that decide
 * what a build or CI job runs.
 */
import { structuredPatch } from 'diff';

export type RedFlagKind =
  | 'process-execution'
  | 'network'
  | 'environment'
  | 'secret-file'
  | 'dynamic-code'
  | 'encoded-blob'
  | 'dependency'
  | 'build-or-ci';

export interface RedFlag {
  kind: RedFlagKind;
  path: string;
  /** Line of the added text in the new file; absent for flags about the file itself. */
  line?: number;
  /** The added line, trimmed (never shown unredacted: callers redact before rendering). */
  text?: string;
  why: string;
}

type Language = 'python' | 'go' | 'java' | 'node';

interface LineRule {
  kind: RedFlagKind;
  why: string;
  pattern: RegExp;
  /** Absent: every language. */
  languages?: readonly Language[];
}

function languageOf(path: string): Language | undefined {
  if (/\.(py|pyw|pyi)$/.test(path)) return 'python';
  if (/\.go$/.test(path)) return 'go';
  if (/\.(java|kt|kts|scala|groovy)$/.test(path)) return 'java';
  if (/\.(js|mjs|cjs|jsx|ts|mts|cts|tsx)$/.test(path)) return 'node';
  return undefined;
}

const PY: readonly Language[] = ['python'];
const GO: readonly Language[] = ['go'];
const JAVA: readonly Language[] = ['java'];
const NODE: readonly Language[] = ['node'];

const LINE_RULES: readonly LineRule[] = [
  // Process execution
  {
    kind: 'process-execution',
    languages: PY,
    why: 'runs a process',
    pattern:
      /\bsubprocess\b|\bos\s*\.\s*(system|popen|exec\w*|spawn\w*|posix_spawn\w*|fork\w*)\b|\bpty\s*\.\s*spawn\b|\bcommands\s*\.\s*get(status)?output\b|\bpexpect\b/,
  },
  {
    kind: 'process-execution',
    languages: NODE,
    why: 'runs a process',
    pattern:
      /\bchild_process\b|(?<![\w.$])(exec|execSync|execFile|execFileSync|spawn|spawnSync|fork)\s*\(|\.(execSync|execFile|execFileSync|spawn|spawnSync)\s*\(|\bprocess\s*\.\s*(binding|dlopen)\b|\b(Deno\s*\.\s*(run|Command)|Bun\s*\.\s*(spawn|spawnSync|\$))\b|\bshelljs\b|\bexeca\b/,
  },
  {
    kind: 'process-execution',
    languages: GO,
    why: 'runs a process',
    pattern:
      /"os\/exec"|\bexec\s*\.\s*Command(Context)?\b|\bsyscall\s*\.\s*(Exec|ForkExec|StartProcess)\b|\bos\s*\.\s*StartProcess\b/,
  },
  {
    kind: 'process-execution',
    languages: JAVA,
    why: 'runs a process',
    pattern:
      /\bRuntime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec\b|\bProcessBuilder\b|\bCommandLine\s*\.\s*parse\b|\bDefaultExecutor\b/,
  },
  {
    kind: 'process-execution',
    why: 'invokes a shell or a download tool',
    pattern: /\b(curl|wget|bash\s+-c|sh\s+-c|cmd(\.exe)?\s+\/c|powershell|nc\s+-e|\/bin\/(ba)?sh)\b/i,
  },

  // Network calls
  {
    kind: 'network',
    languages: PY,
    why: 'makes a network call',
    pattern:
      /\b(requests|httpx|aiohttp|urllib3?|urllib\s*\.\s*request|http\s*\.\s*client|socket|ftplib|smtplib|telnetlib|paramiko|xmlrpc)\s*\.\s*\w+|\bimport\s+(requests|httpx|aiohttp|urllib3?|socket|ftplib|smtplib|paramiko)\b|\bfrom\s+(requests|httpx|aiohttp|urllib3?|urllib\.request|http\.client|socket)\s+import\b/,
  },
  {
    kind: 'network',
    languages: NODE,
    why: 'makes a network call',
    pattern:
      /(?<![\w.$])fetch\s*\(|\b(https?|net|tls|dgram|dns|http2)\s*\.\s*(request|get|connect|createConnection|lookup|resolve\w*)\s*\(|\bXMLHttpRequest\b|\bWebSocket\b|\baxios\b|\bgot\s*\(|\bundici\b|\bnode-fetch\b|\bnavigator\s*\.\s*sendBeacon\b|\brequire\s*\(\s*['"`](node:)?(https?|net|tls|dgram|dns|http2)['"`]|\bfrom\s+['"`](node:)?(https?|net|tls|dgram|dns|http2)['"`]/,
  },
  {
    kind: 'network',
    languages: GO,
    why: 'makes a network call',
    pattern:
      /"net(\/http|\/rpc|\/smtp)?"|\bhttp\s*\.\s*(Get|Post|PostForm|Head|NewRequest\w*|DefaultClient)\b|\bnet\s*\.\s*(Dial\w*|Listen\w*)\b|&http\.Client\b/,
  },
  {
    kind: 'network',
    languages: JAVA,
    why: 'makes a network call',
    pattern:
      /\bjava\s*\.\s*net\b|\bnew\s+(URL|Socket|ServerSocket)\s*\(|\bHttp(Client|URLConnection|Request)\b|\.openConnection\s*\(|\.openStream\s*\(|\b(RestTemplate|WebClient|OkHttpClient|CloseableHttpClient)\b/,
  },
  { kind: 'network', why: 'names a URL', pattern: /\b(https?|ftp|wss?|gopher|ldap):\/\//i },

  // Environment variables
  {
    kind: 'environment',
    languages: PY,
    why: 'reads the environment',
    pattern: /\bos\s*\.\s*(environ|getenv|getenvb|putenv)\b|(?<![\w.])environ\s*(\[|\.get\b)/,
  },
  {
    kind: 'environment',
    languages: NODE,
    why: 'reads the environment',
    pattern:
      /\bprocess\s*\.\s*env\b|\bprocess\s*\[\s*['"`]env['"`]\s*\]|\b(Deno|Bun)\s*\.\s*env\b|\bimport\s*\.\s*meta\s*\.\s*env\b/,
  },
  {
    kind: 'environment',
    languages: GO,
    why: 'reads the environment',
    pattern: /\b(os|syscall)\s*\.\s*(Getenv|LookupEnv|Environ|Setenv|ExpandEnv)\b/,
  },
  {
    kind: 'environment',
    languages: JAVA,
    why: 'reads the environment',
    pattern: /\bSystem\s*\.\s*(getenv|getProperties)\b/,
  },
  {
    kind: 'environment',
    why: 'names a CI or cloud credential',
    pattern:
      /\b(GITHUB_TOKEN|GH_TOKEN|ACTIONS_RUNTIME_TOKEN|ACTIONS_ID_TOKEN_REQUEST_(TOKEN|URL)|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|GOOGLE_APPLICATION_CREDENTIALS|NPM_TOKEN|NODE_AUTH_TOKEN|PYPI_TOKEN|DOCKER_PASSWORD|KUBECONFIG)\b/,
  },

  // Secret files
  {
    kind: 'secret-file',
    why: 'names a credential or system file',
    pattern:
      /\/etc\/(passwd|shadow|sudoers|gshadow)\b|~?\/?\.ssh\/|\bid_(rsa|dsa|ecdsa|ed25519)\b|\.aws\/(credentials|config)\b|\/(var\/)?run\/secrets\b|serviceaccount\/token\b|\.kube\/config\b|\.git-credentials\b|\.gitconfig\b|\.netrc\b|\.npmrc\b|\.pypirc\b|\.docker\/config\.json\b|\/proc\/(self|\d+)\/(environ|mem|maps|cmdline)\b|\.git\/config\b|['"`](\.\/)?\.env(\.\w+)?['"`]|\bgcloud\/(credentials|application_default_credentials)/,
  },

  // Dynamic code
  {
    kind: 'dynamic-code',
    languages: PY,
    why: 'evaluates or loads code dynamically',
    pattern:
      /(?<![\w.])(eval|exec|compile|execfile)\s*\(|\b__import__\s*\(|\bimportlib\b|\b(pickle|cPickle|_pickle|marshal|dill|shelve|jsonpickle)\s*\.\s*loads?\b|\byaml\s*\.\s*(unsafe_)?load\s*\((?![^)]*Safe)|\bctypes\b|\bgetattr\s*\(\s*(__builtins__|builtins)\b|\bbuiltins\s*\.\s*(eval|exec)\b/,
  },
  {
    kind: 'dynamic-code',
    languages: NODE,
    why: 'evaluates or loads code dynamically',
    pattern:
      /(?<![\w.$])eval\s*\(|\bnew\s+Function\s*\(|(?<![\w.$])Function\s*\(|(?<![\w.$])import\s*\(|\brequire\s*\(\s*(?!['"`][^'"`$]*['"`]\s*\))|\bvm\s*\.\s*(runIn\w+|Script|compileFunction|SourceTextModule)\b|\bset(Timeout|Interval|Immediate)\s*\(\s*['"`]|\bmodule\s*\.\s*constructor\b|\bModule\s*\.\s*_load\b|\bcreateRequire\s*\(/,
  },
  {
    kind: 'dynamic-code',
    languages: GO,
    why: 'evaluates or loads code dynamically',
    pattern:
      /\bplugin\s*\.\s*Open\b|"plugin"|\bsyscall\s*\.\s*(LoadLibrary|LoadDLL|Syscall\d*)\b|\bunsafe\s*\.\s*Pointer\b/,
  },
  {
    kind: 'dynamic-code',
    languages: JAVA,
    why: 'evaluates or loads code dynamically',
    pattern:
      /\bClass\s*\.\s*forName\b|\bScriptEngine(Manager)?\b|\bURLClassLoader\b|\bdefineClass\b|\bMethodHandles\b|\.getDeclaredMethod\s*\(|\.getMethod\s*\([^)]*\)\s*\.\s*invoke\b|\bObjectInputStream\b|\bSystem\s*\.\s*load(Library)?\s*\(|\bGroovyShell\b|\bJShell\b/,
  },

  // Encoded blobs and their decoders
  {
    kind: 'encoded-blob',
    why: 'carries a long base64-like string',
    pattern:
      /(?=[A-Za-z0-9+/]{40,})(?=[A-Za-z0-9+/]*\d)(?=[A-Za-z0-9+/]*[a-z])(?=[A-Za-z0-9+/]*[A-Z])[A-Za-z0-9+/]{40,}={0,2}/,
  },
  {
    kind: 'encoded-blob',
    why: 'carries a long hexadecimal string',
    pattern: /(?<![0-9a-fA-F])(0x)?[0-9a-fA-F]{48,}(?![0-9a-fA-F])/,
  },
  {
    kind: 'encoded-blob',
    why: 'carries escaped bytes',
    pattern: /(\\x[0-9a-fA-F]{2}){8,}|(\\u[0-9a-fA-F]{4}){6,}|(\\[0-7]{3}){8,}|(\b\d{2,3}\s*,\s*){24,}/,
  },
  {
    kind: 'encoded-blob',
    languages: PY,
    why: 'decodes an encoded payload',
    pattern:
      /\b(base64|binascii|codecs|zlib|lzma|bz2|gzip)\s*\.\s*\w*(decode|decompress|unhexlify|b64|b32|b85|a85)\w*\b|\bbytes\s*\.\s*fromhex\b|\.decode\s*\(\s*['"](hex|base64|rot13|rot_13|zlib)['"]/,
  },
  {
    kind: 'encoded-blob',
    languages: NODE,
    why: 'decodes an encoded payload',
    pattern:
      /(?<![\w.$])atob\s*\(|\bBuffer\s*\.\s*from\s*\([^)]*['"`](base64|base64url|hex)['"`]|\bString\s*\.\s*fromCharCode\b|\bzlib\s*\.\s*(inflate|gunzip|unzip|brotliDecompress)\w*/,
  },
  {
    kind: 'encoded-blob',
    languages: GO,
    why: 'decodes an encoded payload',
    pattern:
      /\bbase64\s*\.\s*\w*Encoding\s*\.\s*DecodeString\b|\bhex\s*\.\s*DecodeString\b|\b(gzip|zlib|flate)\s*\.\s*NewReader\b/,
  },
  {
    kind: 'encoded-blob',
    languages: JAVA,
    why: 'decodes an encoded payload',
    pattern:
      /\bBase64\s*\.\s*get\w*Decoder\b|\bDatatypeConverter\s*\.\s*parse(Base64Binary|HexBinary)\b|\bHex\s*\.\s*decodeHex\b|\b(GZIPInputStream|InflaterInputStream)\b/,
  },

  // New imports: a dependency the fix did not need before
  {
    kind: 'dependency',
    languages: PY,
    why: 'adds an import',
    pattern: /^\s*(import\s+[\w.]+|from\s+[\w.]+\s+import\b)/,
  },
  {
    kind: 'dependency',
    languages: NODE,
    why: 'adds an import',
    pattern: /^\s*import\s[^(]|^\s*export\s.+\sfrom\s+['"`]|\brequire\s*\(\s*['"`]/,
  },
  {
    kind: 'dependency',
    languages: GO,
    why: 'adds an import',
    pattern: /^\s*import\b|^\s*(\w+\s+|_\s+|\.\s+)?"[\w.~/-]+"\s*$/,
  },
  {
    kind: 'dependency',
    languages: JAVA,
    why: 'adds an import',
    pattern: /^\s*import\s+(static\s+)?[\w.]+(\.\*)?\s*;?\s*$/,
  },
];

interface FileRule {
  kind: RedFlagKind;
  why: string;
  pattern: RegExp;
}

const FILE_RULES: readonly FileRule[] = [
  {
    kind: 'dependency',
    why: 'changes a dependency manifest',
    pattern:
      /(^|\/)(package\.json|requirements[^/]*\.(txt|in)|constraints[^/]*\.txt|pyproject\.toml|setup\.py|setup\.cfg|Pipfile|go\.mod|go\.work|pom\.xml|build\.gradle(\.kts)?|settings\.gradle(\.kts)?|gradle\.properties|libs\.versions\.toml|Gemfile|Cargo\.toml|composer\.json|\.npmrc|\.yarnrc(\.yml)?|\.pnpmfile\.cjs|pnpm-workspace\.yaml)$/,
  },
  {
    kind: 'dependency',
    why: 'changes a lockfile',
    pattern:
      /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|pnpm-lock\.yaml|yarn\.lock|bun\.lockb?|go\.sum|go\.work\.sum|poetry\.lock|Pipfile\.lock|uv\.lock|pdm\.lock|Gemfile\.lock|Cargo\.lock|composer\.lock|gradle\.lockfile)$/,
  },
  {
    kind: 'build-or-ci',
    why: 'changes a build or CI file',
    pattern:
      /(^|\/)(\.github|\.gitlab|\.circleci|\.buildkite|\.drone|\.husky|\.devcontainer|\.mvn|gradle\/wrapper|scripts|hack|ci|\.ci)\/|(^|\/)(Dockerfile[^/]*|[^/]*\.Dockerfile|Containerfile|Makefile|GNUmakefile|[^/]*\.mk|CMakeLists\.txt|\.dockerignore|docker-compose[^/]*\.ya?ml|compose\.ya?ml|Jenkinsfile|\.gitlab-ci\.ya?ml|\.travis\.ya?ml|azure-pipelines\.ya?ml|cloudbuild\.ya?ml|bitbucket-pipelines\.yml|skaffold\.ya?ml|Tiltfile|Taskfile\.ya?ml|justfile|magefile\.go|BUILD(\.bazel)?|WORKSPACE(\.bazel)?|MODULE\.bazel|noxfile\.py|tox\.ini|conftest\.py|pytest\.ini|(webpack|vite|rollup|esbuild|babel|jest|vitest)\.config\.\w+|tsconfig[^/]*\.json|\.babelrc|\.pre-commit-config\.yaml|\.gitattributes|\.gitmodules|mvnw(\.cmd)?|gradlew(\.bat)?)$|\.(sh|bash|zsh|fish|ps1|psm1|bat|cmd)$/,
  },
];

/** Added lines of one file change, with their line numbers in the new file. */
function addedLines(path: string, before: string, after: string): Array<{ line: number; text: string }> {
  const patch = structuredPatch(path, path, before, after, undefined, undefined, { context: 0 });
  const added: Array<{ line: number; text: string }> = [];
  for (const hunk of patch.hunks) {
    let line = hunk.newStart;
    for (const l of hunk.lines) {
      if (l.startsWith('+')) added.push({ line: line++, text: l.slice(1) });
      else if (!l.startsWith('-') && !l.startsWith('\\')) line++;
    }
  }
  return added;
}

/** Every red flag of the change, one per rule and line. An empty list means nothing suspicious was added. */
export function scanForRedFlags(files: ReadonlyArray<{ path: string; before: string; after: string }>): RedFlag[] {
  const flags: RedFlag[] = [];
  for (const file of files) {
    for (const rule of FILE_RULES)
      if (rule.pattern.test(file.path)) flags.push({ kind: rule.kind, path: file.path, why: rule.why });
    const language = languageOf(file.path);
    for (const { line, text } of addedLines(file.path, file.before, file.after)) {
      const seen = new Set<RedFlagKind>();
      for (const rule of LINE_RULES) {
        // A language the scan does not know gets every rule: broad beats blind.
        if (rule.languages && language && !rule.languages.includes(language)) continue;
        if (seen.has(rule.kind) || !rule.pattern.test(text)) continue;
        seen.add(rule.kind);
        flags.push({ kind: rule.kind, path: file.path, line, text: text.trim(), why: rule.why });
      }
    }
  }
  return flags;
}
