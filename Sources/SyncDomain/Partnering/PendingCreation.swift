/// A partner Accord has asked to create and not yet linked.
public struct PendingCreation: Hashable, Sendable, Codable {
    /// The outbound request creating it.
    public var requestId: RequestID
    /// The customer whose partner is created.
    public var from: CustomerRef
    /// The system it is created in.
    public var targetSystem: System
    /// How its number is chosen.
    public var numbering: PartnerNumbering
    /// The chosen number, unless e-conomic assigns it.
    public var customerNumber: Int?
    /// The fields it is created with.
    public var payload: [String: String]
    /// The match keys of `from`.
    public var matchKeys: [MatchKey]

    /// Creates a pending creation from its request event.
    /// - Parameter event: The `PartnerCreationRequested` event.
    public init(_ event: PartnerCreationRequested) {
        requestId = event.requestId
        from = event.from
        targetSystem = event.targetSystem
        numbering = event.numbering
        customerNumber = event.customerNumber
        payload = event.payload
        matchKeys = event.matchKeys
    }
}
