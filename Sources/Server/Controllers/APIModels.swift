import Connectors
import EventStore
import Foundation
import Projections
import SyncDomain
import SyncEngine

// The shapes the JSON API answers with and accepts (documented in docs/api.md).

/// A page of a list.
struct Page<Item: Codable & Sendable>: Codable, Sendable {
    var items: [Item]
    var total: Int
    var limit: Int
    var offset: Int
}

/// A customer in a list.
struct CustomerSummary: Codable, Sendable {
    var ref: String
    var system: String
    var id: String
    var name: String?
    var email: String?
    var deleted: Bool
    var excluded: Bool
    var linkId: String?
    var partner: String?
    var pendingRequest: String?
    var matchFailure: String?
    var mappingFailure: String?
    var unpartneredSince: Date?
    var updatedAt: Date

    init(_ row: CustomerRow) {
        ref = row.customer.description
        system = row.system
        id = row.externalID
        name = row.name
        email = row.email
        deleted = row.deleted
        excluded = row.excluded
        linkId = row.linkID
        partner = row.partner
        pendingRequest = row.pendingRequest
        matchFailure = row.matchFailure?.description
        mappingFailure = row.mappingFailure?.description
        unpartneredSince = row.unpartneredSince
        updatedAt = row.updatedAt
    }
}

/// One customer with everything Accord knows about it.
struct CustomerDetail: Encodable, Sendable {
    var customer: CustomerSummary
    /// Current fields, in its system's vocabulary.
    var fields: [String: String]
    /// For a source customer: the e-conomic fields the current mapping makes of it.
    var mapped: [String: String]?
    var sourceUpdatedAt: Date?
    var lastSourceEventId: String?
    var link: LinkSummary?
    var conflicts: [ConflictField]
    /// The customer's history across every stream that concerns it, oldest first.
    var history: [TimelineEntry]
}

/// A linked pair.
struct LinkSummary: Codable, Sendable {
    var linkId: String
    var source: String
    var economic: String
    var origin: String
    var stopped: Bool
    var agreed: [String: String]
    var linkedAt: Date
    var updatedAt: Date

    init(_ row: PartnerLinkRow) {
        linkId = row.linkID
        source = row.source
        economic = CustomerRef(system: .economic, id: row.economicNumber).description
        origin = Self.describe(row.origin)
        stopped = row.stopped
        agreed = row.agreed
        linkedAt = row.linkedAt
        updatedAt = row.updatedAt
    }

    static func describe(_ origin: LinkOrigin) -> String {
        switch origin {
        case .autoMatch(let key): "matched automatically on \(key)"
        case .user: "paired by hand"
        case .created(let request): "partner created (request \(request))"
        case .copiedToFile: "copied to the customer file"
        }
    }
}

/// One conflicting field of a pair.
struct ConflictField: Codable, Sendable {
    var field: String
    var sourceValue: String?
    var economicValue: String?
    var baseValue: String?
    var since: Date

    init(_ row: ConflictRow) {
        field = row.field
        sourceValue = row.sourceValue
        economicValue = row.economicValue
        baseValue = row.baseValue
        since = row.since
    }
}

/// A pair's open conflicts.
struct ConflictGroup: Codable, Sendable {
    var linkId: String
    var source: String?
    var economic: String?
    var fields: [ConflictField]
}

/// A customer without a partner.
struct UnpartneredItem: Codable, Sendable {
    var ref: String
    var side: String
    var name: String?
    var email: String?
    var since: Date

    init(_ row: UnpartneredRow) {
        ref = CustomerRef(system: System(rawValue: row.system) ?? .file, id: row.externalID).description
        side = row.side
        name = row.name
        email = row.email
        since = row.since
    }
}

/// A partner being created.
struct PendingItem: Codable, Sendable {
    var requestId: String
    var from: String
    var targetSystem: String
    var customerNumber: Int?
    var payload: [String: String]
    var requestedAt: Date

    init(_ row: PendingCreationRow) {
        requestId = row.requestID
        from = row.from
        targetSystem = row.targetSystem
        customerNumber = row.customerNumber
        payload = row.payload
        requestedAt = row.requestedAt
    }
}

/// What a command appended.
struct CommandOutcome: Codable, Sendable {
    /// How many events were appended (0: nothing needed to change).
    var appended: Int
    /// Their types, in order.
    var events: [String]
    /// Their global positions.
    var positions: [Int64]

    init(_ result: CommandResult) {
        appended = result.events.count
        events = result.events.map(\.typeName)
        positions = result.positions
    }
}

/// What "create partners for all" did.
struct CreatePartnersOutcome: Codable, Sendable {
    var appended: Int
    var created: [String]
    var skipped: [String: String]
}

/// The settings and their version.
struct SettingsDocument: Codable, Sendable {
    var version: Int
    var settings: TenantSettings
}

/// `GET /settings/application` (and pause, resume): where applying the latest settings change to existing customers
/// stands — the application's own fields, and the same as a sentence for people (`summary`).
struct SettingsApplicationDocument: Encodable, Sendable {
    var application: SettingsApplication

    init(_ application: SettingsApplication) { self.application = application }

    private enum CodingKeys: String, CodingKey { case summary }

    func encode(to encoder: any Encoder) throws {
        try application.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(application.sentence, forKey: .summary)
    }
}

/// `PUT /settings`: the new settings and the version they were edited from.
struct SettingsUpdate: Decodable, Sendable {
    var expectedVersion: Int
    var settings: TenantSettings
    /// Whether a person confirmed a change that changes many customers (see `ServerConfiguration.confirmChangesAbove`).
    var confirm: Bool

    enum CodingKeys: String, CodingKey { case expectedVersion, settings, confirm }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        expectedVersion = try container.decode(Int.self, forKey: .expectedVersion)
        confirm = try container.decodeIfPresent(Bool.self, forKey: .confirm) ?? false
        // `settings.version` is set by Accord; accept the object with or without it.
        var raw = try container.decode(JSONValue.self, forKey: .settings)
        if case .object(var members) = raw, members["version"] == nil {
            members["version"] = .int(0)
            raw = .object(members)
        }
        do {
            settings = try JSONDecoder().decode(TenantSettings.self, from: JSONEncoder().encode(raw))
        } catch let error as DecodingError {
            throw APIError.invalidInput("settings: " + JSONBody.describe(error))
        }
    }
}

/// How a partner's customer number is chosen: `{"mode":"economicAssigns"}`, `{"mode":"sameAsSource"}` or
/// `{"mode":"explicit","number":1042}`.
struct NumberingInput: Codable, Sendable {
    var mode: String
    var number: Int?

    func numbering() throws -> PartnerNumbering {
        switch mode {
        case "economicAssigns": return .economicAssigns
        case "sameAsSource": return .sameAsSource
        case "explicit":
            guard let number else { throw APIError.invalidInput("Enter the customer number the new partner should get, or let e-conomic assign one (numbering 'explicit' needs a 'number').") }
            guard (1...999_999_999).contains(number) else { throw APIError.invalidInput("Customer number \(number) cannot be used: e-conomic takes 1 to 999999999.") }
            return .explicit(number: number)
        default:
            throw APIError.invalidInput("unknown numbering mode '\(mode.prefix(40))': use economicAssigns, sameAsSource or explicit")
        }
    }
}

/// `POST /customers/{system}/{id}/create-partner` and `POST /unpartnered/{side}/create-partners`.
struct CreatePartnerInput: Codable, Sendable {
    var numbering: NumberingInput?
    /// Where an e-conomic customer's partner is created: `file` (the default) or `stripe`; `economic` (the only
    /// choice, and the default) for a Stripe or file customer.
    var target: String?

    /// The system the partner of `customer` is created in.
    /// - Throws: ``APIError`` (`invalidInput`) for an unknown system or one the customer's partner cannot be made in.
    func targetSystem(for customer: CustomerRef) throws -> System {
        let standard: System = customer.system == .economic ? .file : .economic
        guard let target else { return standard }
        guard let system = System(rawValue: target) else {
            throw APIError.invalidInput("unknown target '\(target.prefix(40))': use file or stripe for an e-conomic customer, economic otherwise")
        }
        let allowed: [System] = customer.system == .economic ? [.file, .stripe] : [.economic]
        guard allowed.contains(system) else {
            throw APIError.invalidInput(
                customer.system == .economic
                    ? "an e-conomic customer's partner is created in a file (target file) or in Stripe (target stripe)"
                    : "a \(customer.system.rawValue) customer's partner is created in e-conomic (target economic)")
        }
        return system
    }
}

/// `POST /links`: pair two customers by hand.
struct SelectPartnerInput: Codable, Sendable {
    /// `stripe:cus_…` or `file:…`.
    var source: String
    /// `economic:<number>`.
    var economic: String
}

/// `POST /conflicts/{link}/resolve`: field → `{"keep":"source"}`, `{"keep":"economic"}` or `{"value":"…"}`.
struct ResolveInput: Codable, Sendable {
    var choices: [String: ConflictChoice]
}
