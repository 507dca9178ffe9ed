import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../summary.js';
import { accuracyChart } from './accuracy.js';
import { breakdownChart } from './breakdown.js';
import { kvCapacityChart } from './kv-capacity.js';
import { latencyCdfChart } from './latency-cdf.js';
import { loadCurvesChart } from './load-curves.js';
import { throughputChart } from './throughput.js';
import { timelineChart } from './timeline.js';
import { tradeoffChart } from './tradeoff.js';

export interface ChartDef {
  /** File stem: <name>.vl.json, <name>.svg, <name>.png. */
  name: string;
  /** Heading in report.md. */
  title: string;
  /** One line under the chart in report.md: what to look for. */
  caption: string;
  build: (summaries: Summary[]) => TopLevelSpec | undefined;
}

/** Every chart kvsim can draw, in report order. */
export const CHARTS: readonly ChartDef[] = [
  {
    name: 'throughput', title: 'Throughput', build: throughputChart,
    caption: 'Requests/s and output tokens/s per quant_policy; the labels are the gain over the fp16 run with the same settings.',
  },
  {
    name: 'load-curves', title: 'Throughput and latency against load', build: loadCurvesChart,
    caption: 'Where each policy saturates: RPS flattens and TTFT climbs once the KV cache or the batch limit is full; a smaller cache saturates earlier.',
  },
  {
    name: 'latency-cdf', title: 'Latency distributions', build: latencyCdfChart,
    caption: 'The further left a curve, the faster; a long right tail in TTFT means requests queued for KV blocks.',
  },
  {
    name: 'kv-capacity', title: 'KV cache capacity', build: kvCapacityChart,
    caption: 'How many sequences of a given length fit in the KV cache at once: int8 holds about 2× and int4 about 4× as many as fp16.',
  },
  {
    name: 'timeline', title: 'Engine state over time', build: timelineChart,
    caption: 'Batch size, KV cache use and queue length through the run: a full cache with a small batch means the cache, not compute, limits throughput.',
  },
  {
    name: 'breakdown', title: 'Where an iteration\'s time goes', build: breakdownChart,
    caption: 'Share of the mean iteration spent in dense layers, attention, KV writes and overhead; quantizing the KV cache shrinks the attention share.',
  },
  {
    name: 'accuracy', title: 'Attention error against context length', build: accuracyChart,
    caption: 'How far int8 and int4 move the attention output away from fp16, and whether the error grows with context length.',
  },
  {
    name: 'tradeoff', title: 'Speed against accuracy', build: tradeoffChart,
    caption: 'Each point is a variant: higher is faster than fp16, further from zero along x costs more accuracy (bars: the proxy\'s uncertainty); the best trades sit high and near zero.',
  },
];

export interface BuiltChart {
  def: ChartDef;
  spec: TopLevelSpec;
}

/** The specs of the charts that apply to these summaries, in report order. */
export function buildCharts(summaries: Summary[]): BuiltChart[] {
  const out: BuiltChart[] = [];
  for (const def of CHARTS) {
    const spec = def.build(summaries);
    if (spec) out.push({ def, spec });
  }
  return out;
}

/** The definition of a chart by name. */
export function chartDef(name: string): ChartDef | undefined {
  return CHARTS.find((c) => c.name === name);
}
