// The project file: problems are diagnostics at their line and column, and specs use its connections.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultRegistry } from '@sisflow/connectors';
import { compileSpecFile, openProject } from '@sisflow/service';
import { makeProject, projectFile } from './helpers.js';

const registry = defaultRegistry();
const at = (d: { code: string; span?: { start: { line: number; col: number } } }) => `${d.code}@${d.span ? `${d.span.start.line}:${d.span.start.col}` : '-'}`;

test('a spec of the project uses the connections the project declares', () => {
  const dir = makeProject();
  const opened = openProject(dir, registry);
  assert.equal(opened.diagnostics, []);
  assert.equal(opened.project!.specs, [join(dir, 'specs', 'roster.yaml')]);
  const r = compileSpecFile(opened.project!.specs[0]!, opened.project, { registry });
  assert.equal(r.diagnostics, []);
  assert.equal(Object.keys(r.plan!.connections), ['inbox', 'outbox']);
  // Alone, the same spec has no such connections.
  assert.equal(compileSpecFile(opened.project!.specs[0]!, undefined, { registry }).diagnostics.map((d) => d.code), ['SF201', 'SF201']);
});

test('a profile only the project declares replaces the project connections', () => {
  const dir = makeProject(10, { project: `${projectFile()}profiles:\n  staging:\n    connections:\n      outbox: { use: files, dir: ../staging }\n` });
  const opened = openProject(dir, registry);
  const r = compileSpecFile(opened.project!.specs[0]!, opened.project, { registry, profile: 'staging' });
  assert.equal(r.diagnostics, []);
  assert.equal(r.plan!.connections.outbox!.settings, { dir: '../staging' });
  assert.equal(compileSpecFile(opened.project!.specs[0]!, opened.project, { registry, profile: 'nope' }).diagnostics.map((d) => d.code), ['SF207']);
});

test('a bad project file: unknown key, bad time zone, clear-text secret, bad connector, glob matching nothing', () => {
  const dir = makeProject();
  writeFileSync(
    join(dir, 'sisflow.yaml'),
    `sisflow_project: 1
district:
  name: Test Unified
  timezone: America/Los_Angles
specs: [specs/*.yaml, nothing/*.yaml]
connections:
  files: { use: files, dir: out }
  mail: { use: smtp, host: mail.example.org, from: a@example.org, username: u, password: hunter2 }
  bad: { use: fils, dir: x }
colour: blue
`,
  );
  const opened = openProject(dir, registry);
  assert.is(opened.project, undefined);
  assert.equal(opened.diagnostics.map(at), ['SF601@10:1']);
  writeFileSync(join(dir, 'sisflow.yaml'), readBack(dir).replace('colour: blue\n', ''));
  const again = openProject(dir, registry);
  assert.equal(again.diagnostics.map(at).sort(), ['SF205@9:15', 'SF407@8:90', 'SF607@4:13'].sort());
  assert.match(again.diagnostics.find((d) => d.code === 'SF205')!.hint!, 'files');
  writeFileSync(join(dir, 'sisflow.yaml'), readBack(dir).replace('America/Los_Angles', 'America/Los_Angeles').replace(/  mail:.*\n  bad:.*\n/, ''));
  assert.equal(openProject(dir, registry).diagnostics.map(at), ['SF608@-']);
});

test('a folder without sisflow.yaml is SF520', () => {
  const dir = makeProject();
  assert.equal(openProject(join(dir, 'specs'), registry).diagnostics.map((d) => d.code), ['SF520']);
});

function readBack(dir: string): string {
  return readFileSync(join(dir, 'sisflow.yaml'), 'utf8');
}

test.run();
