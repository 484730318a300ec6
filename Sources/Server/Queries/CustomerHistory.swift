import Connectors
import EventStore
import Foundation
import PGClient
import SyncDomain

/// Turns a customer's stream into a history a person can read: each event decoded, in order, with a sentence
/// saying what happened and, for observations, which fields changed from what to what — the answer to "why
/// did this field change?" (when, from which source event, by whom).
enum CustomerHistory {
    /// The entries, oldest first.
    /// - Throws: a decoding error for an event that cannot be read (never skipped).
    static func entries(_ recorded: [RecordedEvent]) throws -> [HistoryEntry] {
        var fields: [String: String] = [:]
        var entries: [HistoryEntry] = []
        for event in recorded {
            let decoded = try SyncEvent.decode(type: event.type, schemaVersion: Int(event.schemaVersion), data: Data(event.data.text.utf8))
            let metadata = try? event.decodedMetadata()
            var changes: [FieldChange] = []
            let summary: String
            switch decoded {
            case .customerObserved(let observed):
                let new = observed.fields
                for key in Set(fields.keys).union(new.keys).sorted() where fields[key] != new[key] {
                    changes.append(FieldChange(field: key, from: fields[key], to: new[key]))
                }
                var text = entries.isEmpty ? "First seen in \(observed.customer.system)" : "Seen again in \(observed.customer.system)"
                if let id = observed.sourceEventId { text += " (event \(id))" }
                if let at = observed.sourceUpdatedAt { text += ", as of \(HTML.format(at))" }
                text += changes.isEmpty ? "; no field changed" : "; \(changes.count) field\(changes.count == 1 ? "" : "s") changed"
                summary = text
                fields = new
            case .customerDeleted(let deleted):
                summary = "Deleted in \(deleted.customer.system)" + (deleted.sourceEventId.map { " (event \($0))" } ?? "")
            case .customerExcluded:
                summary = "Excluded from synchronisation (Don't synchronise)"
            case .customerIncluded:
                summary = "Included in synchronisation again"
            case .matchFailed(let failed):
                summary = "Automatic matching failed: \(failed.reason)"
            case .mappingFailed(let failed):
                summary = "Mapping to e-conomic failed: \(failed.error)"
            default:
                summary = decoded.typeName
            }
            entries.append(
                HistoryEntry(
                    position: event.globalPosition, version: event.streamVersion, type: event.type, recordedAt: event.recordedAt,
                    actor: metadata?.actor, correlationId: metadata?.correlationID?.uuidString.lowercased(),
                    sourceEventId: metadata?.sourceEventID, summary: summary, changes: changes, data: JSONValue.parse(event.data.text)))
        }
        return entries
    }
}
