// @sisflow/transfer: district-to-district student records transfer — the HTTPS service, the
// request, approval, review and import steps, keys and the registry. `sisflow transfer` wraps it.
export { loadTransferConfig, transferConfig, ConfigError, DEFAULT_LIMITS, type TransferConfig, type TransferLimits } from './config.js';
export { District, SIGNING_KEY_SECRET, ENCRYPTION_KEY_SECRET, type DistrictOptions } from './district.js';
export { AuditLog, type AuditEntry } from './audit.js';
export { TransferStore, type IncomingRequest, type OutgoingRequest, type StudentIdentity, type MatchKind } from './state.js';
export { sendRequest, identityFromAeries, type NewRequest, type RequestBody } from './request.js';
export { receiveRequest, receivePackage, type Answer } from './inbox.js';
export { matchStudent, type StudentMatch } from './match.js';
export { approveRequest, denyRequest, type ApproveOptions, type Approval } from './approve.js';
export { reviewPackage, type Review, type ReviewedRecord } from './review.js';
export { importPackage, expirePackages } from './import.js';
export { serve, CIPHERS, type TransferService } from './server.js';
export { createDistrictKeys, createOperatorKey, signRegistryFile, OPERATOR_KEY_SECRET } from './keys.js';
