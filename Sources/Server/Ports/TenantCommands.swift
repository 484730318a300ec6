public import EventStore
public import SyncDomain
public import SyncEngine

/// The commands the API and the web pages issue, always for one tenant. The command handler carries them out
/// against the event store; tests carry them out in memory with the same deciders.
///
/// Refusals are ``SyncEngine/CommandError``s: `rejected` answers 409, `invalidInput` 422.
public protocol TenantCommands: Sendable {
    /// "Don't synchronise" a customer.
    @discardableResult func exclude(_ customer: CustomerRef, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult
    /// Undoes "Don't synchronise".
    @discardableResult func include(_ customer: CustomerRef, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult
    /// Creates the partner of one customer in the opposite system.
    @discardableResult func createPartner(
        _ customer: CustomerRef, numbering: PartnerNumbering, tenant: TenantID, metadata: CommandMetadata
    ) async throws -> CommandResult
    /// Creates the partner of an e-conomic customer in Stripe.
    @discardableResult func createStripePartner(_ customer: CustomerRef, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult
    /// Creates partners for every unpartnered customer of a side.
    func createPartners(side: System, numbering: PartnerNumbering, tenant: TenantID, metadata: CommandMetadata) async throws -> CreatePartnersResult
    /// Pairs a source customer with an e-conomic one by hand.
    @discardableResult func selectPartner(
        source: CustomerRef, economic: CustomerRef, tenant: TenantID, metadata: CommandMetadata
    ) async throws -> CommandResult
    /// Breaks a link.
    @discardableResult func unlink(_ link: LinkID, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult
    /// Stops synchronising a pair.
    @discardableResult func stopSync(_ link: LinkID, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult
    /// Restarts synchronising a pair.
    @discardableResult func restartSync(_ link: LinkID, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult
    /// Resolves a pair's conflicts field by field.
    @discardableResult func resolveConflict(
        _ link: LinkID, choices: [String: ConflictChoice], tenant: TenantID, metadata: CommandMetadata
    ) async throws -> CommandResult
    /// Makes an abandoned outbound request due again.
    @discardableResult func retryOutbound(_ request: RequestID, tenant: TenantID, metadata: CommandMetadata) async throws -> CommandResult
    /// Saves new settings edited from `expectedVersion`.
    @discardableResult func updateSettings(
        _ settings: TenantSettings, expectedVersion: Int, tenant: TenantID, metadata: CommandMetadata
    ) async throws -> CommandResult
    /// The tenant's current settings.
    func settings(of tenant: TenantID) async throws -> TenantSettings
}

extension CommandHandler: TenantCommands {}
