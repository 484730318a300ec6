/// Decides and folds one import stream (`import-<importId>`). The rows themselves become
/// `CustomerObserved` events in customer streams, decided by ``CustomerDecider``.
public enum ImportDecider: Decider {
    /// Why an import command is refused.
    public enum Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        /// No file was received under this id.
        case notReceived(ImportID)
        /// The import already completed.
        case alreadyCompleted(ImportID)
        /// Another file (different SHA-256) was received under this id.
        case differentFile(ImportID, sha256: String)

        /// A message naming the import.
        public var description: String {
            switch self {
            case .notReceived(let id): "No file was received for import \(id)."
            case .alreadyCompleted(let id): "Import \(id) is already completed."
            case .differentFile(let id, let sha): "Import \(id) holds another file (SHA-256 \(sha))."
            }
        }
    }

    /// A stream with no events: no file received yet.
    public static var initial: ImportState { .initial }

    /// Decides the events for a command.
    /// - Parameters:
    ///   - command: The command.
    ///   - state: The import stream's state.
    ///   - context: Nothing: the import stream is all the decision needs.
    /// - Throws: ``Error``.
    public static func decide(_ command: ImportCommand, state: ImportState, context: Void = ()) throws(Error) -> [SyncEvent] {
        switch command {
        case .receive(let received):
            if let existing = state.received {
                guard existing.sha256.lowercased() == received.sha256.lowercased() else {
                    throw .differentFile(received.importId, sha256: existing.sha256)
                }
                return []
            }
            return [.importReceived(received)]
        case .rejectRow(let rejected):
            try check(rejected.importId, state)
            if state.rejectedRows.contains(rejected.row) { return [] }
            return [.importRowRejected(rejected)]
        case .complete(let completed):
            try check(completed.importId, state)
            return [.importCompleted(completed)]
        }
    }

    private static func check(_ id: ImportID, _ state: ImportState) throws(Error) {
        guard state.received?.importId == id else { throw .notReceived(id) }
        guard state.completed == nil else { throw .alreadyCompleted(id) }
    }

    /// Applies one event; other events leave the state unchanged.
    public static func evolve(_ state: ImportState, _ event: SyncEvent) -> ImportState {
        var state = state
        switch event {
        case .importReceived(let e): state.received = e
        case .importRowRejected(let e): state.rejectedRows.append(e.row)
        case .importCompleted(let e): state.completed = e
        default: break
        }
        return state
    }
}
