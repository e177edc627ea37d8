// Downloading data set files as torchvision does: each file from the first of
// a list of mirrors that serves it with the right MD5, written atomically (a
// temporary file in the same folder, checked, then renamed).
//
// The HTTP work runs in a child Node process, whether the caller waits for it
// synchronously (a data set's constructor with `download: true`, like
// torchvision's) or with a Promise (`MNIST.download(root)`): one code path for
// both, no busy-waiting, and a blocked parent cannot starve the download. The
// child's program is the plain JavaScript in CHILD_SOURCE below; it reads a
// request as JSON on stdin and writes its result as JSON on stdout.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { argError, checkInt } from '../errors';

/** A file to fetch and its MD5 (hex), as in torchvision's `resources`; null skips the check. */
export type Resource = [filename: string, md5: string | null];

export interface DownloadOptions {
  /** Base URLs, tried in order; a file's URL is the mirror followed by its name. */
  mirrors?: string[];
  /** The files and their MD5s. */
  resources?: Resource[];
  /** Milliseconds without data (connecting or receiving) before a mirror counts as failed; default 60000. */
  timeout?: number;
}

/** One mirror's failure for one file. */
export interface DownloadAttempt {
  url: string;
  reason: string;
}

/** Every mirror failed for `file`; `attempts` says where and why. */
export class DownloadError extends Error {
  constructor(
    readonly file: string,
    readonly folder: string,
    readonly attempts: DownloadAttempt[],
    what: string,
  ) {
    super(
      `${what}: could not download ${file} into ${folder}; ` +
        (attempts.length ? `every mirror failed:\n${attempts.map((a) => `  - ${a.url}: ${a.reason}`).join('\n')}` : 'no mirrors were given') +
        `\nPass other mirrors (the option mirrors, or ${what}.mirrors), or put the file in ${folder} yourself.`,
    );
    this.name = 'DownloadError';
  }
}

interface ChildRequest {
  folder: string;
  resources: Resource[];
  mirrors: string[];
  timeout: number;
}
interface ChildResult {
  downloaded: string[];
  failed: { file: string; attempts: DownloadAttempt[] } | null;
}

// The child process's program (plain JavaScript: it runs with `node -e`).
const CHILD_SOURCE = String.raw`
'use strict';
const http = require('http');
const https = require('https');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { pipeline } = require('stream');

function describe(e) {
  const codes = { ECONNREFUSED: 'connection refused', ENOTFOUND: 'host not found', ECONNRESET: 'connection reset',
    ETIMEDOUT: 'connection timed out', EHOSTUNREACH: 'host unreachable', ENETUNREACH: 'network unreachable' };
  if (e && codes[e.code]) return codes[e.code] + ' (' + e.code + ')';
  return (e && e.message) || String(e);
}

// Fetches url into tmp and checks its MD5; resolves null on success, else the reason.
function fetchTo(url, tmp, md5, timeout, redirects) {
  return new Promise((resolve) => {
    let done = false;
    let out = null;
    const finish = (reason) => {
      if (done) return;
      done = true;
      // Resolve only once the temporary file is closed, so that the caller can remove it.
      if (out && !out.closed) {
        out.destroy();
        out.once('close', () => resolve(reason));
      } else resolve(reason);
    };
    let u;
    try {
      u = new URL(url);
    } catch (e) {
      return finish('not a valid URL');
    }
    const lib = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : null;
    if (!lib) return finish('unsupported protocol ' + u.protocol + ' (http: and https: are)');
    const req = lib.get(u, { timeout, headers: { 'user-agent': 'nodetorch' } }, (res) => {
      const status = res.statusCode;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects >= 5) return finish('too many redirects');
        return fetchTo(new URL(res.headers.location, u).href, tmp, md5, timeout, redirects + 1).then(finish);
      }
      if (status !== 200) {
        res.resume();
        return finish('HTTP ' + status + ' ' + (res.statusMessage || ''));
      }
      const expected = res.headers['content-length'] === undefined ? -1 : Number(res.headers['content-length']);
      const hash = crypto.createHash('md5');
      let received = 0;
      res.on('data', (chunk) => {
        hash.update(chunk);
        received += chunk.length;
      });
      out = fs.createWriteStream(tmp, { flags: 'wx' });
      pipeline(res, out, (err) => {
        if (err) return finish(received && expected >= 0 ? 'connection lost after ' + received + ' of ' + expected + ' bytes (' + describe(err) + ')' : describe(err));
        if (expected >= 0 && received !== expected) return finish('connection closed after ' + received + ' of ' + expected + ' bytes');
        const got = hash.digest('hex');
        if (md5 && got !== md5.toLowerCase()) return finish('MD5 mismatch: got ' + got + ', expected ' + md5);
        finish(null);
      });
    });
    req.on('timeout', () => req.destroy(new Error('no data for ' + timeout / 1000 + ' s (timed out)')));
    req.on('error', (e) => finish(describe(e)));
  });
}

async function main(request) {
  const result = { downloaded: [], failed: null };
  fs.mkdirSync(request.folder, { recursive: true });
  for (const [name, md5] of request.resources) {
    const dest = path.join(request.folder, name);
    const attempts = [];
    let ok = false;
    for (const mirror of request.mirrors) {
      const url = mirror.endsWith('/') ? mirror + name : mirror + '/' + name;
      const tmp = path.join(request.folder, '.' + name + '.' + process.pid + '.' + crypto.randomBytes(4).toString('hex') + '.part');
      let reason;
      try {
        reason = await fetchTo(url, tmp, md5, request.timeout, 0);
        if (reason === null) fs.renameSync(tmp, dest);
      } catch (e) {
        reason = describe(e);
      }
      if (reason === null) {
        result.downloaded.push(dest);
        ok = true;
        break;
      }
      try { fs.unlinkSync(tmp); } catch (e) { /* never created */ }
      attempts.push({ url, reason });
    }
    if (!ok) {
      result.failed = { file: name, attempts };
      break;
    }
  }
  return result;
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  main(JSON.parse(input)).then(
    (r) => process.stdout.write(JSON.stringify(r)),
    (e) => { process.stderr.write(String((e && e.stack) || e)); process.exitCode = 1; },
  );
});
`;

/** The checked request for the child; throws TypeErrors naming the bad option. */
function makeRequest(folder: string, resources: unknown, mirrors: unknown, timeout: unknown): ChildRequest {
  if (typeof folder !== 'string') argError('folder', 'a folder path', folder);
  if (!Array.isArray(mirrors) || mirrors.some((m) => typeof m !== 'string')) argError('mirrors', 'an array of URL strings', mirrors);
  if (!Array.isArray(resources)) argError('resources', 'an array of [filename, md5] pairs', resources);
  (resources as unknown[]).forEach((r, i) => {
    const ok =
      Array.isArray(r) &&
      r.length === 2 &&
      typeof r[0] === 'string' &&
      r[0] !== '' &&
      path.basename(r[0]) === r[0] &&
      (r[1] === null || (typeof r[1] === 'string' && /^[0-9a-fA-F]{32}$/.test(r[1])));
    if (!ok) argError(`resources[${i}]`, 'a [filename, md5] pair (a plain file name and 32 hex digits, or null)', r);
  });
  checkInt('timeout', timeout, { min: 1 });
  return { folder: path.resolve(folder), resources: resources as Resource[], mirrors: mirrors as string[], timeout: timeout as number };
}

function childEnv(): NodeJS.ProcessEnv {
  // Under Electron, process.execPath is the app: make it behave as Node.
  return { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
}

function finish(what: string, req: ChildRequest, status: number | null, stdout: string, stderr: string, error?: Error): string[] {
  if (error) throw new Error(`${what}: could not start the download process (${error.message})`);
  let result: ChildResult;
  try {
    result = JSON.parse(stdout) as ChildResult;
  } catch {
    throw new Error(`${what}: the download process failed (exit status ${status}): ${stderr.trim() || 'no output'}`);
  }
  if (result.failed) throw new DownloadError(result.failed.file, req.folder, result.failed.attempts, what);
  return result.downloaded;
}

/**
 * Fetches each of `resources` into `folder` from the first mirror that serves it with the right MD5,
 * waiting synchronously (in a child process). Returns the paths written; throws DownloadError when every
 * mirror failed for a file (the files fetched before it stay; no partial file is left).
 */
export function downloadFilesSync(folder: string, resources: Resource[], mirrors: string[], { timeout = 60000, what = 'download' } = {}): string[] {
  const req = makeRequest(folder, resources, mirrors, timeout);
  const r = spawnSync(process.execPath, ['-e', CHILD_SOURCE], { input: JSON.stringify(req), encoding: 'utf8', env: childEnv(), maxBuffer: 1 << 24, windowsHide: true });
  return finish(what, req, r.status, r.stdout ?? '', r.stderr ?? '', r.error);
}

/** downloadFilesSync with a Promise. */
export function downloadFiles(folder: string, resources: Resource[], mirrors: string[], { timeout = 60000, what = 'download' } = {}): Promise<string[]> {
  const req = makeRequest(folder, resources, mirrors, timeout);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD_SOURCE], { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    let startError: Error | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => (startError = e));
    child.on('close', (status) => {
      try {
        resolve(finish(what, req, status, stdout, stderr, startError));
      } catch (e) {
        reject(e);
      }
    });
    child.stdin.on('error', () => {}); // reported through 'close'
    child.stdin.end(JSON.stringify(req));
  });
}

/**
 * Extracts the zip records whose names `pick` accepts into `folder` (each written atomically, under the
 * name `pick` returns). Reads only the central directory and the chosen records, not the whole zip.
 * Stored and deflated records; no ZIP64 (archives under 4 GiB).
 */
export function extractZip(zipFile: string, folder: string, pick: (name: string) => string | null): string[] {
  const fd = fs.openSync(zipFile, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const read = (pos: number, len: number) => {
      const b = Buffer.alloc(len);
      if (pos < 0 || pos + len > size || fs.readSync(fd, b, 0, len, pos) !== len) throw new Error(`${zipFile}: is not a complete zip file (truncated?)`);
      return b;
    };
    const tailLen = Math.min(size, 65557);
    const tail = read(size - tailLen, tailLen);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${zipFile}: is not a complete zip file (no end of central directory)`);
    const count = tail.readUInt16LE(eocd + 10);
    const cd = read(tail.readUInt32LE(eocd + 16), tail.readUInt32LE(eocd + 12));
    const written: string[] = [];
    for (let p = 0, i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw new Error(`${zipFile}: its zip directory is damaged`);
      const method = cd.readUInt16LE(p + 10);
      const compressedSize = cd.readUInt32LE(p + 20);
      const nameLen = cd.readUInt16LE(p + 28);
      const localOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      p += 46 + nameLen + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
      const target = pick(name);
      if (!target) continue;
      if (path.basename(target) !== target) throw new Error(`${zipFile}: refusing to extract ${name} to ${target} (not a plain file name)`);
      const local = read(localOffset, 30);
      if (local.readUInt32LE(0) !== 0x04034b50) throw new Error(`${zipFile}: zip record ${name} is damaged`);
      const raw = read(localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28), compressedSize);
      let data: Buffer;
      if (method === 0) data = raw;
      else if (method === 8) data = zlib.inflateRawSync(raw);
      else throw new Error(`${zipFile}: zip record ${name} uses compression method ${method} (stored and deflate are supported)`);
      const dest = path.join(folder, target);
      const tmp = path.join(folder, `.${target}.${process.pid}.part`);
      try {
        fs.writeFileSync(tmp, data);
        fs.renameSync(tmp, dest);
      } catch (e) {
        fs.rmSync(tmp, { force: true });
        throw e;
      }
      written.push(dest);
    }
    return written;
  } finally {
    fs.closeSync(fd);
  }
}
