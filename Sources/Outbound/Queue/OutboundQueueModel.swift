public import EventSourcing
import Foundation
import PGClient
public import SyncDomain

/// How events change `outbound_requests` rows — pure, shared by the SQL projector and the in-memory fold the
/// tests compare it with. It follows ``SyncDomain/OutboundDecider/evolve(_:_:)``: the row's status is the
/// decider's status, spelled for SQL.
public enum OutboundQueueModel {
    /// Applies one event. `rows` must hold the existing row of the request the event concerns (see ``touches(_:)``).
    public static func apply(_ event: DomainEvent, to rows: inout [OutboundRequestKey: OutboundRequestRow]) {
        guard let requestID = touches(event) else { return }
        let key = OutboundRequestKey(tenantID: event.tenant, requestID: requestID.description)
        switch event.event {
        case .economicWriteRequested(let e):
            guard rows[key] == nil else { return }  // the decider records a request once
            let kind: OutboundRequestKind
            var number: Int?
            switch e.kind {
            case .create: kind = .economicCreate
            case .update(let customerNumber):
                kind = .economicUpdate
                number = customerNumber
            }
            var row = newRow(key, kind: kind, event: event, payload: e.sentValues, reason: e.reason.rawValue)
            row.customerNumber = number
            row.matchKeys = e.matchKeys.map(\.description)
            row.linkID = e.linkId?.description
            row.source = e.source?.description
            rows[key] = row
        case .stripeWriteRequested(let e):
            guard rows[key] == nil else { return }
            let kind: OutboundRequestKind
            let payload: [String: String]
            switch e.kind {
            case .metadata(let values):
                kind = .stripeMetadata
                payload = values
            case .patch(let patch):
                kind = .stripeFields
                payload = patch.values
            case .create(let fields):
                kind = .stripeCreate
                payload = fields
            }
            var row = newRow(key, kind: kind, event: event, payload: payload, reason: e.reason.rawValue)
            row.stripeCustomerID = e.customerId.isEmpty ? nil : e.customerId
            row.linkID = e.linkId?.description
            row.source = e.source?.description
            rows[key] = row
        case .outboundSucceeded(let e):
            modify(key, event, &rows) { row in
                // A superseded request found carried out after all (a lost answer) is no longer superseded.
                if row.status == .superseded { clearError(on: &row) }
                row.status = .succeeded
                row.nextAttemptAt = nil
                if let number = e.customerNumber { row.customerNumber = number }
                if let created = e.stripeCustomerId { row.stripeCustomerID = created }
                row.written = e.written
            }
        case .outboundFailed(let e):
            modify(key, event, &rows) { row in
                row.status = .failedWaiting
                row.attempts = e.attempt
                row.totalFailures += 1
                row.nextAttemptAt = storedDate(e.retryAt)
                setError(e.error, on: &row)
            }
        case .outboundAbandoned(let e):
            modify(key, event, &rows) { row in
                row.status = .abandoned
                row.attempts = e.attempts
                row.totalFailures += 1
                row.nextAttemptAt = nil
                setError(e.error, on: &row)
            }
        case .outboundRateLimited(let e):
            modify(key, event, &rows) { row in
                row.status = .rateLimited
                row.rateLimitedWaits = e.waits
                row.nextAttemptAt = storedDate(e.retryAt)
                setError(e.error, on: &row)
            }
        case .economicCreateStarted:
            modify(key, event, &rows) { _ in }  // only its position: claims wait for the row to show what workers saw
        case .outboundRetryRequested:
            modify(key, event, &rows) { row in
                row.status = .pending
                row.attempts = 0
                row.retries += 1
                row.nextAttemptAt = event.recordedAt
            }
        case .outboundSuperseded(let e):
            modify(key, event, &rows) { row in
                row.status = .superseded
                row.nextAttemptAt = nil
                clearError(on: &row)
                row.errorCode = OutboundQueueStatus.supersededCode
                row.errorMessage = "superseded by request \(e.by), which carries its changes forward; never sent"
            }
        default:
            break
        }
    }

    /// The request an event concerns, if it is an outbound event.
    public static func touches(_ event: DomainEvent) -> RequestID? {
        switch event.event {
        case .economicWriteRequested(let e): e.requestId
        case .stripeWriteRequested(let e): e.requestId
        case .outboundSucceeded(let e): e.requestId
        case .outboundFailed(let e): e.requestId
        case .outboundAbandoned(let e): e.requestId
        case .outboundRetryRequested(let e): e.requestId
        case .outboundRateLimited(let e): e.requestId
        case .economicCreateStarted(let e): e.requestId
        case .outboundSuperseded(let e): e.requestId
        default: nil
        }
    }

    /// Folds events in order into rows (the reference the projector is checked against).
    public static func fold(_ events: [DomainEvent]) -> [OutboundRequestRow] {
        var rows: [OutboundRequestKey: OutboundRequestRow] = [:]
        for event in events { apply(event, to: &rows) }
        return rows.values.sorted { $0.key < $1.key }
    }

    /// The date as PostgreSQL gives it back (microseconds), so folded rows equal stored rows exactly.
    static func storedDate(_ date: Date) -> Date {
        PGTimestamp.parse(PGTimestamp.format(date)) ?? date
    }

    private static func newRow(
        _ key: OutboundRequestKey, kind: OutboundRequestKind, event: DomainEvent, payload: [String: String], reason: String
    ) -> OutboundRequestRow {
        OutboundRequestRow(
            tenantID: key.tenantID, requestID: key.requestID, kind: kind, status: .pending, attempts: 0, totalFailures: 0, retries: 0,
            nextAttemptAt: event.recordedAt, payload: payload, matchKeys: [], reason: reason, createdAt: event.recordedAt,
            updatedAt: event.recordedAt, lastPosition: event.position)
    }

    private static func modify(
        _ key: OutboundRequestKey, _ event: DomainEvent, _ rows: inout [OutboundRequestKey: OutboundRequestRow],
        _ change: (inout OutboundRequestRow) -> Void
    ) {
        guard var row = rows[key] else { return }
        change(&row)
        row.updatedAt = event.recordedAt
        row.lastPosition = event.position
        rows[key] = row
    }

    private static func clearError(on row: inout OutboundRequestRow) {
        row.errorMessage = nil
        row.errorCode = nil
        row.errorLogID = nil
        row.errorHTTPStatus = nil
        row.errorFields = nil
    }

    private static func setError(_ error: OutboundError, on row: inout OutboundRequestRow) {
        row.errorMessage = error.message
        row.errorCode = error.code
        row.errorLogID = error.logId
        row.errorHTTPStatus = error.httpStatus
        row.errorFields = error.fieldErrors.isEmpty ? nil : error.fieldErrors
    }
}
