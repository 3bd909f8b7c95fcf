// Tests of scripts/release.mjs's checks: `node --test scripts/` (no build, no network, ~1 s).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  checkPackageDir, checkTarball, checkWorkspaceManifest, expectedPublishFields, publishablePackages, publishTarballs,
  readTarball, referencesOf, relativeLinks, stripSourceCondition,
} from './release.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A workspace manifest as the repository holds it, and the files `pnpm pack` would produce for it. */
function fixture() {
  const workspace = {
    name: '@descent/example',
    version: '1.2.3',
    description: 'An example package',
    keywords: ['descent'],
    homepage: 'https://github.com/descent-js/descent/tree/main/packages/example#readme',
    bugs: { url: 'https://github.com/descent-js/descent/issues' },
    repository: { type: 'git', url: 'git+https://github.com/descent-js/descent.git', directory: 'packages/example' },
    license: 'MIT',
    type: 'module',
    exports: {
      '.': { '@descent/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
      './node': {
        node: { '@descent/source': './src/node.ts', types: './dist/node.d.ts', default: './dist/node.js' },
        default: null,
      },
    },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist', 'CHANGELOG.md'],
    dependencies: { '@descent/tensor': 'workspace:*' },
    devDependencies: { assemblyscript: '0.28.20' },
  };
  workspace.publishConfig = { access: 'public', ...expectedPublishFields(workspace) };
  const published = { ...workspace, dependencies: { '@descent/tensor': '1.2.3' }, devDependencies: { assemblyscript: '0.28.20' } };
  published.exports = workspace.publishConfig.exports;
  delete published.publishConfig;
  const files = new Map([
    ['package.json', JSON.stringify(published)],
    ['README.md', '# example'],
    ['LICENSE', 'MIT'],
    ['dist/index.js', "import { a } from './util.js';\nimport '@descent/tensor';\nexport const wasm = new URL('../build/k.wasm', import.meta.url);\n"],
    ['dist/index.d.ts', 'export {};'],
    ['dist/index.js.map', '{}'],
    ['dist/util.js', "// import { x } from 'not-a-dependency';\nexport const a = await import('node:fs');\n"],
    ['dist/util.d.ts', 'export {};'],
    ['dist/node.js', "import { readFileSync } from 'fs';\n"],
    ['dist/node.d.ts', 'export {};'],
    ['build/k.wasm', '\0asm'],
  ].map(([k, v]) => [k, Buffer.from(v)]));
  return { workspace, published, files };
}

function withManifest(files, edit) {
  const copy = new Map(files);
  const manifest = JSON.parse(copy.get('package.json').toString());
  edit(manifest);
  copy.set('package.json', Buffer.from(JSON.stringify(manifest)));
  return copy;
}

describe('stripSourceCondition / expectedPublishFields', () => {
  it('removes the condition at every depth and keeps the order of the others', () => {
    const { workspace } = fixture();
    const stripped = stripSourceCondition(workspace.exports);
    assert.deepEqual(stripped, {
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './node': { node: { types: './dist/node.d.ts', default: './dist/node.js' }, default: null },
    });
    assert.deepEqual(Object.keys(stripped['.']), ['types', 'default']);
  });
  it('asks pnpm to substitute only fields that carry the condition', () => {
    assert.deepEqual(expectedPublishFields({ exports: { '.': './dist/index.js' }, imports: { '#a': { '@descent/source': './src/a.ts', default: './dist/a.js' } } }),
      { imports: { '#a': { default: './dist/a.js' } } });
  });
});

describe('checkWorkspaceManifest', () => {
  it('accepts a complete manifest', () => {
    const { workspace } = fixture();
    assert.deepEqual(checkWorkspaceManifest(workspace, '/repo/packages/example'), []);
  });
  it('fails when "exports" changed but publishConfig.exports did not', () => {
    const { workspace } = fixture();
    workspace.exports['./extra'] = { '@descent/source': './src/extra.ts', default: './dist/extra.js' };
    const problems = checkWorkspaceManifest(workspace, '/repo/packages/example');
    assert.equal(problems.length, 1);
    assert.match(problems[0], /publishConfig\.exports .*--sync-publish-config/);
  });
  it('names each missing metadata field', () => {
    const { workspace } = fixture();
    workspace.description = '';
    delete workspace.repository;
    delete workspace.files;
    const problems = checkWorkspaceManifest(workspace, '/repo/packages/example').join('\n');
    assert.match(problems, /"description" is empty/);
    assert.match(problems, /"repository" must be \{ type, url, directory: "packages\/example" \}/);
    assert.match(problems, /"files" is missing/);
  });
});

describe('relativeLinks', () => {
  it('finds inline, reference and HTML links that are not absolute', () => {
    const md = [
      'See [Descent](../../README.md), [memory](../tensor/README.md#memory) and [site](https://example.org).',
      '[top](#usage) [mail](mailto:a@b.c) ![logo](./logo.png)',
      '[ref]: docs/guide.md',
      '<img src="img/a.png"> <a href="https://x.org">x</a>',
      'Code is not a link: `fns[0](x)` and', '```ts', 'const y = fns[1](x);', '```',
    ].join('\n');
    assert.deepEqual(relativeLinks(md).sort(), ['../../README.md', '../tensor/README.md#memory', './logo.png', 'docs/guide.md', 'img/a.png'].sort());
  });
});

describe('referencesOf', () => {
  it('lists static, side-effect, dynamic, require and import.meta.url references, not comments', () => {
    const js = "/* import 'x' */\n// import 'y';\nimport a, { b } from './a.js';\nexport * from \"./b.js\";\nimport './c.js';\n" +
      "const d = await import('./d.js');\nconst e = require('e');\nconst f = new URL('../f.wasm', import.meta.url);\n";
    assert.deepEqual(referencesOf(js).sort(), ['./a.js', './b.js', './c.js', './d.js', '../f.wasm', 'e'].sort());
  });
});

describe('readTarball', () => {
  for (const format of ['gnu', 'pax']) {
    it(`reads a ${format} tarball, long names included`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'release-test-'));
      try {
        const long = `dist/${'deep/'.repeat(25)}file.js`;
        mkdirSync(join(dir, 'package', dirname(long)), { recursive: true });
        writeFileSync(join(dir, 'package', 'package.json'), '{"name":"x"}');
        writeFileSync(join(dir, 'package', long), 'export {};\n');
        const tgz = join(dir, 'x.tgz');
        execFileSync('tar', [`--format=${format}`, '-czf', tgz, '-C', dir, 'package']);
        const files = readTarball(readFileSync(tgz));
        assert.deepEqual([...files.keys()].sort(), [long, 'package.json'].sort());
        assert.equal(files.get(long).toString(), 'export {};\n');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('checkTarball', () => {
  const extra = { '@descent/example': [/^build\/[^/]+\.wasm$/] };
  const check = (files, workspace, opts = {}) => checkTarball(files, workspace, { extraFiles: extra, ...opts });

  it('accepts a clean tarball', () => {
    const { workspace, files } = fixture();
    assert.deepEqual(check(files, workspace).problems, []);
  });
  it('fails on a workspace: range, a build tool in dependencies and a leftover source condition', () => {
    const { workspace, files } = fixture();
    const bad = withManifest(files, (m) => {
      m.dependencies = { '@descent/tensor': 'workspace:*', assemblyscript: '0.28.20' };
      m.exports = workspace.exports;
    });
    const problems = check(bad, workspace).problems.join('\n');
    assert.match(problems, /dependencies\["@descent\/tensor"\] is "workspace:\*"/);
    assert.match(problems, /dependencies\["assemblyscript"\]: a build\/test tool/);
    assert.match(problems, /still mentions the "@descent\/source" condition/);
    assert.match(problems, /published "exports" is not the workspace "exports" without/);
  });
  it('fails on source files, test helpers and stray files', () => {
    const { workspace, files } = fixture();
    const bad = new Map(files);
    for (const f of ['src/index.ts', 'dist/losses/test-helpers.js', 'dist/test-utils/check.js', 'dist/a.test.js', 'scripts/build.mjs', 'asm/k.ts']) bad.set(f, Buffer.from(''));
    const problems = check(bad, workspace).problems;
    assert.equal(problems.length, 6, problems.join('\n'));
    assert.match(problems.join('\n'), /test file or test helper: dist\/losses\/test-helpers\.js/);
    assert.match(problems.join('\n'), /outside dist\/README\/LICENSE\/CHANGELOG: src\/index\.ts/);
  });
  it('fails when an export target, its declaration file or a referenced file is missing', () => {
    const { workspace, files } = fixture();
    const bad = new Map(files);
    bad.delete('dist/node.js');
    bad.delete('dist/util.d.ts');
    bad.delete('dist/index.d.ts');
    bad.delete('build/k.wasm');
    bad.delete('dist/util.js');
    const problems = check(bad, workspace).problems.join('\n');
    assert.match(problems, /exports\["\.\/node"\]\["node"\]\["default"\] points to \.\/dist\/node\.js, which is not in the tarball/);
    assert.match(problems, /exports\["\."\]\["default"\] \(\.\/dist\/index\.js\) has no declaration file dist\/index\.d\.ts/);
    assert.match(problems, /types points to \.\/dist\/index\.d\.ts/);
    assert.match(problems, /dist\/index\.js refers to \.\.\/build\/k\.wasm, which is not in the tarball/);
    assert.match(problems, /dist\/index\.js refers to \.\/util\.js/);
  });
  it('fails when built code imports a package that is not a dependency', () => {
    const { workspace, files } = fixture();
    const bad = new Map(files);
    bad.set('dist/util.js', Buffer.from("const asc = await import('assemblyscript/asc');\n"));
    assert.deepEqual(check(bad, workspace).problems,
      ['dist/util.js imports "assemblyscript/asc" but "assemblyscript" is not a dependency (a consumer\'s install lacks it)']);
  });
  it('fails on a sideEffects entry in dist/ that names no published file', () => {
    const { workspace, files } = fixture();
    const bad = withManifest(files, (m) => { m.sideEffects = ['./src/index.ts', './dist/index.js', './dist/register.js', 'dist/**/*.css']; });
    assert.deepEqual(check(bad, workspace).problems, ['sideEffects lists ./dist/register.js, which is not in the tarball']);
  });
  it('requires a CHANGELOG only for a real release', () => {
    const { workspace, files } = fixture();
    assert.deepEqual(check(files, workspace, { release: true }).problems, ['the tarball has no CHANGELOG.md']);
    const withLog = new Map(files).set('CHANGELOG.md', Buffer.from('# x'));
    assert.deepEqual(check(withLog, workspace, { release: true }).problems, []);
  });
});

describe('publishTarballs', () => {
  it('publishes in the given order and skips versions the registry already has', () => {
    const calls = [];
    const run = (cmd, args) => {
      calls.push([cmd, ...args].join(' '));
      if (args[0] === 'view') return args[1] === '@descent/tensor@1.0.0' ? { status: 0, stdout: '1.0.0\n' } : { status: 1, stdout: '' };
      return { status: 0, stdout: '' };
    };
    const published = publishTarballs([
      { name: '@descent/tensor', version: '1.0.0', tarball: '/t/tensor.tgz' },
      { name: '@descent/autograd', version: '1.0.0', tarball: '/t/autograd.tgz' },
    ], run, () => {});
    assert.deepEqual(published, ['@descent/autograd@1.0.0']);
    assert.deepEqual(calls, [
      'npm view @descent/tensor@1.0.0 version',
      'npm view @descent/autograd@1.0.0 version',
      'npm publish /t/autograd.tgz --access public',
    ]);
  });
});

describe('the repository as it is', () => {
  const pkgs = publishablePackages(ROOT);
  const rootLicense = readFileSync(join(ROOT, 'LICENSE'), 'utf8');

  it('lists every publishable package, dependencies first', () => {
    const names = pkgs.map((p) => p.manifest.name);
    for (const name of ['@descent/tensor', '@descent/autograd', '@descent/layers', '@descent/optimizers', '@descent/models']) {
      assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
    }
    for (const { manifest } of pkgs) {
      for (const dep of Object.keys(manifest.dependencies ?? {})) {
        if (names.includes(dep)) assert.ok(names.indexOf(dep) < names.indexOf(manifest.name), `${dep} after ${manifest.name}`);
      }
    }
  });
  for (const { dir, manifest } of pkgs) {
    it(`${manifest.name}: metadata, publishConfig, LICENSE and README links`, () => {
      assert.deepEqual(checkPackageDir(dir, manifest, rootLicense), []);
    });
  }
});
