// A file being written that counts its bytes and hashes them on the way (SHA-256), for run reports
// and for checking an upload's size. AtomicFile and the SFTP spool are built on it.
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

export interface HashedContent {
  bytes: number;
  sha256: string;
}

export class HashedFile {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  private constructor(
    readonly path: string,
    private handle: FileHandle | undefined,
  ) {}

  /** Creates `path`, which must not exist yet. */
  static async create(path: string): Promise<HashedFile> {
    return new HashedFile(path, await open(path, 'wx', 0o644));
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (!this.handle) throw new Error(`${this.path} is already closed`);
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
    let off = 0;
    while (off < chunk.byteLength) {
      const { bytesWritten } = await this.handle.write(chunk, off, chunk.byteLength - off);
      off += bytesWritten;
    }
  }

  /** Closes the file (flushed to disk first when `sync`) and returns its size and hash. */
  async close(sync: boolean): Promise<HashedContent> {
    const h = this.handle;
    if (!h) throw new Error(`${this.path} is already closed`);
    this.handle = undefined;
    try {
      if (sync) await h.sync();
    } finally {
      await h.close();
    }
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Closes without caring about the content (the caller removes the file). */
  async drop(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    if (h) await h.close().catch(() => undefined);
  }

  get size(): number {
    return this.bytes;
  }
}
