import Connectors
import EventSourcing
import SyncDomain

/// One chunk, decided and encoded, ready to append.
struct PreparedChunk: Sendable {
    /// The rows, to decide again after a lost race.
    let items: [CustomerFileItem]
    /// The observations (customer streams) and rejections (the import stream), each stream with the version it
    /// was decided on, and what the rows did.
    var decision: Decision<ImportTally>
    /// Every customer of the chunk as it will be once the chunk is appended (state and version).
    var after: [CustomerRef: ImportedCustomer]
    /// The import stream's version once the chunk is appended.
    var importVersionAfter: Int64
}
