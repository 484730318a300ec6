public import EventStore
public import Foundation
public import PGClient

/// Where the rebuild an event asked for stands (`projection_rebuild_requests`, keyed by the causing event's
/// position): what decides whether a projection reflects a rule change yet. As JSON:
/// `{"state": "running", "since": "…"}`, `{"state": "failed", "since": "…", "error": "…"}`.
public enum RebuildRequestState: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The change is in the log but the settings projector has not asked for the rebuild yet.
    case notRequested
    /// Asked for, not started.
    case queued(since: Date)
    /// Being carried out.
    case running(since: Date)
    /// The last attempt failed; ``RebuildRequestService`` tries again.
    case failed(error: String, at: Date)
    /// Done: the projection reflects the change.
    case finished

    /// A line for people: `running since 2026-11-22T10:00:00Z`, `failed (tried again shortly): …`.
    public var description: String {
        let time = ISO8601DateFormatter()
        switch self {
        case .notRequested: return "not requested yet"
        case .queued(let since): return "queued since \(time.string(from: since))"
        case .running(let since): return "running since \(time.string(from: since))"
        case .failed(let error, let at): return "failed at \(time.string(from: at)), tried again shortly: \(error)"
        case .finished: return "finished"
        }
    }

    /// The state of the latest rebuild of `projection` for `tenant` that a change at `position` or later asked for
    /// (a rebuild for a later change covers an earlier one). Runs in the caller's transaction: in a tenant's scope
    /// row-level security shows that tenant's requests only.
    /// - Throws: ``PGClient/PGError``.
    public static func of(projection: String, tenant: TenantID, causedAtOrAfter position: Int64, on connection: PGConnection) async throws -> Self {
        let rows = try await connection.query(
            """
            SELECT requested_at, started_at, finished_at IS NOT NULL AND error IS NULL, error FROM projection_rebuild_requests
            WHERE projection = \(projection) AND tenant_id = \(tenant.rawValue) AND cause_position >= \(position)
            ORDER BY finished_at IS NOT NULL AND error IS NULL DESC, cause_position DESC LIMIT 1
            """
        ).decode((Date, Date?, Bool, String?).self)
        guard let (requested, started, finished, error) = rows.first else { return .notRequested }
        if finished { return .finished }
        if let error { return .failed(error: error, at: started ?? requested) }
        if let started { return .running(since: started) }
        return .queued(since: requested)
    }

    private enum CodingKeys: String, CodingKey { case state, since, error }

    /// Encodes as `{"state": …, "since": …, "error": …}` (the fields that apply).
    public func encode(to encoder: any Encoder) throws {
        let (state, since, error): (String, Date?, String?) =
            switch self {
            case .notRequested: ("notRequested", nil, nil)
            case .queued(let since): ("queued", since, nil)
            case .running(let since): ("running", since, nil)
            case .failed(let error, let at): ("failed", at, error)
            case .finished: ("finished", nil, nil)
            }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
        try c.encodeIfPresent(since, forKey: .since)
        try c.encodeIfPresent(error, forKey: .error)
    }

    /// Decodes what ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .state) {
        case "notRequested": self = .notRequested
        case "queued": self = .queued(since: try c.decode(Date.self, forKey: .since))
        case "running": self = .running(since: try c.decode(Date.self, forKey: .since))
        case "failed": self = .failed(error: try c.decode(String.self, forKey: .error), at: try c.decode(Date.self, forKey: .since))
        case "finished": self = .finished
        case let other: throw DecodingError.dataCorruptedError(forKey: .state, in: c, debugDescription: "unknown rebuild state \(other)")
        }
    }
}
