// The SFTP building blocks, for tests, benchmarks and embedders that move files without a spec.
export { sftpConnector } from './sftp-connector.js';
export { hostKeyOf, probeHostKeys, FINGERPRINT_PATTERN, type HostKey } from './host-key.js';
export { SftpConnection, SftpError, SftpSession, sftpSettings, type SftpSettings } from './session.js';
export { RemoteUpload, versionStamp } from './upload.js';
export { download, findFiles, waitUntilStable, type RemoteFile } from './download.js';
