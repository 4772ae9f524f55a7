// The `sisflow` command line: a thin layer over @sisflow/core and @sisflow/connectors.
import { Command, CommanderError, Option } from 'commander';
import { collectParam, EXIT, processOut, VERSION, type Out } from './io.js';
import { validate } from './commands/validate.js';
import { accessCheck, decide, demo, doctor, fingerprint, grants, history, init, onerosterCheck, plan, run, schedule, serve, show, specSchema, test, transferApprove, transferDeny, transferImport, transferKeys, transferList, transferRequest, transferServe, transferShow, transferSignRegistry, worker } from './lazy-verbs.js';


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
  // Every verb prints its result as JSON on stdout with --json; `--format json` is the same switch.
  const json = (what = 'the result') => new Option('--json', `print ${what} as JSON on stdout`);
  const today = () => new Option('--today <date>', "the date `today` means (YYYY-MM-DD; default: today in the spec's schedule time zone, else this machine's)");

  program
    .command('validate')
    .description('check specs and print every problem with its place, code and hint')
    .argument('<files...>', 'spec files, or project folders (every spec of the project)')
    .addOption(profile())
    .addOption(param())
    .addOption(today())
    .addOption(json('the diagnostics'))
    .addOption(new Option('--format <format>', 'output format (`--format json` is --json)').choices(['text', 'json']).default('text'))
    .option('--sarif <file>', 'also write the diagnostics as SARIF 2.1.0 (GitHub code scanning shows them at the spec line)')
    .addHelpText('after', '\nExamples:\n  $ sisflow validate patrons.yaml\n  $ sisflow validate --format json specs/*.yaml\n  $ sisflow validate specs/*.yaml --sarif sisflow.sarif')
    .action((files: string[], o) => set(validate(files, o, out)));
  program
    .command('plan')
    .description('compile a spec into its job plan')
    .argument('<file>', 'spec file, or a project folder (every spec of the project)')
    .addOption(profile())
    .addOption(param())
    .addOption(today())
    .addOption(json('the plan'))
    .option('-o, --out <file>', 'write the JSON plan to a file')
    .option('--diff <old>', 'show what changed from OLD: a plan JSON, another spec, or a git revision of this spec (HEAD, main~1)')
    .addHelpText('after', '\nExamples:\n  $ sisflow plan patrons.yaml\n  $ sisflow plan patrons.yaml --param schools=991,992 -o plan.json\n  $ sisflow plan patrons.yaml --diff HEAD        # what this edit changes\n  $ sisflow plan patrons.yaml --diff plan.json --json')
    .action(async (file: string, o) => set(await plan(file, o, out)));
  program
    .command('run')
    .description('run a spec (or a JSON plan) and publish its outputs')
    .argument('<file>', 'spec file, a project folder (every spec of the project, one after another), or a plan written by `sisflow plan --json`')
    .addOption(profile())
    .addOption(param())
    .addOption(today())
    .option('-n, --dry-run', 'do everything except publishing the outputs')
    .option('--limit <rows>', 'read at most this many rows from each source')
    .addOption(json('the run report'))
    .option('--base-dir <dir>', 'folder that relative paths in connections resolve against (default: the file\'s)')
    .addHelpText('after', '\nEvery run but a dry run is recorded in the run history (`sisflow history`); a run of a spec never overlaps another.\nExit codes: 0 published, 1 failed, 3 held for approval by a guard, 130 cancelled.\n\nExamples:\n  $ sisflow run patrons.yaml --dry-run\n  $ sisflow run plan.json --json > report.json\n  $ sisflow run patrons.yaml > run.log')
    .action(async (file: string, o) => set(await run(file, o, out, signal)));
  program
    .command('serve')
    .description("run a project's specs on their schedules until stopped (SIGTERM or Ctrl-C: running runs are cancelled cleanly)")
    .argument('[project...]', 'project folder (with sisflow.yaml; default: here); with --queue, any number of district projects')
    .addOption(profile())
    .addOption(json('the log (JSON lines, also on a terminal)'))
    .option('--http <address>', 'also serve the status console and /metrics at HOST:PORT (loopback only unless TLS or --http-insecure-public; docs/console.md)')
    .option('--http-tls-cert <file>', 'serve the console over HTTPS with this PEM certificate')
    .option('--http-tls-key <file>', 'the PEM private key of --http-tls-cert')
    .option('--http-insecure-public', 'allow --http on a non-loopback address without TLS')
    .option('--queue <url>', 'fleet mode: keep these projects\' schedules as BullMQ job schedulers in this Redis (redis://host:6379); `sisflow worker` runs them')
    .option('--projects-dir <dir>', 'with --queue: also every project folder directly under DIR')
    .option('--history <url>', 'the shared PostgreSQL history, postgres://user:${secret:NAME}@host/db (default: each project\'s `history: url:`)')
    .option('--run-now <spec>', 'with --queue: queue one run of SPEC now, ahead of scheduled work, and exit')
    .option('--district <name>', 'with --run-now and several projects: whose SPEC')
    .addHelpText('after', '\nLogs are JSON lines on stdout when it is not a terminal. docs/operations.md has a systemd unit and a Windows service; docs/fleet.md runs many districts on workers.\n\nExamples:\n  $ sisflow serve examples\n  $ sisflow serve /srv/district --profile production\n  $ sisflow serve /srv/district --http 127.0.0.1:8080\n  $ sisflow serve --queue redis://127.0.0.1:6379 --projects-dir /srv/districts')
    .action(async (folders: string[], o) => set(await serve(folders, o, out, signal)));
  program
    .command('worker')
    .description('fleet mode: run the jobs `sisflow serve --queue` schedules, until stopped (SIGTERM: running runs are cancelled and go back to the queue)')
    .argument('[project...]', 'district project folders this worker serves')
    .requiredOption('--queue <url>', 'the Redis of the fleet (redis://host:6379)')
    .option('--projects-dir <dir>', 'also every project folder directly under DIR')
    .option('--history <url>', 'the shared PostgreSQL history (default: each project\'s `history: url:`)')
    .option('--concurrency <n>', 'runs at once in this process', '1')
    .option('--district-concurrency <n>', 'runs of one district at once across the whole fleet', '2')
    .option('--lock-seconds <n>', 'a job whose worker stops answering for this long is run by another worker', '30')
    .addOption(profile())
    .addOption(json('the log (JSON lines, also on a terminal)'))
    .addHelpText('after', '\nExamples:\n  $ sisflow worker --queue redis://10.0.0.5:6379 --projects-dir /srv/districts --concurrency 4')
    .action(async (folders: string[], o) => set(await worker(folders, o, out, signal)));
  const dir = () => new Option('-C, --dir <folder>', 'the project folder (or spec folder) whose history to use (default: here)');
  const historyUrl = () => new Option('--history <url>', "a shared PostgreSQL history, postgres://user:${secret:NAME}@host/db (default: the project's `history: url:`, else .sisflow/history.db)");
  program
    .command('history')
    .description('list recorded runs, newest first')
    .argument('[spec]', 'a spec name, or a spec file (its project\'s history)')
    .addOption(dir())
    .addOption(historyUrl())
    .option('--limit <n>', 'how many runs', '20')
    .addOption(json('the runs'))
    .addHelpText('after', '\nExamples:\n  $ sisflow history -C district\n  $ sisflow history destiny-patrons -C district --json')
    .action(async (spec: string | undefined, o) => set(await history(spec, o, out)));
  program
    .command('show')
    .description('show one recorded run: counts, files and hashes, changes, rejects, warnings, what its guard saw')
    .argument('<run>', 'run id (from `sisflow history`)')
    .addOption(dir())
    .addOption(historyUrl())
    .addOption(json('the run'))
    .action(async (id: string, o) => set(await show(id, o, out)));
  program
    .command('approve')
    .description('publish the staged outputs of a run a guard held, exactly as staged')
    .argument('<run>', 'run id of a held run')
    .addOption(dir())
    .addOption(historyUrl())
    .addOption(json('the decision'))
    .addHelpText('after', '\nRefused when the stage is gone or altered, when the destination changed since the run, or when the run is not held (a second approve).')
    .action(async (id: string, o) => set(await decide('approve', id, o, out)));
  program
    .command('discard')
    .description('drop the staged outputs of a held run; nothing is published')
    .argument('<run>', 'run id of a held run')
    .addOption(dir())
    .addOption(historyUrl())
    .addOption(json('the decision'))
    .action(async (id: string, o) => set(await decide('discard', id, o, out)));
  program
    .command('test')
    .description('run the tests written inside specs')
    .argument('<files...>', 'spec files, or project folders')
    .addOption(profile())
    .addOption(param())
    .addOption(today())
    .addOption(json('the test results'))
    .option('--junit <file>', 'also write the results as JUnit XML (for CI)')
    .addHelpText('after', "\nA test's own `params:` win over --param and the profile's.\n\nExamples:\n  $ sisflow test patrons.yaml\n  $ sisflow test patrons.yaml --profile production --param schools=991,993")
    .action(async (files: string[], o) => set(await test(files, o, out)));
  program
    .command('schedule')
    .description("show a spec's schedule and its next run times")
    .argument('<file>', 'spec file')
    .addOption(profile())
    .addOption(param())
    .option('-c, --count <n>', 'how many run times', '5')
    .addOption(json('the schedule and run times'))
    .addHelpText('after', '\nExamples:\n  $ sisflow schedule patrons.yaml --count 10')
    .action(async (file: string, o) => set(await schedule(file, o, out)));
  program
    .command('schema')
    .description('print the JSON Schema of the spec language with every connector (for editors)')
    .addOption(json('the schema (it always is JSON)'))
    .addHelpText('after', '\nExamples:\n  $ sisflow schema > sisflow.schema.json')
    .action(async () => out.stdout(JSON.stringify(await specSchema(), null, 2)));
  program
    .command('demo')
    .description('validate, test and run the Destiny example on the built-in demo district')
    .option('--reset', 'start the demo district of this project folder over (imports into it are undone) and exit')
    .addOption(json("each step's result"))
    .addHelpText('after', '\nThe demo database lives in the project folder\'s .sisflow/demo/ (the nearest folder up from here\nwith sisflow.yaml or .git, else here); SISFLOW_DEMO_DIR names another folder.\n\nExamples:\n  $ sisflow demo\n  $ sisflow demo --reset')
    .action(async (o: { reset?: boolean; json?: boolean }) => set(await demo(o, out, signal)));

  program
    .command('init')
    .description('write a starter spec for an integration (with comments, tests and a production profile)')
    .argument('<integration>', 'destiny, siras (Aeries → SIRAS) or oneroster (Aeries → a OneRoster 1.1 CSV bundle)')
    .argument('[dir]', 'folder to write into (default: here)')
    .option('--force', 'overwrite existing files')
    .addOption(json('the files written'))
    .addHelpText('after', '\nExamples:\n  $ sisflow init destiny district/destiny\n  $ sisflow init siras district/siras\n  $ sisflow init oneroster district/oneroster')
    .action(async (kind: string, dir: string | undefined, o) => set(await init(kind, dir, o, out)));
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
    .addOption(json('the SQL of each connection'))
    .addHelpText('after', '\nExamples:\n  $ sisflow grants patrons.yaml --profile production\n  $ sisflow grants examples/siras/import.yaml --profile production --login sisflow_siras > grants.sql')
    .action(async (file: string, o) => set(await grants(file, o, out)));
  program
    .command('doctor')
    .description("check, before a first run, everything a spec needs here: every missing setting and secret at once, then each connection (log-in, host key, grants, files, folders) without moving data")
    .argument('<file>', 'spec file')
    .addOption(profile())
    .addOption(param())
    .addOption(json('the findings'))
    .addHelpText('after', '\nExamples:\n  $ sisflow doctor patrons.yaml --profile production\n  $ sisflow doctor examples/siras/import.yaml --profile production --json')
    .action(async (file: string, o) => set(await doctor(file, o, out, signal)));
  const access = program.command('access').description("a spec's API keys and their permissions");
  access
    .command('check')
    .description('ask each API the spec uses whether its key has the permissions the spec needs (and no sensitive ones it does not); exit 1 when one is refused')
    .argument('<file>', 'spec file')
    .addOption(profile())
    .addOption(param())
    .addOption(today())
    .addOption(json('the answers'))
    .addHelpText('after', '\nExamples:\n  $ sisflow access check examples/siras/export.yaml\n  $ sisflow access check examples/oneroster/grade-passback.yaml --json')
    .action(async (file: string, o) => set(await accessCheck(file, o, out, signal)));
  const oneroster = program.command('oneroster').description('OneRoster 1.1 CSV helpers');
  oneroster
    .command('check')
    .description('check a OneRoster 1.1 CSV bundle (folder or zip): manifest, headers, required fields, enumerations, formats, unique ids, references')
    .argument('<path>', 'bundle folder or zip')
    .addOption(json('the diagnostics'))
    .addOption(new Option('--format <format>', 'output format (`--format json` is --json)').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExamples:\n  $ sisflow oneroster check out/oneroster.zip\n  $ sisflow oneroster check vendor-bundle/ --format json')
    .action(async (path: string, o) => set(await onerosterCheck(path, o, out)));
  const sftp = program.command('sftp').description('SFTP helpers');
  sftp
    .command('fingerprint')
    .description("print an SFTP server's host key fingerprints, to pin in a connection's `host_key`")
    .argument('<host[:port]>', 'server, e.g. sftp.example.org or files.example.org:7472')
    .option('--timeout <seconds>', 'connection timeout', '10')
    .addOption(json('the fingerprints'))
    .addHelpText('after', '\nExamples:\n  $ sisflow sftp fingerprint sftp.example.org\n  $ sisflow sftp fingerprint files.example.org:7472')
    .action(async (target: string, o) => set(await fingerprint(target, o, out)));

  const transfer = program.command('transfer').description('student records transfer between districts (docs/records-transfer.md)');
  const config = () => new Option('-c, --config <file>', "the district's transfer configuration").default('transfer.yaml');
  transfer
    .command('keys')
    .description("create this district's signing and encryption keys (private halves into the secrets folder) and print its registry entry")
    .requiredOption('--secrets <dir>', 'secrets folder (SISFLOW_SECRETS_DIR) the private keys are written to')
    .option('--district <code>', "this district's registry code")
    .option('--name <name>', "this district's name")
    .option('--url <url>', "this district's service address (https://…)")
    .option('--operator', "create the registry operator's key instead (prints the thumbprint districts pin)")
    .option('--force', 'replace existing keys')
    .addOption(json('the registry entry (or operator key) and the files written'))
    .addHelpText('after', '\nExamples:\n  $ sisflow transfer keys --secrets /etc/sisflow/secrets --district 1964212 --name "Prior Unified" --url https://transfer.prior.k12.ca.us')
    .action(async (o) => set(await transferKeys(o, out)));
  transfer
    .command('sign-registry')
    .description('registry operator: sign a registry document (JSON with `districts`)')
    .argument('<file>', 'registry document (JSON)')
    .requiredOption('--key <file>', "the operator's private key file")
    .option('-o, --out <file>', 'write the signed registry here')
    .addOption(json('the signed registry (or where it was written)'))
    .action(async (file: string, o) => set(await transferSignRegistry(file, o, out)));
  transfer
    .command('request')
    .description("ask a prior district for an enrolled student's records")
    .addOption(config())
    .requiredOption('--from <code>', "the prior district's registry code")
    .requiredOption('--student <id>', "this district's permanent student ID (kept here)")
    .option('--ssid <ssid>', 'statewide student ID (default: from Aeries)')
    .option('--last-name <name>', 'last name (default: from Aeries)')
    .option('--first-name <name>', 'first name (default: from Aeries)')
    .option('--birth-date <date>', 'birth date, YYYY-MM-DD (default: from Aeries)')
    .option('--prior-id <id>', "the student's ID at the prior district, if known")
    .addOption(json('the request ID'))
    .addHelpText('after', '\nExamples:\n  $ sisflow transfer request --from 1964212 --student 900001\n  $ sisflow transfer request --from 1964212 --student 900001 --ssid 1000700014 --last-name Patel --first-name Liam --birth-date 2011-02-16')
    .action(async (o) => set(await transferRequest(o, out, signal)));
  transfer
    .command('list')
    .description('requests received (to approve or deny) and made (packages to review and import)')
    .addOption(config())
    .addOption(json())
    .action(async (o) => set(await transferList(o, out)));
  transfer
    .command('approve')
    .description('approve a received request: the send spec seals and delivers the records')
    .argument('<id>', 'request ID')
    .addOption(config())
    .option('--student <id>', 'the student here, when the request matched nobody or the wrong one')
    .option('--confirm-match', 'confirm a match made by name and birth date only')
    .addOption(json('what was sent'))
    .action(async (id: string, o) => set(await transferApprove(id, o, out, signal)));
  transfer
    .command('deny')
    .description('deny a received request')
    .argument('<id>', 'request ID')
    .addOption(config())
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .addOption(json('the decision'))
    .action(async (id: string, o) => set(await transferDeny(id, o, out)));
  transfer
    .command('show')
    .description('review a received package beside what Aeries has: new, same, different; mapping problems as rejects')
    .argument('<id>', 'request ID')
    .addOption(config())
    .addOption(json())
    .action(async (id: string, o) => set(await transferShow(id, o, out, signal)));
  transfer
    .command('import')
    .description('import a reviewed package with the receive spec (all or nothing)')
    .argument('<id>', 'request ID')
    .addOption(config())
    .addOption(json('what was imported'))
    .action(async (id: string, o) => set(await transferImport(id, o, out, signal)));
  transfer
    .command('serve')
    .description("run this district's HTTPS service for requests and packages from other districts")
    .addOption(config())
    .addOption(json('where it listens, once started'))
    .action(async (o) => set(await transferServe(o, out, signal)));

  // `--format json` (the older spelling) is --json; every verb reads only `json`. A verb without
  // --format of its own takes it too, hidden, so scripts written either way work on every verb.
  for (const verb of verbs(program)) {
    if (!verb.options.some((o) => o.long === '--format')) verb.addOption(new Option('--format <format>').choices(['text', 'json']).hideHelp());
  }
  program.hook('preAction', (_program, verb) => {
    if (verb.getOptionValue('format') === 'json') verb.setOptionValue('json', true);
  });

  if (argv.length === 0) {
    // `sisflow` alone is a question, not a mistake: the overview, exit 0.
    out.stdout(program.helpInformation());
    return EXIT.ok;
  }
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

/** The commands that do something (leaves of the command tree), e.g. `validate`, `access check`. */
export function verbs(command: Command): Command[] {
  return command.commands.flatMap((c) => (c.commands.length > 0 ? verbs(c) : [c]));
}
