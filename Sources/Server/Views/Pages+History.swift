import Foundation
import Projections
import SyncDomain

extension Pages {
    /// A customer's history across every stream that concerns it: per entry its position (an anchor that
    /// causation links point to), time, kind and sentence, field changes, the payload on demand, and who acted.
    static func history(_ entries: [TimelineEntry]) -> HTML {
        let rows = HTML.join(
            entries.map { entry -> HTML in
                let changes = HTML.join(
                    entry.changes.map { "<li><code>\($0.field)</code>: \($0.from ?? "(none)") → \($0.to ?? "(none)")</li>" })
                let cause: HTML =
                    entry.causationPosition.map { "<br><span class=\"muted\">caused by <a href=\"#event-\(Int($0))\">#\(Int($0))</a></span>" }
                    ?? .empty
                return """
                    <tr id="event-\(Int(entry.position))"><td>\(Int(entry.position))</td><td>\(entry.recordedAt)</td><td><span class="tag">\(entry.kind.rawValue)</span> \(entry.summary)\(entry.changes.isEmpty ? HTML.empty : "<ul>\(changes)</ul>")
                    <details><summary>\(entry.type) <span class="muted">\(entry.stream) v\(Int(entry.version))</span></summary><pre>\(payload(entry.event))</pre></details></td>
                    <td>\(entry.actor)\(entry.sourceEventId.map { "<br><code>\($0)</code>" } ?? HTML.empty)\(cause)</td></tr>
                    """
            })
        return """
            <h2>History</h2><p class="muted">Everything recorded about this customer, oldest first, across its own stream, its links and the \
            requests sent for them: when, what happened and changed, who acted and what caused it.</p>
            <table><tr><th>#</th><th>Recorded</th><th>What happened</th><th>By</th></tr>\(rows)</table>
            """
    }

    /// The event's payload as indented JSON.
    private static func payload(_ event: SyncEvent) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? String(decoding: encoder.encode(event.payload), as: UTF8.self)) ?? ""
    }
}
