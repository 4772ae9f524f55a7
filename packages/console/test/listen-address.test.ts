// Where the console may listen: loopback by default; elsewhere only with TLS or an explicit flag.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseListenAddress, refuseAddress, type ListenAddress } from '@sisflow/console';

const parsed = (t: string) => parseListenAddress(t) as ListenAddress;

test('reads HOST:PORT, [IPv6]:PORT and a port alone (loopback)', () => {
  assert.equal(parseListenAddress('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080, loopback: true });
  assert.equal(parseListenAddress('[::1]:9000'), { host: '::1', port: 9000, loopback: true });
  assert.equal(parseListenAddress('8080'), { host: '127.0.0.1', port: 8080, loopback: true });
  assert.equal(parseListenAddress('localhost:80'), { host: 'localhost', port: 80, loopback: true });
  assert.equal(parseListenAddress('0.0.0.0:8443'), { host: '0.0.0.0', port: 8443, loopback: false });
});

test('refuses what is not an address, and host names (they may resolve anywhere)', () => {
  for (const bad of ['', 'x', '127.0.0.1:', '127.0.0.1:70000', 'console.example.org:8080', '1.2.3.4:80:80']) {
    assert.ok('error' in parseListenAddress(bad), bad);
  }
  assert.match((parseListenAddress('console.example.org:8080') as { error: string }).error, 'needs an IP address or localhost');
});

test('a public address needs TLS or --http-insecure-public', () => {
  assert.is(refuseAddress(parsed('127.0.0.1:8080'), { tls: false, insecurePublic: false }), undefined);
  assert.match(refuseAddress(parsed('0.0.0.0:8080'), { tls: false, insecurePublic: false })!, '--http-tls-cert and --http-tls-key');
  assert.is(refuseAddress(parsed('0.0.0.0:8080'), { tls: true, insecurePublic: false }), undefined);
  assert.is(refuseAddress(parsed('10.1.2.3:8080'), { tls: false, insecurePublic: true }), undefined);
});

test.run();
