import PGClient

/// The per-event columns of an insert statement, built once for a whole batch: types and schema versions as
/// arrays, payloads and metadata as one JSON array each (parsed once by the server, no array-literal escaping).
struct EventColumns {
    private(set) var types: [String] = []
    private(set) var schemaVersions: [Int32] = []
    private var payloadArray = "["
    private var metadataArray = "["

    /// The payloads as one JSON array.
    var payloads: String { payloadArray + "]" }
    /// The metadata as one JSON array.
    var metadata: String { metadataArray + "]" }

    init(capacity: Int = 0, payloadBytes: Int = 0) {
        types.reserveCapacity(capacity)
        schemaVersions.reserveCapacity(capacity)
        payloadArray.reserveCapacity(payloadBytes + 2)
    }

    /// Columns for `events`, in order.
    init(_ events: [NewEvent]) {
        self.init(capacity: events.count, payloadBytes: events.reduce(0) { $0 + $1.data.text.utf8.count + 1 })
        for event in events { append(event) }
    }

    mutating func append(_ event: NewEvent) {
        if !types.isEmpty {
            payloadArray += ","
            metadataArray += ","
        }
        types.append(event.type)
        schemaVersions.append(event.schemaVersion)
        payloadArray += event.data.text
        metadataArray += event.metadata.json.text
    }
}
