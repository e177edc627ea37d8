// TEMPORARY stand-in until helper G's metrics land.
import type { Metric, MetricState } from './types';
export function metricFromName(m: string | Metric): Metric {
  if (typeof m !== 'string') return m;
  if (m === 'accuracy' || m === 'acc') return { name: 'accuracy', result: (s: MetricState) => s.correct / s.count };
  const k = /^top(\d+)_accuracy$/.exec(m);
  if (k) return { name: m, topk: [Number(k[1])], result: (s: MetricState) => s.topkCorrect[Number(k[1])] / s.count };
  throw new TypeError(`unknown metric ${m}`);
}
