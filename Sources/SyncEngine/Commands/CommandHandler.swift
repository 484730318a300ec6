import EventSourcing
public import EventStore
import Foundation
public import Logging
import PGClient
public import SyncDomain

/// What a command appended.
public struct CommandResult: Sendable {
    /// The events appended, in order (empty: the command changed nothing, e.g. an identical observation).
    public var events: [SyncEvent]
    /// Their global positions.
    public var positions: [Int64]

    /// Nothing appended.
    public static let nothing = CommandResult(events: [], positions: [])
}

/// What "create partners for all" did.
public struct CreatePartnersResult: Sendable {
    /// What was appended.
    public var result: CommandResult
    /// The customers whose partners are being created (or were created, for file partners).
    public var created: [CustomerRef]
    /// The customers skipped, with the reason a person can act on.
    public var skipped: [CustomerRef: String]
}

/// Carries out the commands people, the API and connectors issue: loads the state the decision needs (from the
/// streams, with their versions), asks the domain's deciders, and appends the resulting events atomically with
/// the versions the decision was based on — through ``EventSourcing/DecisionRunner``, which reloads and decides
/// again when another writer got there first.
///
/// Facts the streams cannot answer cheaply (customer numbers in use, unpartnered lists) come from read models.
public struct CommandHandler: Sendable {
    let store: EventStore
    let cache: TenantStateCache
    let queries: ReadModelQueries
    let logger: Logger
    let runner: DecisionRunner
    var customers: CustomerStates { CustomerStates(store: store) }

    /// Makes a handler.
    public init(store: EventStore, cache: TenantStateCache, logger: Logger) {
        self.store = store
        self.cache = cache
        self.queries = ReadModelQueries(pool: store.pool)
        self.logger = logger
        self.runner = DecisionRunner(store: store, logger: logger)
    }

    // MARK: Customers

    /// Records a customer as seen in its system. An observation identical to the current state appends nothing;
    /// one older than what is recorded (by the source's own time) does not overwrite newer data.
    /// - Throws: ``CommandError``.
    @discardableResult
    public func observeCustomer(_ observation: CustomerObserved, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult {
        try await customerCommand(.observe(observation), customer: observation.customer, tenant: tenant, metadata: metadata)
    }

    /// Records what a system reports now about a customer it reported as created with `created` fields: a customer
    /// never observed before is recorded as created first (see ``SyncDomain/CustomerCommand/observeCreated(created:current:)``).
    /// - Throws: ``CommandError``.
    @discardableResult
    public func observeCreatedCustomer(_ created: [String: String], now observation: CustomerObserved, tenant: TenantID, metadata: CommandMetadata)
        async throws -> CommandResult
    {
        try await customerCommand(
            .observeCreated(created: created, current: observation), customer: observation.customer, tenant: tenant, metadata: metadata)
    }

    /// Records that a customer was deleted in its system.
    /// - Throws: ``CommandError``.
    @discardableResult
    public func deleteCustomer(_ deletion: CustomerDeleted, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult {
        try await customerCommand(.delete(deletion), customer: deletion.customer, tenant: tenant, metadata: metadata)
    }

    /// "Don't synchronise": excludes a customer from matching, creating and updating.
    /// - Throws: ``CommandError`` (`rejected` when unknown or already excluded).
    @discardableResult
    public func exclude(_ customer: CustomerRef, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult {
        try await customerCommand(.exclude(customer), customer: customer, tenant: tenant, metadata: metadata)
    }

    /// Undoes "Don't synchronise".
    /// - Throws: ``CommandError`` (`rejected` when unknown or not excluded).
    @discardableResult
    public func include(_ customer: CustomerRef, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult {
        try await customerCommand(.include(customer), customer: customer, tenant: tenant, metadata: metadata)
    }

    private func customerCommand(_ command: CustomerCommand, customer: CustomerRef, tenant: TenantID, metadata: CommandMetadata) async throws
        -> CommandResult
    {
        let outcome = try await translatingFailures {
            do {
                return try await runner.decide(
                    CustomerDecider.self, command, context: (), on: .customer(customer), from: CustomerState(customer: customer), tenant: tenant,
                    metadata: metadata.eventMetadata)
            } catch let refusal as CustomerDecider.Error {
                throw CommandError.rejected(refusal)
            }
        }
        return CommandResult(events: outcome.events, positions: outcome.positions)
    }

    // MARK: Settings

    /// Saves new settings; `expectedVersion` is the version the person edited (a stale one is refused).
    /// - Throws: ``CommandError`` (`invalidInput` naming the bad field, `rejected` for a stale version).
    @discardableResult
    public func updateSettings(_ settings: TenantSettings, expectedVersion: Int, tenant: TenantID, metadata: CommandMetadata) async throws
        -> CommandResult
    {
        try await deciding(tenant) { _ in
            let snapshot = try await cache.snapshot(of: tenant)
            let events: [SyncEvent]
            do {
                events = try SettingsDecider.decide(UpdateSettings(settings: settings, expectedVersion: expectedVersion), state: snapshot.settings)
            } catch SettingsDecider.Error.invalid(let problem) {
                throw CommandError(code: .invalidInput, message: "\(problem)", underlying: problem)
            } catch {
                throw CommandError.rejected(error)
            }
            return try Decision(events, basedOn: [.settings: snapshot.settingsVersion], metadata: metadata.eventMetadata)
        }
    }

    /// The tenant's current settings and their version.
    /// - Throws: database errors.
    public func settings(of tenant: TenantID) async throws -> TenantSettings {
        try await cache.snapshot(of: tenant).settings.effective
    }

    // MARK: Partnering

    /// Pairs two existing customers by hand (a Stripe or file customer with an e-conomic one).
    /// - Throws: ``CommandError`` (`rejected`: already partnered, excluded, unknown customer…).
    @discardableResult
    public func selectPartner(source: CustomerRef, economic: CustomerRef, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult {
        try await partnering(.selectPartner(source: source, economic: economic), involving: [source, economic], tenant: tenant, metadata: metadata)
    }

    /// Breaks a link.
    /// - Throws: ``CommandError`` (`rejected` for an unknown link).
    @discardableResult
    public func unlink(_ link: LinkID, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult {
        try await partnering(.unlink(link), involvingLink: link, tenant: tenant, metadata: metadata)
    }

    /// Creates the partner of one customer in the opposite system, with the chosen customer number.
    /// - Throws: ``CommandError`` (`rejected`: already partnered, number taken, invalid number…).
    @discardableResult
    public func createPartner(_ customer: CustomerRef, numbering: PartnerNumbering, tenant: TenantID, metadata: CommandMetadata) async throws
        -> CommandResult
    {
        var involved = [customer]
        if customer.system == .economic {
            // The file customer it would become must not exist already.
            if case .explicit(let number) = numbering { involved.append(.file(String(number))) } else { involved.append(.file(customer.id)) }
        }
        return try await partnering(.createPartner(customer, numbering: numbering), involving: involved, tenant: tenant, metadata: metadata)
    }

    /// Creates the partner of an e-conomic customer in Stripe (through an outbound request; linked once Stripe made it).
    /// - Throws: ``CommandError`` (`rejected`: not an e-conomic customer, already partnered, a creation under way…).
    @discardableResult
    public func createStripePartner(_ customer: CustomerRef, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult {
        try await partnering(.createStripePartner(customer), involving: [customer], tenant: tenant, metadata: metadata)
    }

    /// Creates partners for every unpartnered customer of a side (Stripe/file → e-conomic, or e-conomic → file).
    /// - Throws: ``CommandError`` when nothing could be appended at all.
    public func createPartners(side: System, numbering: PartnerNumbering, tenant: TenantID, metadata: CommandMetadata) async throws
        -> CreatePartnersResult
    {
        let commandID = UUID()
        let outcome = try await translatingFailures {
            try await runner.run(tenant: tenant) { _ in
                let snapshot = try await cache.snapshot(of: tenant)
                var facts = try await queries.unpartnered(side: side, tenant: tenant)
                if side == .economic {
                    let wanted = facts.map { CustomerRef.file(numberForFile(of: $0.customer, numbering: numbering)) }
                    facts += try await customers.load(wanted, tenant: tenant).values.compactMap { CustomerFacts($0.state) }
                }
                let context = PartneringContext(
                    commandId: commandID, settings: snapshot.settings.effective, customers: facts,
                    economicNumbersInUse: try await queries.economicNumbersInUse(among: numbersToCheck(facts, numbering: numbering), tenant: tenant))
                let plan = PartneringDecider.planCreatePartners(
                    side: side == .economic ? .economic : side, numbering: numbering, state: snapshot.partnering, context: context)
                return try Decision(plan.events, basedOn: [.partners: snapshot.partneringVersion], metadata: metadata.eventMetadata, output: plan)
            }
        }
        return CreatePartnersResult(
            result: CommandResult(events: outcome.events, positions: outcome.positions), created: outcome.output.created,
            skipped: outcome.output.skipped.mapValues { "\($0)" })
    }

    /// Resolves conflicts field by field; both sides are then brought to the chosen values.
    /// - Throws: ``CommandError`` (`rejected`: unknown link, no such conflict, a value e-conomic would refuse…).
    @discardableResult
    public func resolveConflict(_ link: LinkID, choices: [String: ConflictChoice], tenant: TenantID, metadata: CommandMetadata) async throws
        -> CommandResult
    {
        try await partnering(.resolveConflict(link, choices: choices), involvingLink: link, tenant: tenant, metadata: metadata)
    }

    /// Stops synchronising a linked pair.
    /// - Throws: ``CommandError``.
    @discardableResult
    public func stopSync(_ link: LinkID, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult {
        try await partnering(.stopSync(link), involvingLink: link, tenant: tenant, metadata: metadata)
    }

    /// Restarts synchronising a linked pair (the reactor then brings it up to date).
    /// - Throws: ``CommandError``.
    @discardableResult
    public func restartSync(_ link: LinkID, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult {
        try await partnering(.restartSync(link), involvingLink: link, tenant: tenant, metadata: metadata)
    }

    private func partnering(_ command: PartneringCommand, involvingLink link: LinkID, tenant: TenantID, metadata: CommandMetadata) async throws
        -> CommandResult
    {
        let snapshot = try await cache.snapshot(of: tenant)
        let involved = snapshot.partnering.links[link].map { [$0.source, $0.economic] } ?? []
        return try await partnering(command, involving: involved, tenant: tenant, metadata: metadata)
    }

    private func partnering(
        _ command: PartneringCommand, involving customers: [CustomerRef], tenant: TenantID, metadata: CommandMetadata
    ) async throws -> CommandResult {
        let commandID = UUID()
        return try await deciding(tenant) { _ in
            let snapshot = try await cache.snapshot(of: tenant)
            let states = try await self.customers.load(customers, tenant: tenant)
            let facts = states.values.compactMap { CustomerFacts($0.state) }
            let context = PartneringContext(
                commandId: commandID, settings: snapshot.settings.effective, customers: facts,
                economicNumbersInUse: try await queries.economicNumbersInUse(among: numbersToCheck(facts, command: command), tenant: tenant))
            let events: [SyncEvent]
            do {
                events = try PartneringDecider.decide(command, state: snapshot.partnering, context: context)
            } catch {
                throw CommandError.rejected(error)
            }
            var versions: [StreamName: Int64] = [.partners: snapshot.partneringVersion]
            for (customer, loaded) in states { versions[.customer(customer)] = loaded.version }
            return try Decision(events, basedOn: versions, metadata: metadata.eventMetadata)
        }
    }

    // MARK: Outbound

    /// Makes an abandoned outbound request due again (after the cause was fixed).
    /// - Throws: ``CommandError`` (`rejected` when the request is unknown or not abandoned).
    @discardableResult
    public func retryOutbound(_ request: RequestID, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult {
        let outcome = try await translatingFailures {
            do {
                return try await runner.decide(
                    OutboundDecider.self, .retry(request), context: .default, on: .outbound(request), tenant: tenant, metadata: metadata.eventMetadata
                )
            } catch let refusal as OutboundDecider.Error {
                throw CommandError.rejected(refusal)
            }
        }
        return CommandResult(events: outcome.events, positions: outcome.positions)
    }

    // MARK: Plumbing

    /// Decides through the runner (again with fresh state when another writer changed a stream it decided on),
    /// and reports what was appended.
    private func deciding(_ tenant: TenantID, _ decide: (_ attempt: Int) async throws -> Decision<Void>) async throws -> CommandResult {
        let outcome = try await translatingFailures { try await runner.run(tenant: tenant, decide) }
        return CommandResult(events: outcome.events, positions: outcome.positions)
    }

    /// Runs `body`, turning the runner's and the store's failures into ``CommandError``s.
    func translatingFailures<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as ContentionError {
            throw CommandError(
                code: .contention, message: "other changes to \(error.stream.map(\.rawValue) ?? "the same data") kept arriving; try again",
                underlying: error)
        } catch let error as UnreadableEvent {
            throw CommandError(code: .unreadableEvent, message: "the command cannot be decided: \(error)", underlying: error)
        } catch {
            throw CommandError.from(error)
        }
    }

    /// The customer numbers whose use in e-conomic matters for a partnering decision.
    private func numbersToCheck(_ facts: [CustomerFacts], command: PartneringCommand) -> [Int] {
        switch command {
        case .createPartner(_, let numbering): return numbersToCheck(facts, numbering: numbering)
        default: return []
        }
    }

    private func numbersToCheck(_ facts: [CustomerFacts], numbering: PartnerNumbering) -> [Int] {
        switch numbering {
        case .explicit(let number): return [number]
        case .economicAssigns: return []
        case .sameAsSource:
            return facts.compactMap { facts in
                Int(facts.customer.id) ?? facts.fields[SourceField.customerNumber.key].flatMap { Int($0) }
            }
        }
    }

    private func numberForFile(of economic: CustomerRef, numbering: PartnerNumbering) -> String {
        if case .explicit(let number) = numbering { return String(number) }
        return economic.id
    }
}
