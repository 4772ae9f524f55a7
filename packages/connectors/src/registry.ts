// The connectors this package provides, as a registry: what compiling a spec needs. Each
// connector loads its driver and its reading and writing code on first use, so importing this
// (as `sisflow validate` does) loads no SQL Server, SSH or mail code.
import { addPrecompiledValidators, ConnectorRegistry } from '@sisflow/core';
import * as SETTINGS_VALIDATORS from './schema-validators.generated.js';
import { filesConnector } from './files/files-connector.js';
import { sqliteConnector } from './sqlite/sqlite-connector.js';
import { sftpConnector } from './sftp/sftp-connector.js';
import { mssqlConnector } from './mssql/mssql-connector.js';
import { aeriesApiConnector } from './aeries-api/aeries-api-connector.js';
import { onerosterCsvConnector } from './oneroster/bundle-connector.js';
import { onerosterApiConnector } from './oneroster-api/oneroster-api-connector.js';
import { smtpConnector } from './smtp/smtp-connector.js';
import { recordsTransferConnector } from './records-transfer/transfer-connector.js';
import { webhookConnector } from './webhook/webhook-connector.js';

// The connectors' settings schemas, compiled at build time (scripts/gen-validators.ts).
addPrecompiledValidators(SETTINGS_VALIDATORS);

/** Every connector this package provides. */
export const CONNECTORS = [aeriesApiConnector, filesConnector, mssqlConnector, onerosterApiConnector, onerosterCsvConnector, recordsTransferConnector, sftpConnector, smtpConnector, sqliteConnector, webhookConnector];

/** A registry holding this package's connectors; add your own with `.register(...)`. */
export function defaultRegistry(): ConnectorRegistry {
  return new ConnectorRegistry().register(...CONNECTORS);
}
