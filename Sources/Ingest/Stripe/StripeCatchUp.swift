public import AsyncHTTPClient
public import Connectors
public import EventStore
public import Foundation
public import Logging
public import PGClient
public import ServiceLifecycle

/// Catches up with Stripe (a `Service`): webhooks are a fast path, not the record — deliveries are lost while
/// Accord is down, restarting or unreachable, or when Stripe (or localstripe under load) gives up on them. On start
/// and every ``Configuration/interval`` after the last read ended, for each tenant with a Stripe connection (tenants
/// take turns, ``Configuration/concurrentTenants`` at a time, as in the e-conomic poller), it reads the events list
/// (`GET /v1/events`, each customer event type, `created[gte]` = the tenant's cursor, every page) and records the
/// events into the same inbox the webhook endpoint uses, ringing its doorbell. The inbox's primary key makes an
/// event that arrives both ways count once; ``InboxProcessor`` then handles it like any delivery. Most of what a read
/// lists the inbox holds already, so each page is read as far as its events' ids first, and decoded and recorded only
/// when one of them is new.
///
/// The cursor (``StripeEventCursors``) only moves after a complete read, and only to the read's start minus
/// ``Configuration/overlap``: events created during the read, events that appear in Stripe's list late, the
/// one-second resolution of `created` and clock skew between Accord and Stripe all fall into the overlap, which the
/// next read lists again (and the inbox deduplicates). This holds whatever order the list comes in (Stripe: newest
/// first; localstripe: oldest first). A read that fails part-way keeps what it recorded and leaves the cursor.
///
/// A tenant's first read starts at the time its connections were saved (minus the overlap): what Stripe had
/// before is the backfill's to bring in (`accord stripe backfill`). Stripe keeps events for 30 days; a cursor
/// older than that starts at the oldest event Stripe still has, with a warning to run a backfill.
public final class StripeCatchUp: Service {
    /// How the catch-up works.
    public struct Configuration: Sendable {
        /// The time between the end of a tenant's read and the start of its next.
        public var interval: Duration
        /// Tenants read at once (one whose Stripe is slow holds one of these places while the others keep their turns).
        public var concurrentTenants: Int
        /// How far before a read's start the next read begins.
        public var overlap: Duration
        /// Events per page, 1…100.
        public var pageSize: Int
        /// How each page read is retried (429s waited out).
        public var retry: ReadRetry

        /// Makes a configuration.
        public init(
            interval: Duration = .seconds(60), concurrentTenants: Int = 4, overlap: Duration = .seconds(300), pageSize: Int = 100,
            retry: ReadRetry = .standard
        ) {
            self.interval = interval
            self.concurrentTenants = max(concurrentTenants, 1)
            self.overlap = overlap
            self.pageSize = pageSize
            self.retry = retry
        }
    }

    /// A tenant to catch up and how to reach its Stripe.
    public struct Connection: Sendable {
        /// The tenant.
        public var tenant: TenantID
        /// Its Stripe API base and key.
        public var stripe: StripeConfiguration
        /// When its connections were saved: where its first read starts.
        public var connectedAt: Date

        /// Makes a connection.
        public init(tenant: TenantID, stripe: StripeConfiguration, connectedAt: Date) {
            self.tenant = tenant
            self.stripe = stripe
            self.connectedAt = connectedAt
        }
    }

    /// What one tenant's read did.
    public struct Read: Sendable, Hashable {
        /// The read listed events created at or after this.
        public var from: Date
        /// Events listed.
        public var listed: Int
        /// Events that were new to the inbox.
        public var new: Int
        /// Where the cursor stands now.
        public var cursor: Date
    }

    /// How long Stripe keeps events.
    public static let retention: TimeInterval = 30 * 24 * 3600

    private let inbox: WebhookInbox
    private let cursors: StripeEventCursors
    private let configuration: Configuration
    private let doorbell: Doorbell
    private let httpClient: HTTPClient
    private let logger: Logger
    private let connections: @Sendable () async throws -> [Connection]

    /// Makes a catch-up.
    /// - Parameters:
    ///   - pool: the database of the inbox and the cursors.
    ///   - configuration: interval, overlap, paging, retries.
    ///   - doorbell: the inbox processor's doorbell, rung when a read found something new.
    ///   - httpClient: for Stripe (its lifetime is the caller's).
    ///   - logger: reads that found something at info level, failures at warning.
    ///   - connections: the tenants with a Stripe connection (read again before every round).
    public init(
        pool: PGConnectionPool, configuration: Configuration = .init(), doorbell: Doorbell, httpClient: HTTPClient = .shared, logger: Logger,
        connections: @escaping @Sendable () async throws -> [Connection]
    ) {
        self.inbox = WebhookInbox(pool: pool)
        self.cursors = StripeEventCursors(pool: pool)
        self.configuration = configuration
        self.doorbell = doorbell
        self.httpClient = httpClient
        self.logger = logger
        self.connections = connections
    }

    /// Catches up every tenant, then each again `interval` after its read ended, until cancelled or gracefully shut
    /// down. A failing tenant is logged and tried again at its next turn.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.loop() }
    }

    /// Where a read starts: at the cursor, or — before a tenant's first complete read — at the time its
    /// connections were saved minus the overlap; never before the oldest event Stripe still keeps.
    static func readStart(cursor: Date?, connectedAt: Date, now: Date, overlap: TimeInterval) -> Date {
        max(cursor ?? connectedAt.addingTimeInterval(-overlap), now.addingTimeInterval(-retention))
    }

    private func loop() async {
        let turns = TenantTurns<Connection>(
            interval: configuration.interval, fullReadInterval: .seconds(Int64.max / 2), concurrentTenants: configuration.concurrentTenants,
            logger: logger, listingFailure: "could not list Stripe connections")
        await turns.run(connections: { try await self.connections().map { ($0.tenant, $0) } }) { _, connection in
            do {
                let read = try await self.read(connection)
                if read.new > 0 {
                    self.logger.info(
                        "caught up with Stripe events",
                        metadata: ["accord.tenant": "\(connection.tenant)", "listed": "\(read.listed)", "new": "\(read.new)"])
                }
                return .init(newest: nil, succeeded: true)
            } catch {
                if !Task.isCancelled {
                    self.logger.warning("Stripe catch-up failed", metadata: ["accord.tenant": "\(connection.tenant)", "error": "\(error)"])
                }
                return .init(newest: nil, succeeded: false)
            }
        }
    }

    /// Reads one tenant's events list from its cursor and records what is new.
    /// - Parameters:
    ///   - connection: the tenant and its Stripe.
    ///   - now: the read's start (the cursor moves to it minus the overlap).
    /// - Returns: what the read did.
    /// - Throws: ``Connectors/StripeAPIError`` once a page cannot be read (after retries), ``PGError``.
    @discardableResult
    public func read(_ connection: Connection, now: Date = Date()) async throws -> Read {
        let tenant = connection.tenant
        let overlap = configuration.overlap.seconds
        let cursor = try await cursors.cursor(of: tenant)?.createdFrom
        let from = Self.readStart(cursor: cursor, connectedAt: connection.connectedAt, now: now, overlap: overlap)
        if let cursor, from > cursor {
            logger.warning(
                "Stripe keeps events for 30 days: older ones are gone; run `accord stripe backfill` for this tenant",
                metadata: ["accord.tenant": "\(tenant)", "cursor": "\(cursor)"])
        }
        let client = StripeClient(configuration: connection.stripe, httpClient: httpClient, logger: StripeClient.silentLogger)
        var listed = 0
        var new = 0
        for type in InboxProcessor.customerEventTypes.sorted() {
            var after: String?
            var seen: Set<String> = []
            repeat {
                let startingAfter = after
                let listing = try await configuration.retry.run("list Stripe \(type) events", logger: logger) {
                    try await client.eventListing(
                        type: type, createdFrom: Int64(from.timeIntervalSince1970.rounded(.down)), limit: configuration.pageSize,
                        startingAfter: startingAfter)
                }
                let ids = listing.summaries.filter { $0.type == type }.map(\.id)
                listed += ids.count
                // Most of a read is what the last one (the overlap) or the webhooks brought: a page is decoded only
                // when it holds an event the inbox does not.
                let unknown = Set(ids).subtracting(try await inbox.recorded(ids, tenant: tenant))
                if !unknown.isEmpty {
                    let entries = try listing.page().entries.filter { unknown.contains($0.event.id) }
                    let fresh = try await inbox.recordListed(entries, tenant: tenant)
                    if !fresh.isEmpty {
                        new += fresh.count
                        doorbell.ring()
                    }
                }
                after = listing.nextCursor
                if let next = after, !seen.insert(next).inserted {
                    throw StripeAPIError(kind: .invalidResponse, message: "the events list did not advance past \(next)", request: "GET /v1/events")
                }
            } while after != nil
        }
        let next = max(from, now.addingTimeInterval(-overlap))
        try await cursors.advance(tenant, to: next, listed: listed, new: new)
        return Read(from: from, listed: listed, new: new, cursor: next)
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
