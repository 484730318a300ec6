import EventSourcing
import EventStore
import Foundation
import Outbound
import PGClient
import PostgresTestSupport
import Projections
import SyncDomain
import Testing

/// The outbound problems the API and the outbound page list: found and paged in the queue's read model, told from the
/// log.
@Suite("outbound problems", .timeLimit(.minutes(5)))
struct OutboundProblemQueryTests {
    @Test("outbound problems: each request whose latest outcome is a failure or an abandonment, newest first, in the tenant's scope")
    func outboundProblems() async throws {
        try await withOutboundStore { store, _, acme, globex in
            let error = OutboundError(httpStatus: 400, code: "E04300", message: "Name is required")
            let failed = RequestID(UUID())
            let abandoned = RequestID(UUID())
            let recovered = RequestID(UUID())
            let stripe = RequestID(UUID())
            func economicWrite(_ id: RequestID) -> SyncEvent {
                .economicWriteRequested(
                    EconomicWriteRequested(requestId: id, kind: .create, source: .stripe("cus_anna"), payload: ["name": "Anna"], reason: .autoCreate))
            }
            try await append(
                [
                    economicWrite(failed), economicWrite(abandoned), economicWrite(recovered),
                    .stripeWriteRequested(
                        StripeWriteRequested(requestId: stripe, customerId: "cus_bo", kind: .metadata(["n": "1"]), reason: .customerNumberWriteBack)),
                    .outboundFailed(OutboundFailed(requestId: failed, attempt: 2, error: error, retryAt: Date(timeIntervalSince1970: 2_000_000_000))),
                    .outboundFailed(OutboundFailed(requestId: recovered, attempt: 1, error: error, retryAt: Date())),
                    .outboundSucceeded(OutboundSucceeded(requestId: recovered)),
                    .outboundAbandoned(OutboundAbandoned(requestId: abandoned, attempts: 5, error: error)),
                    .outboundFailed(OutboundFailed(requestId: stripe, attempt: 1, error: error, retryAt: Date())),
                ], tenant: acme, store: store)
            try await append([economicWrite(RequestID(UUID()))], tenant: globex, store: store)
            try await catchUp(OutboundRequestsProjector(), store: store, expecting: 10)

            let (problems, total) = try await OutboundProblemQueries(pool: store.pool).problems(acme, limit: 50, offset: 0)
            #expect(total == 3)
            #expect(
                Set(problems.map(\.requestID)) == [failed.description, abandoned.description, stripe.description],
                "the recovered one is not a problem")
            #expect(zip(problems, problems.dropFirst()).allSatisfy { $0.at >= $1.at }, "newest first")
            let byID = Dictionary(uniqueKeysWithValues: problems.map { ($0.requestID, $0) })
            #expect(byID[failed.description]?.state == "failed" && byID[failed.description]?.attempts == 2)
            #expect(byID[failed.description]?.retryAt == Date(timeIntervalSince1970: 2_000_000_000))
            #expect(byID[failed.description]?.customer == "stripe:cus_anna" && byID[failed.description]?.requestType == "EconomicWriteRequested")
            #expect(byID[abandoned.description]?.state == "abandoned" && byID[abandoned.description]?.retryAt == nil)
            #expect(byID[abandoned.description]?.error.contains("Name is required") == true)
            #expect(byID[stripe.description]?.customer == "stripe:cus_bo" && byID[stripe.description]?.requestType == "StripeWriteRequested")
            #expect(try await OutboundProblemQueries(pool: store.pool).problems(globex, limit: 50, offset: 0).total == 0)
            let second = try await OutboundProblemQueries(pool: store.pool).problems(acme, limit: 1, offset: 1)
            #expect(second.total == 3 && second.problems.map(\.requestID) == [problems[1].requestID], "paged in the same order")
            let failures = try await store.pool.withTransaction(scope: .tenant(acme)) { connection in
                try await OutboundProblemQueries.failureCount(of: acme, on: connection)
            }
            #expect(failures == 3)
        }
    }

    @Test("outbound problems are found by the customer's name, e-mail or id, and counted as found")
    func searchedProblems() async throws {
        try await withOutboundStore { store, _, acme, _ in
            let error = OutboundError(httpStatus: 400, code: "E04300", message: "Name is required")
            let anna = RequestID(UUID())
            let bo = RequestID(UUID())
            let carl = RequestID(UUID())
            try await append(
                [
                    .customerObserved(CustomerObserved(customer: .stripe("cus_anna"), fields: ["name": "Anna Jensen", "email": "anna@example.com"])),
                    .customerObserved(CustomerObserved(customer: .economic(42), fields: ["name": "Carl Berg", "customerNumber": "42"])),
                    .stripeWriteRequested(
                        StripeWriteRequested(
                            requestId: carl, customerId: "", kind: .create(["name": "Carl Berg"]), source: .economic(42), reason: .createPartner)),
                    .outboundFailed(OutboundFailed(requestId: carl, attempt: 1, error: error, retryAt: Date())),
                    .economicWriteRequested(
                        EconomicWriteRequested(requestId: anna, kind: .create, source: .stripe("cus_anna"), payload: ["name": "Anna"], reason: .autoCreate)),
                    .stripeWriteRequested(
                        StripeWriteRequested(requestId: bo, customerId: "cus_bo", kind: .metadata(["n": "1"]), reason: .customerNumberWriteBack)),
                    .outboundFailed(OutboundFailed(requestId: anna, attempt: 1, error: error, retryAt: Date())),
                    .outboundAbandoned(OutboundAbandoned(requestId: bo, attempts: 1, error: error)),
                ], tenant: acme, store: store)
            for projector in [OutboundRequestsProjector() as any Projector, CustomersProjector(), PartnerLinksProjector()] {
                try await catchUp(projector, store: store, expecting: 8)
            }
            let queries = OutboundProblemQueries(pool: store.pool)
            let cases: [(String, [RequestID])] = [
                ("anna jensen", [anna]), ("ANNA@EXAMPLE", [anna]), ("cus_bo", [bo]), ("cus_", [anna, bo]), ("carl", [carl]), ("nobody", []),
            ]
            for (search, expected) in cases {
                let (problems, total) = try await queries.problems(acme, search: search, limit: 50, offset: 0)
                #expect(Set(problems.map(\.requestID)) == Set(expected.map(\.description)) && total == expected.count, "'\(search)'")
            }
            let all = try await queries.problems(acme, limit: 50, offset: 0)
            #expect(all.total == 3)
            #expect(all.problems.first { $0.requestID == carl.description }?.customer == "economic:42", "a Stripe create names the customer it is made for")
        }
    }

    @Test("outbound problems: a request waiting for a rate limit is listed as such, with its waits, and is not a failure")
    func rateLimitedIsListedAsWaiting() async throws {
        try await withOutboundStore { store, _, acme, _ in
            let id = RequestID(UUID())
            let retryAt = Date(timeIntervalSince1970: 2_000_000_000)
            try await append(
                [
                    .economicWriteRequested(
                        EconomicWriteRequested(requestId: id, kind: .create, source: .stripe("cus_wait"), payload: ["name": "W"], reason: .autoCreate)
                    ),
                    .outboundRateLimited(
                        OutboundRateLimited(
                            requestId: id, waits: 3, failedAttempts: 1, error: OutboundError(httpStatus: 429, message: "Too many requests"),
                            retryAt: retryAt)),
                ], tenant: acme, store: store)
            try await catchUp(OutboundRequestsProjector(), store: store, expecting: 2)
            let (problems, total) = try await OutboundProblemQueries(pool: store.pool).problems(acme, limit: 50, offset: 0)
            #expect(problems.count == 1 && total == 1)
            let failures = try await store.pool.withTransaction(scope: .tenant(acme)) { connection in
                try await OutboundProblemQueries.failureCount(of: acme, on: connection)
            }
            #expect(failures == 0, "a wait for the rate limit is not a failure")
            let waiting = try #require(problems.first)
            #expect(waiting.state == "rateLimited" && waiting.rateLimitedWaits == 3 && waiting.attempts == 1 && waiting.retryAt == retryAt)
            #expect(!waiting.isFailure)
            #expect(waiting.error.contains("HTTP 429"))
        }
    }
}
