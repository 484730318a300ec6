public import Foundation

extension CustomerObserved {
    /// Decodes a stored payload. Observations are most of the log, and Foundation's `JSONDecoder` spends most of its
    /// time in Codable's generic machinery (decoding was over half of a rebuild's CPU), so the payload is read from the
    /// parsed JSON object directly; whatever that reading does not accept goes through the general decoder, which
    /// accepts or refuses it with its usual error. Both give the same payload for everything `Codable` writes.
    public static func decode(schemaVersion: Int, from data: Data) throws -> CustomerObserved {
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let observed = CustomerObserved(jsonObject: object) {
            return observed
        }
        return try EventJSON.decode(Self.self, from: data)
    }

    /// The payload from a parsed JSON object of the shape `Codable` writes; nil for anything else.
    init?(jsonObject object: [String: Any]) {
        guard let customer = object["customer"] as? [String: Any], let system = (customer["system"] as? String).flatMap(System.init(rawValue:)),
            let id = customer["id"] as? String, let fields = object["fields"] as? [String: String]
        else { return nil }
        var sourceEventId: String?
        switch object["sourceEventId"] {
        case nil, is NSNull: sourceEventId = nil
        case let text as String: sourceEventId = text
        default: return nil
        }
        var sourceUpdatedAt: Date?
        switch object["sourceUpdatedAt"] {
        case nil, is NSNull: sourceUpdatedAt = nil
        case let text as String:
            guard let date = EventJSON.date(from: text) else { return nil }
            sourceUpdatedAt = date
        default: return nil
        }
        self.init(customer: CustomerRef(system: system, id: id), fields: fields, sourceEventId: sourceEventId, sourceUpdatedAt: sourceUpdatedAt)
    }
}
