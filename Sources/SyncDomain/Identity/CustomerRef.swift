/// Identifies one customer in one system.
///
/// For e-conomic the id is the customer number in decimal (`"1042"`); for Stripe the customer id
/// (`"cus_123"`); for files the row's customer key. `description` reads `stripe:cus_123`.
public struct CustomerRef: Hashable, Codable, Sendable, CustomStringConvertible, Comparable {
    /// The system the customer lives in.
    public var system: System
    /// The customer's id in that system.
    public var id: String

    /// Creates a reference.
    /// - Parameters:
    ///   - system: The system the customer lives in.
    ///   - id: The customer's id in that system.
    public init(system: System, id: String) {
        self.system = system
        self.id = id
    }

    /// A Stripe customer (`cus_…`).
    public static func stripe(_ id: String) -> CustomerRef { CustomerRef(system: .stripe, id: id) }

    /// An e-conomic customer by its customer number.
    public static func economic(_ customerNumber: Int) -> CustomerRef {
        CustomerRef(system: .economic, id: String(customerNumber))
    }

    /// A customer of an imported file, by its key.
    public static func file(_ id: String) -> CustomerRef { CustomerRef(system: .file, id: id) }

    /// Parses `system:id`, e.g. `stripe:cus_123`; `nil` when the system is unknown or the id empty.
    /// - Parameter text: The text to parse.
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":"),
            let system = System(rawValue: String(text[..<colon]))
        else { return nil }
        let id = String(text[text.index(after: colon)...])
        guard !id.isEmpty else { return nil }
        self.init(system: system, id: id)
    }

    /// The e-conomic customer number, when this is an e-conomic reference with a valid number.
    public var customerNumber: Int? {
        guard system == .economic else { return nil }
        return Int(id)
    }

    /// `system:id`, e.g. `stripe:cus_123`.
    public var description: String { "\(system.rawValue):\(id)" }

    /// Orders by system, then id (for deterministic output).
    public static func < (lhs: CustomerRef, rhs: CustomerRef) -> Bool {
        (lhs.system.rawValue, lhs.id) < (rhs.system.rawValue, rhs.id)
    }
}
