import EventStore
import SyncDomain

/// What one run of an import knows and carries from chunk to chunk.
struct ImportRun: Sendable {
    let importId: ImportID
    let key: ImportRowKey
    let tenant: TenantID
    let metadata: CommandMetadata
    var log: ImportLog
}
