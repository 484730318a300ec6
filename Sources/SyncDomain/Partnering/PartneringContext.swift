public import Foundation

/// Facts a partnering command needs beyond the `partners` stream, filled by the handler from read
/// models.
public struct PartneringContext: Sendable {
    /// The command's id; ids of new links and requests are derived from it (a retried command
    /// yields the same ids).
    public var commandId: UUID
    /// The tenant's settings.
    public var settings: TenantSettings
    /// The customers the command touches (for Create partners: every customer of the side).
    public var customers: [CustomerRef: CustomerFacts]
    /// Customer numbers that exist in e-conomic.
    public var economicNumbersInUse: Set<Int>

    /// Creates a context.
    public init(commandId: UUID, settings: TenantSettings, customers: [CustomerFacts] = [], economicNumbersInUse: Set<Int> = []) {
        self.commandId = commandId
        self.settings = settings
        self.customers = Dictionary(customers.map { ($0.customer, $0) }, uniquingKeysWith: { _, last in last })
        self.economicNumbersInUse = economicNumbersInUse
    }
}
