public import PGClient

extension EventStore {
    /// Loads a projector's checkpoint inside the caller's (system-scoped) transaction; ``Checkpoint/origin`` if none.
    /// - Parameters:
    ///   - projection: the projector's name.
    ///   - version: the projector's version (a rebuild writes a new version).
    ///   - shard: `all`, or a tenant id for a per-tenant run.
    ///   - lock: lock the checkpoint row until the transaction ends (`FOR UPDATE`), so two instances of the
    ///     same projector shard can never apply the same batch.
    /// - Throws: ``PGError`` from the database.
    public func loadCheckpoint(
        projection: String, version: Int, shard: String = "all", lock: Bool = false, on connection: PGConnection
    ) async throws -> Checkpoint {
        var query: PGQuery = """
            SELECT txid, global_position FROM projection_checkpoints
            WHERE projection = \(projection) AND version = \(version) AND shard = \(shard)
            """
        if lock { query.append(" FOR UPDATE") }
        guard let row = try await connection.query(query).first else { return .origin }
        let (txid, position) = try row.decode((UInt64, Int64).self)
        return Checkpoint(transactionID: txid, globalPosition: position)
    }

    /// Saves a projector's checkpoint inside the caller's transaction, the same one that wrote the read-model
    /// rows for the events up to it (so their effect is applied exactly once). A checkpoint never moves back.
    /// - Throws: ``PGError`` from the database.
    public func saveCheckpoint(
        _ checkpoint: Checkpoint, projection: String, version: Int, shard: String = "all", on connection: PGConnection
    ) async throws {
        try await connection.execute(
            """
            INSERT INTO projection_checkpoints (projection, version, shard, txid, global_position)
            VALUES (\(projection), \(version), \(shard), \(String(checkpoint.transactionID))::xid8, \(checkpoint.globalPosition))
            ON CONFLICT (projection, version, shard) DO UPDATE
                SET txid = excluded.txid, global_position = excluded.global_position, updated_at = now()
                WHERE (projection_checkpoints.txid, projection_checkpoints.global_position) <= (excluded.txid, excluded.global_position)
            """)
    }
}
