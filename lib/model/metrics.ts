// Classification metrics from the counts Model accumulates per batch (a
// confusion matrix, top-k hits): accuracy, top-k accuracy, precision, recall,
// F1 (macro, weighted, micro, per class), and scikit-learn's
// classification_report, text for text. The rules are scikit-learn's
// (precision_recall_fscore_support with zero_division at its default: a ratio
// with nothing to divide by is 0), checked against scikit-learn on fixtures
// (scripts/make_metrics_fixtures.py, test/metrics.test.ts).
import { argError, checkInt } from '../errors';
import { noGrad } from '../autograd';
import { suggestion } from '../signature';
import { Tensor } from '../tensor';
import type { Metric, MetricState } from './types';

export type Average = 'macro' | 'weighted' | 'micro';

/** Per class, or averaged: precision, recall, F1 and support (scikit-learn's precision_recall_fscore_support). */
export interface PrecisionRecallF1<T> {
  precision: T;
  recall: T;
  f1: T;
  support: T;
}

function checkConfusion(cm: unknown): number[][] {
  if (!Array.isArray(cm) || cm.length === 0 || !cm.every((r) => Array.isArray(r) && r.length === cm.length && r.every((v) => Number.isInteger(v) && v >= 0))) {
    argError('confusion', 'a square matrix of counts (number[][], rows the true class)', cm);
  }
  return cm as number[][];
}

const ratio = (a: number, b: number, zeroDivision: number) => (b === 0 ? zeroDivision : a / b);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Precision, recall, F1 and support from a confusion matrix (rows the true
 * class, columns the predicted one): per class with `average: null`, else
 * averaged ('macro': unweighted mean over classes; 'weighted': by support;
 * 'micro': from the summed counts, which is the accuracy for single-label data).
 */
export function precisionRecallF1(confusion: number[][], options: { average: null; zeroDivision?: 0 | 1 }): PrecisionRecallF1<number[]>;
export function precisionRecallF1(confusion: number[][], options?: { average?: Average; zeroDivision?: 0 | 1 }): PrecisionRecallF1<number>;
export function precisionRecallF1(
  confusion: number[][],
  { average = 'macro', zeroDivision = 0 }: { average?: Average | null; zeroDivision?: 0 | 1 } = {},
): PrecisionRecallF1<number[]> | PrecisionRecallF1<number> {
  const cm = checkConfusion(confusion);
  if (zeroDivision !== 0 && zeroDivision !== 1) argError('zeroDivision', '0 or 1', zeroDivision);
  const n = cm.length;
  const tp = cm.map((row, i) => row[i]);
  const trueSum = cm.map((row) => sum(row)); // support
  const predSum = cm.map((_, j) => sum(cm.map((row) => row[j])));
  if (average === 'micro') {
    const t = sum(tp);
    const p = ratio(t, sum(predSum), zeroDivision);
    const r = ratio(t, sum(trueSum), zeroDivision);
    return { precision: p, recall: r, f1: ratio(2 * t, sum(trueSum) + sum(predSum), zeroDivision), support: sum(trueSum) };
  }
  const precision = tp.map((t, i) => ratio(t, predSum[i], zeroDivision));
  const recall = tp.map((t, i) => ratio(t, trueSum[i], zeroDivision));
  // scikit-learn's F-score from the counts: (1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp), β = 1
  const f1 = tp.map((t, i) => ratio(2 * t, trueSum[i] + predSum[i], zeroDivision));
  if (average === null) return { precision, recall, f1, support: trueSum };
  if (average === 'macro') return { precision: sum(precision) / n, recall: sum(recall) / n, f1: sum(f1) / n, support: sum(trueSum) };
  if (average === 'weighted') {
    const total = sum(trueSum);
    const w = (xs: number[]) => (total === 0 ? zeroDivision : sum(xs.map((x, i) => x * trueSum[i])) / total);
    return { precision: w(precision), recall: w(recall), f1: w(f1), support: total };
  }
  return argError('average', "'macro', 'weighted', 'micro' or null", average);
}

/** The confusion matrix of class indices (rows the true class, columns the predicted one), as scikit-learn's. */
export function confusionMatrix(yTrue: Tensor, yPred: Tensor, numClasses?: number): number[][] {
  if (!(yTrue instanceof Tensor) || !(yPred instanceof Tensor)) argError('yTrue, yPred', 'two tensors of class indices', [yTrue, yPred]);
  if (yTrue.dim() !== 1 || yPred.dim() !== 1 || yTrue.shape[0] !== yPred.shape[0]) {
    throw new RangeError(`confusionMatrix: yTrue and yPred must be 1-D and of the same length, got [${yTrue.shape}] and [${yPred.shape}]`);
  }
  return noGrad(() => {
    const t = yTrue.to({ dtype: 'int64', device: 'cpu' });
    const p = yPred.to({ dtype: 'int64', device: 'cpu' });
    const seen = t.numel() ? Math.max(t.max().item(), p.max().item()) + 1 : 0;
    const n = numClasses === undefined ? seen : checkInt('numClasses', numClasses, { min: 1 });
    if (seen > n) throw new RangeError(`confusionMatrix: a class index is ${seen - 1}, beyond numClasses ${n}`);
    const counts = Array.from(t.mul(n).add(p).bincount({ minlength: n * n }).toTypedArray() as BigInt64Array, Number);
    return Array.from({ length: n }, (_, i) => counts.slice(i * n, (i + 1) * n));
  });
}

// Python's format(x, '.Nf'): the double's exact value rounded half to even (JavaScript's toFixed rounds
// exact ties up: (0.125).toFixed(2) is '0.13', Python's '0.12').
function fixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  const exact = x.toFixed(Math.min(100, digits + 60));
  const rest = exact.slice(exact.indexOf('.') + 1 + digits);
  if (!/^50*$/.test(rest)) return s;
  const down = exact.slice(0, exact.indexOf('.') + 1 + digits).replace(/\.$/, '');
  const lastDigit = Number(down[down.length - 1]);
  return lastDigit % 2 === 0 ? down : s;
}
const right = (s: string, w: number) => s.padStart(w);

/**
 * scikit-learn's classification_report(y_true, y_pred, digits=…) for the
 * classes of a confusion matrix, as text: per class precision, recall, F1 and
 * support, then accuracy, macro avg and weighted avg.
 */
export function classificationReport(confusion: number[][], { targetNames, digits = 2 }: { targetNames?: string[]; digits?: number } = {}): string {
  const cm = checkConfusion(confusion);
  checkInt('digits', digits, { min: 0 });
  const names = targetNames ?? cm.map((_, i) => String(i));
  if (!Array.isArray(names) || names.length !== cm.length || names.some((x) => typeof x !== 'string')) {
    argError('targetNames', `${cm.length} strings (one per class)`, targetNames);
  }
  const per = precisionRecallF1(cm, { average: null });
  const heading = 'weighted avg';
  const width = Math.max(...names.map((s) => s.length), heading.length, digits);
  const headers = ['precision', 'recall', 'f1-score', 'support'];
  const row = (name: string, p: number, r: number, f: number, s: number) =>
    `${right(name, width)} ${[p, r, f].map((v) => ` ${right(fixed(v, digits), 9)}`).join('')} ${right(String(s), 9)}\n`;
  let report = `${right('', width)} ${headers.map((h) => ` ${right(h, 9)}`).join('')}\n\n`;
  names.forEach((name, i) => (report += row(name, per.precision[i], per.recall[i], per.f1[i], per.support[i])));
  report += '\n';
  const total = sum(per.support);
  const micro = precisionRecallF1(cm, { average: 'micro' });
  report += `${right('accuracy', width)} ${` ${right('', 9)}`.repeat(2)} ${right(fixed(micro.f1, digits), 9)} ${right(String(total), 9)}\n`;
  for (const average of ['macro', 'weighted'] as const) {
    const a = precisionRecallF1(cm, { average });
    report += row(`${average} avg`, a.precision, a.recall, a.f1, total);
  }
  return report;
}

// ---------------------------------------------------------------- Metric objects for Model

/** The fraction of samples whose highest-scoring class is the target ('accuracy'). */
export const accuracy: Metric = { name: 'accuracy', result: (s) => (s.count ? s.correct / s.count : 0) };

/** The fraction of samples whose target is among the k highest-scoring classes ('top5_accuracy'). */
export class TopKAccuracy implements Metric {
  readonly name: string;
  readonly topk: readonly number[];
  constructor(readonly k: number) {
    checkInt('k', k, { min: 1 });
    this.name = `top${k}_accuracy`;
    this.topk = [k];
  }
  result(s: MetricState): number {
    return s.count ? (s.topkCorrect[this.k] ?? 0) / s.count : 0;
  }
}

abstract class ConfusionMetric implements Metric {
  readonly name: string;
  readonly needsConfusion = true;
  readonly average: Average;
  constructor(base: string, { average = 'macro' }: { average?: Average } = {}) {
    if (average !== 'macro' && average !== 'weighted' && average !== 'micro') argError('average', "'macro', 'weighted' or 'micro'", average);
    this.average = average;
    this.name = average === 'macro' ? base : `${base}_${average}`;
  }
  protected abstract pick(r: PrecisionRecallF1<number>): number;
  result(s: MetricState): number {
    return s.confusion ? this.pick(precisionRecallF1(s.confusion, { average: this.average })) : NaN;
  }
}
/** Precision, averaged over classes ('precision', 'precision_weighted', 'precision_micro'). */
export class Precision extends ConfusionMetric {
  constructor(options?: { average?: Average }) {
    super('precision', options);
  }
  protected pick(r: PrecisionRecallF1<number>): number {
    return r.precision;
  }
}
/** Recall, averaged over classes ('recall', …). */
export class Recall extends ConfusionMetric {
  constructor(options?: { average?: Average }) {
    super('recall', options);
  }
  protected pick(r: PrecisionRecallF1<number>): number {
    return r.recall;
  }
}
/** F1, averaged over classes ('f1', …). */
export class F1Score extends ConfusionMetric {
  constructor(options?: { average?: Average }) {
    super('f1', options);
  }
  protected pick(r: PrecisionRecallF1<number>): number {
    return r.f1;
  }
}

const NAMED: Record<string, () => Metric> = {
  accuracy: () => accuracy,
  acc: () => accuracy,
  precision: () => new Precision(),
  recall: () => new Recall(),
  f1: () => new F1Score(),
};
for (const avg of ['macro', 'weighted', 'micro'] as const) {
  NAMED[`precision_${avg}`] = () => new Precision({ average: avg });
  NAMED[`recall_${avg}`] = () => new Recall({ average: avg });
  NAMED[`f1_${avg}`] = () => new F1Score({ average: avg });
}

/** A metric by name ('accuracy', 'top5_accuracy', 'precision', 'f1_weighted', …), or the Metric itself. */
export function metricFromName(m: string | Metric): Metric {
  if (typeof m === 'object' && m !== null && typeof m.name === 'string' && typeof m.result === 'function') return m;
  if (typeof m !== 'string') return argError('metric', 'a metric name or a Metric ({ name, result(state) })', m);
  const k = /^top(\d+)_accuracy$/.exec(m);
  if (k) return new TopKAccuracy(Number(k[1]));
  const make = NAMED[m];
  if (make) return make();
  throw new TypeError(`unknown metric '${m}'${suggestion(m, [...Object.keys(NAMED), 'top5_accuracy'])}`);
}
