import EventStore
import Foundation
import Projections
import Server
import SyncDomain
import SyncEngine

/// The server's commands carried out in memory: the state each decider needs is folded from the log, the facts
/// the command handler reads from read models come from the in-memory fold, and the deciders' refusals become
/// the same ``SyncEngine/CommandError``s.
extension MemoryEngine: TenantCommands {
    // MARK: Customers

    /// Records a customer as seen in its system (what the connectors do).
    @discardableResult
    func observeCustomer(_ observation: CustomerObserved, tenant: TenantID, metadata: CommandMetadata) throws -> CommandResult {
        try customerCommand(.observe(observation), customer: observation.customer, tenant: tenant, metadata: metadata)
    }

    @discardableResult
    func exclude(_ customer: CustomerRef, tenant: TenantID, metadata: CommandMetadata) throws -> CommandResult {
        try customerCommand(.exclude(customer), customer: customer, tenant: tenant, metadata: metadata)
    }

    @discardableResult
    func include(_ customer: CustomerRef, tenant: TenantID, metadata: CommandMetadata) throws -> CommandResult {
        try customerCommand(.include(customer), customer: customer, tenant: tenant, metadata: metadata)
    }

    private func customerCommand(_ command: CustomerCommand, customer: CustomerRef, tenant: TenantID, metadata: CommandMetadata) throws
        -> CommandResult
    {
        let events: [SyncEvent]
        do {
            events = try CustomerDecider.decide(command, state: self.customer(customer, of: tenant))
        } catch {
            throw Self.refused(error)
        }
        return try append(events, tenant: tenant, metadata: metadata)
    }

    // MARK: Settings

    @discardableResult
    func updateSettings(_ settings: TenantSettings, expectedVersion: Int, tenant: TenantID, metadata: CommandMetadata) throws -> CommandResult {
        let events: [SyncEvent]
        do {
            events = try SettingsDecider.decide(UpdateSettings(settings: settings, expectedVersion: expectedVersion), state: self.settings(tenant))
        } catch SettingsDecider.Error.invalid(let problem) {
            throw CommandError(code: .invalidInput, message: "\(problem)", underlying: problem)
        } catch {
            throw Self.refused(error)
        }
        return try append(events, tenant: tenant, metadata: metadata)
    }

    func settings(of tenant: TenantID) -> TenantSettings { settings(tenant).effective }

    // MARK: Partnering

    @discardableResult
    func selectPartner(source: CustomerRef, economic: CustomerRef, tenant: TenantID, metadata: CommandMetadata) throws -> CommandResult {
        try partnering(.selectPartner(source: source, economic: economic), involving: [source, economic], tenant: tenant, metadata: metadata)
    }

    @discardableResult
    func unlink(_ link: LinkID, tenant: TenantID, metadata: CommandMetadata) throws -> CommandResult {
        try partnering(.unlink(link), involvingLink: link, tenant: tenant, metadata: metadata)
    }

    @discardableResult
    func stopSync(_ link: LinkID, tenant: TenantID, metadata: CommandMetadata) throws -> CommandResult {
        try partnering(.stopSync(link), involvingLink: link, tenant: tenant, metadata: metadata)
    }

    @discardableResult
    func restartSync(_ link: LinkID, tenant: TenantID, metadata: CommandMetadata) throws -> CommandResult {
        try partnering(.restartSync(link), involvingLink: link, tenant: tenant, metadata: metadata)
    }

    @discardableResult
    func resolveConflict(_ link: LinkID, choices: [String: ConflictChoice], tenant: TenantID, metadata: CommandMetadata) throws -> CommandResult {
        try partnering(.resolveConflict(link, choices: choices), involvingLink: link, tenant: tenant, metadata: metadata)
    }

    @discardableResult
    func createPartner(_ customer: CustomerRef, numbering: PartnerNumbering, tenant: TenantID, metadata: CommandMetadata) throws -> CommandResult {
        // An e-conomic customer's partner is a file customer, which must not exist already.
        let file: CustomerRef? = customer.system == .economic ? .file(Self.fileNumber(of: customer, numbering: numbering)) : nil
        return try partnering(
            .createPartner(customer, numbering: numbering), involving: [customer] + [file].compactMap { $0 }, tenant: tenant, metadata: metadata,
            numbering: numbering)
    }

    func createStripePartner(_ customer: CustomerRef, tenant: TenantID, metadata: CommandMetadata) throws -> CommandResult {
        try partnering(.createStripePartner(customer), involving: [customer], tenant: tenant, metadata: metadata)
    }

    func createPartners(side: System, numbering: PartnerNumbering, tenant: TenantID, metadata: CommandMetadata) throws -> CreatePartnersResult {
        var facts = readModels().partnerCandidates(side: side, tenant: tenant)
        if side == .economic {
            facts += facts.compactMap { CustomerFacts(customer(.file(Self.fileNumber(of: $0.customer, numbering: numbering)), of: tenant)) }
        }
        let plan = PartneringDecider.planCreatePartners(
            side: side, numbering: numbering, state: partnering(tenant), context: context(tenant, facts: facts, numbering: numbering))
        return CreatePartnersResult(
            try append(plan.events, tenant: tenant, metadata: metadata), created: plan.created, skipped: plan.skipped.mapValues { "\($0)" })
    }

    private func partnering(_ command: PartneringCommand, involvingLink link: LinkID, tenant: TenantID, metadata: CommandMetadata) throws
        -> CommandResult
    {
        let involved = partnering(tenant).links[link].map { [$0.source, $0.economic] } ?? []
        return try partnering(command, involving: involved, tenant: tenant, metadata: metadata)
    }

    private func partnering(
        _ command: PartneringCommand, involving customers: [CustomerRef], tenant: TenantID, metadata: CommandMetadata,
        numbering: PartnerNumbering? = nil
    ) throws -> CommandResult {
        let facts = customers.compactMap { CustomerFacts(customer($0, of: tenant)) }
        let events: [SyncEvent]
        do {
            events = try PartneringDecider.decide(command, state: partnering(tenant), context: context(tenant, facts: facts, numbering: numbering))
        } catch {
            throw Self.refused(error)
        }
        return try append(events, tenant: tenant, metadata: metadata)
    }

    /// What a partnering decision knows beyond the `partners` stream: the settings, the customers involved, and
    /// which of the customer numbers the numbering would use are taken (from the customers read model).
    private func context(_ tenant: TenantID, facts: [CustomerFacts], numbering: PartnerNumbering?) -> PartneringContext {
        var numbers: [Int] = []
        switch numbering {
        case .explicit(let number)?: numbers = [number]
        case .sameAsSource?: numbers = facts.compactMap { Int($0.customer.id) ?? $0.fields[SourceField.customerNumber.key].flatMap { Int($0) } }
        case .economicAssigns?, nil: break
        }
        return PartneringContext(
            commandId: UUID(), settings: settings(tenant).effective, customers: facts,
            economicNumbersInUse: readModels().economicNumbersInUse(among: numbers, tenant: tenant))
    }

    private static func fileNumber(of economic: CustomerRef, numbering: PartnerNumbering) -> String {
        if case .explicit(let number) = numbering { return String(number) }
        return economic.id
    }

    // MARK: Outbound

    /// Records what the outbound worker records (an outcome of a request).
    func record(_ event: SyncEvent, tenant: TenantID) throws {
        try append([event], tenant: tenant, metadata: CommandMetadata(actor: "system:outbound"))
    }

    @discardableResult
    func retryOutbound(_ request: RequestID, tenant: TenantID, metadata: CommandMetadata) throws -> CommandResult {
        let events: [SyncEvent]
        do {
            events = try OutboundDecider.decide(.retry(request), state: outbound(request, of: tenant))
        } catch {
            throw Self.refused(error)
        }
        return try append(events, tenant: tenant, metadata: metadata)
    }

    private static func refused(_ error: any Error) -> CommandError {
        CommandError(code: .rejected, message: "\(error)", underlying: error)
    }
}
