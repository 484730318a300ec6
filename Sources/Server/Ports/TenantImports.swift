public import EventStore
public import SyncDomain

/// Customer files uploaded through the API or the import page: queued, imported in the background, and read back
/// with their progress and summary, always for one tenant. ``ImportJobs`` imports with
/// ``SyncEngine/CustomerImporter`` (the same rules and messages as `accord import`) and reads back from the log.
public protocol TenantImports: Sendable {
    /// Queues an uploaded file (which then belongs to the queue: it removes it once imported) and returns the
    /// import's id. The same file uploaded again while it is being imported joins that import.
    func submit(_ file: SpooledImport, tenant: TenantID, actor: String) async throws -> ImportID
    /// Where an import stands, with a page of its rejected rows; nil when the tenant has no such import.
    func status(_ id: ImportID, tenant: TenantID, limit: Int, offset: Int) async throws -> ImportStatus?
    /// The tenant's recorded imports, newest first, and how many there are.
    func list(_ tenant: TenantID, limit: Int, offset: Int) async throws -> (rows: [ImportListItem], total: Int)
}
