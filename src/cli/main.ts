#!/usr/bin/env node
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { VERSION } from '../util/version.js';
import type { AccuracyArgs } from './commands/accuracy.js';
import type { CalibrateArgs } from './commands/calibrate.js';
import type { CapacityArgs } from './commands/capacity.js';
import type { CompareArgs } from './commands/compare.js';
import type { CostArgs } from './commands/cost.js';
import { runOptions, type RunArgs } from './run-options.js';
import { EXIT, exitWithError, setDebug } from './exit.js';

// Command modules load on use: a start that only validates or prints help skips the engine,
// the charts and the accuracy proxy.
const lazy = {
  run: () => import('./commands/run.js'),
  validate: () => import('./commands/validate.js'),
  capacity: () => import('./commands/capacity.js'),
  cost: () => import('./commands/cost.js'),
  catalog: () => import('./commands/catalog.js'),
  compare: () => import('./commands/compare.js'),
  check: () => import('./commands/check.js'),
  merge: () => import('./commands/merge.js'),
  fitA100: () => import('./commands/fit-a100.js'),
  accuracy: () => import('./commands/accuracy.js'),
  calibrate: () => import('./commands/calibrate.js'),
  chart: () => import('./commands/chart.js'),
};

const EPILOG = `Scenario files name a model, a device, an LMDeploy engine configuration
(quant_policy 0 = fp16, 8 = int8, 4 = int4; cache_max_entry_count; block_size; ...)
and a workload. See scenarios/ for examples and README.md for the format.

Exit codes: 0 ok, 1 a comparison found a difference, 2 bad input or usage.`;

function cli(argv: string[]): Argv {
  return yargs(argv)
    .scriptName('kvsim')
    .usage('kvsim <command> [options]\n\nSimulate LLM serving with a quantized paged KV cache (LMDeploy TurboMind / PyTorch engine).')
    .command('run <scenario..>', 'simulate scenarios and write OUT/<name>/summary.json', runOptions, async (a) => (await lazy.run()).runCommand(a as RunArgs))
    .command('validate <scenario..>', 'check scenario files without running them',
      (y) => y.positional('scenario', { type: 'string', array: true, demandOption: true }).option('json', { type: 'boolean', default: false }).option('allow-large', { type: 'boolean', default: false }),
      async (a) => (await lazy.validate()).validateCommand(a as unknown as { scenario: string[]; json: boolean; 'allow-large': boolean }))
    .command('capacity', 'KV cache blocks and tokens for a model on a device, per quant_policy',
      (y) => y
        .option('model', { type: 'string', demandOption: true, describe: 'catalogue model (kvsim catalog)' })
        .option('device', { type: 'string', demandOption: true, describe: 'catalogue device' })
        .option('quant-policy', { type: 'number', array: true, describe: '0, 8 or 4; several allowed (default: all three in the table, 0 with --json)' })
        .option('cache-max-entry-count', { type: 'number', default: 0.8, describe: 'fraction of free memory for the KV cache' })
        .option('block-size', { type: 'number', default: 64, describe: 'tokens per KV block' })
        .option('tp', { type: 'number', default: 1, describe: 'tensor-parallel GPUs' })
        .option('backend', { type: 'string', choices: ['turbomind', 'pytorch'] })
        .option('context', { type: 'number', describe: 'also print how many sequences of this length fit at once' })
        .option('json', { type: 'boolean', default: false }),
      async (a) => (await lazy.capacity()).capacityCommand(a as unknown as CapacityArgs))
    .command('cost', 'step time of one decode (--batch, --context) or prefill (--prefill) iteration',
      (y) => y
        .option('model', { type: 'string', demandOption: true })
        .option('device', { type: 'string', demandOption: true })
        .option('quant-policy', { type: 'number', default: 0 })
        .option('batch', { type: 'number', describe: 'decode sequences' })
        .option('context', { type: 'number', describe: 'context length of each decode sequence' })
        .option('prefill', { type: 'number', describe: 'prefill one sequence of this many tokens' })
        .option('tp', { type: 'number', default: 1 })
        .option('backend', { type: 'string', choices: ['turbomind', 'pytorch'] })
        .option('json', { type: 'boolean', default: false }),
      async (a) => (await lazy.cost()).costCommand(a as unknown as CostArgs))
    .command('accuracy', 'what int8 and int4 KV cost in quality for a model (accuracy proxy), without a simulation',
      (y) => y
        .option('model', { type: 'string', demandOption: true })
        .option('context', { type: 'number', describe: 'context length in tokens (default 2048)' })
        .option('grid', { type: 'boolean', default: false, describe: 'every context from 256 to the model\'s maximum positions' })
        .option('set', { type: 'string', array: true, describe: 'override an activation_profile parameter, e.g. --set key_outlier_scale=20' })
        .option('json', { type: 'boolean', default: false }),
      async (a) => (await lazy.accuracy()).accuracyCommand(a as unknown as AccuracyArgs))
    .command('catalog', 'list the models and devices, with sources and constants',
      (y) => y.option('json', { type: 'boolean', default: false }),
      async (a) => (await lazy.catalog()).catalogCommand(a as unknown as { json: boolean }))
    .command('chart <summaries..>', 're-render the charts and report.md from summary.json files alone (several are overlaid)',
      (y) => y
        .positional('summaries', { type: 'string', array: true, demandOption: true, describe: 'summary.json files, or folders holding them' })
        .option('out', { type: 'string', describe: 'output folder (default: the summary\'s folder, or out/charts for several)' })
        .example('$0 chart results/lmdeploy-kv-quant-llama2-7b/summary.json', 're-render one run\'s charts in place')
        .example('$0 chart base/summary.json head/summary.json --out out/diff', 'overlay two runs'),
      async (a) => (await lazy.chart()).chartCommand(a as unknown as { summaries: string[]; out?: string }))
    .command('compare [paths..]', 'compare two summaries or results folders (exit 1 if anything moved beyond --rtol)',
      (y) => y
        .positional('paths', { type: 'string', array: true, default: [], describe: 'BASE HEAD (summary.json files or results folders); with --git, scenario files' })
        .option('git', { type: 'string', describe: 'build kvsim at this commit in a temporary worktree and compare its results with this build' })
        .option('rtol', { type: 'number', default: 0.005, describe: 'relative tolerance' })
        .option('metrics', { type: 'string', describe: 'comma-separated metrics to compare, e.g. rps,ttft_s.p99 (default: all)' })
        .option('format', { type: 'string', choices: ['table', 'md', 'json'], default: 'table' })
        .example('$0 compare results/ out/', 'what moved between the baselines and a fresh run')
        .example('$0 compare --git main --format md', 'what this change does to every scenario, as a PR comment'),
      async (a) => (await lazy.compare()).compareCommand(a as unknown as CompareArgs))
    .command('check [scenarios..]', 're-run the scenarios and compare with the committed baselines in results/ exactly',
      (y) => y
        .positional('scenarios', { type: 'string', array: true, default: [] })
        .option('results', { type: 'string', default: 'results' })
        .option('format', { type: 'string', choices: ['table', 'md', 'json'], default: 'table' })
        .option('jobs', { type: 'number' }),
      async (a) => (await lazy.check()).checkCommand(a as unknown as { scenarios: string[]; results: string; format: 'table' | 'md' | 'json'; jobs?: number }))
    .command('merge <parts..>', 'join the partial summaries of run --shard into the full summary',
      (y) => y
        .positional('parts', { type: 'string', array: true, demandOption: true })
        .option('out', { type: 'string', default: 'out' })
        .option('charts', { type: 'boolean', default: true })
        .option('quiet', { type: 'boolean', default: false }),
      async (a) => (await lazy.merge()).mergeCommand(a as unknown as { parts: string[]; out: string; charts: boolean; quiet: boolean }))
    .command('calibrate <file>', 'fit a device\'s cost-model constants from GPU measurements (calibration/measure.py)',
      (y) => y
        .positional('file', { type: 'string', demandOption: true, describe: 'JSON written by calibration/measure.py' })
        .option('device', { type: 'string', default: 'h200', describe: 'catalogue device the measurements come from' })
        .option('json', { type: 'boolean', default: false })
        .option('markdown', { type: 'boolean', default: false, describe: 'print the validation table as markdown' })
        .option('write', { type: 'boolean', default: false, describe: 'store the fitted constants in calibration/constants.json' })
        .option('check', { type: 'boolean', default: false, describe: 'exit 1 unless the fit reproduces the committed constants' }),
      async (a) => {
        const m = await lazy.calibrate();
        m.checkCalibrateArgs(a as unknown as CalibrateArgs);
        m.calibrateCommand(a as unknown as CalibrateArgs);
      })
    .command('fit-a100', 're-derive the A100 constant fitted on LMDeploy\'s fp16 row (the int8 and int4 rows stay predictions)',
      (y) => y.option('write', { type: 'boolean', default: false }).option('check', { type: 'boolean', default: false }).option('json', { type: 'boolean', default: false }),
      async (a) => (await lazy.fitA100()).fitA100Command(a as unknown as { write: boolean; check: boolean; json: boolean }))
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces on errors' })
    .example('$0 run scenarios/lmdeploy-kv-quant-llama2-7b.yaml', 'reproduce LMDeploy\'s KV-quant table')
    .example('$0 capacity --model llama2-7b --device a100-80g --context 2048', 'blocks per policy, and 2k sequences that fit')
    .example('$0 cost --model llama3-8b --device h100-80g --quant-policy 8 --batch 128 --context 1024', 'one decode step, broken down')
    .epilog(EPILOG)
    .demandCommand(1, 'give a command; kvsim --help lists them')
    .strict()
    .recommendCommands()
    .version(VERSION)
    .help()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) exitWithError(err);
      process.stderr.write(`kvsim: ${msg}\nRun "kvsim --help" (or "kvsim <command> --help") for usage.\n`);
      process.exit(EXIT.badInput);
    });
}

async function main(): Promise<void> {
  const argv = hideBin(process.argv);
  setDebug(argv.includes('--debug'));
  try {
    await cli(argv).parseAsync();
  } catch (e) {
    exitWithError(e);
  }
}

void main();
