import Logging
import Synchronization

/// The last errors a seed's Accord logged, kept in memory whatever the run's log level, so that a seed that does not
/// settle says what its services kept failing on (the reactor's "turn failed; retrying" with the error) without
/// `--verbose`. Repeats of one message are counted, not stored again.
final class ChaosErrorLog: Sendable {
    private struct Entry {
        var line: String
        var count: Int
    }

    private let entries = Mutex<[Entry]>([])
    private let capacity: Int

    init(capacity: Int = 8) { self.capacity = capacity }

    /// A logger that writes what `base` would (at its level, to standard error) and keeps every error here.
    func logger(like base: Logger, seed: UInt64) -> Logger {
        var logger = Logger(label: base.label) { label in
            var stream = StreamLogHandler.standardError(label: label)
            stream.logLevel = base.logLevel
            return MultiplexLogHandler([stream, Handler(log: self)])
        }
        logger[metadataKey: "chaos.seed"] = "\(seed)"
        return logger
    }

    /// The errors kept, oldest first, each with how often it was logged.
    var lines: [String] { entries.withLock { $0.map { $0.count > 1 ? "\($0.line) (×\($0.count))" : $0.line } } }

    fileprivate func keep(_ line: String) {
        entries.withLock { entries in
            if let index = entries.firstIndex(where: { $0.line == line }) {
                entries[index].count += 1
                let entry = entries.remove(at: index)
                entries.append(entry)
            } else {
                entries.append(Entry(line: line, count: 1))
                if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
            }
        }
    }

    private struct Handler: LogHandler {
        let log: ChaosErrorLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .error

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let error = event.metadata?["error"].map { ": \($0)" } ?? ""
            log.keep("\(event.message)\(error)")
        }
    }
}
