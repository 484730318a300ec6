import Connectors
import EconomicSandbox
import EventSourcing
import EventStore
import Ingest
import Outbound
import Projections
import Runtime
import Server
import SyncDomain
import SyncEngine

/// Everything the checks look at once the sync has come to rest: both outside systems as they are, and Accord's
/// command side, its read models and the fold of its streams.
struct ChaosObservation {
    /// What Stripe answers for each of the run's customers.
    var stripe: [Int: StripeCustomerLookup]
    /// Every e-conomic customer.
    var economic: [EconomicCustomer]
    /// The command side: the fold of the `partners` stream and the settings.
    var partnering: PartneringState
    var settings: TenantSettings
    /// The read models, through the query APIs the API and the pages use.
    var stored: ReadModelViews
    /// The same questions answered by the fold of every event (``Projections/ReferenceReadModels``).
    var folded: ReadModelViews
    /// Outbound requests abandoned for a person.
    var abandoned: [OutboundRequestRow]
    /// Each customer's row in the fold (match and mapping failures, exclusions), by reference.
    var foldedCustomers: [CustomerRef: CustomerRow]
    /// The accountant's edits the sandbox saw undone by an API `PUT` based on an older read.
    var overwrites: [SandboxOverwrite] = []

    /// Whether the sandbox saw an accountant's edit of this customer's field undone by an API `PUT` based on an older read.
    func undone(number: Int, field: String) -> Bool { overwrites.contains { $0.customerNumber == number && $0.field == field } }

    /// Reads it all through the driver's current process.
    static func read(_ driver: ChaosDriver) async throws -> ChaosObservation {
        var stripe: [Int: StripeCustomerLookup] = [:]
        for customer in driver.model.customers.values {
            guard let id = customer.stripeID else { continue }
            stripe[customer.index] = try await driver.stripe.customer(id: id)
        }
        let client = driver.sandbox.client
        let economic = try await driver.retry.run("read every e-conomic customer", logger: driver.logger) { try await client.allCustomers() }
        let services = driver.process.services
        let tenant = driver.tenant
        let snapshot = try await services.cache.snapshot(of: tenant)
        let settings = snapshot.settings.effective
        var events: [DomainEvent] = []
        var checkpoint = Checkpoint.origin
        while true {
            let batch = try await services.store.readForward(after: checkpoint, limit: 5000)
            guard let last = batch.last else { break }
            events += try DomainEvent.decode(batch)
            checkpoint = last.checkpoint
        }
        let fold = ReferenceReadModels.fold(events, settings: { _ in settings })
        return ChaosObservation(
            stripe: stripe, economic: economic, partnering: snapshot.partnering, settings: settings,
            stored: try await ReadModelViews.read(tenant, reads: TenantReadModels(store: services.store)),
            folded: ReadModelViews.fold(tenant, fold),
            abandoned: try await OutboundQueue(store: services.store).requests(of: tenant, status: .abandoned, limit: 100_000),
            foldedCustomers: Dictionary(
                fold.customers(tenant, filter: CustomerFilter(includeDeleted: true, limit: 1_000_000)).rows.map { ($0.customer, $0) },
                uniquingKeysWith: { first, _ in first }),
            overwrites: try await driver.sandbox.overwrites())
    }
}

/// The read models a person sees: customers, unpartnered customers on both sides, links, conflicts, and the
/// overview's counts.
struct ReadModelViews: Equatable {
    var customers: [CustomerRow]
    var unpartneredSource: [UnpartneredRow]
    var unpartneredEconomic: [UnpartneredRow]
    var links: [PartnerLinkRow]
    var conflicts: [ConflictRow]
    var customerCounts: CustomerQueries.Counts
    var linkCounts: PartnerLinkQueries.Counts

    static let everything = 1_000_000

    static func read(_ tenant: TenantID, reads: TenantReadModels) async throws -> ReadModelViews {
        let overview = try await reads.overview(tenant)
        return ReadModelViews(
            customers: try await reads.customers(tenant, filter: CustomerFilter(includeDeleted: true, limit: everything)).rows,
            unpartneredSource: try await reads.unpartnered(tenant, side: "source", search: nil, limit: everything, offset: 0).rows,
            unpartneredEconomic: try await reads.unpartnered(tenant, side: "economic", search: nil, limit: everything, offset: 0).rows,
            links: try await reads.links(tenant, search: nil, limit: everything, offset: 0).rows,
            conflicts: try await reads.conflicts(tenant),
            customerCounts: CustomerQueries.Counts(
                unpartneredSource: overview.unpartneredSource, unpartneredEconomic: overview.unpartneredEconomic, failures: overview.matchFailures,
                excluded: overview.excluded),
            linkCounts: PartnerLinkQueries.Counts(
                synchronised: overview.synchronised, stopped: overview.stopped, conflictedLinks: overview.conflicts,
                conflictingFields: overview.conflictingFields, pendingCreations: overview.pendingCreations))
    }

    static func fold(_ tenant: TenantID, _ fold: ReferenceReadModels) -> ReadModelViews {
        ReadModelViews(
            customers: fold.customers(tenant, filter: CustomerFilter(includeDeleted: true, limit: everything)).rows,
            unpartneredSource: fold.unpartnered(tenant, side: "source", limit: everything, offset: 0).rows,
            unpartneredEconomic: fold.unpartnered(tenant, side: "economic", limit: everything, offset: 0).rows,
            links: fold.links(tenant, limit: everything, offset: 0).rows,
            conflicts: fold.conflicts(tenant),
            customerCounts: fold.customerCounts(tenant),
            linkCounts: fold.partnerLinkCounts(tenant))
    }
}
