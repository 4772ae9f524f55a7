// Records transfer between districts: keys, the signed registry, sealed messages, packages.
// @sisflow/transfer (the service and `sisflow transfer`) builds on these.
export { newSigningKey, newEncryptionKey, privateKey, publicKey, thumbprintOf, KeyError, SIGNING_ALG, KEY_WRAP_ALG, CONTENT_ENC, type KeyPair } from './transfer-keys.js';
export { Registry, RegistryError, loadRegistry, signRegistry, verifyRegistry, type DistrictEntry, type RegistryDocument } from './registry.js';
export { seal, open, claimedSender, envelopeHash, EnvelopeError, type Claims, type Message, type Opened, type Sender, type Recipient } from './envelope.js';
export { openPackageFile } from './transfer-source.js';
export { answer, type PackageBody } from './transfer-sink.js';
export { recordsTransferConnector } from './transfer-connector.js';
export { httpsRequest, type HttpsResponse } from '../http/https-request.js';
