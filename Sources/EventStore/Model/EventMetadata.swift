public import Foundation
import PGClient

/// Context stored with every event (`metadata jsonb`): who or what caused it, and how it relates to other events.
///
/// The tenant is not repeated here: it is the event's `tenant_id` column.
public struct EventMetadata: Codable, Hashable, Sendable {
    /// Who acted: `user:<id>`, `system:reactor`, `stripe:webhook`, `import:<file>` …
    public var actor: String?
    /// Groups every event caused by one request or command chain.
    public var correlationID: UUID?
    /// The global position of the event that caused this one, if any.
    public var causationPosition: Int64?
    /// The id of the outside event that caused this one (e.g. a Stripe `evt_…`), if any.
    public var sourceEventID: String?

    /// Makes metadata.
    public init(actor: String? = nil, correlationID: UUID? = nil, causationPosition: Int64? = nil, sourceEventID: String? = nil) {
        self.actor = actor
        self.correlationID = correlationID
        self.causationPosition = causationPosition
        self.sourceEventID = sourceEventID
    }

    /// The metadata as a JSON object, written without an encoder (it sits on the append path).
    var json: PGJSON {
        var members: [String] = []
        if let actor { members.append("\"actor\":\(JSONText.quoted(actor))") }
        if let correlationID { members.append("\"correlationId\":\"\(correlationID.uuidString.lowercased())\"") }
        if let causationPosition { members.append("\"causationPosition\":\(causationPosition)") }
        if let sourceEventID { members.append("\"sourceEventId\":\(JSONText.quoted(sourceEventID))") }
        return PGJSON(text: "{" + members.joined(separator: ",") + "}")
    }

    enum CodingKeys: String, CodingKey {
        case actor
        case correlationID = "correlationId"
        case causationPosition = "causationPosition"
        case sourceEventID = "sourceEventId"
    }
}
