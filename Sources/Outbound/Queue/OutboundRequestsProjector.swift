import EventSourcing
public import EventStore
public import PGClient
public import Projections
import SyncDomain

/// Projects the outbound streams (`outbound-<requestId>`) into `outbound_requests`: one row per request with
/// its kind, status, attempts, next attempt time, last error and payload.
///
/// Each batch loads only the rows its events touch, folds the events with ``OutboundQueueModel`` and writes the
/// changed rows back in one statement. Workers claim from this table; claims themselves live in
/// `outbound_claims` (worker state, not rebuilt from events).
public struct OutboundRequestsProjector: Projector {
    /// `outbound_requests`
    public let name = "outbound_requests"

    /// Makes the projector.
    public init() {}

    /// The `outbound_requests` table.
    public static let table = ProjectionTable(
        name: "outbound_requests",
        columns: [
            .init("tenant_id", "text NOT NULL"), .init("request_id", "text NOT NULL"), .init("kind", "text NOT NULL"),
            .init("status", "text NOT NULL"), .init("attempts", "integer NOT NULL"), .init("total_failures", "integer NOT NULL"),
            .init("retries", "integer NOT NULL"), .init("next_attempt_at", "timestamptz"), .init("customer_number", "bigint"),
            .init("stripe_customer_id", "text"), .init("payload", "jsonb NOT NULL"), .init("match_keys", "jsonb NOT NULL"),
            .init("link_id", "text"), .init("source", "text"), .init("reason", "text NOT NULL"),
            .init("error_message", "text"), .init("error_code", "text"), .init("error_log_id", "text"),
            .init("error_http_status", "integer"), .init("error_fields", "jsonb"), .init("written", "jsonb"),
            .init("created_at", "timestamptz NOT NULL"), .init("updated_at", "timestamptz NOT NULL"), .init("last_position", "bigint NOT NULL"),
            .init("rate_limited_waits", "integer NOT NULL DEFAULT 0"),
        ],
        primaryKey: ["tenant_id", "request_id"],
        // The last one serves the claims, which take turns by tenant (migration 0014 adds it to older versions).
        indexes: [
            ["status", "next_attempt_at"], ["tenant_id", "status", "updated_at"], ["tenant_id", "link_id"], ["tenant_id", "next_attempt_at"],
        ])

    /// The table.
    public var tables: [ProjectionTable] { [Self.table] }

    /// Applies a batch.
    public func apply(_ events: [RecordedEvent], to target: ProjectionTarget, on connection: PGConnection) async throws {
        let outbound = events.filter { StreamName(rawValue: $0.stream.rawValue).isOutbound }
        guard !outbound.isEmpty else { return }
        let domain = try DomainEvent.decode(outbound)
        var keys = Set<OutboundRequestKey>()
        for event in domain {
            if let request = OutboundQueueModel.touches(event) {
                keys.insert(OutboundRequestKey(tenantID: event.tenant, requestID: request.description))
            }
        }
        guard !keys.isEmpty else { return }
        let table = ProjectionRows<OutboundRequestRow>(Self.table, target)
        let original = Dictionary(
            try await table.load(keys: Array(keys), on: connection).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var rows = original
        for event in domain { OutboundQueueModel.apply(event, to: &rows) }
        try await table.upsert(rows.values.filter { original[$0.key] != $0 }, on: connection)
    }
}
