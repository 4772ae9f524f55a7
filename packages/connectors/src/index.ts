// @sisflow/connectors: the concrete connectors (SQLite, local files, …), the Aeries table
// catalog and the synthetic demo district.
export { AERIES_CATALOG, AERIES_TABLES, type CatalogColumn, type CatalogTable } from './aeries/catalog.js';
export { sqlTypeToType, tableSchema } from './aeries/column-types.js';
export { describeTableSource, tableSelect, TABLE_SOURCE_SETTINGS } from './aeries/table-source.js';
export { AtomicFile, HELD_PREFIX, TEMP_PREFIX } from './files/atomic-file.js';
// One check of whether a process lives, in core (the publish journal uses it too).
export { processAlive } from '@sisflow/core';
export { filesConnector } from './files/files-connector.js';
export { sqliteConnector } from './sqlite/sqlite-connector.js';
export { sftpConnector } from './sftp/sftp-connector.js';
export { mssqlConnector } from './mssql/mssql-connector.js';
export { onerosterCsvConnector } from './oneroster/bundle-connector.js';
export { onerosterApiConnector, onerosterScope } from './oneroster-api/oneroster-api-connector.js';
export { aeriesApiConnector } from './aeries-api/aeries-api-connector.js';
export { securityArea, SECURITY_AREAS, SENSITIVE_AREAS } from './aeries-api/security-areas.js';
export { smtpConnector } from './smtp/smtp-connector.js';
export { recordsTransferConnector } from './records-transfer/transfer-connector.js';
export { webhookConnector } from './webhook/webhook-connector.js';
export { runLog } from './smtp/run-log.js';
export { environmentSecrets } from './secrets/environment-secrets.js';
export { createStageSql, grantsSql, mergeSql, type GrantOptions } from './mssql/mssql-sql.js';
export { hostKeyOf, probeHostKeys, type HostKey } from './sftp/host-key.js';
export { csvFormatter } from './csv/csv-writer.js';
export { readCsv, CsvFileError } from './csv/csv-reader.js';
export { csvFileRecords } from './csv/csv-file-records.js';
export { csvReadOptions, csvWriteOptions } from './csv/csv-settings.js';
export { generateDemo, DEMO_SCHOOL_YEAR, type DemoOptions, type DemoTables } from './demo/generate.js';
export { writeDemoDatabase, createTableSql, insertRows } from './demo/sqlite-demo.js';
export { DEMO_VERSION, demoDatabase, demoFolder, projectFolder, resetDemo } from './demo/demo-database.js';
export { makeSpool, removeStaleSpools, type Spool } from './files/spool.js';

export { CONNECTORS, defaultRegistry } from './registry.js';
