// Metrics against scikit-learn (test/fixtures/metrics.json, from scripts/make_metrics_fixtures.py):
// confusion matrix, precision/recall/F1 per class and averaged, the classification report text, top-k accuracy;
// and the same counts accumulated by Model.evaluate.
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';
import { classificationReport, confusionMatrix, F1Score, metricFromName, precisionRecallF1, Precision, Recall, TopKAccuracy } from '../lib/model/metrics';

interface Case {
  name: string;
  yTrue: number[];
  yPred: number[];
  numClasses: number;
  confusion: number[][];
  targetNames?: string[];
  reports: Record<string, string>;
  prf: Record<string, { precision: number | number[]; recall: number | number[]; f1: number | number[]; support: number[] | null }>;
  scores?: number[][];
  topk?: Record<string, number>;
}
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'metrics.json'), 'utf8')) as { sklearn: string; cases: Case[] };

describe.each(fixture.cases.map((c) => [c.name, c] as const))('%s (scikit-learn %s)', (_name, c) => {
  test('confusion matrix', () => {
    expect(confusionMatrix(torch.tensor(c.yTrue), torch.tensor(c.yPred), c.numClasses)).toEqual(c.confusion);
  });
  test('classification report, text for text (digits 2 and 4)', () => {
    for (const d of ['2', '4']) expect(classificationReport(c.confusion, { targetNames: c.targetNames, digits: Number(d) })).toBe(c.reports[d]);
  });
  test('precision, recall, F1 per class and averaged', () => {
    const per = precisionRecallF1(c.confusion, { average: null });
    const want = c.prf.None;
    (['precision', 'recall', 'f1'] as const).forEach((k) => (want[k] as number[]).forEach((v, i) => expect(per[k][i]).toBeCloseTo(v, 12)));
    expect(per.support).toEqual(want.support);
    for (const average of ['macro', 'weighted', 'micro'] as const) {
      const got = precisionRecallF1(c.confusion, { average });
      for (const k of ['precision', 'recall', 'f1'] as const) expect(got[k]).toBeCloseTo(c.prf[average][k] as number, 12);
    }
  });
  if (c.scores) {
    test('top-k accuracy through Model.evaluate’s counts equals scikit-learn’s', async () => {
      const scores = torch.tensor(c.scores!);
      const y = torch.tensor(c.yTrue);
      const identity = new torch.nn.Identity();
      const model = new torch.Model(identity, {
        loss: (out: torch.Tensor, t: torch.Tensor) => torch.nn.functional.crossEntropy(out, t),
        metrics: ['accuracy', 'top2_accuracy', new TopKAccuracy(3), 'precision', new Recall({ average: 'weighted' }), 'f1_micro'],
      });
      const ev = await model.evaluate([scores, y], { batchSize: 64, verbose: 0 });
      expect(ev.logs.accuracy).toBeCloseTo(c.topk!['1'], 12);
      expect(ev.logs.top2_accuracy).toBeCloseTo(c.topk!['2'], 12);
      expect(ev.logs.top3_accuracy).toBeCloseTo(c.topk!['3'], 12);
      expect(ev.logs.precision).toBeCloseTo(c.prf.macro.precision as number, 12);
      expect(ev.logs.recall_weighted).toBeCloseTo(c.prf.weighted.recall as number, 12);
      expect(ev.logs.f1_micro).toBeCloseTo(c.prf.micro.f1 as number, 12);
      expect(ev.confusion).toEqual(c.confusion);
    });
  }
});

test('metric names: Keras’s and sklearn’s spellings, refusals with a suggestion', () => {
  expect(metricFromName('acc').name).toBe('accuracy');
  expect(metricFromName('top5_accuracy').topk).toEqual([5]);
  expect(metricFromName('f1_weighted')).toBeInstanceOf(F1Score);
  expect(metricFromName('precision')).toBeInstanceOf(Precision);
  expect(() => metricFromName('acuracy')).toThrow(/did you mean 'accuracy'/);
  expect(() => metricFromName(3 as never)).toThrow(TypeError);
  expect(() => new F1Score({ average: 'samples' as never })).toThrow(/average/);
  expect(() => classificationReport([[1, 2]])).toThrow(/square matrix/);
  expect(() => classificationReport([[1]], { targetNames: ['a', 'b'] })).toThrow(/targetNames/);
});
