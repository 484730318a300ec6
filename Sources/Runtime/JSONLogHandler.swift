public import Foundation
public import Logging
import Synchronization

/// Writes each log record as one JSON object per line (`ACCORD_LOG_FORMAT=json`), for log shippers: time (ISO 8601,
/// milliseconds, UTC), level, label, message, source, and the metadata flattened to strings — the HTTP server's
/// request id (`hb.request.id`), the tenant, the request or event concerned, whatever the caller attached.
public struct JSONLogHandler: LogHandler {
    /// The metadata every record of this logger carries.
    public var metadata: Logger.Metadata = [:]
    /// Records below this level are dropped.
    public var logLevel: Logger.Level = .info

    private let label: String
    private let write: @Sendable (String) -> Void

    /// A handler writing to standard error.
    public static func standardError(label: String) -> JSONLogHandler {
        JSONLogHandler(label: label) { line in FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// A handler writing each line (with its newline) to `write`.
    public init(label: String, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let record: [String: Any] = [
            "time": Self.timestamp(Date()), "level": event.level.rawValue, "label": label, "message": "\(event.message)",
            "source": event.source, "metadata": merged.mapValues(Self.flatten),
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        write(String(decoding: data, as: UTF8.self) + "\n")
    }

    private static func flatten(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(flatten)
        case .dictionary(let values): values.mapValues(flatten)
        }
    }

    private static let formatter: Mutex<ISO8601DateFormatter> = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return Mutex(formatter)
    }()

    private static func timestamp(_ date: Date) -> String { formatter.withLock { $0.string(from: date) } }
}
