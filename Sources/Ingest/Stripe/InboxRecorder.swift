public import EventStore
public import PGClient

/// Records the webhook endpoint's verified deliveries in the inbox, concurrent ones in shared transactions
/// (``EventStore/CommitCombiner``): one statement per tenant for whatever waits. A delivery alone is recorded at once
/// as before; under load, the few connections of the HTTP pool keep up with many deliveries however long each waits
/// for its turn on a busy machine (one commit for many, instead of a connection held per delivery). Each delivery is
/// answered on its own: when a shared statement fails, its deliveries are recorded one by one, so a delivery the
/// database refuses fails alone.
public final class InboxRecorder: Sendable {
    private let combiner: CommitCombiner<WebhookDelivery, Bool>

    /// Makes a recorder.
    /// - Parameters:
    ///   - pool: the pool it records through (the HTTP server's).
    ///   - maxDeliveries: the most deliveries one transaction takes.
    ///   - flushers: how many shared transactions may run at once.
    public init(pool: PGConnectionPool, maxDeliveries: Int = 256, flushers: Int = 2) {
        let inbox = WebhookInbox(pool: pool)
        combiner = CommitCombiner(maxUnits: maxDeliveries, flushers: flushers) { deliveries in await Self.record(deliveries, in: inbox) }
    }

    /// Records a delivery, alone or with others waiting.
    /// - Returns: false when the event was already recorded (a duplicate delivery).
    /// - Throws: ``PGClient/PGError``.
    public func record(_ delivery: WebhookDelivery) async throws -> Bool {
        try await combiner.submit(delivery)
    }

    /// One statement per tenant, in order of arrival; a failed statement's deliveries again one by one.
    static func record(_ deliveries: [WebhookDelivery], in inbox: WebhookInbox) async -> [Result<Bool, any Error>] {
        var results = [Result<Bool, any Error>?](repeating: nil, count: deliveries.count)
        for indices in deliveries.groupedPositions(by: \.tenant) {
            let tenant = deliveries[indices[0]].tenant
            do {
                let new = try await inbox.record(indices.map { deliveries[$0] }, tenant: tenant)
                for (index, isNew) in zip(indices, new) { results[index] = .success(isNew) }
            } catch {
                guard indices.count > 1 else {
                    results[indices[0]] = .failure(error)
                    continue
                }
                for index in indices {
                    do {
                        results[index] = .success(try await inbox.record([deliveries[index]], tenant: tenant)[0])
                    } catch {
                        results[index] = .failure(error)
                    }
                }
            }
        }
        return results.map { $0 ?? .failure(CancellationError()) }
    }
}
