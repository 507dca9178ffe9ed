import type { Argv } from 'yargs';

export interface RunArgs {
  scenario: string[];
  out: string;
  seed?: number | undefined;
  json: boolean;
  requests: boolean;
  quiet: boolean;
  charts: boolean;
  jobs?: number | undefined;
  shard?: string | undefined;
  'exact-steps': boolean;
  'allow-large': boolean;
}

export function runOptions(y: Argv): Argv<RunArgs> {
  return y
    .positional('scenario', { type: 'string', array: true, demandOption: true, describe: 'scenario files (YAML or JSON)' })
    .option('out', { type: 'string', default: 'out', describe: 'output folder; each scenario writes OUT/<name>/' })
    .option('seed', { type: 'number', describe: 'override the scenario seed' })
    .option('json', { type: 'boolean', default: false, describe: 'print the summaries as JSON (without chart series) instead of tables' })
    .option('requests', { type: 'boolean', default: false, describe: 'also write requests.csv with one row per request' })
    .option('charts', { type: 'boolean', default: true, describe: 'write charts and report.md (--no-charts to skip, for speed)' })
    .option('jobs', { type: 'number', describe: 'run variants on this many worker threads (default: the number of cores)' })
    .option('shard', { type: 'string', describe: 'run only slice I of N of the sweep (I/N, 1-based), for CI matrices; join with kvsim merge' })
    .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors (and --json output)' })
    .option('exact-steps', { type: 'boolean', default: false, describe: 'use the step-by-step reference engine (slow; for checking the fast path)' })
    .option('allow-large', { type: 'boolean', default: false, describe: 'allow sweeps of more than 10,000 variants' }) as unknown as Argv<RunArgs>;
}

