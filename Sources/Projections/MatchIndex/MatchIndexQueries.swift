public import PGClient
public import SyncDomain

/// The question the sync policy asks of the `match_index` read model: which e-conomic customers carry these
/// match keys. ``ReferenceReadModels`` answers it from the in-memory fold.
public enum MatchIndexQueries {
    /// The e-conomic customers indexed under each key, by customer number as text (partner information is
    /// added by the caller from its partnering state), read in the caller's transaction (in the tenant's
    /// scope), so that the decision reads the index and the streams from one snapshot.
    /// - Throws: ``PGError``.
    public static func economicCandidates(for keys: [MatchKey], on connection: PGConnection) async throws -> [MatchKey: [MatchCandidate]] {
        guard !keys.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT key_kind, key_value, external_id FROM match_index
            WHERE side = 'economic' AND (key_kind, key_value) IN (
                SELECT * FROM unnest(\(keys.map(\.kind.rawValue))::text[], \(keys.map(\.value))::text[]))
            ORDER BY external_id
            """
        ).decode((String, String, String).self)
        var result: [MatchKey: [MatchCandidate]] = [:]
        for (kind, value, id) in rows {
            guard let kind = MatchKeyKind(rawValue: kind) else { continue }
            result[MatchKey(kind: kind, normalizedValue: value), default: []].append(.free(CustomerRef(system: .economic, id: id)))
        }
        return result
    }
}
