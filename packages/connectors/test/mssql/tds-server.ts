// A small SQL Server stand-in speaking TDS 7.4 over TCP on 127.0.0.1, for testing the mssql
// connector through the real `mssql` + `tedious` client. It does what a client exercises:
// pre-login (no TLS), LOGIN7 (with login failure), SQL batches, RPC (sp_executesql with typed
// parameters), transaction begin/commit/rollback, attention (cancel), and results as COLMETADATA +
// ROW + DONE tokens, errors as ERROR tokens. It runs no SQL: a handler given by the test answers
// each statement. Rows are written with TCP backpressure, and a fault can drop the connection.
import { createServer, type Server, type Socket } from 'node:net';

export type ColumnType = 'int' | 'bigint' | 'smallint' | 'tinyint' | 'nvarchar' | 'bit' | 'date' | 'decimal' | 'float';
export interface Column {
  name: string;
  type: ColumnType;
  /** decimal */
  precision?: number;
  scale?: number;
}
export interface ResultSet {
  columns: Column[];
  rows: Iterable<unknown[]> | AsyncIterable<unknown[]>;
}
export interface Reply {
  resultSets?: ResultSet[];
  /** Rows affected (INSERT/UPDATE/…): a DONE with a count. */
  rowCount?: number;
  error?: { number: number; message: string };
}
export interface Statement {
  sql: string;
  params: Record<string, unknown>;
  /** For a bulk load (`insert bulk` then a BULK_LOAD message): the column names and rows sent. */
  bulk?: { columns: string[]; rows: unknown[][] };
  /** Whether it ran inside a transaction the client began. */
  inTransaction: boolean;
  connection: number;
}
export interface TdsServerOptions {
  /** user → password */
  logins: Record<string, string>;
  databases: string[];
  handle(statement: Statement): Reply | Promise<Reply>;
}

export interface TdsServer {
  port: number;
  statements: Statement[];
  transactions: { connection: number; event: 'begin' | 'commit' | 'rollback' }[];
  /** Rows written to clients so far (all connections). */
  rowsSent: number;
  /** Attention (cancel) requests received. */
  attentions: number;
  logins: { user: string; database: string; appName: string; readOnlyIntent: boolean }[];
  /** Drop the connection after sending this many rows of a result. */
  dropAfterRows?: number;
  stop(): Promise<void>;
}

const PACKET = { SQL_BATCH: 0x01, RPC: 0x03, REPLY: 0x04, ATTENTION: 0x06, BULK_LOAD: 0x07, TRANSACTION: 0x0e, LOGIN7: 0x10, PRELOGIN: 0x12 } as const;
const TOKEN = { COLMETADATA: 0x81, ERROR: 0xaa, LOGINACK: 0xad, ROW: 0xd1, ENVCHANGE: 0xe3, DONE: 0xfd, DONEPROC: 0xfe, DONEINPROC: 0xff, RETURNSTATUS: 0x79 } as const;
const DONE = { FINAL: 0x00, MORE: 0x01, ERROR: 0x02, COUNT: 0x10, ATTN: 0x20 } as const;
const COLLATION = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]); // Latin1_General_CI_AS
const PACKET_SIZE = 4096;

export async function startTdsServer(options: TdsServerOptions): Promise<TdsServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const state: TdsServer = { port: 0, statements: [], transactions: [], rowsSent: 0, attentions: 0, logins: [], stop: async () => undefined };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    new TdsSession(socket, ++connections, options, state).start();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as { port: number }).port;
  state.stop = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(() => r(undefined)));
  };
  return state;
}

class TdsSession {
  private buffer = Buffer.alloc(0);
  private message: Buffer[] = [];
  private messageType = 0;
  private transaction: Buffer | undefined;
  private cancelled = false;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    private readonly id: number,
    private readonly options: TdsServerOptions,
    private readonly state: TdsServer,
  ) {}

  start(): void {
    this.socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 8) {
        const length = this.buffer.readUInt16BE(2);
        if (this.buffer.length < length) break;
        const type = this.buffer[0]!;
        const last = (this.buffer[1]! & 0x01) === 1;
        const body = this.buffer.subarray(8, length);
        this.buffer = this.buffer.subarray(length);
        if (type === PACKET.ATTENTION) {
          this.cancelled = true; // answered once the running request stops
          this.state.attentions++;
          continue;
        }
        this.messageType = type;
        this.message.push(Buffer.from(body));
        if (last) {
          const payload = Buffer.concat(this.message);
          this.message = [];
          const t = this.messageType;
          this.busy = this.busy.then(() => this.dispatch(t, payload)).catch(() => this.socket.destroy());
        }
      }
    });
  }

  private async dispatch(type: number, payload: Buffer): Promise<void> {
    switch (type) {
      case PACKET.PRELOGIN:
        return this.send(preloginResponse());
      case PACKET.LOGIN7:
        return this.login(payload);
      case PACKET.SQL_BATCH:
        return this.run(payload.subarray(payload.readUInt32LE(0)).toString('utf16le'), {}, false);
      case PACKET.RPC:
        return this.rpc(payload);
      case PACKET.TRANSACTION:
        return this.transactionRequest(payload);
      case PACKET.BULK_LOAD:
        return this.bulkLoad(payload);
      default:
        this.socket.destroy();
    }
  }

  private login(p: Buffer): void {
    const field = (at: number) => {
      const off = p.readUInt16LE(at);
      const len = p.readUInt16LE(at + 2);
      return p.subarray(off, off + len * 2);
    };
    const user = field(40).toString('utf16le');
    const password = Buffer.from(field(44).map((b) => {
      const x = b ^ 0xa5;
      return ((x & 0x0f) << 4) | (x >> 4);
    })).toString('utf16le');
    const appName = field(48).toString('utf16le');
    const database = field(68).toString('utf16le') || 'master';
    const readOnlyIntent = (p[26]! & 0x20) !== 0; // TypeFlags: fReadOnlyIntent
    if (this.options.logins[user] !== password) {
      return this.send(Buffer.concat([errorToken(18456, `Login failed for user '${user}'.`, 1), doneToken(TOKEN.DONE, DONE.ERROR, 0)]));
    }
    if (!this.options.databases.includes(database)) {
      return this.send(Buffer.concat([errorToken(4060, `Cannot open database "${database}" requested by the login. The login failed.`, 1), doneToken(TOKEN.DONE, DONE.ERROR, 0)]));
    }
    this.state.logins.push({ user, database, appName, readOnlyIntent });
    this.send(
      Buffer.concat([
        envChange(1, bVarchar(database), bVarchar('master')),
        envChange(7, Buffer.concat([Buffer.from([5]), COLLATION]), Buffer.from([0])),
        envChange(4, bVarchar(String(PACKET_SIZE)), bVarchar('4096')),
        loginAck(),
        doneToken(TOKEN.DONE, DONE.FINAL, 0),
      ]),
    );
  }

  private rpc(p: Buffer): Promise<void> {
    let at = p.readUInt32LE(0); // skip ALL_HEADERS
    const nameLen = p.readUInt16LE(at);
    at += 2;
    let proc: string | number;
    if (nameLen === 0xffff) {
      proc = p.readUInt16LE(at);
      at += 2;
    } else {
      proc = p.subarray(at, at + nameLen * 2).toString('utf16le');
      at += nameLen * 2;
    }
    at += 2; // option flags
    const params: Record<string, unknown> = {};
    const ordered: unknown[] = [];
    while (at < p.length) {
      const nl = p[at]!;
      at += 1;
      const name = p.subarray(at, at + nl * 2).toString('utf16le');
      at += nl * 2 + 1; // status flags
      const [value, next] = readTypedValue(p, at);
      at = next;
      if (name) params[name.replace(/^@/, '')] = value;
      ordered.push(value);
    }
    if (proc !== 10 && proc !== 'sp_executesql') throw new Error(`unsupported procedure ${proc}`);
    const sql = String(ordered[0]);
    delete params.statement;
    delete params.params;
    return this.run(sql, params, true);
  }

  /** The rows of a bulk load: the client's COLMETADATA, then ROW tokens, then DONE. */
  private async bulkLoad(p: Buffer): Promise<void> {
    if (p[0] !== TOKEN.COLMETADATA) throw new Error('a bulk load starts with COLMETADATA');
    const count = p.readUInt16LE(1);
    let at = 3;
    const columns: { name: string; read: (at: number) => [unknown, number] }[] = [];
    for (let i = 0; i < count; i++) {
      at += 6; // user type, flags
      const [read, next] = valueReader(p, at);
      at = next;
      const nl = p[at]!;
      columns.push({ name: p.subarray(at + 1, at + 1 + nl * 2).toString('utf16le'), read });
      at += 1 + nl * 2;
    }
    const rows: unknown[][] = [];
    while (p[at] === TOKEN.ROW) {
      at += 1;
      const row: unknown[] = [];
      for (const c of columns) {
        const [v, next] = c.read(at);
        row.push(v);
        at = next;
      }
      rows.push(row);
    }
    const statement: Statement = { sql: 'BULK LOAD', params: {}, bulk: { columns: columns.map((c) => c.name), rows }, inTransaction: this.transaction !== undefined, connection: this.id };
    this.state.statements.push(statement);
    let reply: Reply;
    try {
      reply = await this.options.handle(statement);
    } catch (e) {
      reply = { error: { number: 50000, message: (e as Error).message } };
    }
    if (reply.error) return this.send(Buffer.concat([errorToken(reply.error.number, reply.error.message, 16), doneToken(TOKEN.DONE, DONE.ERROR, 0)]));
    this.send(doneToken(TOKEN.DONE, DONE.COUNT, reply.rowCount ?? rows.length));
  }

  private transactionRequest(p: Buffer): void {
    const at = p.readUInt32LE(0);
    const kind = p.readUInt16LE(at);
    if (kind === 5) {
      this.transaction = Buffer.alloc(8);
      this.transaction.writeUInt32LE(this.id * 1000 + this.state.transactions.length, 0);
      this.state.transactions.push({ connection: this.id, event: 'begin' });
      return this.send(Buffer.concat([envChange(8, bVarbyte(this.transaction), Buffer.from([0])), doneToken(TOKEN.DONE, DONE.FINAL, 0)]));
    }
    const old = this.transaction ?? Buffer.alloc(8);
    this.transaction = undefined;
    this.state.transactions.push({ connection: this.id, event: kind === 7 ? 'commit' : 'rollback' });
    this.send(Buffer.concat([envChange(kind === 7 ? 9 : 10, Buffer.from([0]), bVarbyte(old)), doneToken(TOKEN.DONE, DONE.FINAL, 0)]));
  }

  private async run(sql: string, params: Record<string, unknown>, rpc: boolean): Promise<void> {
    this.cancelled = false;
    const statement: Statement = { sql, params, inTransaction: this.transaction !== undefined, connection: this.id };
    // The pool's connection check (mssql validates a connection before lending it) is answered here.
    const probe = /^\s*select 1;?\s*$/i.test(sql);
    const settings = /^\s*set\s/i.test(sql);
    if (!probe && !settings) this.state.statements.push(statement);
    const done = (status: number, count: number) =>
      rpc
        ? Buffer.concat([doneToken(TOKEN.DONEINPROC, status, count), returnStatus(0), doneToken(TOKEN.DONEPROC, status & ~DONE.COUNT, 0)])
        : doneToken(TOKEN.DONE, status, count);
    // Session settings tedious and mssql send on connect are acknowledged.
    if (/^\s*set\s/i.test(sql)) return this.send(doneToken(TOKEN.DONE, DONE.FINAL, 0));
    let reply: Reply;
    try {
      reply = probe ? { resultSets: [{ columns: [{ name: '', type: 'int' }], rows: [[1]] }] } : await this.options.handle(statement);
    } catch (e) {
      reply = { error: { number: 50000, message: (e as Error).message } };
    }
    if (reply.error) return this.send(Buffer.concat([errorToken(reply.error.number, reply.error.message, 16), done(DONE.ERROR, 0)]));
    const out = new PacketWriter(this.socket);
    for (const rs of reply.resultSets ?? []) {
      await out.write(colMetadata(rs.columns));
      let count = 0;
      for await (const row of rs.rows as AsyncIterable<unknown[]>) {
        if (this.cancelled) break;
        if (!probe && this.state.dropAfterRows !== undefined && count >= this.state.dropAfterRows) {
          await out.flush(false);
          this.socket.destroy();
          return;
        }
        await out.write(rowToken(rs.columns, row));
        count++;
        this.state.rowsSent++;
      }
      if (this.cancelled) break;
      await out.write(rpc ? doneToken(TOKEN.DONEINPROC, DONE.COUNT | DONE.MORE, count) : doneToken(TOKEN.DONE, DONE.COUNT | DONE.MORE, count));
    }
    if (this.cancelled) {
      // As SQL Server does: end the interrupted response, then acknowledge the attention in a
      // message of its own (the client waits for that one).
      this.cancelled = false;
      await out.write(done(DONE.FINAL, 0));
      await out.flush(true);
      const ack = new PacketWriter(this.socket);
      await ack.write(doneToken(TOKEN.DONE, DONE.ATTN, 0));
      await ack.flush(true);
      return;
    } else if (reply.resultSets) await out.write(done(DONE.FINAL, 0));
    else await out.write(done(reply.rowCount !== undefined ? DONE.COUNT : DONE.FINAL, reply.rowCount ?? 0));
    await out.flush(true);
  }

  private send(payload: Buffer): void {
    const out = new PacketWriter(this.socket);
    void out.write(payload).then(() => out.flush(true));
  }
}

/** Splits a reply into packets and waits when the client reads slowly (TCP backpressure). */
class PacketWriter {
  private pending: Buffer[] = [];
  private size = 0;
  constructor(private readonly socket: Socket) {}

  async write(b: Buffer): Promise<void> {
    this.pending.push(b);
    this.size += b.length;
    while (this.size >= PACKET_SIZE - 8) await this.packet(false);
  }

  async flush(last: boolean): Promise<void> {
    while (this.size > PACKET_SIZE - 8) await this.packet(false);
    if (last) await this.packet(true);
  }

  private async packet(last: boolean): Promise<void> {
    const all = Buffer.concat(this.pending);
    const n = Math.min(all.length, PACKET_SIZE - 8);
    const header = Buffer.alloc(8);
    header[0] = PACKET.REPLY;
    header[1] = last ? 0x01 : 0x00;
    header.writeUInt16BE(n + 8, 2);
    header[6] = 1;
    this.pending = [all.subarray(n)];
    this.size = all.length - n;
    if (this.socket.destroyed) throw new Error('the client went away');
    if (!this.socket.write(Buffer.concat([header, all.subarray(0, n)]))) {
      await new Promise<void>((resolve) => {
        const go = () => {
          this.socket.off('close', go);
          this.socket.off('drain', go);
          resolve();
        };
        this.socket.once('drain', go);
        this.socket.once('close', go);
      });
    }
  }
}

function preloginResponse(): Buffer {
  const options = [
    [0x00, Buffer.from([16, 0, 0x07, 0xd0, 0, 0])], // VERSION 16.0.2000
    [0x01, Buffer.from([0x02])], // ENCRYPTION: ENCRYPT_NOT_SUP
    [0x02, Buffer.from([0x00])], // INSTOPT
    [0x03, Buffer.alloc(0)], // THREADID
    [0x04, Buffer.from([0x00])], // MARS off
  ] as const;
  const headerLen = options.length * 5 + 1;
  const parts: Buffer[] = [];
  let offset = headerLen;
  const header = Buffer.alloc(headerLen);
  options.forEach(([token, data], i) => {
    header[i * 5] = token;
    header.writeUInt16BE(offset, i * 5 + 1);
    header.writeUInt16BE(data.length, i * 5 + 3);
    offset += data.length;
    parts.push(data);
  });
  header[headerLen - 1] = 0xff;
  return Buffer.concat([header, ...parts]);
}

const usVarchar = (s: string) => {
  const b = Buffer.from(s, 'utf16le');
  const len = Buffer.alloc(2);
  len.writeUInt16LE(s.length);
  return Buffer.concat([len, b]);
};
const bVarchar = (s: string) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'utf16le')]);
const bVarbyte = (b: Buffer) => Buffer.concat([Buffer.from([b.length]), b]);

function withLength(token: number, body: Buffer): Buffer {
  const h = Buffer.alloc(3);
  h[0] = token;
  h.writeUInt16LE(body.length, 1);
  return Buffer.concat([h, body]);
}

function envChange(type: number, newValue: Buffer, oldValue: Buffer): Buffer {
  return withLength(TOKEN.ENVCHANGE, Buffer.concat([Buffer.from([type]), newValue, oldValue]));
}

function loginAck(): Buffer {
  const version = Buffer.from([0x74, 0x00, 0x00, 0x04]);
  return withLength(TOKEN.LOGINACK, Buffer.concat([Buffer.from([1]), version, bVarchar('sisflow TDS test server'), Buffer.from([16, 0, 0x07, 0xd0])]));
}

function errorToken(number: number, message: string, severity: number): Buffer {
  const n = Buffer.alloc(6);
  n.writeInt32LE(number, 0);
  n[4] = 1; // state
  n[5] = severity;
  const line = Buffer.alloc(4);
  line.writeInt32LE(1);
  return withLength(TOKEN.ERROR, Buffer.concat([n, usVarchar(message), bVarchar('tds-test'), bVarchar(''), line]));
}

function doneToken(token: number, status: number, rowCount: number): Buffer {
  const b = Buffer.alloc(13);
  b[0] = token;
  b.writeUInt16LE(status, 1);
  b.writeUInt16LE(0xc1, 3); // SELECT
  b.writeBigUInt64LE(BigInt(rowCount), 5);
  return b;
}

function returnStatus(value: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = TOKEN.RETURNSTATUS;
  b.writeInt32LE(value, 1);
  return b;
}

function typeInfo(c: Column): Buffer {
  switch (c.type) {
    case 'int':
      return Buffer.from([0x26, 4]);
    case 'bigint':
      return Buffer.from([0x26, 8]);
    case 'smallint':
      return Buffer.from([0x26, 2]);
    case 'tinyint':
      return Buffer.from([0x26, 1]);
    case 'bit':
      return Buffer.from([0x68, 1]);
    case 'date':
      return Buffer.from([0x28]);
    case 'float':
      return Buffer.from([0x6d, 8]);
    case 'decimal':
      return Buffer.from([0x6a, 17, c.precision ?? 18, c.scale ?? 2]);
    case 'nvarchar': {
      const b = Buffer.alloc(3);
      b[0] = 0xe7;
      b.writeUInt16LE(8000, 1);
      return Buffer.concat([b, COLLATION]);
    }
  }
}

function colMetadata(columns: Column[]): Buffer {
  const head = Buffer.alloc(3);
  head[0] = TOKEN.COLMETADATA;
  head.writeUInt16LE(columns.length, 1);
  const parts = columns.map((c) => {
    const meta = Buffer.alloc(6);
    meta.writeUInt16LE(0x0009, 4); // flags: nullable, updateable unknown
    return Buffer.concat([meta, typeInfo(c), bVarchar(c.name)]);
  });
  return Buffer.concat([head, ...parts]);
}

const DAY_MS = 86_400_000;
const DAYS_TO_1970 = 719162; // days from 0001-01-01 to 1970-01-01

function rowToken(columns: Column[], row: unknown[]): Buffer {
  const parts: Buffer[] = [Buffer.from([TOKEN.ROW])];
  columns.forEach((c, i) => parts.push(encodeValue(c, row[i])));
  return Buffer.concat(parts);
}

function encodeValue(c: Column, v: unknown): Buffer {
  if (c.type === 'nvarchar') {
    if (v === null || v === undefined) return Buffer.from([0xff, 0xff]);
    const s = Buffer.from(String(v), 'utf16le');
    const len = Buffer.alloc(2);
    len.writeUInt16LE(s.length);
    return Buffer.concat([len, s]);
  }
  if (v === null || v === undefined) return Buffer.from([0]);
  switch (c.type) {
    case 'int':
    case 'bigint':
    case 'smallint':
    case 'tinyint': {
      const size = { int: 4, bigint: 8, smallint: 2, tinyint: 1 }[c.type];
      const b = Buffer.alloc(1 + size);
      b[0] = size;
      if (size === 8) b.writeBigInt64LE(BigInt(v as number), 1);
      else if (size === 4) b.writeInt32LE(Number(v), 1);
      else if (size === 2) b.writeInt16LE(Number(v), 1);
      else b.writeUInt8(Number(v), 1);
      return b;
    }
    case 'bit':
      return Buffer.from([1, v ? 1 : 0]);
    case 'float': {
      const b = Buffer.alloc(9);
      b[0] = 8;
      b.writeDoubleLE(Number(v), 1);
      return b;
    }
    case 'date': {
      const days = Math.round(Date.parse(`${String(v)}T00:00:00Z`) / DAY_MS) + DAYS_TO_1970;
      const b = Buffer.alloc(4);
      b[0] = 3;
      b.writeUIntLE(days, 1, 3);
      return b;
    }
    case 'decimal': {
      const scale = c.scale ?? 2;
      const scaled = BigInt(Math.round(Math.abs(Number(v)) * 10 ** scale));
      const b = Buffer.alloc(18);
      b[0] = 17;
      b[1] = Number(v) < 0 ? 0 : 1;
      b.writeBigUInt64LE(scaled & 0xffffffffffffffffn, 2);
      b.writeBigUInt64LE(scaled >> 64n, 10);
      return b;
    }
  }
}

/** Reads one RPC parameter value (TYPE_INFO then data); returns it and the next offset. */
function readTypedValue(p: Buffer, at: number): [unknown, number] {
  const [read, next] = valueReader(p, at);
  return read(next);
}

/** Parses a TYPE_INFO at `at`: a reader for values of that type, and the offset after the TYPE_INFO. */
function valueReader(p: Buffer, at: number): [(at: number) => [unknown, number], number] {
  const type = p[at]!;
  const info = at + 1;
  switch (type) {
    case 0x26:
    case 0x68:
    case 0x6d:
    case 0x6f:
      return [(v) => readFixedN(p, type, v), info + 1];
    case 0x28:
      return [(v) => readFixedN(p, type, v), info];
    case 0x6a:
    case 0x6c: {
      const scale = p[info + 2]!;
      return [(v) => readDecimal(p, scale, v), info + 3];
    }
    case 0xe7:
    case 0xa7: {
      const max = p.readUInt16LE(info);
      const encoding = type === 0xe7 ? 'utf16le' : 'latin1';
      return [(v) => readVarchar(p, encoding, max === 0xffff, v), info + 7];
    }
    default:
      throw new Error(`type 0x${type.toString(16)} is not supported by the test server`);
  }
}

/** INTN, BITN, FLTN, DATEN, DATETIMEN values: a length byte (0 for NULL), then the bytes. */
function readFixedN(p: Buffer, type: number, at: number): [unknown, number] {
  const len = p[at]!;
  at += 1;
  if (len === 0) return [null, at];
  switch (type) {
    case 0x26:
      return [len === 8 ? Number(p.readBigInt64LE(at)) : len === 4 ? p.readInt32LE(at) : len === 2 ? p.readInt16LE(at) : p.readUInt8(at), at + len];
    case 0x68:
      return [p[at] !== 0, at + 1];
    case 0x6d:
      return [len === 8 ? p.readDoubleLE(at) : p.readFloatLE(at), at + len];
    case 0x28:
      return [new Date((p.readUIntLE(at, 3) - DAYS_TO_1970) * DAY_MS).toISOString().slice(0, 10), at + 3];
    default: {
      // DATETIME: days since 1900-01-01, then 1/300 s since midnight
      const days = p.readInt32LE(at);
      const ticks = p.readUInt32LE(at + 4);
      return [new Date(Date.UTC(1900, 0, 1) + days * DAY_MS + Math.round((ticks * 1000) / 300)).toISOString().slice(0, 19), at + len];
    }
  }
}

function readDecimal(p: Buffer, scale: number, at: number): [unknown, number] {
  const len = p[at]!;
  at += 1;
  if (len === 0) return [null, at];
  const sign = p[at] === 1 ? 1 : -1;
  let mag = 0n;
  for (let i = len - 2; i >= 0; i--) mag = (mag << 8n) | BigInt(p[at + 1 + i]!);
  return [(sign * Number(mag)) / 10 ** scale, at + len];
}

function readVarchar(p: Buffer, encoding: 'utf16le' | 'latin1', plp: boolean, at: number): [unknown, number] {
  if (plp) {
    const total = p.readBigUInt64LE(at);
    at += 8;
    if (total === 0xffffffffffffffffn) return [null, at];
    const chunks: Buffer[] = [];
    for (;;) {
      const n = p.readUInt32LE(at);
      at += 4;
      if (n === 0) break;
      chunks.push(p.subarray(at, at + n));
      at += n;
    }
    return [Buffer.concat(chunks).toString(encoding), at];
  }
  const len = p.readUInt16LE(at);
  at += 2;
  if (len === 0xffff) return [null, at];
  return [p.subarray(at, at + len).toString(encoding), at + len];
}
