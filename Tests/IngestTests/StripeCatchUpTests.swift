import Connectors
import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import SyncDomain
import Testing

@testable import Ingest

/// localstripe is shared by every test, and its events list holds every test's events: each test looks only at
/// the customers it created (unique e-mails, their own ids).
@Suite("catch-up from Stripe's events list", .timeLimit(.minutes(5)))
struct StripeCatchUpTests {
    /// A small overlap, so that each read lists few of the other tests' events.
    static let configuration = StripeCatchUp.Configuration(overlap: .seconds(10))

    static func catchUp(_ harness: IngestHarness, _ configuration: StripeCatchUp.Configuration = Self.configuration, doorbell: Doorbell = Doorbell())
        -> StripeCatchUp
    {
        StripeCatchUp(pool: harness.pool, configuration: configuration, doorbell: doorbell, logger: harness.database.logger) { [] }
    }

    static func connection(_ harness: IngestHarness, connectedAt: Date = Date()) throws -> StripeCatchUp.Connection {
        StripeCatchUp.Connection(tenant: harness.tenant, stripe: try LocalStripe.configuration(), connectedAt: connectedAt)
    }

    /// A processor that re-fetches the test's own customers from localstripe and takes every other test's customer
    /// for gone (the read brought their events too; fetching them all would only load the shared localstripe).
    static func processor(_ harness: IngestHarness, own: Set<String>) throws -> InboxProcessor {
        let stripe = StripeClientCustomerSource { _ in try LocalStripe.configuration() }
        return InboxProcessor(
            pool: harness.pool, commands: harness.handler, stripeCustomers: OwnCustomers(own: own, stripe: stripe), doorbell: Doorbell(),
            logger: harness.database.logger)
    }

    struct OwnCustomers: StripeCustomerSource {
        let own: Set<String>
        let stripe: StripeClientCustomerSource

        func customer(id: String, tenant: TenantID) async throws -> StripeCustomerLookup {
            own.contains(id) ? try await stripe.customer(id: id, tenant: tenant) : .notFound(id: id)
        }
    }

    /// The inbox entries of the given customers.
    static func entries(_ harness: IngestHarness, of customers: Set<String>) async throws -> [WebhookInbox.Entry] {
        try await WebhookInbox(pool: harness.pool).recent(harness.tenant, limit: 100_000).filter { customers.contains($0.objectID ?? "") }
    }

    @Test("customers whose webhooks never came are read from the events list page by page, recorded once, and observed")
    func eventsWithoutWebhooks() async throws {
        try await IngestHarness.run { harness in
            let connection = try Self.connection(harness)
            let stripe = try LocalStripe.client()
            var ids: Set<String> = []
            for index in 0..<5 {
                ids.insert(try await stripe.createCustomer(fields: [.name: "Lost \(index)", .email: LocalStripe.uniqueEmail("lost")]).id)
            }
            let renamed = try #require(ids.first)
            _ = try await stripe.updateCustomer(customerID: renamed, fields: [.name: "Renamed"], idempotencyKey: UUID().uuidString)
            let doorbell = Doorbell()
            var smallPages = Self.configuration
            smallPages.pageSize = 3
            let catchUp = Self.catchUp(harness, smallPages, doorbell: doorbell)

            let read = try await catchUp.read(connection)
            #expect(read.new >= 6)
            #expect(await doorbell.wait(timeout: .zero), "the inbox processor is woken")
            let entries = try await Self.entries(harness, of: ids)
            #expect(Set(entries.filter { $0.eventType == "customer.created" }.compactMap(\.objectID)) == ids, "every creation, over pages of 3")
            #expect(entries.contains { $0.eventType == "customer.updated" && $0.objectID == renamed })
            #expect(entries.allSatisfy { $0.receivedVia == "catch_up" && $0.status == "pending" })

            // Read again: the same events are listed (the overlap), and none is recorded again. (Other tests' tenants may
            // write to these customers meanwhile — localstripe's webhooks reach every tenant — so new events may come.)
            let again = try await catchUp.read(connection)
            #expect(again.listed >= 6)
            let first = Dictionary(uniqueKeysWithValues: entries.map { ($0.eventID, $0) })
            let after = try await Self.entries(harness, of: ids).filter { first[$0.eventID] != nil }
            #expect(after.count == entries.count)
            #expect(after.allSatisfy { $0 == first[$0.eventID] }, "left as they were")

            // The processor handles them like webhook deliveries: each event once, each customer observed as Stripe has
            // it now; one renamed since its creation was first seen as created.
            try await Self.processor(harness, own: ids).processPending()
            let observed = try await harness.stripeObservationEvents().filter { ids.contains($0.customer.id) }
            #expect(Set(observed.map(\.customer.id)) == ids)
            let ofRenamed = observed.filter { $0.customer.id == renamed }
            #expect(ofRenamed.last?.fields["name"] == "Renamed", "Stripe's current name, not the event's")
            #expect(ofRenamed.count == 2 && ofRenamed.first?.fields["name"]?.hasPrefix("Lost ") == true, "first as it was created")
            #expect(ofRenamed.first?.sourceEventId == nil, "the creation's copy is not the event's observation")
            let sources = observed.compactMap(\.sourceEventId)
            #expect(sources.count == ids.count && Set(sources).count == sources.count, "each observation from its own event")
        }
    }

    @Test("an event delivered by a webhook and listed by the catch-up is recorded once, and observed once")
    func webhookAndCatchUpDuplicate() async throws {
        try await IngestHarness.run { harness in
            let connection = try Self.connection(harness)
            let stripe = try LocalStripe.client()
            let customer = try await stripe.createCustomer(fields: [.name: "Both Ways", .email: LocalStripe.uniqueEmail("both")])
            // What the webhook endpoint records for the delivery of this customer's creation.
            var delivered: StripeEventPage.Entry?
            var after: String?
            repeat {
                let page = try await stripe.events(
                    type: "customer.created", createdFrom: Int64(connection.connectedAt.timeIntervalSince1970) - 60, startingAfter: after)
                delivered = delivered ?? page.entries.first { $0.event.customer?.id == customer.id }
                after = page.nextCursor
            } while delivered == nil && after != nil
            let event = try #require(delivered).event
            #expect(
                try await WebhookInbox(pool: harness.pool).record(
                    tenant: harness.tenant, eventID: event.id, eventType: event.type, objectID: customer.id,
                    eventCreated: Date(timeIntervalSince1970: TimeInterval(event.created)), payload: PGJSON(text: try #require(delivered).jsonText)))

            try await Self.catchUp(harness).read(connection)
            let entries = try await Self.entries(harness, of: [customer.id])
            #expect(entries.map(\.eventID) == [event.id], "recorded once")
            #expect(entries.first?.receivedVia == "webhook", "as it came first")

            try await Self.processor(harness, own: [customer.id]).processPending()
            let observed = try await harness.stripeObservationEvents().filter { $0.customer.id == customer.id }
            #expect(observed.filter { $0.sourceEventId == event.id }.count == 1, "the event was processed once")
        }
    }

    @Test("a listing read as far as ids and types names the events of the whole page, in order, with the same cursor")
    func listingMatchesPage() async throws {
        let stripe = try LocalStripe.client()
        let since = Int64(Date().timeIntervalSince1970) - 60
        for index in 0..<3 {
            _ = try await stripe.createCustomer(fields: [.name: "Listed \(index)", .email: LocalStripe.uniqueEmail("listed")])
        }
        let listing = try await stripe.eventListing(type: "customer.created", createdFrom: since, limit: 2)
        let page = try listing.page()
        #expect(listing.summaries.count == 2)
        #expect(listing.summaries.map(\.id) == page.entries.map(\.event.id))
        #expect(listing.summaries.map(\.type) == page.entries.map(\.event.type))
        #expect(listing.hasMore && listing.nextCursor == page.nextCursor && listing.nextCursor != nil)
        let whole = try await stripe.events(type: "customer.created", createdFrom: since, limit: 2)
        #expect(whole.entries.map(\.event.id) == page.entries.map(\.event.id))
    }

    @Test("a tenant whose Stripe never answers does not hold back another tenant's catch-up")
    func silentStripeHoldsNoOneBack() async throws {
        try await IngestHarness.run { harness in
            let globex = try await harness.database.addTenant("globex", pool: harness.pool)
            let customer = try await LocalStripe.client().createCustomer(fields: [.name: "Turn Taker", .email: LocalStripe.uniqueEmail("turns")])
            try await SilentRemote.run { silent in
                // acme is listed first, and its Stripe keeps every request waiting (far longer than this test).
                let connections = [
                    StripeCatchUp.Connection(tenant: harness.tenant, stripe: silent.stripeConfiguration, connectedAt: Date()),
                    StripeCatchUp.Connection(tenant: globex, stripe: try LocalStripe.configuration(), connectedAt: Date()),
                ]
                var configuration = Self.configuration
                configuration.interval = .seconds(3600)
                configuration.concurrentTenants = 2
                let catchUp = StripeCatchUp(pool: harness.pool, configuration: configuration, doorbell: Doorbell(), logger: harness.database.logger) {
                    connections
                }
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await catchUp.run() }
                    try await waitFor("acme's read to reach its Stripe") { silent.requests > 0 }
                    try await waitFor("globex's catch-up to record the customer's creation") {
                        try await WebhookInbox(pool: harness.pool).recent(globex, limit: 100_000).contains {
                            $0.objectID == customer.id && $0.eventType == "customer.created"
                        }
                    }
                    // The order: globex was read to its end while acme's read was still waiting for an answer.
                    #expect(silent.answered == 0, "acme's Stripe has not answered")
                    #expect(try await WebhookInbox(pool: harness.pool).recent(harness.tenant, limit: 10).isEmpty)
                    tasks.cancelAll()
                }
            }
        }
    }

    @Test("the cursor survives a restart, moves only after a complete read, and never starts before Stripe's 30 days")
    func cursor() async throws {
        try await IngestHarness.run { harness in
            let cursors = StripeEventCursors(pool: harness.pool)
            let unreachable = StripeCatchUp.Connection(
                tenant: harness.tenant,
                stripe: StripeConfiguration(apiBase: "http://127.0.0.1:9", secretKey: "sk_test_unreachable", timeout: .seconds(1)),
                connectedAt: Date())
            var failFast = Self.configuration
            failFast.retry = RecordedWaits().retry(policy: .exponentialJitter(maxAttempts: 1))

            // A read that fails leaves no cursor behind.
            await #expect(throws: StripeAPIError.self) { try await Self.catchUp(harness, failFast).read(unreachable) }
            #expect(try await cursors.cursor(of: harness.tenant) == nil)

            // The first read starts at the connection's time (minus the overlap), and moves the cursor to its own start
            // minus the overlap.
            let connectedAt = Date().addingTimeInterval(-60)
            let start = Date()
            let first = try await Self.catchUp(harness).read(try Self.connection(harness, connectedAt: connectedAt), now: start)
            #expect(first.from == connectedAt.addingTimeInterval(-10))
            #expect(first.cursor == start.addingTimeInterval(-10))
            let stored = try #require(try await cursors.cursor(of: harness.tenant))
            #expect(abs(stored.createdFrom.timeIntervalSince(first.cursor)) < 0.001)
            #expect(stored.lastReadListed == first.listed)

            // A restarted process (a new pool, a new catch-up) goes on from the stored cursor, not from the connection.
            try await harness.database.withPool(maxConnections: 2) { pool in
                let restarted = StripeCatchUp(pool: pool, configuration: Self.configuration, doorbell: Doorbell(), logger: harness.database.logger) {
                    []
                }
                let read = try await restarted.read(try Self.connection(harness, connectedAt: connectedAt))
                #expect(abs(read.from.timeIntervalSince(stored.createdFrom)) < 0.001)
                // A failing read there changes nothing.
                let failing = StripeCatchUp(pool: pool, configuration: failFast, doorbell: Doorbell(), logger: harness.database.logger) { [] }
                let before = try await cursors.cursor(of: harness.tenant)
                await #expect(throws: StripeAPIError.self) { try await failing.read(unreachable) }
                #expect(try await cursors.cursor(of: harness.tenant) == before)
            }
        }
        // Stripe keeps 30 days: a tenant connected 40 days ago and never read, or a cursor that old, starts at the oldest
        // event Stripe still has.
        let now = Date()
        let days40 = now.addingTimeInterval(-40 * 86_400)
        let oldest = now.addingTimeInterval(-StripeCatchUp.retention)
        #expect(StripeCatchUp.readStart(cursor: nil, connectedAt: days40, now: now, overlap: 10) == oldest)
        #expect(StripeCatchUp.readStart(cursor: days40, connectedAt: now, now: now, overlap: 10) == oldest)
        #expect(StripeCatchUp.readStart(cursor: nil, connectedAt: now, now: now, overlap: 10) == now.addingTimeInterval(-10))
    }
}
