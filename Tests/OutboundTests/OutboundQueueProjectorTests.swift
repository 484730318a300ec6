import EventSourcing
import EventStore
import Foundation
import Outbound
import PGClient
import PostgresTestSupport
import Projections
import SyncDomain
import Testing

/// A seeded generator, so a failing history can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random but valid outbound histories: every event is decided by `OutboundDecider` from the stream's state.
struct OutboundHistoryGenerator {
    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func history(requests: Int, steps: Int) -> [SyncEvent] {
        var states: [RequestID: OutboundState] = [:]
        var order: [RequestID] = []
        var events: [SyncEvent] = []
        let policy = RetryPolicy.exponentialJitter(base: 1, maxAttempts: 4)
        for index in 0..<requests {
            let id = RequestID(UUID(uuid: uuid(index)))
            let request: OutboundRequest
            switch Int.random(in: 0..<4, using: &random) {
            case 0:
                request = .economic(
                    EconomicWriteRequested(
                        requestId: id, kind: .create, source: .stripe("cus_\(index)"),
                        payload: ["name": "Customer \(index)", "email": "c\(index)@example.com", "currency": "DKK"],
                        matchKeys: [MatchKey(kind: .email, raw: "c\(index)@example.com")!], reason: .autoCreate))
            case 1:
                request = .economic(
                    EconomicWriteRequested(
                        requestId: id, kind: .update(customerNumber: 1000 + index), linkId: LinkID(UUID()),
                        patch: FieldPatch(["city": FieldWrite(value: "Aarhus \(index)", base: "Vejle", kind: .text)]), reason: .sourceChanged))
            case 2:
                request = .stripe(
                    StripeWriteRequested(
                        requestId: id, customerId: "cus_\(index)", kind: .metadata(["economic_number": "\(index)"]), reason: .customerNumberWriteBack)
                )
            default:
                request = .stripe(
                    StripeWriteRequested(
                        requestId: id, customerId: "cus_\(index)",
                        kind: .patch(FieldPatch(["name": FieldWrite(value: "N\(index)", base: "", kind: .text)])),
                        reason: .economicChanged))
            }
            events += decide(.request(request), id, &states, policy)
            order.append(id)
        }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for step in 0..<steps {
            let id = order[Int.random(in: 0..<order.count, using: &random)]
            let command: OutboundCommand
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5:
                let status = [nil, 429, 500, 503, 400, 404][Int.random(in: 0..<6, using: &random)]
                let error = OutboundError(
                    httpStatus: status, code: status == 400 ? "E04300" : nil, message: "failure \(step)",
                    fieldErrors: status == 400 ? ["paymentTerms": ["PaymentTerms '4711' not found."]] : [:], logId: status.map { "log-\($0)-\(step)" }
                )
                command = .recordFailure(
                    id, error: error, retryAfter: status == 429 ? 2 : nil, now: now.addingTimeInterval(Double(step)),
                    jitter: Double.random(in: 0..<1, using: &random))
            case 5..<8:
                command = .recordSuccess(id, customerNumber: Int.random(in: 1...999_999_999, using: &random), written: ["name": "W\(step)"])
            case 8:
                command = .supersede(id, by: order[Int.random(in: 0..<order.count, using: &random)])
            default:
                // A create about to be sent (it changes no status), or a person's retry.
                command = Bool.random(using: &random) ? .startCreate(id, existing: Bool.random(using: &random) ? [step] : nil) : .retry(id)
            }
            events += decide(command, id, &states, policy)
        }
        // Whatever the draws, every open status shows: of the abandoned requests the first stays, the second is retried
        // (pending), the third retried and failed again (retrying), the fourth retried and answered 429 (a wait for the
        // rate limit, as under a fair-use limit).
        let end = now.addingTimeInterval(Double(steps))
        let abandoned = order.filter { states[$0]?.status == .abandoned }
        let outcomes: [OutboundError?] = [
            nil, OutboundError(httpStatus: 503, message: "Service unavailable"),
            OutboundError(httpStatus: 429, code: "rateLimited", message: "Too many requests"),
        ]
        for (id, failure) in zip(abandoned.dropFirst(), outcomes) {
            events += decide(.retry(id), id, &states, policy)
            if let failure {
                events += decide(.recordFailure(id, error: failure, retryAfter: 2, now: end, jitter: 0.5), id, &states, policy)
            }
        }
        // Too few abandoned ones (superseding takes many): a request whose status another shares answers a 429 last.
        func kind(_ status: OutboundStatus?) -> String? {
            switch status {
            case .pending?: "pending"
            case .retrying?: "retrying"
            case .abandoned?: "abandoned"
            case .rateLimited?: "rateLimited"
            default: nil
            }
        }
        let kinds = order.compactMap { kind(states[$0]?.status) }
        if !kinds.contains("rateLimited"),
            let donor = order.first(where: { id in kind(states[id]?.status).map { k in kinds.filter { $0 == k }.count > 1 } ?? false })
        {
            if states[donor]?.status == .abandoned { events += decide(.retry(donor), donor, &states, policy) }
            events += decide(.recordFailure(donor, error: outcomes[2]!, retryAfter: 2, now: end, jitter: 0.5), donor, &states, policy)
        }
        return events
    }

    private mutating func decide(_ command: OutboundCommand, _ id: RequestID, _ states: inout [RequestID: OutboundState], _ policy: RetryPolicy)
        -> [SyncEvent]
    {
        let state = states[id] ?? .initial
        guard let events = try? OutboundDecider.decide(command, state: state, context: policy) else { return [] }
        states[id] = events.reduce(state, OutboundDecider.evolve)
        return events
    }

    private mutating func uuid(_ index: Int) -> uuid_t {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { bytes[i] = UInt8.random(in: 0...255, using: &random) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11], bytes[12],
            bytes[13], bytes[14], bytes[15]
        )
    }
}

@Suite("the outbound queue read model", .timeLimit(.minutes(5)))
struct OutboundQueueProjectorTests {
    @Test("for random outbound histories, outbound_requests equals the in-memory fold of the same events", arguments: [UInt64(1), 2, 3])
    func equalsFold(seed: UInt64) async throws {
        try await withOutboundStore { store, _, acme, globex in
            var total = 0
            for (index, tenant) in [acme, globex].enumerated() {
                var generator = OutboundHistoryGenerator(seed: seed &* 31 &+ UInt64(index))
                let events = generator.history(requests: 60, steps: 400)
                try await append(events, tenant: tenant, store: store)
                total += events.count
            }
            // Events of other streams are ignored by this projector.
            try await append([.customerObserved(CustomerObserved(customer: .stripe("cus_x"), fields: ["name": "X"]))], tenant: acme, store: store)
            total += 1
            let projector = OutboundRequestsProjector()
            try await catchUp(projector, store: store, expecting: total, batchSize: 173)

            let events = try await allDomainEvents(store)
            let expected = OutboundQueueModel.fold(events)
            let version = try await ProjectionRegistry(pool: store.pool).activeVersion(of: projector)
            let stored = try await store.pool.withTransaction(scope: .system) { connection in
                try await ProjectionRows<OutboundRequestRow>(
                    OutboundRequestsProjector.table, ProjectionTarget(projection: projector.name, version: version)
                )
                .all(on: connection)
            }
            #expect(stored.count == 120)
            #expect(stored == expected)
            if stored != expected {
                for (row, reference) in zip(stored, expected) where row != reference {
                    Issue.record("first difference:\n stored   \(row)\n expected \(reference)")
                    break
                }
            }

            // The rows agree with the decider's own fold of each stream.
            var byRequest: [String: [SyncEvent]] = [:]
            for event in events {
                if let id = OutboundQueueModel.touches(event) { byRequest["\(event.tenant)/\(id)", default: []].append(event.event) }
            }
            for row in stored {
                let state = OutboundDecider.fold(byRequest["\(row.tenantID)/\(row.requestID)"] ?? [])
                switch state.status {
                case .pending: #expect(row.status == .pending)
                case .retrying(let retryAt):
                    #expect(row.status == .failedWaiting)
                    #expect(abs((row.nextAttemptAt ?? .distantPast).timeIntervalSince(retryAt)) < 0.001)
                case .rateLimited(let until):
                    #expect(row.status == .rateLimited)
                    #expect(abs((row.nextAttemptAt ?? .distantPast).timeIntervalSince(until)) < 0.001)
                case .succeeded: #expect(row.status == .succeeded)
                case .abandoned: #expect(row.status == .abandoned)
                case .superseded(let by):
                    #expect(row.status == .superseded && row.errorCode == OutboundQueueStatus.supersededCode)
                    #expect(row.errorMessage?.contains(by.description) == true, "the row names the request that carries it forward")
                case .none: Issue.record("a row for a stream without a request")
                }
                #expect(row.attempts == state.failedAttempts)
                #expect(row.rateLimitedWaits == state.rateLimitedWaits)
                if case .superseded = state.status {} else { #expect(row.errorMessage == state.lastError?.message) }
            }
            let statuses = Set(stored.map(\.status))
            #expect(statuses == Set(OutboundQueueStatus.allCases), "the histories reach every status")

            // Counts (system scope) and a tenant's view (row-level security).
            let queue = OutboundQueue(store: store)
            let counts = try await queue.counts()
            for tenant in [acme, globex] {
                let rows = stored.filter { $0.tenantID == tenant.rawValue }
                let tenantCounts = try #require(counts[tenant])
                #expect(tenantCounts.pending == rows.filter { $0.status == .pending }.count)
                #expect(tenantCounts.failedWaiting == rows.filter { $0.status == .failedWaiting }.count)
                #expect(tenantCounts.rateLimited == rows.filter { $0.status == .rateLimited }.count)
                #expect(tenantCounts.succeeded == rows.filter { $0.status == .succeeded }.count)
                #expect(tenantCounts.abandoned == rows.filter { $0.status == .abandoned }.count)
                #expect(tenantCounts.superseded == rows.filter { $0.status == .superseded }.count)
                #expect(try await queue.counts(for: tenant) == tenantCounts)
                let abandoned = try await queue.requests(of: tenant, status: .abandoned, limit: 1000)
                #expect(Set(abandoned.map(\.requestID)) == Set(rows.filter { $0.status == .abandoned }.map(\.requestID)))
                #expect(abandoned.allSatisfy { $0.errorMessage != nil })
            }
            let acmeSees = try await store.pool.withTransaction(scope: .tenant(acme)) { connection in
                try await connection.query("SELECT DISTINCT tenant_id FROM outbound_requests").decode((String).self)
            }
            #expect(acmeSees == ["acme"])
        }
    }
}
