// The `sisflow` command line: a thin layer over @sisflow/core and @sisflow/connectors.
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { specSchemaFor } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { collectParam, EXIT, processOut, type Out } from './io.js';
import { demo } from './commands/demo.js';
import { plan } from './commands/plan.js';
import { run } from './commands/run.js';
import { serve } from './commands/serve.js';
import { decide, history, show } from './commands/history.js';
import { schedule } from './commands/schedule.js';
import { fingerprint } from './commands/sftp.js';
import { grants } from './commands/grants.js';
import { init } from './commands/init.js';
import { onerosterCheck } from './commands/oneroster.js';
import { test } from './commands/test.js';
import { validate } from './commands/validate.js';

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export async function main(argv: string[], out: Out = processOut, signal?: AbortSignal): Promise<number> {
  let code: number = EXIT.ok;
  const set = (c: number) => void (code = c);
  const program = new Command('sisflow')
    .description('school-data integrations as reviewed YAML specs: validate, plan, test and run them')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.stdout(s), writeErr: (s) => out.stderr(s) })
    .showSuggestionAfterError();
  const profile = () => new Option('-p, --profile <name>', 'use a profile of the spec (e.g. demo)');
  const param = () => new Option('--param <name=value>', 'set a parameter (repeatable; lists are comma-separated)').argParser(collectParam);
  const today = () => new Option('--today <date>', 'the date `today` means (YYYY-MM-DD), for reproducible plans').hideHelp();

  program
    .command('validate')
    .description('check specs and print every problem with its place, code and hint')
    .argument('<files...>', 'spec files, or project folders (every spec of the project)')
    .addOption(profile())
    .addOption(param())
    .addOption(today())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExamples:\n  $ sisflow validate examples/destiny/patrons.yaml\n  $ sisflow validate --format json specs/*.yaml')
    .action((files: string[], o) => set(validate(files, o, out)));
  program
    .command('plan')
    .description('compile a spec into its job plan')
    .argument('<file>', 'spec file, or a project folder (every spec of the project)')
    .addOption(profile())
    .addOption(param())
    .addOption(today())
    .option('--json', 'print the plan as JSON')
    .option('-o, --out <file>', 'write the JSON plan to a file')
    .addHelpText('after', '\nExamples:\n  $ sisflow plan examples/destiny/patrons.yaml\n  $ sisflow plan examples/destiny/patrons.yaml --param schools=991,992 -o plan.json')
    .action((file: string, o) => set(plan(file, o, out)));
  program
    .command('run')
    .description('run a spec (or a JSON plan) and publish its outputs')
    .argument('<file>', 'spec file, a project folder (every spec of the project, one after another), or a plan written by `sisflow plan --json`')
    .addOption(profile())
    .addOption(param())
    .addOption(today())
    .option('-n, --dry-run', 'do everything except publishing the outputs')
    .option('--limit <rows>', 'read at most this many rows from each source')
    .option('--json', 'print the run report as JSON')
    .option('--base-dir <dir>', 'folder that relative paths in connections resolve against (default: the file\'s)')
    .addHelpText('after', '\nEvery run but a dry run is recorded in the run history (`sisflow history`); a run of a spec never overlaps another.\nExit codes: 0 published, 1 failed, 3 held for approval by a guard, 130 cancelled.\n\nExamples:\n  $ sisflow run examples/destiny/patrons.yaml --dry-run\n  $ sisflow run plan.json --json > report.json\n  $ sisflow run examples/destiny/patrons.yaml > run.log')
    .action(async (file: string, o) => set(await run(file, o, out, signal)));
  program
    .command('serve')
    .description("run a project's specs on their schedules until stopped (SIGTERM or Ctrl-C: running runs are cancelled cleanly)")
    .argument('[project]', 'project folder (with sisflow.yaml)', '.')
    .addOption(profile())
    .addHelpText('after', '\nLogs are JSON lines on stdout when it is not a terminal. docs/operations.md has a systemd unit and a Windows service.\n\nExamples:\n  $ sisflow serve examples\n  $ sisflow serve /srv/district --profile production')
    .action(async (folder: string, o) => set(await serve(folder, o, out, signal)));
  const dir = () => new Option('-C, --dir <folder>', 'the project folder (or spec folder) whose history to use (default: here)');
  program
    .command('history')
    .description('list recorded runs, newest first')
    .argument('[spec]', 'a spec name, or a spec file (its project\'s history)')
    .addOption(dir())
    .option('--limit <n>', 'how many runs', '20')
    .option('--json', 'print the runs as JSON')
    .addHelpText('after', '\nExamples:\n  $ sisflow history -C district\n  $ sisflow history destiny-patrons -C district --json')
    .action(async (spec: string | undefined, o) => set(await history(spec, o, out)));
  program
    .command('show')
    .description('show one recorded run: counts, files and hashes, changes, rejects, warnings, what its guard saw')
    .argument('<run>', 'run id (from `sisflow history`)')
    .addOption(dir())
    .option('--json', 'print the run as JSON')
    .action(async (id: string, o) => set(await show(id, o, out)));
  program
    .command('approve')
    .description('publish the staged outputs of a run a guard held, exactly as staged')
    .argument('<run>', 'run id of a held run')
    .addOption(dir())
    .addHelpText('after', '\nRefused when the stage is gone or altered, when the destination changed since the run, or when the run is not held (a second approve).')
    .action(async (id: string, o) => set(await decide('approve', id, o, out)));
  program
    .command('discard')
    .description('drop the staged outputs of a held run; nothing is published')
    .argument('<run>', 'run id of a held run')
    .addOption(dir())
    .action(async (id: string, o) => set(await decide('discard', id, o, out)));
  program
    .command('test')
    .description('run the tests written inside specs')
    .argument('<files...>', 'spec files, or project folders')
    .addOption(profile())
    .addOption(today())
    .addHelpText('after', '\nExamples:\n  $ sisflow test examples/destiny/patrons.yaml')
    .action(async (files: string[], o) => set(await test(files, o, out)));
  program
    .command('schedule')
    .description("show a spec's schedule and its next run times")
    .argument('<file>', 'spec file')
    .option('-c, --count <n>', 'how many run times', '5')
    .addHelpText('after', '\nExamples:\n  $ sisflow schedule examples/destiny/patrons.yaml --count 10')
    .action((file: string, o) => set(schedule(file, o, out)));
  program
    .command('schema')
    .description('print the JSON Schema of the spec language with every connector (for editors)')
    .addHelpText('after', '\nExamples:\n  $ sisflow schema > sisflow.schema.json')
    .action(() => out.stdout(JSON.stringify(specSchemaFor(defaultRegistry()), null, 2)));
  program
    .command('demo')
    .description('validate, test and run the Destiny example on the built-in demo district')
    .addHelpText('after', '\nExamples:\n  $ sisflow demo')
    .action(async () => set(await demo(out, signal)));

  program
    .command('init')
    .description('write a starter spec for an integration (with comments, tests and a production profile)')
    .argument('<integration>', 'destiny')
    .argument('[dir]', 'folder to write into (default: here)')
    .option('--force', 'overwrite existing files')
    .addHelpText('after', '\nExamples:\n  $ sisflow init destiny district/destiny')
    .action((kind: string, dir: string | undefined, o) => set(init(kind, dir, o, out)));
  program
    .command('grants')
    .description('print the T-SQL for a SQL Server role with exactly the permissions the spec needs')
    .argument('<file>', 'spec file')
    .addOption(profile())
    .addOption(param())
    .addOption(today())
    .option('--connection <name>', 'only this connection')
    .option('--role <name>', 'role name (default: sisflow_<spec name>)')
    .option('--login <name>', "also create a database user for this existing login and add it to the role")
    .addHelpText('after', '\nExamples:\n  $ sisflow grants examples/destiny/patrons.yaml --profile production\n  $ sisflow grants examples/siras/import.yaml --profile production --login sisflow_siras > grants.sql')
    .action((file: string, o) => set(grants(file, o, out)));
  const oneroster = program.command('oneroster').description('OneRoster 1.1 CSV helpers');
  oneroster
    .command('check')
    .description('check a OneRoster 1.1 CSV bundle (folder or zip): manifest, headers, required fields, enumerations, formats, unique ids, references')
    .argument('<path>', 'bundle folder or zip')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExamples:\n  $ sisflow oneroster check out/oneroster.zip\n  $ sisflow oneroster check vendor-bundle/ --format json')
    .action(async (path: string, o) => set(await onerosterCheck(path, o, out)));
  const sftp = program.command('sftp').description('SFTP helpers');
  sftp
    .command('fingerprint')
    .description("print an SFTP server's host key fingerprints, to pin in a connection's `host_key`")
    .argument('<host[:port]>', 'server, e.g. sftp.example.org or files.example.org:7472')
    .option('--timeout <seconds>', 'connection timeout', '10')
    .addHelpText('after', '\nExamples:\n  $ sisflow sftp fingerprint sftp.example.org\n  $ sisflow sftp fingerprint files.example.org:7472')
    .action(async (target: string, o) => set(await fingerprint(target, o, out)));

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    throw e;
  }
  return code;
}
