import EventSourcing
public import EventStore
public import SyncDomain

/// One customer command of a batch (``CommandHandler/customerCommands(_:tenant:)``), with the metadata its events carry.
public struct CustomerCommandItem: Sendable {
    /// What to decide.
    public var command: CustomerCommand
    /// The customer it is about (whose stream it is decided on).
    public var customer: CustomerRef
    /// Stored with the events it decides (its own cause: a Stripe event id, say).
    public var metadata: CommandMetadata

    /// Makes an item.
    public init(_ command: CustomerCommand, customer: CustomerRef, metadata: CommandMetadata) {
        self.command = command
        self.customer = customer
        self.metadata = metadata
    }
}

extension CommandHandler {
    /// Decides several customer commands of one tenant — the webhook inbox's deliveries of one claim — in one read
    /// and one append: every customer's stream loaded in one query, the commands decided in their order (a customer's
    /// later command on the state its earlier ones left), and everything they decide appended atomically (each
    /// customer's events in its commands' order), each event with its own command's metadata. Another writer getting
    /// to one of the streams first means loading and deciding the whole batch again (``EventSourcing/DecisionRunner``).
    ///
    /// A command the domain refuses appends nothing and fails alone; the others go ahead.
    /// - Returns: for each item, in order, what it appended or why it was refused (``CommandError`` `rejected`).
    /// - Throws: ``CommandError`` for what fails the whole batch (`contention` after the last lost race, an
    ///   unreadable event, the database).
    public func customerCommands(_ items: [CustomerCommandItem], tenant: TenantID) async throws -> [Result<[SyncEvent], CommandError>] {
        guard !items.isEmpty else { return [] }
        return try await translatingFailures {
            try await runner.run(tenant: tenant) { _ in
                // A customer named by several items is loaded once.
                let loaded = try await customers.load(items.map(\.customer), tenant: tenant)
                var states = loaded.mapValues(\.state)
                var events: [(event: SyncEvent, metadata: EventMetadata)] = []
                var results: [Result<[SyncEvent], CommandError>] = []
                for item in items {
                    let state = states[item.customer] ?? CustomerState(customer: item.customer)
                    do {
                        let decided = try CustomerDecider.decide(item.command, state: state)
                        states[item.customer] = CustomerDecider.fold(decided, from: state)
                        events += decided.map { ($0, item.metadata.eventMetadata) }
                        results.append(.success(decided))
                    } catch {
                        results.append(.failure(CommandError.rejected(error)))
                    }
                }
                let versions = Dictionary(uniqueKeysWithValues: loaded.map { (StreamName.customer($0.key), $0.value.version) })
                return try Decision(events, basedOn: versions, output: results)
            }.output
        }
    }
}
